import type { TenantConfig } from '../config/config';
import { OneflowBudgetSpentError } from './errors';

/**
 * The Oneflow requests this process allows itself per API token, over a sliding window: at most `limit` requests
 * in any `windowMs` (Oneflow counts 2000 per token per 5 minutes and answers 429 past them, without Retry-After).
 * Every request takes a slot first; when the window is full it waits for the oldest slot to leave it, so a burst
 * slows down before Oneflow would refuse it. A request that would wait longer than `maxWaitMs` takes no slot and
 * fails at once with `OneflowBudgetSpentError`, saying when a slot is free: a person is not kept waiting minutes,
 * and a queued run is retried later instead of holding its contract's lease.
 *
 * A sliding window, not a fixed one: a fixed window resets at its boundary and lets twice its limit through in
 * the minutes around it, which Oneflow (whose window kind is not documented) may count as one window.
 */
export interface RequestBudgetOptions {
  /** Requests allowed in any window. */
  limit: number;
  /** Default 5 minutes, Oneflow's window. */
  windowMs?: number;
  /** The longest a request waits for a slot before failing (default 5 s). */
  maxWaitMs?: number;
  /** Milliseconds now (a fake clock in tests). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** What is left of a budget now: what reconciliation asks before spending requests. */
export interface RequestBudgetState {
  limit: number;
  windowMs: number;
  /** Slots taken in the window ending now, or reserved by requests waiting for one. */
  used: number;
  /** Requests that could start now without waiting. */
  left: number;
  /** How long until the next request could start: 0 while `left` is above 0. */
  nextFreeInMs: number;
}

const ONEFLOW_WINDOW_MS = 5 * 60_000;
const DEFAULT_MAX_WAIT_MS = 5_000;

const realSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

export class RequestBudget {
  readonly limit: number;
  readonly windowMs: number;
  private readonly maxWaitMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Start times of the slots taken, ascending; some may lie ahead (requests waiting for them). */
  private readonly slots: number[] = [];

  constructor(options: RequestBudgetOptions) {
    if (!Number.isInteger(options.limit) || options.limit < 1) {
      throw new Error(`limit must be a positive whole number of requests, not ${String(options.limit)}`);
    }
    this.limit = options.limit;
    this.windowMs = options.windowMs ?? ONEFLOW_WINDOW_MS;
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
  }

  /**
   * Takes a slot for one request, waiting for it when the window is full; fails at once (taking nothing) when
   * the wait would exceed the budget's longest. `request` names the request in the error.
   */
  async take(request: { method: string; url: string }): Promise<void> {
    const now = this.now();
    const startAt = this.nextStart(now);
    const waitMs = startAt - now;
    if (waitMs > this.maxWaitMs) {
      throw new OneflowBudgetSpentError({ ...request, retryAfterMs: waitMs, limit: this.limit });
    }
    // Reserved before waiting, so requests arriving meanwhile queue behind this one.
    this.slots.push(startAt);
    if (waitMs > 0) await this.sleep(waitMs);
  }

  state(): RequestBudgetState {
    const now = this.now();
    const nextFreeInMs = this.nextStart(now) - now;
    const used = this.slots.length;
    return {
      limit: this.limit,
      windowMs: this.windowMs,
      used,
      left: Math.max(0, this.limit - used),
      nextFreeInMs,
    };
  }

  /** When a request arriving `now` may start: now, or when the slot `limit` places back leaves the window. */
  private nextStart(now: number): number {
    // Slots that left the window can no longer count against any request from now on.
    let gone = 0;
    while (gone < this.slots.length && (this.slots[gone] ?? now) <= now - this.windowMs) gone += 1;
    if (gone > 0) this.slots.splice(0, gone);
    const blocking = this.slots[this.slots.length - this.limit];
    return blocking === undefined ? now : Math.max(now, blocking + this.windowMs);
  }
}

/** One budget per Oneflow API token in this process: every client of that token shares it. */
const budgets = new Map<string, RequestBudget>();

/**
 * The budget of an org's API token in this process, made on first use with the org's `oneflow.requestBudget`.
 * Two orgs with the same token share one budget (Oneflow counts per token), with the limit of the first one used.
 */
export function requestBudgetOf(
  tenant: Pick<TenantConfig, 'secrets' | 'oneflow'>,
  options: Omit<RequestBudgetOptions, 'limit'> = {},
): RequestBudget {
  const token = tenant.secrets.oneflowToken;
  let budget = budgets.get(token);
  if (!budget) {
    budget = new RequestBudget({ ...options, limit: tenant.oneflow.requestBudget });
    budgets.set(token, budget);
  }
  return budget;
}

/**
 * How much of an org's Oneflow budget this process has left now (e.g. for reconciliation to decide how many
 * contracts it reads this round). Counts this process's requests only: another instance of a scaled-out app
 * holds its own budget.
 */
export function oneflowBudgetLeft(tenant: Pick<TenantConfig, 'secrets' | 'oneflow'>): RequestBudgetState {
  return requestBudgetOf(tenant).state();
}
