import { randomUUID } from 'node:crypto';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { z } from 'zod';
import {
  BatchFormatError,
  parseBatchResponse,
  writeChangeSetBatch,
  type BatchPartResponse,
  type ChangeSetOperation,
} from './batch';
import {
  dataverseError,
  DataverseInvalidResponseError,
  DataverseNetworkError,
  DataverseValidationError,
  errorFromResponse,
  type DataverseError,
  type DataverseErrorInit,
} from './errors';
import {
  DEFAULT_RETRY_POLICY,
  dataverseRetryDecision,
  parseRetryAfter,
  type AttemptFailure,
  type RandomSource,
  type RetryPolicy,
} from './retryTiming';

export type { ChangeSetMethod, ChangeSetOperation } from './batch';

/** Per call: whose privileges apply. Set for anything done for a user; unset = the application user itself. */
export interface DataverseCall {
  /** The user's Entra object id, sent as `CallerObjectId` (impersonation). */
  callerObjectId?: string;
}

export interface DataverseClientOptions {
  /** The environment, e.g. `https://contoso.crm4.dynamics.com` (the token's resource). */
  environmentUrl: string;
  /** A bearer token for the environment; called before every attempt (MSAL answers from its cache). */
  getAccessToken: () => Promise<string>;
  /** Attempts in total, the first one included (default 4). */
  maxAttempts?: number;
  /** Backoff settings other than maxAttempts (tests shorten them). */
  retry?: Partial<Omit<RetryPolicy, 'maxAttempts'>>;
  /** Jitter source in [0, 1); Math.random unless given. */
  random?: RandomSource;
  /** How to wait between attempts; a real timer unless given. */
  sleep?: (ms: number) => Promise<void>;
  /** The clock Retry-After dates are read against; Date.now unless given. */
  now?: () => number;
  /** Per-attempt timeout in ms (default 30 s). */
  timeoutMs?: number;
  /**
   * A Retry-After longer than this is not waited out here: the call fails at once with a throttled error
   * carrying `retryAfterMs`, for the caller to reschedule (default 60 s).
   */
  maxRetryAfterMs?: number;
}

/** One operation's answer in a successful change set. */
export interface ChangeSetResult {
  status: number;
  /** The record's new etag: the `ETag` header, or `@odata.etag` of a returned representation. */
  etag: string | null;
  /** `OData-EntityId`: the URL of the record written. */
  entityId: string | null;
  /** The returned representation (return=representation), else null. */
  body: unknown;
}

export interface DataverseClient {
  /** `<environmentUrl>/api/data/v9.2/`. */
  readonly serviceRoot: string;
  /** GET one resource (a record, a metadata definition), checked against `schema`. */
  get<T>(path: string, schema: z.ZodType<T>, call?: DataverseCall): Promise<T>;
  /** GET a collection, every page (`Prefer: odata.maxpagesize=500`, `@odata.nextLink` followed as is). */
  getAll<T>(path: string, item: z.ZodType<T>, call?: DataverseCall): Promise<T[]>;
  /** PATCH that only updates (If-Match is required: `*` or an etag; a stale etag is a precondition error). */
  patch(
    path: string,
    body: Record<string, unknown>,
    options: { ifMatch: string },
    call?: DataverseCall,
  ): Promise<{ etag: string | null }>;
  /** One `$batch` holding ONE change set: all operations are written, or none (the first failure is thrown). */
  batchChangeSet(operations: readonly ChangeSetOperation[], call?: DataverseCall): Promise<ChangeSetResult[]>;
}

/** Dataverse's limit on the operations of one batch. */
export const MAX_CHANGE_SET_OPERATIONS = 1000;
const PAGE_SIZE = 500;
const INCLUDE_ANNOTATIONS = 'odata.include-annotations="*"';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `path?$select=…&$filter=…`: values percent-encoded, `$` option names kept; undefined options left out. */
export function odataPath(path: string, options: Record<string, string | undefined>): string {
  const query = Object.entries(options)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join('&');
  return query === '' ? path : `${path}?${query}`;
}

const realSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/** A transport failure's cause, rebuilt so it carries no request config (the token is in its headers). */
function safeCause(error: unknown): Error {
  if (axios.isAxiosError(error)) return new Error(`${error.code ?? 'ERR_NETWORK'}: ${error.message}`);
  return new Error(error instanceof Error ? error.message : String(error));
}

function headerOf(response: AxiosResponse<unknown>, name: string): string | undefined {
  const value: unknown = response.headers[name];
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(String).join(', ');
  return undefined;
}

interface RequestSpec {
  method: 'GET' | 'PATCH' | 'POST';
  /** Relative to the service root, or absolute (a nextLink). */
  url: string;
  headers?: Record<string, string>;
  data?: string;
}

type Where = Omit<DataverseErrorInit, 'status'>;

type Outcome<T> =
  | { ok: true; value: T }
  | { ok: false; failure: AttemptFailure; error: DataverseError; retryAfterMs: number | null };

const EtagBodySchema = z.object({ '@odata.etag': z.string() });

function etagOfBody(body: unknown): string | null {
  const parsed = EtagBodySchema.safeParse(body);
  return parsed.success ? parsed.data['@odata.etag'] : null;
}

export function createDataverseClient(options: DataverseClientOptions): DataverseClient {
  const environmentUrl = options.environmentUrl.replace(/\/+$/, '');
  const serviceRoot = `${environmentUrl}/api/data/v9.2/`;
  const policy: RetryPolicy = {
    ...DEFAULT_RETRY_POLICY,
    ...options.retry,
    maxAttempts: options.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts,
  };
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const http: AxiosInstance = axios.create({
    baseURL: serviceRoot,
    timeout: options.timeoutMs ?? 30_000,
    // Bodies are read as text and parsed here: a malformed answer is an invalid_response, not a crash.
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    // Every status is ours to handle: retries and typed errors, never axios's generic error.
    validateStatus: () => true,
    maxRedirects: 0,
  });

  function callHeaders(call: DataverseCall | undefined): Record<string, string> {
    const callerObjectId = call?.callerObjectId;
    if (callerObjectId === undefined) return {};
    if (!GUID.test(callerObjectId)) throw new Error('callerObjectId must be an Entra object id (a GUID)');
    return { CallerObjectId: callerObjectId };
  }

  function absolute(url: string): string {
    return /^https?:\/\//i.test(url) ? url : `${serviceRoot}${url}`;
  }

  function parseJson(response: AxiosResponse<unknown>, where: Where): unknown {
    const text = typeof response.data === 'string' ? response.data : '';
    try {
      return JSON.parse(text) as unknown;
    } catch (cause) {
      throw new DataverseInvalidResponseError({
        ...where,
        status: response.status,
        detail: 'The answer is not valid JSON.',
        cause: safeCause(cause),
      });
    }
  }

  /** The failure outcome of a non-2xx answer with a JSON (or no) body. */
  function failed<T>(response: AxiosResponse<unknown>, where: Where): Outcome<T> {
    const retryAfterMs = parseRetryAfter(headerOf(response, 'retry-after'), now());
    return {
      ok: false,
      failure: { kind: 'status', status: response.status },
      error: errorFromResponse(response.status, response.data, { ...where, retryAfterMs }),
      retryAfterMs,
    };
  }

  /**
   * Sends `spec` until it succeeds or must not be retried. `interpret` reads an answer that came (any status
   * but a first 401); it throws for answers that retrying cannot fix (malformed bodies).
   */
  async function execute<T>(
    spec: RequestSpec,
    interpret: (response: AxiosResponse<unknown>, where: Where) => Outcome<T>,
  ): Promise<T> {
    const url = absolute(spec.url);
    let reauthenticated = false;
    let unanswered = false;
    for (let attempt = 1; ;) {
      const where: Where = { method: spec.method, url, attempts: attempt };
      // A token failure is already typed (AppTokenError) and MSAL would refuse a retry anyway: passed on as is.
      const token = await options.getAccessToken();
      let outcome: Outcome<T>;
      try {
        const response = await http.request<unknown>({
          method: spec.method,
          url: spec.url,
          headers: {
            Accept: 'application/json',
            'OData-MaxVersion': '4.0',
            'OData-Version': '4.0',
            ...spec.headers,
            Authorization: `Bearer ${token}`,
          },
          data: spec.data,
        });
        if (response.status === 401 && !reauthenticated) {
          // Once: the token may have expired in flight; the next one comes from MSAL (cache or Entra).
          reauthenticated = true;
          continue;
        }
        outcome = interpret(response, where);
      } catch (cause) {
        if (!axios.isAxiosError(cause)) throw cause;
        unanswered = true;
        outcome = {
          ok: false,
          failure: { kind: 'network' },
          error: new DataverseNetworkError({ ...where, status: null, cause: safeCause(cause) }),
          retryAfterMs: null,
        };
      }
      if (outcome.ok) return outcome.value;
      const decision = dataverseRetryDecision(
        outcome.failure,
        attempt,
        policy,
        random,
        outcome.retryAfterMs,
        maxRetryAfterMs,
      );
      if (!decision.retry) {
        const error = outcome.error;
        if (error.kind === 'precondition_failed' && unanswered) {
          // The earlier attempt may have been applied before its answer was lost: say so.
          throw dataverseError(error.kind, {
            ...error.init,
            detail:
              `${error.detail ?? ''} (An earlier attempt got no answer and may have written the change.)`.trim(),
          });
        }
        throw error;
      }
      await sleep(decision.delayMs);
      attempt += 1;
    }
  }

  function interpretJson<T>(schema: z.ZodType<T>) {
    return (response: AxiosResponse<unknown>, where: Where): Outcome<T> => {
      if (response.status < 200 || response.status >= 300) return failed(response, where);
      const parsed = schema.safeParse(parseJson(response, where));
      if (parsed.success) return { ok: true, value: parsed.data };
      // Not retried: the same request would get the same unexpected shape.
      throw new DataverseInvalidResponseError({
        ...where,
        status: response.status,
        detail: 'The answer did not match the expected shape.',
        cause: parsed.error,
      });
    };
  }

  async function get<T>(path: string, schema: z.ZodType<T>, call?: DataverseCall): Promise<T> {
    return execute(
      { method: 'GET', url: path, headers: { ...callHeaders(call), Prefer: INCLUDE_ANNOTATIONS } },
      interpretJson(schema),
    );
  }

  async function getAll<T>(path: string, item: z.ZodType<T>, call?: DataverseCall): Promise<T[]> {
    const headers = { ...callHeaders(call), Prefer: `${INCLUDE_ANNOTATIONS},odata.maxpagesize=${PAGE_SIZE}` };
    const page = z.object({ value: z.array(item), '@odata.nextLink': z.string().optional() });
    const all: T[] = [];
    let next: string | undefined = path;
    while (next !== undefined) {
      const result: { value: T[]; '@odata.nextLink'?: string | undefined } = await execute(
        { method: 'GET', url: next, headers },
        interpretJson(page),
      );
      all.push(...result.value);
      next = result['@odata.nextLink'];
    }
    return all;
  }

  async function patch(
    path: string,
    body: Record<string, unknown>,
    patchOptions: { ifMatch: string },
    call?: DataverseCall,
  ): Promise<{ etag: string | null }> {
    return execute(
      {
        method: 'PATCH',
        url: path,
        headers: {
          ...callHeaders(call),
          'Content-Type': 'application/json; charset=utf-8',
          'If-Match': patchOptions.ifMatch,
          Prefer: 'return=representation',
        },
        data: JSON.stringify(body),
      },
      (response, where) => {
        if (response.status < 200 || response.status >= 300) return failed(response, where);
        const headerEtag = headerOf(response, 'etag') ?? null;
        if (response.status === 204 || headerEtag !== null) return { ok: true, value: { etag: headerEtag } };
        return { ok: true, value: { etag: etagOfBody(parseJson(response, where)) } };
      },
    );
  }

  function partResult(part: BatchPartResponse): ChangeSetResult {
    let body: unknown = null;
    if (part.body !== '') {
      try {
        body = JSON.parse(part.body) as unknown;
      } catch {
        throw new BatchFormatError(
          `The answer of change set operation ${part.contentId ?? '?'} is not JSON.`,
        );
      }
    }
    return {
      status: part.status,
      etag: part.headers.etag ?? etagOfBody(body),
      entityId: part.headers['odata-entityid'] ?? null,
      body,
    };
  }

  /** The failed operation of a change set: its status, Dataverse's code and message, its index. */
  function operationFailure(part: BatchPartResponse, where: Where): Outcome<never> {
    const index = part.contentId !== null && /^\d+$/.test(part.contentId) ? Number(part.contentId) - 1 : null;
    const retryAfterMs = parseRetryAfter(part.headers['retry-after'], now());
    return {
      ok: false,
      failure: { kind: 'status', status: part.status },
      error: errorFromResponse(part.status, part.body, { ...where, retryAfterMs, operationIndex: index }),
      retryAfterMs,
    };
  }

  function interpretBatch(count: number) {
    return (response: AxiosResponse<unknown>, where: Where): Outcome<ChangeSetResult[]> => {
      const contentType = headerOf(response, 'content-type');
      const multipart = /^\s*multipart\/mixed/i.test(contentType ?? '');
      // Not multipart: the batch as a whole was refused (401, 429, a malformed batch …).
      if (!multipart) {
        if (response.status < 200 || response.status >= 300) return failed(response, where);
        throw new DataverseInvalidResponseError({
          ...where,
          status: response.status,
          detail: `The $batch answer is '${contentType ?? 'without a Content-Type'}', not multipart/mixed.`,
        });
      }
      try {
        const items = parseBatchResponse(contentType, typeof response.data === 'string' ? response.data : '');
        for (const item of items) {
          // A failed change set answers with its single failing operation, outside any change set.
          if (item.kind === 'response' && item.response.status >= 400)
            return operationFailure(item.response, where);
        }
        const [only, ...rest] = items;
        if (only?.kind !== 'changeset' || rest.length > 0 || only.responses.length !== count) {
          throw new BatchFormatError(
            `Expected one change set answer with ${count} operations, got ${items.length} parts.`,
          );
        }
        const failedPart = only.responses.find((part) => part.status >= 400);
        if (failedPart) return operationFailure(failedPart, where);
        return { ok: true, value: only.responses.map(partResult) };
      } catch (error) {
        if (!(error instanceof BatchFormatError)) throw error;
        throw new DataverseInvalidResponseError({
          ...where,
          status: response.status,
          detail: error.message,
          cause: error,
        });
      }
    };
  }

  async function batchChangeSet(
    operations: readonly ChangeSetOperation[],
    call?: DataverseCall,
  ): Promise<ChangeSetResult[]> {
    if (operations.length === 0) return [];
    const headers = callHeaders(call);
    if (operations.length > MAX_CHANGE_SET_OPERATIONS) {
      throw new DataverseValidationError({
        status: null,
        method: 'POST',
        url: `${serviceRoot}$batch`,
        detail: `A change set holds at most ${MAX_CHANGE_SET_OPERATIONS} operations; ${operations.length} were given.`,
      });
    }
    for (const operation of operations) {
      // The batch body is text: a line break in a field would inject headers or requests.
      if (/[\r\n\s]/.test(operation.path) || /[\r\n]/.test(operation.ifMatch ?? '')) {
        throw new Error(
          `change set operation ${operation.method} ${JSON.stringify(operation.path)} is malformed`,
        );
      }
    }
    const batchBoundary = `batch_${randomUUID()}`;
    const body = writeChangeSetBatch(operations, {
      serviceRoot,
      batchBoundary,
      changeSetBoundary: `changeset_${randomUUID()}`,
      ...(call?.callerObjectId === undefined ? {} : { callerObjectId: call.callerObjectId }),
    });
    return execute(
      {
        method: 'POST',
        url: '$batch',
        headers: { ...headers, 'Content-Type': `multipart/mixed; boundary=${batchBoundary}` },
        data: body,
      },
      interpretBatch(operations.length),
    );
  }

  return { serviceRoot, get, getAll, patch, batchChangeSet };
}
