import { z } from 'zod';
import { errorOfKind, guardFor } from '../common/errorKinds';

/**
 * Typed Oneflow failures (STYLE 7): one base class carrying the request and Oneflow's error body, one
 * subclass per kind, `isX(e: unknown)` guards. The API token is never part of an error: messages name the
 * method and URL only, and a transport failure's cause is rebuilt without the request config (headers).
 */

/** Field path → what is wrong with it, as Oneflow's `parameter_problems` gives it (normalised to lists). */
export type ParameterProblems = Record<string, string[]>;

const ProblemValue = z.unknown();

/** Oneflow's error body; every field optional so a partial body (e.g. the documented 429) still parses. */
const OneflowErrorBodySchema = z.object({
  error_code: z.number().int().optional().catch(undefined),
  detail: z.string().optional().catch(undefined),
  parameter_problems: z.record(z.string(), ProblemValue).nullable().optional().catch(undefined),
  request_id: z.string().optional().catch(undefined),
  status: z.number().int().optional().catch(undefined),
  title: z.string().optional().catch(undefined),
  type: z.string().optional().catch(undefined),
});

export type OneflowErrorKind =
  | 'auth'
  | 'not_found'
  | 'validation'
  | 'conflict'
  | 'rate_limited'
  | 'server'
  | 'client'
  | 'network'
  | 'invalid_response';

export interface OneflowErrorInit {
  /** The HTTP status; null when no answer came. */
  status: number | null;
  method: string;
  url: string;
  errorCode?: number | null;
  detail?: string | null;
  parameterProblems?: ParameterProblems;
  requestId?: string | null;
  /** How many attempts were made before giving up. */
  attempts?: number;
  cause?: unknown;
}

function describe(kind: OneflowErrorKind, init: OneflowErrorInit): string {
  const what = init.status === null ? 'got no answer' : `answered ${init.status}`;
  const detail = init.detail ? `: ${init.detail}` : '';
  const problems = Object.keys(init.parameterProblems ?? {});
  const fields = problems.length > 0 ? ` (${problems.join(', ')})` : '';
  return `Oneflow ${init.method} ${init.url} ${what} [${kind}]${detail}${fields}`;
}

export class OneflowError extends Error {
  readonly kind: OneflowErrorKind;
  readonly status: number | null;
  readonly errorCode: number | null;
  readonly detail: string | null;
  readonly parameterProblems: ParameterProblems;
  readonly requestId: string | null;
  readonly method: string;
  readonly url: string;
  readonly attempts: number;

  constructor(kind: OneflowErrorKind, init: OneflowErrorInit) {
    super(describe(kind, init), init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'OneflowError';
    this.kind = kind;
    this.status = init.status;
    this.errorCode = init.errorCode ?? null;
    this.detail = init.detail ?? null;
    this.parameterProblems = init.parameterProblems ?? {};
    this.requestId = init.requestId ?? null;
    this.method = init.method;
    this.url = init.url;
    this.attempts = init.attempts ?? 1;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      status: this.status,
      errorCode: this.errorCode,
      detail: this.detail,
      parameterProblems: this.parameterProblems,
      requestId: this.requestId,
      method: this.method,
      url: this.url,
      attempts: this.attempts,
    };
  }
}

/** 401: unknown token or user email. */
const OneflowAuthError = errorOfKind(OneflowError, 'auth', 'OneflowAuthError');
/** 404: unknown contract, group, product or route. */
const OneflowNotFoundError = errorOfKind(OneflowError, 'not_found', 'OneflowNotFoundError');
/** 400: the request broke a rule; `parameterProblems` names each bad field. */
const OneflowValidationError = errorOfKind(OneflowError, 'validation', 'OneflowValidationError');
/** 409: e.g. a product write on a signed contract. */
const OneflowConflictError = errorOfKind(OneflowError, 'conflict', 'OneflowConflictError');
/** 429: the token's rate limit, still hit after every retry. */
const OneflowRateLimitedError = errorOfKind(OneflowError, 'rate_limited', 'OneflowRateLimitedError');
/**
 * Not sent: this app's share of the org's Oneflow requests (see requestBudget.ts) is spent for longer than a
 * caller may wait. A kind of rate limit, so everything that handles Oneflow's 429 handles it too; it also says
 * when a request could go out again.
 */
