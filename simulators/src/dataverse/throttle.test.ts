import { SlidingWindowLimiter } from './throttle';

describe('SlidingWindowLimiter', () => {
  it('allows the budget per user, then refuses with the seconds until the oldest request leaves the window', () => {
    let now = 0;
    const limiter = new SlidingWindowLimiter({ requestsPerWindow: 2, windowMs: 10_000 }, () => now);
    expect(limiter.take('a')).toEqual({ allowed: true, remaining: 1 });
    now = 4_000;
    expect(limiter.take('a')).toEqual({ allowed: true, remaining: 0 });
    now = 5_500;
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 5 });
    expect(limiter.take('b').allowed).toBe(true);
    now = 10_001;
    expect(limiter.take('a').allowed).toBe(true);
  });

  it('never asks to retry after less than one second', () => {
    let now = 0;
    const limiter = new SlidingWindowLimiter({ requestsPerWindow: 1, windowMs: 1_000 }, () => now);
    limiter.take('a');
    now = 999;
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });
});
