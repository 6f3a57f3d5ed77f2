import axios, { type AxiosResponse, type CreateAxiosDefaults, type Method } from 'axios';
import type { z } from 'zod';
import {
  DEFAULT_RETRY_POLICY,
  retryDecision,
  type AttemptFailure,
  type RandomSource,
  type RetryPolicy,
} from './retryTiming';

/**
 * The HTTP transport the Oneflow and Dataverse clients share: the attempt loop, the wait between attempts, the
 * retry decision (retryTiming.ts), and a transport failure's cause rebuilt without the request config. What
 * differs per service is passed in: its typed errors, how an answer is read, whether Retry-After is honoured
 * (an outcome carries one only when the service's reader found it), and whether a 401 gets fresh credentials.
 */

/** The retry settings a client takes from its caller. */
export interface RetryOptions {
  /** Attempts in total, the first one included (default 4). */
  maxAttempts?: number;
  /** Backoff settings other than maxAttempts (tests shorten them). */
  retry?: Partial<Omit<RetryPolicy, 'maxAttempts'>>;
  /** Jitter source in [0, 1); Math.random unless given. */
  random?: RandomSource;
  /** How to wait between attempts; a real timer unless given. */
  sleep?: (ms: number) => Promise<void>;
}

/** Where an attempt went, as every typed error of a service names it. */
export interface AttemptPlace {
  method: string;
  /** The absolute URL, query included. */
  url: string;
  /** 1-based; a 401 answered with fresh credentials keeps the number. */
  attempts: number;
}

type AttemptOutcome<T, E extends Error> =
  | { ok: true; value: T }
  | {
      ok: false;
      failure: AttemptFailure;
      error: E;
      /** How long the service asked to wait (Retry-After); absent or null: the backoff decides. */
      retryAfterMs?: number | null;
    };

export type FailedOutcome<E extends Error> = Extract<AttemptOutcome<never, E>, { ok: false }>;

export interface TransportRequest {
  method: Method;
  /** As axios takes it: relative to the base URL, or absolute. */
  url: string;
  /** The absolute URL, query included, that errors name. */
  fullUrl: string;
  params?: Record<string, number | string>;
  headers?: Record<string, string>;
  data?: unknown;
}

/** Reads an answer that came: the value, a failure to retry or report, or a throw for what retrying cannot fix. */
export type Interpret<T, E extends Error> = (
  response: AxiosResponse<unknown>,
  place: AttemptPlace,
) => AttemptOutcome<T, E>;

export interface TransportOptions<E extends Error> extends RetryOptions {
  /** The axios settings of the service (base URL, timeout, fixed headers, how bodies are read). */
  http: Omit<CreateAxiosDefaults, 'validateStatus'>;
  /** The service's typed error for an attempt that got no answer. */
  networkError: (place: AttemptPlace, cause: Error) => E;
  /** The service's typed error for an answer that came but cannot be read; such answers are not retried. */
  invalidResponse: (place: AttemptPlace & { status: number }, detail: string, cause?: unknown) => E;
  /** The failure outcome of a non-2xx answer: the service's typed error, and its Retry-After when it has one. */
  failure: (response: AxiosResponse<unknown>, place: AttemptPlace) => FailedOutcome<E>;
  /** The body of a 2xx answer, before its schema is checked (default: as axios read it). */
  body?: (response: AxiosResponse<unknown>, place: AttemptPlace) => unknown;
  /**
   * Awaited before every attempt is sent (a request budget's slot); what it throws fails the call unretried,
   * since the attempt was never sent.
   */
  beforeAttempt?: (place: AttemptPlace) => Promise<void>;
  /** Headers read before every attempt and sent last (a bearer token from a cache). */
  credentials?: () => Promise<Record<string, string>>;
  /** A first 401 is sent again at once with fresh credentials: a token may expire in flight. */
  renewCredentialsOn401?: boolean;
  /** A Retry-After longer than this is not waited out: the call fails at once with the service's error. */
  maxRetryAfterMs?: number;
  /** The error thrown on giving up, given whether an earlier attempt got no answer (and may have been applied). */
  finalError?: (error: E, history: { unanswered: boolean }) => E;
}