export class OneflowBudgetSpentError extends OneflowRateLimitedError {
  readonly retryAfterMs: number;

  constructor(init: { method: string; url: string; retryAfterMs: number; limit: number }) {
    const seconds = Math.max(1, Math.ceil(init.retryAfterMs / 1000));
    super({
      status: null,
      method: init.method,
      url: init.url,
      attempts: 0,
      detail: `this organisation has used the ${String(init.limit)} requests it allows itself per 5 minutes; try again in ${String(seconds)} seconds`,
    });
    this.name = 'OneflowBudgetSpentError';
    this.message = `Oneflow ${init.method} ${init.url} not sent [rate_limited]: ${this.detail ?? ''}`;
    this.retryAfterMs = init.retryAfterMs;
  }
}
export const isOneflowBudgetSpentError = guardFor(OneflowBudgetSpentError);
/** 5xx, still failing after every retry. */
const OneflowServerError = errorOfKind(OneflowError, 'server', 'OneflowServerError');
/** Any other 4xx (413, 415, …). */
const OneflowClientError = errorOfKind(OneflowError, 'client', 'OneflowClientError');
/** No answer: connection refused or dropped, timeout. */
export const OneflowNetworkError = errorOfKind(OneflowError, 'network', 'OneflowNetworkError');
export type OneflowNetworkError = InstanceType<typeof OneflowNetworkError>;
/** A success answer whose body did not match the expected schema; `cause` is the zod error. */
export const OneflowInvalidResponseError = errorOfKind(
  OneflowError,
  'invalid_response',
  'OneflowInvalidResponseError',
);
export type OneflowInvalidResponseError = InstanceType<typeof OneflowInvalidResponseError>;

export const isOneflowError = guardFor(OneflowError);
export const isOneflowAuthError = guardFor(OneflowAuthError);
export const isOneflowNotFoundError = guardFor(OneflowNotFoundError);
export const isOneflowValidationError = guardFor(OneflowValidationError);
export const isOneflowConflictError = guardFor(OneflowConflictError);
export const isOneflowRateLimitedError = guardFor(OneflowRateLimitedError);
export const isOneflowServerError = guardFor(OneflowServerError);
export const isOneflowClientError = guardFor(OneflowClientError);
export const isOneflowNetworkError = guardFor(OneflowNetworkError);
export const isOneflowInvalidResponseError = guardFor(OneflowInvalidResponseError);

function normaliseProblems(raw: Record<string, unknown> | null | undefined): ParameterProblems {
  const problems: ParameterProblems = {};
  for (const [field, value] of Object.entries(raw ?? {})) {
    if (Array.isArray(value))
      problems[field] = value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
    else if (typeof value === 'string') problems[field] = [value];
    else problems[field] = [JSON.stringify(value)];
  }
  return problems;
}

/** The typed error for a non-2xx answer; the body is read leniently (any field may be missing or odd). */
export function errorFromResponse(
  status: number,
  body: unknown,
  request: { method: string; url: string; attempts: number },
): OneflowError {
  const parsed = OneflowErrorBodySchema.safeParse(body);
  const fields = parsed.success ? parsed.data : {};
  const init: OneflowErrorInit = {
    status,
    method: request.method,
    url: request.url,
    attempts: request.attempts,
    errorCode: fields.error_code ?? null,
    detail: fields.detail ?? fields.title ?? null,
    parameterProblems: normaliseProblems(fields.parameter_problems),
    requestId: fields.request_id ?? null,
  };
  if (status === 400) return new OneflowValidationError(init);
  if (status === 401) return new OneflowAuthError(init);
  if (status === 404) return new OneflowNotFoundError(init);
  if (status === 409) return new OneflowConflictError(init);
  if (status === 429) return new OneflowRateLimitedError(init);
  if (status >= 500) return new OneflowServerError(init);
  return new OneflowClientError(init);
}
