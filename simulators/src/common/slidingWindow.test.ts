import { SlidingWindow } from './slidingWindow';

describe('SlidingWindow', () => {
  it('allows the budget per key, then refuses until the oldest counted request leaves the window', () => {
    let now = 0;
    const window = new SlidingWindow({ budget: 2, windowMs: 10_000 }, () => now);
    expect(window.take('a')).toEqual({ allowed: true, remaining: 1 });
    now = 4_000;
    expect(window.take('a')).toEqual({ allowed: true, remaining: 0 });
    now = 5_500;
    expect(window.take('a')).toEqual({ allowed: false, retryAfterMs: 4_500 });
    expect(window.take('b')).toEqual({ allowed: true, remaining: 1 });
    now = 9_999;
    expect(window.take('a')).toEqual({ allowed: false, retryAfterMs: 1 });
    now = 10_000;
    expect(window.take('a')).toEqual({ allowed: true, remaining: 0 });
  });

  it('does not count refused requests', () => {
    let now = 0;
    const window = new SlidingWindow({ budget: 1, windowMs: 1_000 }, () => now);
    window.take('a');
    for (now = 100; now < 1_000; now += 100) expect(window.take('a').allowed).toBe(false);
    now = 1_000;
    expect(window.take('a').allowed).toBe(true);
  });

  it('starts every key afresh on reset and on a new budget', () => {
    const window = new SlidingWindow({ budget: 1, windowMs: 60_000 }, () => 0);
    window.take('a');
    window.reset();
    expect(window.take('a').allowed).toBe(true);
    window.configure({ budget: 2, windowMs: 60_000 });
    expect(window.take('a')).toEqual({ allowed: true, remaining: 1 });
  });
});
