/**
 * Dataverse's number-of-requests service protection limit: a budget per user over a sliding window (6000
 * requests per 300 seconds by default). Refused requests are not counted, so the user can send again as soon as
 * the oldest counted request leaves the window; Retry-After says when that is, in whole seconds (at least 1).
 */
export interface ThrottleSettings {
  requestsPerWindow: number;
  windowMs: number;
}

export const DATAVERSE_DEFAULT_THROTTLE: ThrottleSettings = { requestsPerWindow: 6000, windowMs: 300_000 };

export type ThrottleDecision =
  { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

export class SlidingWindowLimiter {
  private readonly requests = new Map<string, number[]>();

  constructor(
    private settings: ThrottleSettings,
    private readonly now: () => number = Date.now,
  ) {}

  get limits(): ThrottleSettings {
    return this.settings;
  }

  configure(settings: ThrottleSettings): void {
    this.settings = settings;
    this.requests.clear();
  }

  reset(): void {
    this.requests.clear();
  }

  /** Counts one request for `user` when the budget allows it. */
  take(user: string): ThrottleDecision {
    const now = this.now();
    const windowStart = now - this.settings.windowMs;
    const times = (this.requests.get(user) ?? []).filter((time) => time > windowStart);
    if (times.length >= this.settings.requestsPerWindow) {
      this.requests.set(user, times);
      const oldest = times[0] ?? now;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest - windowStart) / 1000)) };
    }
    times.push(now);
    this.requests.set(user, times);
    return { allowed: true, remaining: this.settings.requestsPerWindow - times.length };
  }
}
