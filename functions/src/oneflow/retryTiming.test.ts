import {
  DEFAULT_RETRY_POLICY,
  isRetryable,
  retryDelay,
  type AttemptFailure,
  type RetryPolicy,
} from './retryTiming';

const policy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 500 };
const top = (): number => 0.999999;
const half = (): number => 0.5;

describe('retryDelay', () => {
  it.each<[string, AttemptFailure, boolean]>([
    [
      '429: Oneflow documents no Retry-After, back off on our own schedule',
      { kind: 'status', status: 429 },
      true,
    ],
    ['5xx: retried', { kind: 'status', status: 500 }, true],
    ['5xx: retried', { kind: 'status', status: 503 }, true],
    ['no answer: retried', { kind: 'network' }, true],
    ['other 4xx: the same request gets the same answer', { kind: 'status', status: 400 }, false],
    ['other 4xx: the same request gets the same answer', { kind: 'status', status: 401 }, false],
    ['other 4xx: the same request gets the same answer', { kind: 'status', status: 404 }, false],
    ['other 4xx: the same request gets the same answer', { kind: 'status', status: 409 }, false],
  ])('rule "%s" (%j → retry %s)', (_rule, failure, retry) => {
    expect(isRetryable(failure)).toBe(retry);
    expect(retryDelay(failure, 1, policy, half) !== null).toBe(retry);
  });

  it('rule: capped exponential backoff, base × 2^(attempt − 1) up to maxDelayMs', () => {
    const failure: AttemptFailure = { kind: 'status', status: 429 };
    const delays = [1, 2, 3, 4].map((attempt) => retryDelay(failure, attempt, policy, top));
    expect(delays).toEqual([99, 199, 399, 499]);
  });

  it('rule: full jitter scales the ceiling by the random source', () => {
    const failure: AttemptFailure = { kind: 'network' };
    expect(retryDelay(failure, 3, policy, half)).toBe(200);
    expect(retryDelay(failure, 3, policy, () => 0)).toBe(0);
  });

  it('rule: no retry once maxAttempts attempts were made', () => {
    const failure: AttemptFailure = { kind: 'status', status: 500 };
    expect(retryDelay(failure, 4, policy, half)).not.toBeNull();
    expect(retryDelay(failure, 5, policy, half)).toBeNull();
    expect(retryDelay(failure, DEFAULT_RETRY_POLICY.maxAttempts, DEFAULT_RETRY_POLICY, half)).toBeNull();
  });
});
