import { QueueClient } from '@azure/storage-queue';
import pLimit from 'p-limit';
import { LEASE_TTL_MS } from '../state/lease';
import { FIXTURE, startStack, type Stack } from '../testing/stack';
import {
  activity,
  clearRequestLogs,
  CONTRACT_ROUTE,
  createContract,
  dynamicsLine,
  editProduct,
  fixtureWithOpportunities,
  LINE,
  LINES_ROUTE,
  notification,
  opportunity,
  postNotification,
  productFor,
  requestLog,
  until,
  watchQueueTrigger,
  type Notification,
} from './webhookSupport';

/**
 * Bursts of notifications through the real receiver and the real queue (Azurite, the local runner): no message
 * waits for a contract's lease, a burst on one contract costs at most two fetch runs (the one running when it
 * came, and one follow-up), nothing is retried or poisoned because a contract was busy, and every contract ends
 * with what Oneflow has. Notifications are posted by hand, signed like Oneflow's, while the runner processes the
 * queue; no webhook is registered in this file. Counts, not times.
 */

jest.setTimeout(90_000);

let stack: Stack;
let poison: QueueClient;
let watch: ReturnType<typeof watchQueueTrigger>;

/** A contract whose first line was changed in Oneflow (to `quantity`) and not fetched yet. */
interface Changed {
  contractId: number;
  recordId: string;
  lineId: string;
  quantity: number;
}
const changed: Changed[] = [];

async function poisonCount(): Promise<number> {
  return (await poison.getProperties()).approximateMessagesCount ?? 0;
}

/** Fetch runs of the contract since the request logs were cleared: each reads the contract from Oneflow once. */
async function fetchRuns(contractId: number): Promise<number> {
  const path = `/v1/contracts/${String(contractId)}`;
  return (await requestLog(stack, 'oneflow')).requests.filter(
    (request) => request.route === CONTRACT_ROUTE && request.url.split('?')[0] === path,
  ).length;
}

const webhookEntries = async (contractId: number) =>
  (await activity(stack, contractId)).filter((entry) => entry.action === 'webhook');

/** Posts every notification, `concurrency` at a time; the statuses answered. */
async function postAll(notifications: readonly Notification[], concurrency = 16): Promise<number[]> {
  const limit = pLimit(concurrency);
  const answers = await Promise.all(
    notifications.map((body) => limit(async () => (await postNotification(stack, body)).status)),
  );
  return answers;
}

const attemptsFor = (contractId: number) =>
  watch.attempts.filter((attempt) => attempt.contractId === contractId);

beforeAll(async () => {
  stack = await startStack();
  const fixture = await stack.sim('dataverse', 'POST', '/_sim/fixture', fixtureWithOpportunities(8));
  if (fixture.status !== 200) throw new Error(`Dataverse fixture: ${fixture.text}`);
  poison = new QueueClient(stack.azurite.connectionString, `${stack.services.config.webhookQueue}-poison`);
  for (let n = 1; n <= 8; n++) {
    const record = opportunity(n);
    const lineId = record.lines[LINE.widget];
    const contractId = await createContract(stack, record.id);
    const product = await productFor(stack, contractId, lineId);
    const quantity = 100 + n;
    await editProduct(stack, contractId, product.id, { quantity: { amount: quantity } });
    changed.push({ contractId, recordId: record.id, lineId, quantity });
  }
  // Past the moment after a sync in which changes are taken for part of a burst: the first notification of each
  // test meets a quiet contract, as a change after a while would.
  await new Promise((resolve) => setTimeout(resolve, 5_500));
  watch = watchQueueTrigger();
}, 120_000);

afterEach(async () => {
  await stack.host.drainQueue();
});

afterAll(async () => {
  watch.restore();
  await stack.close();
});

function contract(index: number): Changed {
  const found = changed[index];
  if (!found) throw new Error(`no contract ${String(index)} was set up`);
  return found;
}

/** How long each Dynamics read of lines takes while a burst is sent: the first fetch is still running at its end. */
const SLOW_LINES_MS = 6_000;
const slowLines = () =>
  stack.sim('dataverse', 'PUT', '/_sim/faults', {
    seed: 1,
    routes: { [LINES_ROUTE]: { latencyMs: SLOW_LINES_MS } },
  });
