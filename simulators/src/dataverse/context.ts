import type { Principal } from './access';
import type { DataverseError } from './errors';
import type { Preferences } from './prefer';
import type { SimulatorState } from './state';

/** One operation (a request, or one part of a $batch) as the handlers see it. */
export interface OperationContext {
  state: SimulatorState;
  principal: Principal;
  /** Absolute service root ending in `/`, e.g. `http://127.0.0.1:7101/api/data/v9.2/`. */
  serviceRoot: string;
  /** Request headers in lower case. */
  headers: Readonly<Record<string, string>>;
  preferences: Preferences;
  now: Date;
  /** `$1` → entity URL of the records created earlier in the current change set. */
  contentIds?: ReadonlyMap<string, string>;
}

export interface ServiceResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

const ODATA_HEADERS = { 'OData-Version': '4.0' } as const;

export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): ServiceResponse {
  return {
    status,
    headers: { 'Content-Type': 'application/json; odata.metadata=minimal', ...ODATA_HEADERS, ...headers },
    body: JSON.stringify(body),
  };
}

export function emptyResponse(status: number, headers: Record<string, string> = {}): ServiceResponse {
  return { status, headers: { ...ODATA_HEADERS, ...headers } };
}

export function errorResponse(error: DataverseError): ServiceResponse {
  return jsonResponse(error.status, error.body(), { ...error.headers });
}

export function etagOf(version: number): string {
  return `W/"${version}"`;
}