export interface Transport<E extends Error> {
  /** Sends `request` until `interpret` reads a value, or the retry decision gives up (its typed error thrown). */
  send<T>(request: TransportRequest, interpret: Interpret<T, E>): Promise<T>;
  /** An interpreter for a JSON answer: non-2xx is the service's failure, 2xx is checked against `schema`. */
  expect<T>(schema: z.ZodType<T>): Interpret<T, E>;
  /** The service's failure outcome of a non-2xx answer. */
  failed(response: AxiosResponse<unknown>, place: AttemptPlace): FailedOutcome<E>;
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

const realSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/** A transport failure's cause, rebuilt so it carries no request config (a token is in its headers). */
export function safeCause(error: unknown): Error {
  if (axios.isAxiosError(error)) return new Error(`${error.code ?? 'ERR_NETWORK'}: ${error.message}`);
  return new Error(error instanceof Error ? error.message : String(error));
}

export function createTransport<E extends Error>(options: TransportOptions<E>): Transport<E> {
  const policy: RetryPolicy = {
    ...DEFAULT_RETRY_POLICY,
    ...options.retry,
    maxAttempts: options.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts,
  };
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? realSleep;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? Number.POSITIVE_INFINITY;
  const readBody = options.body ?? ((response: AxiosResponse<unknown>) => response.data);
  // Every status is ours to handle: retries and typed errors, never axios's generic error.
  const http = axios.create({ ...options.http, validateStatus: () => true });

  async function send<T>(request: TransportRequest, interpret: Interpret<T, E>): Promise<T> {
    let renewed = false;
    let unanswered = false;
    for (let attempt = 1; ;) {
      const place: AttemptPlace = { method: request.method, url: request.fullUrl, attempts: attempt };
      if (options.beforeAttempt) await options.beforeAttempt(place);
      // A credentials failure is already typed by its source and would fail again: passed on as is.
      const credentials = options.credentials ? await options.credentials() : {};
      let outcome: AttemptOutcome<T, E>;
      try {
        const response = await http.request<unknown>({
          method: request.method,
          url: request.url,
          params: request.params,
          headers: { ...request.headers, ...credentials },
          data: request.data,
        });
        if (response.status === 401 && options.renewCredentialsOn401 === true && !renewed) {
          renewed = true;
          continue;
        }
        outcome = interpret(response, place);
      } catch (cause) {
        // Anything else (a body that cannot be serialised, an unreadable answer) is not the connection's fault.
        if (!axios.isAxiosError(cause)) throw cause;
        unanswered = true;
        outcome = {
          ok: false,
          failure: { kind: 'network' },
          error: options.networkError(place, safeCause(cause)),
        };
      }
      if (outcome.ok) return outcome.value;
      const decision = retryDecision(
        outcome.failure,
        attempt,
        policy,
        random,
        outcome.retryAfterMs ?? null,
        maxRetryAfterMs,
      );
      if (!decision.retry) {
        throw options.finalError ? options.finalError(outcome.error, { unanswered }) : outcome.error;
      }
      await sleep(decision.delayMs);
      attempt += 1;
    }
  }

  function expect<T>(schema: z.ZodType<T>): Interpret<T, E> {
    return (response, place) => {
      if (!isSuccess(response.status)) return options.failure(response, place);
      const parsed = schema.safeParse(readBody(response, place));
      if (parsed.success) return { ok: true, value: parsed.data };
      // Not retried: the same request would get the same unexpected shape.
      throw options.invalidResponse(
        { ...place, status: response.status },
        'The answer did not match the expected shape.',
        parsed.error,
      );
    };
  }

  return { send, expect, failed: options.failure };
}