const normalLines = () => stack.sim('dataverse', 'PUT', '/_sim/faults', { seed: 1, routes: {} });

/** The holder of the contract's lease, once a fetch holds it. */
const fetchHolding = (contractId: number) =>
  until(`a fetch of contract ${String(contractId)} to hold its lease`, async () => {
    const holding = await stack.services.store.leases.holding(FIXTURE.contoso, contractId);
    return holding?.holder;
  });

/**
 * Sends each contract's first notification, and once each of them is being fetched (slowly), the rest of the
 * burst: the whole burst arrives while the contracts' first fetches run. Returns the statuses answered.
 */
async function burstDuringFirstFetches(first: readonly Notification[], rest: readonly Notification[]) {
  await slowLines();
  try {
    const statuses = await postAll(first);
    const holders = await Promise.all(first.map((body) => fetchHolding(body.contract.id)));
    statuses.push(...(await postAll(rest, 32)));
    // The premise: every first fetch was still running when the last notification was answered.
    const after = await Promise.all(
      first.map(
        async (body) =>
          (await stack.services.store.leases.holding(FIXTURE.contoso, body.contract.id))?.holder,
      ),
    );
    expect(after).toEqual(holders);
    return statuses;
  } finally {
    await normalLines();
  }
}

test('200 notifications on one contract while it is being fetched: two fetch runs, none retried or poisoned, and Dynamics has the change', async () => {
  const { contractId, recordId, lineId, quantity } = contract(0);
  await clearRequestLogs(stack);
  const poisonedBefore = await poisonCount();
  const entriesBefore = await webhookEntries(contractId);
  expect((await dynamicsLine(stack, recordId, lineId)).values.quantity).not.toBe(quantity);

  // 190 distinct notifications, and Oneflow's second delivery of 10 of them mixed in.
  const distinct = Array.from({ length: 190 }, () => notification(contractId));
  const rest = distinct.slice(1);
  for (let i = 0; i < 10; i++) rest.splice(20 * i + 10, 0, distinct[i * 19 + 1] as Notification);
  const statuses = await burstDuringFirstFetches(distinct.slice(0, 1), rest);
  expect(statuses).toEqual(Array.from({ length: 200 }, () => 200));
  await stack.host.drainQueue();

  // The fetch that was running, and one follow-up for everything that arrived meanwhile.
  expect(await fetchRuns(contractId)).toBe(2);
  const entries = (await webhookEntries(contractId)).slice(entriesBefore.length);
  expect(entries.map((entry) => entry.outcome)).toEqual(['applied', 'nothing_to_do']);

  const attempts = attemptsFor(contractId);
  const notifications = attempts.filter((attempt) => attempt.kind === 'webhook');
  expect(notifications).toHaveLength(200);
  // Nothing waited and failed: every message was done on its first delivery.
  expect(attempts.filter((attempt) => attempt.error !== null || attempt.dequeueCount > 1)).toEqual([]);
  // Each of the ten second deliveries was dropped as a duplicate, and only they were.
  expect(notifications.filter((attempt) => attempt.outcome === 'duplicate')).toHaveLength(10);
  expect(await poisonCount()).toBe(poisonedBefore);
  expect((await stack.services.store.pendingFetches.read(FIXTURE.contoso, contractId)).pending).toBeNull();
  expect((await dynamicsLine(stack, recordId, lineId)).values.quantity).toBe(quantity);
});

test('40 notifications on each of five contracts, interleaved: two fetch runs each, all converged, none poisoned', async () => {
  const targets = [1, 2, 3, 4, 5].map(contract);
  await clearRequestLogs(stack);
  const poisonedBefore = await poisonCount();

  const first = targets.map((target) => notification(target.contractId));
  const rest = Array.from({ length: 39 }, () =>
    targets.map((target) => notification(target.contractId)),
  ).flat();
  const statuses = await burstDuringFirstFetches(first, rest);
  expect(statuses).toEqual(Array.from({ length: 200 }, () => 200));
  await stack.host.drainQueue();

  expect(await Promise.all(targets.map((target) => fetchRuns(target.contractId)))).toEqual([2, 2, 2, 2, 2]);
  for (const { contractId, recordId, lineId, quantity } of targets) {
    expect(
      attemptsFor(contractId).filter((attempt) => attempt.error !== null || attempt.dequeueCount > 1),
    ).toEqual([]);
    expect((await dynamicsLine(stack, recordId, lineId)).values.quantity).toBe(quantity);
  }
  expect(await poisonCount()).toBe(poisonedBefore);
});

