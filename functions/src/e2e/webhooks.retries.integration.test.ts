import { QueueClient } from '@azure/storage-queue';
import {
  MAX_DEQUEUE_COUNT,
  ONEFLOW_RATE_LIMIT_WAIT_S,
  processContractChanged,
} from '../queue/processContractChanged';
import type { ContractChangedMessage, Logger } from '../services';
import { FIXTURE, startStack, type Stack } from '../testing/stack';
import {
  activity,
  BATCH_ROUTE,
  clearRequestLogs,
  CONTRACT_ROUTE,
  countRoute,
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
} from './webhookSupport';

/**
 * The webhook pipeline when Dynamics fails: the queue trigger throws, the local runner makes the message visible
 * again after the stack's retry visibility (1 s) and hands it back with a higher dequeue count; after
 * MAX_DEQUEUE_COUNT attempts the message goes to the poison queue and an activity entry tells admins why.
 * Notifications are posted by hand (signed like Oneflow's): no webhook is registered in this file.
 */

jest.setTimeout(30_000);

const quietLog: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

let stack: Stack;
let poison: QueueClient;

let watch: ReturnType<typeof watchQueueTrigger>;
/**
 * The attempts that fetched (or failed to) for the contract: its notification may instead become the contract's
 * pending fetch (the contract was synced a moment ago), and then the follow-up is what fetches.
 */
const attemptsFor = (contractId: number) =>
  watch.attempts.filter(
    (attempt) =>
      attempt.contractId === contractId && attempt.outcome !== 'deferred' && attempt.outcome !== 'coalesced',
  );

async function poisonMessages(): Promise<unknown[]> {
  const { receivedMessageItems } = await poison.receiveMessages({
    numberOfMessages: 32,
    visibilityTimeout: 1,
  });
  return receivedMessageItems.map(
    (item) => JSON.parse(Buffer.from(item.messageText, 'base64').toString('utf8')) as unknown,
  );
}

const failDataverse = () =>
  stack.sim('dataverse', 'PUT', '/_sim/faults', { seed: 1, routes: { '*': { rates: { '500': 1 } } } });
const healDataverse = () => stack.sim('dataverse', 'PUT', '/_sim/faults', { seed: 1, routes: {} });

beforeAll(async () => {
  stack = await startStack();
  watch = watchQueueTrigger();
  const fixture = await stack.sim('dataverse', 'POST', '/_sim/fixture', fixtureWithOpportunities(5));
  if (fixture.status !== 200) throw new Error(`Dataverse fixture: ${fixture.text}`);
  poison = new QueueClient(stack.azurite.connectionString, `${stack.services.config.webhookQueue}-poison`);
}, 60_000);

afterEach(async () => {
  await healDataverse();
  await stack.host.drainQueue();
});

afterAll(async () => {
  watch.restore();
  await stack.close();
});

test('a fetch that fails once is retried by the queue with a higher dequeue count and then applied', async () => {
  const record = opportunity(1);
  const widget = record.lines[LINE.widget];
  const contractId = await createContract(stack, record.id);
  const product = await productFor(stack, contractId, widget);
  await editProduct(stack, contractId, product.id, { quantity: { amount: 6 } });
  const before = await activity(stack, contractId);

  await failDataverse();
  expect((await postNotification(stack, notification(contractId))).body).toEqual({ status: 'queued' });
  await until('the first attempt to fail', async () => attemptsFor(contractId).length > 0);
  await healDataverse();
  await stack.host.drainQueue();

  const runs = attemptsFor(contractId);
  expect(runs.map((run) => run.dequeueCount)).toEqual([1, 2]);
  expect(runs[0]?.error).toMatch(/Dynamics|Dataverse|unexpected/i);
  expect(runs[1]?.error).toBeNull();
  const entries = (await activity(stack, contractId)).slice(before.length);
  expect(entries.map((entry) => [entry.action, entry.outcome])).toEqual([['webhook', 'applied']]);
  expect((await dynamicsLine(stack, record.id, widget)).values.quantity).toBe(6);
  expect(await poisonMessages()).toEqual([]);
});

