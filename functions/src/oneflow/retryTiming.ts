/**
 * When to retry a failed Oneflow call, as a pure function (STYLE 6; sindresorhus/ky `retry-timing.ts`).
 *
 * Oneflow documents no Retry-After header for its 429 ("back off on your own schedule"), so rate limits,
 * 5xx answers and calls that got no answer all use capped exponential backoff with full jitter:
 * `delay = random() × min(maxDelayMs, baseDelayMs × 2^(attempt − 1))`. Other 4xx answers are not retried:
 * sending the same request again gives the same answer.
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
