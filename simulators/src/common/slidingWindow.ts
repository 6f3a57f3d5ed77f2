/**
 * A request budget per key over a sliding window: at most `budget` requests in any `windowMs` milliseconds.
 * Refused requests are not counted, so a key can send again as soon as its oldest counted request leaves the
 * window. The clock is passed in, so the counting is plain arithmetic over the times it returns.
 */
export interface WindowBudget {
  budget: number;
  windowMs: number;
}

export type WindowDecision =
  | { allowed: true; remaining: number }
  /** `retryAfterMs`: how long until the oldest counted request leaves the window. */
  | { allowed: false; retryAfterMs: number };

export class SlidingWindow {
  private readonly requests = new Map<string, number[]>();

  constructor(
    private budget: WindowBudget,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new budget starts every key afresh. */
  configure(budget: WindowBudget): void {
    this.budget = budget;
    this.requests.clear();
  }

  reset(): void {
    this.requests.clear();
  }

  /** Counts one request for `key` when the budget allows it. */
  take(key: string): WindowDecision {
    const now = this.now();
    const windowStart = now - this.budget.windowMs;
    const times = (this.requests.get(key) ?? []).filter((time) => time > windowStart);
    this.requests.set(key, times);
    if (times.length >= this.budget.budget) {
      const oldest = times[0] ?? now;
      return { allowed: false, retryAfterMs: oldest - windowStart };
    }
    times.push(now);
    return { allowed: true, remaining: this.budget.budget - times.length };
  }
}
