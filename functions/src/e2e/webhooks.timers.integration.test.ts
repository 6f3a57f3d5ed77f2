import { randomUUID } from 'node:crypto';
import type { ContractChangedMessage, Logger, Services } from '../services';
import type { ActivityEntry } from '../state/store';
import { FIXTURE, startStack, type Stack } from '../testing/stack';
import { TIMER_FUNCTIONS } from '../registry';
import {
  activity,
  createContract,
  dynamicsLine,
  editProduct,
  fixtureWithOpportunities,
  LINE,
  messagesFor,
  notification,
  opportunity,
  postNotification,
  productFor,
  recordEnqueues,
  watchQueueTrigger,
  type Notification,
} from './webhookSupport';

/**
 * The timers, called as the registry's handlers call them, against the running stack. No webhook is registered in
 * this file: reconciliation is what finds Oneflow's changes for setups without one.
 */

jest.setTimeout(30_000);

const DAY_MS = 24 * 60 * 60 * 1000;

/** Runs one of the registry's timers (what the Functions host and the local runner call) and returns its logs. */
async function runTimer(
  name: 'reconcileTimer' | 'cleanupTimer',
  services: Services,
): Promise<{ level: string; message: string; data: Record<string, unknown> }[]> {
  const timer = TIMER_FUNCTIONS.find((definition) => definition.name === name);
  if (!timer) throw new Error(`no timer ${name} in the registry`);
  const logs: { level: string; message: string; data: Record<string, unknown> }[] = [];
  const log: Logger = {
    info: (message, data = {}) => logs.push({ level: 'info', message, data }),
    warn: (message, data = {}) => logs.push({ level: 'warn', message, data }),
    error: (message, data = {}) => logs.push({ level: 'error', message, data }),
  };
  await timer.handle(services, log);
  return logs;
}

let stack: Stack;
let queued: ContractChangedMessage[];
/** Callback ids this file's notifications made the receiver remember. */
const seenCallbacks = new Set<string>();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Waits for the start of a wall-clock second, so that what follows happens within one second. */
async function startOfASecond(): Promise<void> {
  const into = Date.now() % 1000;
  if (into > 100) await sleep(1000 - into + 5);
}

const fetchAsAlex = async (contractId: number) => {
  const answer = await stack.api('POST', `/contracts/${String(contractId)}/fetch`, {
    token: await stack.token('alex'),
  });
  if (answer.status !== 200) throw new Error(`fetch: ${String(answer.status)} ${answer.text}`);
};

beforeAll(async () => {
  stack = await startStack();
  queued = recordEnqueues(stack);
  const fixture = await stack.sim('dataverse', 'POST', '/_sim/fixture', fixtureWithOpportunities(4));
  if (fixture.status !== 200) throw new Error(`Dataverse fixture: ${fixture.text}`);
}, 60_000);

afterAll(async () => {
  await stack.close();
});

describe('reconciliation', () => {
  test('a contract changed in Oneflow since its last sync gets a fetch queued and applied; an unchanged one does not', async () => {
    const changed = opportunity(1);
    const unchanged = opportunity(2);
    const changedId = await createContract(stack, changed.id);
    const unchangedId = await createContract(stack, unchanged.id);
    // Both were last synced (fetched) well after their last change in Oneflow (the initial transfer).
    await sleep(1100);
    await fetchAsAlex(changedId);
    await fetchAsAlex(unchangedId);
    const product = await productFor(stack, changedId, changed.lines[LINE.widget]);
    await sleep(1100);
    await editProduct(stack, changedId, product.id, { quantity: { amount: 8 } });
    const before = {
      changed: await activity(stack, changedId),
      unchanged: await activity(stack, unchangedId),
    };
    const queuedBefore = queued.length;

    const logs = await runTimer('reconcileTimer', stack.services);

    const messages = queued.slice(queuedBefore);
    expect(logs).toEqual([
      {
        level: 'info',
        message: 'reconcile queued fetches',
        data: expect.objectContaining({ queued: messages.length }) as Record<string, unknown>,
      },
    ]);
    // The run stayed within its share of the org's Oneflow budget and did not need all of it.
    expect(logs[0]?.data.organisations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ tenantId: FIXTURE.contoso, stopped: null, queued: messages.length }),
      ]),
    );
    expect(messagesFor(messages, changedId)).toEqual([
      expect.objectContaining({
        tenantId: FIXTURE.contoso,
        contractId: changedId,
        source: { kind: 'reconcile' },
      }),
    ]);
    expect(messagesFor(messages, unchangedId)).toEqual([]);

    await stack.host.drainQueue();
    const entries = (await activity(stack, changedId)).slice(before.changed.length);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: 'webhook',
      outcome: 'applied',
      actor: { kind: 'application' },
    });
    // The quantity, and the line's discount kept at the contract's 2.50 per unit (lineDiscount.ts).
    expect(entries[0]?.changes.filter((change) => change.side === 'dynamics')).toEqual([
      expect.objectContaining({ lineId: changed.lines[LINE.widget], old: 10, new: 8 }),
      expect.objectContaining({ dynamicsField: 'manualdiscountamount', old: 25, new: 20 }),
    ]);
    expect((await dynamicsLine(stack, changed.id, changed.lines[LINE.widget])).values.quantity).toBe(8);
    expect(await activity(stack, unchangedId)).toHaveLength(before.unchanged.length);
  });

  test('a change made in the same second as the last sync is still found (Oneflow times have whole seconds)', async () => {
    const record = opportunity(3);
    const contractId = await createContract(stack, record.id);
    const product = await productFor(stack, contractId, record.lines[LINE.support]);
    await startOfASecond();
    await fetchAsAlex(contractId);
    await editProduct(stack, contractId, product.id, { quantity: { amount: 5 } });
    const queuedBefore = queued.length;

    await runTimer('reconcileTimer', stack.services);

    expect(messagesFor(queued.slice(queuedBefore), contractId)).toHaveLength(1);
    await stack.host.drainQueue();
    expect((await dynamicsLine(stack, record.id, record.lines[LINE.support])).values.quantity).toBe(5);
  });
});

