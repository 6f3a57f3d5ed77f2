import { isOneflowBudgetSpentError, isOneflowRateLimitedError } from './errors';
import { oneflowBudgetLeft, RequestBudget, requestBudgetOf } from './requestBudget';

const request = { method: 'GET', url: 'https://api.oneflow.example/v1/contracts/1' };

/** A clock that only moves when a waiting request sleeps, so every wait is plain arithmetic. */
function fakeClock() {
  const clock = { now: 0, slept: [] as number[] };
  return {
    clock,
    now: () => clock.now,
    sleep: (ms: number) => {
      clock.slept.push(ms);
      clock.now += ms;
      return Promise.resolve();
    },
  };
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('RequestBudget (a sliding window per org token)', () => {
  it('lets `limit` requests through at once, then counts none left', async () => {
    const { now, sleep, clock } = fakeClock();
    const budget = new RequestBudget({ limit: 3, windowMs: 1000, now, sleep });
    for (let index = 0; index < 3; index += 1) await budget.take(request);
    expect(clock.slept).toEqual([]);
    expect(budget.state()).toEqual({ limit: 3, windowMs: 1000, used: 3, left: 0, nextFreeInMs: 1000 });
  });

  it('makes a request past the limit wait until the oldest request leaves the window, within the longest wait', async () => {
    const { now, sleep, clock } = fakeClock();
    const budget = new RequestBudget({ limit: 2, windowMs: 1000, maxWaitMs: 5000, now, sleep });
    await budget.take(request);
    clock.now = 400;
    await budget.take(request);
    clock.now = 500;
    await budget.take(request);
    // The first request (at 0) leaves the window at 1000.
    expect(clock.slept).toEqual([500]);
    expect(clock.now).toBe(1000);
    await budget.take(request);
    // Then the second one's slot (at 400) is the one to leave: 1400.
    expect(clock.slept).toEqual([500, 400]);
    // Slots at 1000 and 1400: the next is free at 2000.
    expect(budget.state()).toMatchObject({ used: 2, left: 0, nextFreeInMs: 600 });
  });

  it('slides: a slot is free again exactly one window after it was taken, not at a fixed boundary', async () => {
    const { now, sleep, clock } = fakeClock();
    const budget = new RequestBudget({ limit: 2, windowMs: 1000, now, sleep });
    clock.now = 900;
    await budget.take(request);
    await budget.take(request);
    clock.now = 1100;
    // A fixed window starting at 1000 would count none; the sliding one still counts both.
    expect(budget.state()).toMatchObject({ left: 0, nextFreeInMs: 800 });
    clock.now = 1900;
    expect(budget.state()).toMatchObject({ used: 0, left: 2, nextFreeInMs: 0 });
  });

  it('fails at once, taking no slot, when the wait would be longer than the longest; the error says when to try again', async () => {
    const { now, sleep, clock } = fakeClock();
    const budget = new RequestBudget({ limit: 1, windowMs: 300_000, maxWaitMs: 5000, now, sleep });
    await budget.take(request);
    clock.now = 60_000;
    const error = await caught(budget.take(request));
    expect(isOneflowBudgetSpentError(error)).toBe(true);
    // Handled wherever Oneflow's own 429 is (the API's oneflow_busy).
    expect(isOneflowRateLimitedError(error)).toBe(true);
    if (!isOneflowBudgetSpentError(error)) return;
    expect(error.retryAfterMs).toBe(240_000);
    expect(error.message).toContain('try again in 240 seconds');
    expect(error.message).toContain('1 requests it allows itself per 5 minutes');
    expect(clock.slept).toEqual([]);
    expect(budget.state()).toMatchObject({ used: 1, nextFreeInMs: 240_000 });
  });

  it('queues waiting requests behind each other: each reserves the next slot', async () => {
    const { now, clock } = fakeClock();
    const waits: number[] = [];
    // Sleeps that do not move the clock: requests arriving at the same instant.
    const budget = new RequestBudget({
      limit: 2,
      windowMs: 1000,
      maxWaitMs: 1500,
      now,
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });
    await Promise.all([1, 2, 3, 4].map(() => budget.take(request)));
    expect(waits).toEqual([1000, 1000]);
    // The fifth would start at 2000: past the longest wait.
    expect(isOneflowBudgetSpentError(await caught(budget.take(request)))).toBe(true);
    expect(clock.now).toBe(0);
    expect(budget.state()).toMatchObject({ used: 4, left: 0, nextFreeInMs: 2000 });
  });

  it('refuses a limit that is not a positive whole number', () => {
    expect(() => new RequestBudget({ limit: 0 })).toThrow(/limit must be a positive whole number/);
  });
});

describe('requestBudgetOf', () => {
  const org = (token: string, requestBudget: number) => ({
    secrets: { oneflowToken: token, webhookSignKey: 'key' },
    oneflow: {
      apiUrl: 'https://api.oneflow.example/v1',
      userEmail: 'sync@contoso.example',
      workspaceId: 1,
      templateId: 2,
      bulkDraftWrites: true,
      requestBudget,
    },
  });

  it('gives every client of one token the same budget, and another token its own', async () => {
    const first = requestBudgetOf(org('token-a', 1800));
    expect(requestBudgetOf(org('token-a', 1800))).toBe(first);
    expect(requestBudgetOf(org('token-b', 1800))).not.toBe(first);
    await first.take(request);
    expect(oneflowBudgetLeft(org('token-a', 1800))).toMatchObject({ limit: 1800, used: 1, left: 1799 });
    expect(oneflowBudgetLeft(org('token-b', 1800))).toMatchObject({ used: 0, left: 1800 });
  });

  it("takes the org's configured share", () => {
    expect(oneflowBudgetLeft(org('token-c', 1000))).toMatchObject({ limit: 1000, windowMs: 300_000 });
  });
});
