import { z } from 'zod';
import { errorOfKind, guardFor } from '../common/errorKinds';

/**
 * Typed Dataverse failures: one base class carrying the request and Dataverse's error, one subclass per kind
 * (`errorOfKind`), `isX(e: unknown)` guards. Two messages: `userMessage` is what a sales rep can act on (for a
 * missing privilege it names the privilege, as Dataverse's message does); `message` adds the method, URL and
 * Dataverse's code for logs. Tokens never reach an error: a transport failure's cause is rebuilt without the
 * request config (its headers hold the bearer token).
 */

export type DataverseErrorKind =
  | 'auth'
  | 'forbidden'
  | 'not_found'
  | 'precondition_failed'
  | 'validation'
  | 'throttled'
  | 'server'
  | 'client'
  | 'network'
  | 'invalid_response';

/** Dataverse's error body, `{"error":{"code":"0x80040220","message":"…"}}`; read leniently. */
const DataverseErrorBodySchema = z.object({
  error: z.object({
    code: z.string().optional().catch(undefined),
    message: z.string().optional().catch(undefined),
  }),
});

export interface DataverseErrorInit {
  /** The HTTP status (of the failed operation, inside a $batch); null when no answer came. */
  status: number | null;
  method: string;
  url: string;
  /** Dataverse's error code, e.g. `0x80040220` (missing privilege), `0x80060882` (row version). */
  errorCode?: string | null;
  /** Dataverse's error message, as it came. */
  detail?: string | null;
  /** How many attempts were made before giving up. */
  attempts?: number;
  /** Throttled: how long Dataverse asked to wait (Retry-After), when it said. */
  retryAfterMs?: number | null;
  /** In a change set: the 0-based index of the operation that failed. */
  operationIndex?: number | null;
  /** The record the failure is about, when known (e.g. the stale line of a change set). */
  recordId?: string | null;
  cause?: unknown;
}

/** The privilege named in Dataverse's 0x80040220 message ("… is missing prvWriteOpportunity privilege …"). */
function missingPrivilegeOf(
  detail: string | null | undefined,
): { privilege: string; entity: string | null } | null {
  const privilege = /missing (prv\w+) privilege/i.exec(detail ?? '')?.[1];
  if (privilege === undefined) return null;
  const entity = /for entity '([^']+)'/i.exec(detail ?? '')?.[1] ?? null;
  return { privilege, entity };
}

function userMessageFor(kind: DataverseErrorKind, init: DataverseErrorInit): string {
  const detail = init.detail ?? '';
  switch (kind) {
    case 'auth':
      return 'Dynamics did not accept the sync service’s sign-in. An administrator must check the app registration and its application user.';
    case 'forbidden': {
      const missing = missingPrivilegeOf(detail);
      if (missing) {
        const on = missing.entity === null ? '' : ` on ${missing.entity}`;
        return `You are missing the ${missing.privilege} privilege${on} in Dynamics. Ask your Dynamics administrator for a security role that grants it.`;
      }
      return detail === '' ? 'Dynamics refused access to this record.' : `Dynamics refused access: ${detail}`;
    }
    case 'not_found':
      return init.recordId
        ? `Record ${init.recordId} was not found in Dynamics; it may have been deleted.`
        : 'The record was not found in Dynamics; it may have been deleted.';
    case 'precondition_failed':
      return init.recordId
        ? `Line ${init.recordId} was changed in Dynamics after it was read, so nothing was saved. Reload and try again.`
        : 'A record was changed in Dynamics after it was read, so nothing was saved. Reload and try again.';
    case 'validation': {
      const what = init.method === 'GET' ? 'request' : 'change';
      return detail === '' ? `Dynamics refused the ${what}.` : `Dynamics refused the ${what}: ${detail}`;
    }
    case 'throttled': {
      const seconds = init.retryAfterMs == null ? null : Math.ceil(init.retryAfterMs / 1000);
      return seconds === null
        ? 'Dynamics is busy (service protection limit). Try again in a few minutes.'
        : `Dynamics is busy (service protection limit). Try again in ${seconds} s.`;
    }
    case 'server':
      return 'Dynamics had an internal error. Try again later.';
    case 'network':
      return 'Dynamics could not be reached. Try again later.';
    case 'invalid_response':
      return 'Dynamics answered in an unexpected way. Try again later; if it persists, contact support.';
    case 'client':
      return detail === '' ? 'Dynamics refused the request.' : `Dynamics refused the request: ${detail}`;
  }
}

function describe(kind: DataverseErrorKind, init: DataverseErrorInit, userMessage: string): string {
  const what = init.status === null ? 'got no answer' : `answered ${init.status}`;
  const code = init.errorCode ? ` ${init.errorCode}` : '';
  const operation = init.operationIndex == null ? '' : ` (change set operation ${init.operationIndex})`;
  const detail = init.detail && !userMessage.includes(init.detail) ? `: ${init.detail}` : '';
  return `${userMessage} [Dataverse ${init.method} ${init.url}${operation} ${what}${code} (${kind})${detail}]`;
}

export class DataverseError extends Error {
  readonly kind: DataverseErrorKind;
  readonly status: number | null;
  readonly errorCode: string | null;
  readonly detail: string | null;
  readonly userMessage: string;
  readonly method: string;
  readonly url: string;
  readonly attempts: number;
  readonly retryAfterMs: number | null;
  readonly operationIndex: number | null;
  readonly recordId: string | null;

