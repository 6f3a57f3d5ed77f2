/**
 * When to retry a failed call to Oneflow or Dataverse, as pure functions (STYLE 6; sindresorhus/ky
 * `retry-timing.ts`).
 *
 * Rate limits, 5xx answers and calls that got no answer use capped exponential backoff with full jitter:
 * `delay = random() × min(maxDelayMs, baseDelayMs × 2^(attempt − 1))`. Other 4xx answers are not retried:
 * sending the same request again gives the same answer. Oneflow documents no Retry-After for its 429 ("back off
 * on your own schedule"); Dataverse sends one with a 429 (service protection), and Microsoft's guidance is to
 * wait exactly that long, never less (a 503 that sends one is treated the same). Retry-After is delta-seconds or
 * an HTTP date (RFC 9110 §10.2.3).
 */

/** A source of numbers in [0, 1); Math.random in production, a fixed function in tests. */
export type RandomSource = () => number;

/** What went wrong with one attempt: an HTTP status, or no answer at all (connection dropped, timeout). */
export type AttemptFailure = { kind: 'status'; status: number } | { kind: 'network' };

export interface RetryPolicy {
  /** Attempts in total, the first one included. */
  maxAttempts: number;
  /** The backoff ceiling before the first retry. */
  baseDelayMs: number;
  /** No single wait is longer than this. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 30_000 };

/** 429, 5xx and no answer are worth another try; any other status is the final answer. */
export function isRetryable(failure: AttemptFailure): boolean {
  if (failure.kind === 'network') return true;
  return failure.status === 429 || failure.status >= 500;
}

/**
 * Milliseconds to wait before the next attempt after `attempt` (1-based: 1 = the first try failed), or null
 * when the call must not be retried (not retryable, or `maxAttempts` reached).
 */
export function retryDelay(
  failure: AttemptFailure,
  attempt: number,
  policy: RetryPolicy,
  random: RandomSource,
): number | null {
  if (!isRetryable(failure) || attempt >= policy.maxAttempts) return null;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const roll = Math.min(Math.max(random(), 0), 1);
  return Math.floor(roll * ceiling);
}

/** Milliseconds a `Retry-After` value asks to wait from `nowMs`, or null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  if (text === '') return null;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date; Date.parse reads IMF-fixdate (and the obsolete forms). Anything else is not a Retry-After.
  if (!/[a-z]/i.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}

export type RetryDecision =
  | { retry: true; delayMs: number }
  | { retry: false; reason: 'final' | 'attempts_exhausted' | 'retry_after_too_long' };

/**
 * What to do after `attempt` (1-based) failed: retry after a delay, or give up. An answer with Retry-After waits
 * exactly Retry-After (not the jittered backoff); when that is longer than `maxRetryAfterMs`, the caller gives
 * up at once and reports how long to wait, rather than holding a Function invocation for minutes.
 */
export function retryDecision(
  failure: AttemptFailure,
  attempt: number,
  policy: RetryPolicy,
  random: RandomSource,
  retryAfterMs: number | null,
  maxRetryAfterMs: number,
): RetryDecision {
  if (!isRetryable(failure)) return { retry: false, reason: 'final' };
  const backoff = retryDelay(failure, attempt, policy, random);
  if (backoff === null) return { retry: false, reason: 'attempts_exhausted' };
  if (failure.kind === 'status' && retryAfterMs !== null) {
    if (retryAfterMs > maxRetryAfterMs) return { retry: false, reason: 'retry_after_too_long' };
    return { retry: true, delayMs: retryAfterMs };
  }
  return { retry: true, delayMs: backoff };
}
