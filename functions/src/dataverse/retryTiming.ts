/**
 * When to retry a failed Dataverse call, as pure functions. The backoff itself is the Oneflow client's
 * (`retryDelay`: capped exponential backoff with full jitter for 429, 5xx and no answer; other 4xx are final).
 * Dataverse adds one rule: a 429 carries `Retry-After` (service protection), and Microsoft's guidance is to wait
 * exactly that long, never less (a 503 that sends one is treated the same). Retry-After is delta-seconds or an
 * HTTP date (RFC 9110 §10.2.3).
 */
import {
  DEFAULT_RETRY_POLICY,
  isRetryable,
  retryDelay,
  type AttemptFailure,
  type RandomSource,
  type RetryPolicy,
} from '../oneflow/retryTiming';

export { DEFAULT_RETRY_POLICY, isRetryable, retryDelay };
export type { AttemptFailure, RandomSource, RetryPolicy };

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
export function dataverseRetryDecision(
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
