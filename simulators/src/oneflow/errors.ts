import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';

/**
 * Oneflow's error answers. Every error is JSON shaped like the documented example
 * `{"error_code":4040000,"detail":"…","parameter_problems":{},"request_id":"…","status":404,"title":"Not Found",
 * "type":"https://api.oneflow.com/v1/error_codes/4040000"}`. Only 4040000 and 4290000 are documented codes; the
 * others follow the same `status × 10000` pattern (inferred, listed in docs/simulators-oneflow.md).
 */
export interface OneflowErrorBody {
  error_code: number;
  detail: string;
  parameter_problems: ParameterProblems;
  request_id: string;
  status: number;
  title: string;
  type: string;
}

/** Field path (`name`, `price_1.discount_amount`, `products[2].quantity.amount`) → what is wrong with it (inferred shape). */
export type ParameterProblems = Record<string, string[]>;

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

/** The response descriptions Oneflow's reference uses for each status. */
export const DETAILS = {
  badRequest: 'Invalid format or content of the request.',
  unauthorized: 'The API token or the user email is invalid.',
  notFound: 'A required entity is missing.',
  internal: 'An internal server error occurred.',
} as const;

export class OneflowError extends Error {
  constructor(
    readonly status: number,
    detail: string,
    readonly parameterProblems: ParameterProblems = {},
    readonly errorCode: number = status * 10000,
  ) {
    super(detail);
    this.name = 'OneflowError';
  }

  body(): OneflowErrorBody {
    return {
      error_code: this.errorCode,
      detail: this.message,
      parameter_problems: this.parameterProblems,
      request_id: randomUUID(),
      status: this.status,
      title: TITLES[this.status] ?? 'Error',
      type: `https://api.oneflow.com/v1/error_codes/${this.errorCode}`,
    };
  }
}

export const badRequest = (problems: ParameterProblems, detail: string = DETAILS.badRequest): OneflowError =>
  new OneflowError(400, detail, problems);
export const notFound = (detail: string = DETAILS.notFound): OneflowError => new OneflowError(404, detail);
export const unauthorized = (): OneflowError => new OneflowError(401, DETAILS.unauthorized);
/** "Access denied": documented as 403 Forbidden on contract create; the code and wording are inferred. */
export const forbidden = (detail: string): OneflowError => new OneflowError(403, detail);
export const conflict = (detail: string): OneflowError => new OneflowError(409, detail);

/** Editing a signed contract's products. Status 409 is documented; the code and wording are inferred. */
export const contractSignedError = (): OneflowError =>
  new OneflowError(409, 'The contract is signed and can no longer be edited.');

/**
 * The documented 429 body, exactly as Oneflow's reference gives it: note it has no `request_id` or `type`,
 * and the answer carries no Retry-After header.
 */
const RATE_LIMIT_BODY = {
  detail: 'You have reached the 5 minute rate limit for requests. Try again in a few minutes.',
  error_code: 4290000,
  parameter_problems: {},
  status: 429,
  title: 'Too Many Requests',
} as const;

export function sendOneflowError(reply: FastifyReply, error: OneflowError): FastifyReply {
  return reply.code(error.status).type('application/json').send(error.body());
}

export function sendRateLimited(reply: FastifyReply): FastifyReply {
  return reply.code(429).type('application/json').send(RATE_LIMIT_BODY);
}

/** Collects parameter problems under field paths. */
export class Problems {
  private readonly found: ParameterProblems = {};

  add(path: string, message: string): void {
    (this.found[path] ??= []).push(message);
  }

  get isEmpty(): boolean {
    return Object.keys(this.found).length === 0;
  }

  /** Throws Oneflow's 400 naming every field found wrong, if any. */
  throwIfAny(): void {
    if (!this.isEmpty) throw badRequest(this.found);
  }
}

/** `products[2].price_1` style paths from zod issue paths. */
export function fieldPath(prefix: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((joined, key) => {
    if (typeof key === 'number') return `${joined}[${key}]`;
    const name = String(key);
    return joined === '' ? name : `${joined}.${name}`;
  }, prefix);
}