/** Posts the notification again and processes it: what the queue processor made of this copy. */
async function outcomeOfAgain(signed: Notification): Promise<string | null> {
  const watch = watchQueueTrigger();
  try {
    expect((await postNotification(stack, signed)).body).toEqual({ status: 'queued' });
    await stack.host.drainQueue();
    const copies = watch.attempts.filter((attempt) => attempt.callbackId === signed.callback_id);
    expect(copies).toHaveLength(1);
    return copies[0]?.outcome ?? null;
  } finally {
    watch.restore();
  }
}

describe('cleanup', () => {
  test('activity older than its retention is removed and newer activity kept; seen callback ids likewise', async () => {
    const record = opportunity(4);
    const contractId = await createContract(stack, record.id);
    const signed = notification(contractId);
    expect((await postNotification(stack, signed)).body).toEqual({ status: 'queued' });
    seenCallbacks.add(signed.callback_id);
    await stack.host.drainQueue();

    const { activityDays, callbackDays } = stack.services.config.retention;
    const now = Date.now();
    const current = await activity(stack, contractId);
    expect(current.length).toBeGreaterThan(0);
    const old = (ageDays: number): ActivityEntry => ({
      id: randomUUID(),
      tenantId: FIXTURE.contoso,
      contractId,
      mainEntity: 'opportunity',
      recordId: record.id,
      action: 'fetch',
      outcome: 'applied',
      actor: { kind: 'user', id: FIXTURE.users.alex.oid, name: 'Alex Seller' },
      at: new Date(now - ageDays * DAY_MS).toISOString(),
      message: `written ${String(ageDays)} days ago`,
      summary: null,
      changes: [
        {
          lineId: record.lines[0],
          productId: null,
          dynamicsField: 'quantity',
          oneflowField: 'quantity',
          side: 'dynamics',
          old: 1,
          new: 2,
          rule: 'F3',
        },
      ],
    });
    const expired = old(activityDays + 1);
    const kept = old(activityDays - 1);
    await stack.services.store.activity.record(expired);
    await stack.services.store.activity.record(kept);

    // Today: only the entry past its retention goes; no callback id is old enough yet.
    expect((await runTimer('cleanupTimer', stack.services))[0]?.data).toEqual({ activity: 1, callbacks: 0 });
    const ids = (await activity(stack, contractId)).map((entry) => entry.id);
    expect(ids).not.toContain(expired.id);
    expect(ids).toEqual(expect.arrayContaining([kept.id, ...current.map((entry) => entry.id)]));
    expect(await outcomeOfAgain(signed)).toBe('duplicate');

    // Past the callback retention, the remembered ids go (Oneflow stopped retrying them long ago), and the
    // activity of the last days stays.
    const later: Services = { ...stack.services, clock: () => new Date(now + (callbackDays + 1) * DAY_MS) };
    expect((await runTimer('cleanupTimer', later))[0]?.data).toEqual({
      activity: 1,
      callbacks: seenCallbacks.size,
    });
    const remaining = (await activity(stack, contractId)).map((entry) => entry.id);
    expect(remaining).toEqual(current.map((entry) => entry.id));
    expect(await outcomeOfAgain(signed)).not.toBe('duplicate');
  });
});
