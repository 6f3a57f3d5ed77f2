import { SlidingWindow } from '../common/slidingWindow';

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

const windowBudget = ({ requestsPerWindow, windowMs }: ThrottleSettings) => ({
  budget: requestsPerWindow,
  windowMs,
});

export class SlidingWindowLimiter {
  private readonly window: SlidingWindow;

  constructor(
    private settings: ThrottleSettings,
    now: () => number = Date.now,
  ) {
    this.window = new SlidingWindow(windowBudget(settings), now);
  }

  get limits(): ThrottleSettings {
    return this.settings;
  }

  configure(settings: ThrottleSettings): void {
    this.settings = settings;
    this.window.configure(windowBudget(settings));
  }

  reset(): void {
    this.window.reset();
  }

  /** Counts one request for `user` when the budget allows it. */
  take(user: string): ThrottleDecision {
    const decision = this.window.take(user);
    if (decision.allowed) return decision;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(decision.retryAfterMs / 1000)) };
  }
}
