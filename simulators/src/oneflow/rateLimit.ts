import { SlidingWindow, type WindowBudget } from '../common/slidingWindow';

/**
 * Oneflow's rate limit: 2000 requests per API token per 5-minute window. Counted over a sliding window, so no
 * burst at a window edge gets more than the budget through (the stricter reading: a client that copes with it
 * copes with a fixed window too). Refused requests are not counted.
 */
export type RateLimitSettings = WindowBudget;

export const ONEFLOW_RATE_LIMIT: RateLimitSettings = { budget: 2000, windowMs: 5 * 60 * 1000 };

export class RateLimiter {
  private readonly window: SlidingWindow;

  constructor(
    private current: RateLimitSettings,
    now: () => number = Date.now,
  ) {
    this.window = new SlidingWindow(current, now);
  }

  get settings(): RateLimitSettings {
    return this.current;
  }

  configure(settings: RateLimitSettings): void {
    this.current = settings;
    this.window.configure(settings);
  }

  reset(): void {
    this.window.reset();
  }

  /** Counts one request for `token`; false when the token has used its budget for the window. */
  take(token: string): boolean {
    return this.window.take(token).allowed;
  }
}
