/** What the server tells a form page, from the page's query string and the host's options. */
export interface PageConfig {
  entity: 'opportunity' | 'quote';
  /** `?id=`; null opens the first record of the table. */
  recordId: string | null;
  theme: 'light' | 'dark';
  readOnly: boolean;
  /** `host`: tokens the host mints for the demo user; `msal`: the control's own MSAL sign-in. */
  signIn: 'host' | 'msal';
  user: string;
  /** The control's inputs as typed on the form; null leaves them empty, so only the environment variables apply. */
  inputs: {
    apiBaseUrl: string;
    clientId: string;
    tenantId: string;
    apiScope: string;
    authorityHost: string;
  } | null;
}

export const CONFIG_ELEMENT_ID = 'form-host-config';
export const ROOT_ELEMENT_ID = 'form-host';
/** Which demo user the page acts as on the Web API; in Dynamics the session cookie says who is signed in. */
export const USER_HEADER = 'x-form-host-user';
