/** The control's inputs as typed on the page; null leaves them empty, so only the environment variables apply. */
export type PageInputs = {
  apiBaseUrl: string;
  clientId: string;
  tenantId: string;
  apiScope: string;
  authorityHost: string;
} | null;

/** What every host page takes from its query string: the theme, the sign-in and who the page acts as. */
export interface CommonPageConfig {
  theme: 'light' | 'dark';
  /** `host`: tokens the host mints for the demo user; `msal`: the control's own MSAL sign-in. */
  signIn: 'host' | 'msal';
  user: string;
  inputs: PageInputs;
}

/** What the server tells a form page, from the page's query string and the host's options. */
export interface PageConfig extends CommonPageConfig {
  entity: 'opportunity' | 'quote';
  /** `?id=`; null opens the first record of the table. */
  recordId: string | null;
  readOnly: boolean;
}

/** The settings page: no record, the SyncSettings control on a page of its own (as on a custom page). */
export type SettingsPageConfig = CommonPageConfig;

/** The parent page of the settings web resource: who is signed in to "Dynamics" (the web resource signs in itself). */
export interface WebResourcePageConfig {
  user: string;
}

export const CONFIG_ELEMENT_ID = 'form-host-config';
export const ROOT_ELEMENT_ID = 'form-host';
/** Which demo user the page acts as on the Web API; in Dynamics the session cookie says who is signed in. */
export const USER_HEADER = 'x-form-host-user';
