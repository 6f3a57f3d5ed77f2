import {
  dataverseRetryDecision,
  parseRetryAfter,
  type AttemptFailure,
  type RetryPolicy,
} from './retryTiming';

const NOW = Date.parse('2026-03-02T10:00:00Z');
const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 };
const half = (): number => 0.5;
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

describe('dataverseRetryDecision', () => {
  it('rule: a 429 with Retry-After waits exactly Retry-After, even when the backoff would be shorter or longer', () => {
    expect(dataverseRetryDecision(throttled, 1, policy, half, 3000, 60_000)).toEqual({
      retry: true,
      delayMs: 3000,
    });
    expect(dataverseRetryDecision(throttled, 3, policy, half, 10, 60_000)).toEqual({
      retry: true,
      delayMs: 10,
    });
  });

  it('rule: a 429 without Retry-After uses capped exponential backoff with full jitter', () => {
    expect(
      [1, 2, 3].map((attempt) => dataverseRetryDecision(throttled, attempt, policy, half, null, 60_000)),
    ).toEqual([
      { retry: true, delayMs: 50 },
      { retry: true, delayMs: 100 },
      { retry: true, delayMs: 200 },
    ]);
  });

  it('rule: 5xx and no answer are retried; other 4xx are final', () => {
    expect(dataverseRetryDecision({ kind: 'status', status: 503 }, 1, policy, half, null, 60_000)).toEqual({
      retry: true,
      delayMs: 50,
    });
    expect(dataverseRetryDecision({ kind: 'network' }, 1, policy, half, null, 60_000)).toEqual({
      retry: true,
      delayMs: 50,
    });
    for (const status of [400, 401, 403, 404, 412]) {
      expect(dataverseRetryDecision({ kind: 'status', status }, 1, policy, half, 1000, 60_000)).toEqual({
        retry: false,
        reason: 'final',
      });
    }
  });

  it('rule: after maxAttempts, no retry whatever Retry-After says', () => {
    expect(dataverseRetryDecision(throttled, 4, policy, half, 1000, 60_000)).toEqual({
      retry: false,
      reason: 'attempts_exhausted',
    });
  });

  it('rule: a Retry-After longer than the ceiling is not waited out here', () => {
    expect(dataverseRetryDecision(throttled, 1, policy, half, 300_000, 60_000)).toEqual({
      retry: false,
      reason: 'retry_after_too_long',
    });
  });
});