test(`a fetch that keeps failing is tried ${String(MAX_DEQUEUE_COUNT)} times, then poisoned with a failed activity entry`, async () => {
  const record = opportunity(2);
  const widget = record.lines[LINE.widget];
  const contractId = await createContract(stack, record.id);
  const product = await productFor(stack, contractId, widget);
  await editProduct(stack, contractId, product.id, { quantity: { amount: 4 } });
  const before = await activity(stack, contractId);
  await clearRequestLogs(stack);

  await failDataverse();
  const signed = notification(contractId);
  expect((await postNotification(stack, signed)).body).toEqual({ status: 'queued' });
  const started = Date.now();
  await stack.host.drainQueue();
  const elapsed = Date.now() - started;

  // Five deliveries of the one message, each a whole fetch attempt that read Oneflow once and failed on Dynamics.
  const runs = attemptsFor(contractId);
  expect(runs.map((run) => run.dequeueCount)).toEqual([1, 2, 3, 4, 5]);
  expect(runs.every((run) => run.error !== null)).toBe(true);
  // At least the runner's retry visibility (1 s) between attempts.
  expect(elapsed).toBeGreaterThanOrEqual((MAX_DEQUEUE_COUNT - 1) * 1000);
  const oneflow = await requestLog(stack, 'oneflow');
  const dataverse = await requestLog(stack, 'dataverse');
  expect(countRoute(oneflow, CONTRACT_ROUTE, `/contracts/${String(contractId)}`)).toBe(MAX_DEQUEUE_COUNT);
  expect(countRoute(dataverse, LINES_ROUTE)).toBeGreaterThanOrEqual(MAX_DEQUEUE_COUNT);
  expect(dataverse.requests.every((request) => request.status === 500)).toBe(true);

  // The message that kept failing is in the poison queue as it was queued: the notification itself, or the
  // follow-up that fetched for it (the contract had been synced a moment before).
  const poisoned = await poisonMessages();
  expect(poisoned).toEqual([expect.objectContaining({ tenantId: FIXTURE.contoso, contractId })]);
  expect(poisoned[0]).toMatchObject({
    source:
      runs[0]?.kind === 'webhook'
        ? { kind: 'webhook', callbackId: signed.callback_id, events: ['contract:content_update'] }
        : { kind: 'follow_up', round: 0 },
  });
  // One activity entry, written on the last attempt only, says what happened and what to do.
  const entries = (await activity(stack, contractId)).slice(before.length);
  expect(entries).toHaveLength(1);
  expect(entries[0]).toMatchObject({
    action: 'webhook',
    outcome: 'failed',
    actor: { kind: 'application', id: FIXTURE.apiClientId },
    summary: null,
    changes: [],
  });
  expect(entries[0]?.message).toContain(`failed ${String(MAX_DEQUEUE_COUNT)} times`);
  expect(entries[0]?.message).toContain('Fetch updates from Oneflow');
  for (const secret of [FIXTURE.oneflowToken, FIXTURE.signKeys.contoso, 'sim-backend-secret', 'Bearer ']) {
    expect(entries[0]?.message).not.toContain(secret);
  }
  // Nothing was written to Dynamics; once it is back, the poisoned message moved back to the queue (as admins
  // replay them) brings the change, and so does Fetch.
  await healDataverse();
  expect((await dynamicsLine(stack, record.id, widget)).values.quantity).toBe(10);
  const queue = new QueueClient(stack.azurite.connectionString, stack.services.config.webhookQueue);
  await queue.sendMessage(Buffer.from(JSON.stringify(poisoned[0])).toString('base64'));
  await stack.host.drainQueue();
  expect((await dynamicsLine(stack, record.id, widget)).values.quantity).toBe(4);
  await editProduct(stack, contractId, product.id, { quantity: { amount: 5 } });
  const fetched = await stack.api('POST', `/contracts/${String(contractId)}/fetch`, {
    token: await stack.token('alex'),
  });
  expect(fetched.status).toBe(200);
  expect(fetched.body).toMatchObject({ outcome: 'applied', summary: { linesUpdated: 1 } });
  expect((await dynamicsLine(stack, record.id, widget)).values.quantity).toBe(5);
});

test('a fetch whose Dynamics write fails (the reads succeed) is retried by the queue, and the change reaches Dynamics', async () => {
  const record = opportunity(3);
  const widget = record.lines[LINE.widget];
  const contractId = await createContract(stack, record.id);
  const product = await productFor(stack, contractId, widget);
  await editProduct(stack, contractId, product.id, { quantity: { amount: 7 } });

  // Only the line write fails: the run reads both sides, plans, and its one change set is refused.
  await stack.sim('dataverse', 'PUT', '/_sim/faults', {
    seed: 1,
    routes: { [BATCH_ROUTE]: { rates: { '500': 1 } } },
  });
  expect((await postNotification(stack, notification(contractId))).body).toEqual({ status: 'queued' });
  await until('the first attempt to finish', async () => attemptsFor(contractId).length > 0);
  await healDataverse();
  await stack.host.drainQueue();

  // The change Oneflow reported is in Dynamics: the failed write was not taken for a done job.
  expect((await dynamicsLine(stack, record.id, widget)).values.quantity).toBe(7);
  expect(attemptsFor(contractId).map((run) => run.dequeueCount)).toEqual([1, 2]);
  expect(await poisonMessages()).not.toContainEqual(expect.objectContaining({ contractId }));
});