test("a holder that died with the lease: the contract's notifications neither wait nor fail, and once its lease runs out one fetch brings the change", async () => {
  const { contractId, recordId, lineId, quantity } = contract(6);
  await clearRequestLogs(stack);
  const poisonedBefore = await poisonCount();
  // Taken as a run takes it, and never renewed nor released: its process died.
  const dead = `e2e-dead-holder/${String(contractId)}`;
  expect(await stack.services.store.leases.acquire(FIXTURE.contoso, contractId, dead, LEASE_TTL_MS)).toBe(
    true,
  );

  const statuses = await postAll(Array.from({ length: 20 }, () => notification(contractId)));
  expect(statuses.filter((status) => status === 200)).toHaveLength(20);
  // Longer than a message once waited for a lease (the lease's lifetime): the follow-up keeps coming back.
  await until(
    'the follow-up to find the contract busy twice',
    async () =>
      attemptsFor(contractId).filter(
        (attempt) => attempt.kind === 'follow_up' && attempt.outcome === 'deferred',
      ).length >= 2,
    LEASE_TTL_MS,
  );
  expect(await fetchRuns(contractId)).toBe(0);
  await stack.host.drainQueue();

  const attempts = attemptsFor(contractId);
  // Twenty notifications, each done on its first delivery: one became the pending fetch, the others joined it.
  const notifications = attempts.filter((attempt) => attempt.kind === 'webhook');
  expect(notifications.map((attempt) => attempt.outcome).sort()).toEqual([
    ...Array.from({ length: 19 }, () => 'coalesced'),
    'deferred',
  ]);
  expect(attempts.filter((attempt) => attempt.error !== null || attempt.dequeueCount > 1)).toEqual([]);
  // The follow-up came back while the dead holder's lease ran, then fetched once.
  const followUps = attempts.filter((attempt) => attempt.kind === 'follow_up');
  expect(followUps.at(-1)?.outcome).toBe('fetched');
  expect(followUps.slice(0, -1).every((attempt) => attempt.outcome === 'deferred')).toBe(true);
  expect(await fetchRuns(contractId)).toBe(1);
  expect(await poisonCount()).toBe(poisonedBefore);
  expect((await dynamicsLine(stack, recordId, lineId)).values.quantity).toBe(quantity);
});

test('a duplicate callback id arriving while its first copy is pending is processed once', async () => {
  const { contractId, recordId, lineId, quantity } = contract(7);
  await clearRequestLogs(stack);
  const holder = `e2e-holder/${String(contractId)}`;
  // A run holds the contract while Oneflow delivers the same notification three times.
  expect(await stack.services.store.leases.acquire(FIXTURE.contoso, contractId, holder, 60_000)).toBe(true);
  const signed = notification(contractId);
  try {
    expect(await postAll([signed, signed, signed], 3)).toEqual([200, 200, 200]);
    await until('the three copies to be processed', async () =>
      attemptsFor(contractId).filter((attempt) => attempt.kind === 'webhook').length === 3 ? true : undefined,
    );
  } finally {
    await stack.services.store.leases.release(FIXTURE.contoso, contractId, holder);
  }
  await stack.host.drainQueue();

  const copies = attemptsFor(contractId).filter((attempt) => attempt.callbackId === signed.callback_id);
  expect(copies.map((attempt) => attempt.outcome).sort()).toEqual(['deferred', 'duplicate', 'duplicate']);
  expect(await fetchRuns(contractId)).toBe(1);
  expect((await dynamicsLine(stack, recordId, lineId)).values.quantity).toBe(quantity);
});
