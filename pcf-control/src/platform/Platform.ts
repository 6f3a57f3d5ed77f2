/**
 * Everything the controls need from the page that hosts them, typed narrowly. The control class turns the
 * ComponentFramework context into one of these (pcfPlatform.ts); the components never see the context, so the
 * same tree runs in Dynamics, in the local host page and in unit tests.
 */
interface HostRecord {
  /** Logical name of the form's table: `opportunity`, `quote`, or a custom one. */
  entityName: string;
  /** The record's id (lower-case GUID), or null on a create form before the first save. */
  id: string | null;
  /** The record's primary name as the form shows it, when the host knows it. */
  name: string | null;
}

interface HostUser {
  id: string;
  name: string;
  /** Windows LCID of the user's language (1033 for English). */
  languageId: number;
}

/** The control's inputs as typed on the form, before the environment variables override them. */
export interface ControlInputs {
  apiBaseUrl: string | null;
  clientId: string | null;
  tenantId: string | null;
  apiScope: string | null;
  authorityHost: string | null;
}

/** Rows the Web API answers: plain JSON objects keyed by column. */
export type WebApiRow = Readonly<Record<string, unknown>>;

interface HostWebApi {
  retrieveMultiple(entityName: string, options: string): Promise<WebApiRow[]>;
  retrieveRecord(entityName: string, id: string, options: string): Promise<WebApiRow>;
}

export interface Platform {
  record: HostRecord;
  user: HostUser;
  /** The form is read-only or the record inactive: the widget shows, but changes nothing. */
  readOnly: boolean;
  inputs: ControlInputs;
  webApi: HostWebApi;
  /** The resx string of a key; throws in tests and the host page when the key is missing. */
  getString(key: string): string;
  formatDecimal(value: number, precision: number): string;
  formatDateTime(value: Date): string;
  /** Opens a URL in a new tab (Oneflow's contract page). */
  openUrl(url: string): void;
}
