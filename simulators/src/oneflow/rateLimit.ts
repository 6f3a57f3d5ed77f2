/**
 * Oneflow's rate limit: 2000 requests per API token per 5-minute window. Counted over a sliding window, so no
 * burst at a window edge gets more than the budget through (the stricter reading: a client that copes with it
 * copes with a fixed window too). Refused requests are not counted.
 */
export interface RateLimitSettings {
  budget: number;
  windowMs: number;
}

export const ONEFLOW_RATE_LIMIT: RateLimitSettings = { budget: 2000, windowMs: 5 * 60 * 1000 };

export class RateLimiter {
  private readonly requests = new Map<string, number[]>();

  constructor(
    private current: RateLimitSettings,
    private readonly now: () => number = Date.now,
  ) {}

  get settings(): RateLimitSettings {
    return this.current;
  }

  configure(settings: RateLimitSettings): void {
    this.current = settings;
    this.requests.clear();
  }

  reset(): void {
    this.requests.clear();
  }

  /** Counts one request for `token`; false when the token has used its budget for the window. */
  take(token: string): boolean {
    const now = this.now();
    const windowStart = now - this.current.windowMs;
    const recent = (this.requests.get(token) ?? []).filter((time) => time > windowStart);
    const allowed = recent.length < this.current.budget;
    if (allowed) recent.push(now);
    this.requests.set(token, recent);
    return allowed;
  }
}