  constructor(kind: DataverseErrorKind, init: DataverseErrorInit) {
    const userMessage = userMessageFor(kind, init);
    super(describe(kind, init, userMessage), init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'DataverseError';
    this.kind = kind;
    this.status = init.status;
    this.errorCode = init.errorCode ?? null;
    this.detail = init.detail ?? null;
    this.userMessage = userMessage;
    this.method = init.method;
    this.url = init.url;
    this.attempts = init.attempts ?? 1;
    this.retryAfterMs = init.retryAfterMs ?? null;
    this.operationIndex = init.operationIndex ?? null;
    this.recordId = init.recordId ?? null;
  }

  /** What was known when this error was made, to make another one of the same kind with more context. */
  get init(): DataverseErrorInit {
    return {
      status: this.status,
      method: this.method,
      url: this.url,
      errorCode: this.errorCode,
      detail: this.detail,
      attempts: this.attempts,
      retryAfterMs: this.retryAfterMs,
      operationIndex: this.operationIndex,
      recordId: this.recordId,
      ...(this.cause === undefined ? {} : { cause: this.cause }),
    };
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      userMessage: this.userMessage,
      status: this.status,
      errorCode: this.errorCode,
      detail: this.detail,
      method: this.method,
      url: this.url,
      attempts: this.attempts,
      retryAfterMs: this.retryAfterMs,
      operationIndex: this.operationIndex,
      recordId: this.recordId,
    };
  }
}

/** 401: the token was refused (again, after getting a new one). */
export const DataverseAuthError = errorOfKind(DataverseError, 'auth', 'DataverseAuthError');
export type DataverseAuthError = InstanceType<typeof DataverseAuthError>;
/** 403: a missing privilege (0x80040220, the message names it), not a member, disabled user. */
export const DataverseForbiddenError = errorOfKind(DataverseError, 'forbidden', 'DataverseForbiddenError');
export type DataverseForbiddenError = InstanceType<typeof DataverseForbiddenError>;
/** 404: no such record, entity set or CallerObjectId user. */
export const DataverseNotFoundError = errorOfKind(DataverseError, 'not_found', 'DataverseNotFoundError');
export type DataverseNotFoundError = InstanceType<typeof DataverseNotFoundError>;
/** 412: If-Match did not match (the record changed since it was read); nothing was written. */
export const DataversePreconditionFailedError = errorOfKind(
  DataverseError,
  'precondition_failed',
  'DataversePreconditionFailedError',
);
export type DataversePreconditionFailedError = InstanceType<typeof DataversePreconditionFailedError>;
/** 400: a refused query or payload, a business rule (0x80044331, 0x80040203, …). */
export const DataverseValidationError = errorOfKind(DataverseError, 'validation', 'DataverseValidationError');
export type DataverseValidationError = InstanceType<typeof DataverseValidationError>;
/** 429: service protection, still refused after every retry (or Retry-After too long to wait here). */
export const DataverseThrottledError = errorOfKind(DataverseError, 'throttled', 'DataverseThrottledError');
export type DataverseThrottledError = InstanceType<typeof DataverseThrottledError>;
/** 5xx, still failing after every retry. */
export const DataverseServerError = errorOfKind(DataverseError, 'server', 'DataverseServerError');
export type DataverseServerError = InstanceType<typeof DataverseServerError>;
/** Any other 4xx (405, 409, 415, …). */
export const DataverseClientError = errorOfKind(DataverseError, 'client', 'DataverseClientError');
export type DataverseClientError = InstanceType<typeof DataverseClientError>;
/** No answer: connection refused or dropped, timeout; after every retry. */
export const DataverseNetworkError = errorOfKind(DataverseError, 'network', 'DataverseNetworkError');
export type DataverseNetworkError = InstanceType<typeof DataverseNetworkError>;
/** An answer that is not what Dataverse sends: malformed JSON, wrong shape, a broken $batch body. */
export const DataverseInvalidResponseError = errorOfKind(
  DataverseError,
  'invalid_response',
  'DataverseInvalidResponseError',
);
export type DataverseInvalidResponseError = InstanceType<typeof DataverseInvalidResponseError>;

export const isDataverseError = guardFor(DataverseError);

const CLASSES = {
  auth: DataverseAuthError,
  forbidden: DataverseForbiddenError,
  not_found: DataverseNotFoundError,
  precondition_failed: DataversePreconditionFailedError,
  validation: DataverseValidationError,
  throttled: DataverseThrottledError,
  server: DataverseServerError,
  client: DataverseClientError,
  network: DataverseNetworkError,
  invalid_response: DataverseInvalidResponseError,
} as const;

/** A new error of `kind` (of its subclass): e.g. the same failure with the line id it is about. */
export function dataverseError(kind: DataverseErrorKind, init: DataverseErrorInit): DataverseError {
  return new CLASSES[kind](init);
}

/** The kind of a non-2xx status. */
function kindOfStatus(status: number): DataverseErrorKind {
  if (status === 400) return 'validation';
  if (status === 401) return 'auth';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 412) return 'precondition_failed';
  if (status === 429) return 'throttled';
  if (status >= 500) return 'server';
  return 'client';
}

/** Dataverse's code and message from an error body (parsed JSON or text); nulls when it has neither. */
function errorFieldsOf(body: unknown): { errorCode: string | null; detail: string | null } {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body) as unknown;
    } catch {
      return { errorCode: null, detail: null };
    }
  }
  const parsed = DataverseErrorBodySchema.safeParse(value);
  if (!parsed.success) return { errorCode: null, detail: null };
  return { errorCode: parsed.data.error.code ?? null, detail: parsed.data.error.message ?? null };
}

/** The typed error for a non-2xx answer. */
export function errorFromResponse(
  status: number,
  body: unknown,
  request: Omit<DataverseErrorInit, 'status' | 'errorCode' | 'detail'>,
): DataverseError {
  return dataverseError(kindOfStatus(status), { ...request, status, ...errorFieldsOf(body) });
}