test('a queued notification is not taken as covered by a later fetch whose Dynamics write failed', async () => {
  const record = opportunity(4);
  const widget = record.lines[LINE.widget];
  const contractId = await createContract(stack, record.id);
  const product = await productFor(stack, contractId, widget);
  await editProduct(stack, contractId, product.id, { quantity: { amount: 8 } });
  // A notification received now, processed (below) only after a rep's Fetch that fails to write.
  const receivedAt = stack.services.clock().toISOString();

  await stack.sim('dataverse', 'PUT', '/_sim/faults', {
    seed: 1,
    routes: { [BATCH_ROUTE]: { rates: { '500': 1 } } },
  });
  const fetched = await stack.api('POST', `/contracts/${String(contractId)}/fetch`, {
    token: await stack.token('alex'),
  });
  expect(fetched.body).toMatchObject({ outcome: 'failed' });
  await healDataverse();

  const outcome = await processContractChanged(
    stack.services,
    {
      tenantId: FIXTURE.contoso,
      contractId,
      source: { kind: 'webhook', callbackId: 'cb-covered-by-a-failed-fetch', events: [] },
      receivedAt,
    },
    1,
    quietLog,
  );
  // Fetched at once, or (the contract was synced a moment ago) left to the follow-up it scheduled.
  expect(['fetched', 'deferred']).toContain(outcome);
  await stack.host.drainQueue();
  expect((await dynamicsLine(stack, record.id, widget)).values.quantity).toBe(8);
});

test("Oneflow out of requests: the change waits as the contract's pending fetch, spends no attempt and poisons nothing; its follow-up fetches once requests are free", async () => {
  const record = opportunity(5);
  const widget = record.lines[LINE.widget];
  const contractId = await createContract(stack, record.id);
  const product = await productFor(stack, contractId, widget);
  await editProduct(stack, contractId, product.id, { quantity: { amount: 9 } });
  const queue = new QueueClient(stack.azurite.connectionString, stack.services.config.webhookQueue);
  const followUps: { message: ContractChangedMessage; delaySeconds: number | undefined }[] = [];
  const enqueue = stack.services.enqueue.bind(stack.services);
  stack.services.enqueue = async (message, options) => {
    if (message.source.kind === 'follow_up' && message.contractId === contractId) {
      followUps.push({ message, delaySeconds: options?.delaySeconds });
    }
    await enqueue(message, options);
  };
  const waiting = () => followUps.find((followUp) => followUp.delaySeconds === ONEFLOW_RATE_LIMIT_WAIT_S);
  try {
    // Oneflow answers every read of the contract with its 5-minute rate limit.
    await stack.sim('oneflow', 'PUT', '/_sim/faults', {
      seed: 1,
      routes: { [CONTRACT_ROUTE]: { rates: { '429': 1 } } },
    });
    expect((await postNotification(stack, notification(contractId))).body).toEqual({ status: 'queued' });
    await until('the change to wait for Oneflow', async () => waiting() !== undefined);
  } finally {
    stack.services.enqueue = enqueue;
    await stack.sim('oneflow', 'PUT', '/_sim/faults', { seed: 1, routes: {} });
  }

  // No attempt failed, so none was retried, recorded as given up or poisoned.
  const attempts = watch.attempts.filter((attempt) => attempt.contractId === contractId);
  expect(attempts.map((attempt) => [attempt.dequeueCount, attempt.error])).toEqual(
    attempts.map(() => [1, null]),
  );
  expect(attempts.map((attempt) => attempt.outcome)).toContain('deferred');
  expect((await activity(stack, contractId)).filter((entry) => entry.outcome === 'failed')).toEqual([]);
  expect(await poisonMessages()).not.toContainEqual(expect.objectContaining({ contractId }));

  // The follow-up that waits a minute for Oneflow, run now (and taken off the queue, where it would wait on).
  const followUp = waiting();
  if (!followUp) throw new Error('no follow-up waits for Oneflow');
  expect(await processContractChanged(stack.services, followUp.message, 1, quietLog)).toBe('fetched');
  await queue.clearMessages();
  expect((await dynamicsLine(stack, record.id, widget)).values.quantity).toBe(9);
});
