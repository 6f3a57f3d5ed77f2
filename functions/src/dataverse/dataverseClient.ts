import { randomUUID } from 'node:crypto';
import { GUID_PATTERN } from '@oneflow-sync/shared';
import type { AxiosResponse } from 'axios';
import { z } from 'zod';
import { parseRetryAfter } from '../common/retryTiming';
import {
  createTransport,
  isSuccess,
  safeCause,
  type AttemptPlace,
  type FailedOutcome,
  type Interpret,
  type RetryOptions,
} from '../common/transport';
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
} from './errors';

/** Per call: whose privileges apply. Set for anything done for a user; unset = the application user itself. */
export interface DataverseCall {
  /** The user's Entra object id, sent as `CallerObjectId` (impersonation). */
  callerObjectId?: string;
}

/** A 429 (or 503) with Retry-After waits exactly that long; without one, the backoff of the retry options. */
export interface DataverseClientOptions extends RetryOptions {
  /** The environment, e.g. `https://contoso.crm4.dynamics.com` (the token's resource). */
  environmentUrl: string;
  /** A bearer token for the environment; called before every attempt (MSAL answers from its cache). */
  getAccessToken: () => Promise<string>;
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
interface ChangeSetResult {
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
const MAX_CHANGE_SET_OPERATIONS = 1000;
const PAGE_SIZE = 500;
const INCLUDE_ANNOTATIONS = 'odata.include-annotations="*"';

/** `path?$select=…&$filter=…`: values percent-encoded, `$` option names kept; undefined options left out. */
export function odataPath(path: string, options: Record<string, string | undefined>): string {
  const query = Object.entries(options)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join('&');
  return query === '' ? path : `${path}?${query}`;
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

type Failure = FailedOutcome<DataverseError>;

const EtagBodySchema = z.object({ '@odata.etag': z.string() });

function etagOfBody(body: unknown): string | null {
  const parsed = EtagBodySchema.safeParse(body);
  return parsed.success ? parsed.data['@odata.etag'] : null;
}

export function createDataverseClient(options: DataverseClientOptions): DataverseClient {
  const environmentUrl = options.environmentUrl.replace(/\/+$/, '');
  const serviceRoot = `${environmentUrl}/api/data/v9.2/`;
  const now = options.now ?? Date.now;

  /** The failure outcome of a non-2xx answer with a JSON (or no) body. */
  function failed(response: AxiosResponse<unknown>, place: AttemptPlace): Failure {
    const retryAfterMs = parseRetryAfter(headerOf(response, 'retry-after'), now());
    return {
      ok: false,
      failure: { kind: 'status', status: response.status },
      error: errorFromResponse(response.status, response.data, { ...place, retryAfterMs }),
      retryAfterMs,
    };
  }

  function parseJson(response: AxiosResponse<unknown>, place: AttemptPlace): unknown {
    const text = typeof response.data === 'string' ? response.data : '';
    try {
      return JSON.parse(text) as unknown;
    } catch (cause) {
      throw new DataverseInvalidResponseError({
        ...place,
        status: response.status,
        detail: 'The answer is not valid JSON.',
        cause: safeCause(cause),
      });
    }
  }

  const transport = createTransport<DataverseError>({
    ...options,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
    http: {
      baseURL: serviceRoot,
      timeout: options.timeoutMs ?? 30_000,
      headers: { Accept: 'application/json', 'OData-MaxVersion': '4.0', 'OData-Version': '4.0' },
      // Bodies are read as text and parsed here: a malformed answer is an invalid_response, not a crash.
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      maxRedirects: 0,
    },
    // A token failure is already typed (AppTokenError) and MSAL would refuse a retry anyway: passed on as is.
    credentials: async () => ({ Authorization: `Bearer ${await options.getAccessToken()}` }),
    // The token may have expired in flight; the next one comes from MSAL (cache or Entra).
    renewCredentialsOn401: true,
    networkError: (place, cause) => new DataverseNetworkError({ ...place, status: null, cause }),
    invalidResponse: (place, detail, cause) => new DataverseInvalidResponseError({ ...place, detail, cause }),
    failure: failed,
    body: parseJson,
    finalError: (error, { unanswered }) =>
      error.kind === 'precondition_failed' && unanswered
        ? // The earlier attempt may have been applied before its answer was lost: say so.
          dataverseError(error.kind, {
            ...error.init,
            detail:
              `${error.detail ?? ''} (An earlier attempt got no answer and may have written the change.)`.trim(),
          })
        : error,
  });

  function callHeaders(call: DataverseCall | undefined): Record<string, string> {
    const callerObjectId = call?.callerObjectId;
    if (callerObjectId === undefined) return {};
    if (!GUID_PATTERN.test(callerObjectId))
      throw new Error('callerObjectId must be an Entra object id (a GUID)');
    return { CallerObjectId: callerObjectId };
  }

  function absolute(url: string): string {
    return /^https?:\/\//i.test(url) ? url : `${serviceRoot}${url}`;
  }

  function send<T>(spec: RequestSpec, interpret: Interpret<T, DataverseError>): Promise<T> {
    return transport.send({ ...spec, fullUrl: absolute(spec.url) }, interpret);
  }

  async function get<T>(path: string, schema: z.ZodType<T>, call?: DataverseCall): Promise<T> {
    return send(
      { method: 'GET', url: path, headers: { ...callHeaders(call), Prefer: INCLUDE_ANNOTATIONS } },
      transport.expect(schema),
    );
  }

  async function getAll<T>(path: string, item: z.ZodType<T>, call?: DataverseCall): Promise<T[]> {
    const headers = { ...callHeaders(call), Prefer: `${INCLUDE_ANNOTATIONS},odata.maxpagesize=${PAGE_SIZE}` };
    const page = z.object({ value: z.array(item), '@odata.nextLink': z.string().optional() });
    const all: T[] = [];
    let next: string | undefined = path;
    while (next !== undefined) {
      const result: { value: T[]; '@odata.nextLink'?: string | undefined } = await send(
        { method: 'GET', url: next, headers },
        transport.expect(page),
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
    return send(
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
      (response, place) => {
        if (!isSuccess(response.status)) return failed(response, place);
        const headerEtag = headerOf(response, 'etag') ?? null;
        if (response.status === 204 || headerEtag !== null) return { ok: true, value: { etag: headerEtag } };
        return { ok: true, value: { etag: etagOfBody(parseJson(response, place)) } };
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
  function operationFailure(part: BatchPartResponse, place: AttemptPlace): Failure {
    const index = part.contentId !== null && /^\d+$/.test(part.contentId) ? Number(part.contentId) - 1 : null;
    const retryAfterMs = parseRetryAfter(part.headers['retry-after'], now());
    return {
      ok: false,
      failure: { kind: 'status', status: part.status },
      error: errorFromResponse(part.status, part.body, { ...place, retryAfterMs, operationIndex: index }),
      retryAfterMs,
    };
  }

  function interpretBatch(count: number): Interpret<ChangeSetResult[], DataverseError> {
    return (response, place) => {
      const contentType = headerOf(response, 'content-type');
      const multipart = /^\s*multipart\/mixed/i.test(contentType ?? '');
      // Not multipart: the batch as a whole was refused (401, 429, a malformed batch …).
      if (!multipart) {
        if (!isSuccess(response.status)) return failed(response, place);
        throw new DataverseInvalidResponseError({
          ...place,
          status: response.status,
          detail: `The $batch answer is '${contentType ?? 'without a Content-Type'}', not multipart/mixed.`,
        });
      }
      try {
        const items = parseBatchResponse(contentType, typeof response.data === 'string' ? response.data : '');
        for (const item of items) {
          // A failed change set answers with its single failing operation, outside any change set.
          if (item.kind === 'response' && item.response.status >= 400)
            return operationFailure(item.response, place);
        }
        const [only, ...rest] = items;
        if (only?.kind !== 'changeset' || rest.length > 0 || only.responses.length !== count) {
          throw new BatchFormatError(
            `Expected one change set answer with ${count} operations, got ${items.length} parts.`,
          );
        }
        const failedPart = only.responses.find((part) => part.status >= 400);
        if (failedPart) return operationFailure(failedPart, place);
        return { ok: true, value: only.responses.map(partResult) };
      } catch (error) {
        if (!(error instanceof BatchFormatError)) throw error;
        throw new DataverseInvalidResponseError({
          ...place,
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
    return send(
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
