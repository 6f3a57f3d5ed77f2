import {
  DEFAULT_RETRY_POLICY,
  isRetryable,
  parseRetryAfter,
  retryDecision,
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

const NOW = Date.parse('2026-03-02T10:00:00Z');
const throttlePolicy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 };
const throttled: AttemptFailure = { kind: 'status', status: 429 };

describe('parseRetryAfter', () => {
  it.each<[string | undefined, number | null]>([
    ['120', 120_000],
    ['0', 0],
    [' 5 ', 5000],
    ['Mon, 02 Mar 2026 10:00:07 GMT', 7000],
    ['Mon, 02 Mar 2026 09:59:00 GMT', 0],
    ['1.5', null],
    ['-3', null],
    ['soon', null],
    ['', null],
    [undefined, null],
  ])('rule: Retry-After %j waits %j ms', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});

describe('retryDecision (Retry-After honoured)', () => {
  it('rule: a 429 with Retry-After waits exactly Retry-After, even when the backoff would be shorter or longer', () => {
    expect(retryDecision(throttled, 1, throttlePolicy, half, 3000, 60_000)).toEqual({
      retry: true,
      delayMs: 3000,
    });
    expect(retryDecision(throttled, 3, throttlePolicy, half, 10, 60_000)).toEqual({
      retry: true,
      delayMs: 10,
    });
  });

  it('rule: a 429 without Retry-After uses capped exponential backoff with full jitter', () => {
    expect(
      [1, 2, 3].map((attempt) => retryDecision(throttled, attempt, throttlePolicy, half, null, 60_000)),
    ).toEqual([
      { retry: true, delayMs: 50 },
      { retry: true, delayMs: 100 },
      { retry: true, delayMs: 200 },
    ]);
  });

  it('rule: 5xx and no answer are retried; other 4xx are final', () => {
    expect(retryDecision({ kind: 'status', status: 503 }, 1, throttlePolicy, half, null, 60_000)).toEqual({
      retry: true,
      delayMs: 50,
    });
    expect(retryDecision({ kind: 'network' }, 1, throttlePolicy, half, null, 60_000)).toEqual({
      retry: true,
      delayMs: 50,
    });
    for (const status of [400, 401, 403, 404, 412]) {
      expect(retryDecision({ kind: 'status', status }, 1, throttlePolicy, half, 1000, 60_000)).toEqual({
        retry: false,
        reason: 'final',
      });
    }
  });

  it('rule: after maxAttempts, no retry whatever Retry-After says', () => {
    expect(retryDecision(throttled, 4, throttlePolicy, half, 1000, 60_000)).toEqual({
      retry: false,
      reason: 'attempts_exhausted',
    });
  });

  it('rule: a Retry-After longer than the ceiling is not waited out here', () => {
    expect(retryDecision(throttled, 1, throttlePolicy, half, 300_000, 60_000)).toEqual({
      retry: false,
      reason: 'retry_after_too_long',
    });
  });
});
