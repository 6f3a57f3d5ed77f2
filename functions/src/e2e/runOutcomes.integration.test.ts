import type { ActivityEntry, StateStore } from '../state/store';
import { runSync } from '../sync/syncService';
import { MAX_DEQUEUE_COUNT } from '../queue/processContractChanged';
import { FIXTURE, startStack, type ApiAnswer, type Stack } from '../testing/stack';
import { dynamicsSide, restoreDefaultSettings, saveOpportunitySettings } from './syncE2eSupport';
import {
  activity,
  BATCH_ROUTE,
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
} from './webhookSupport';

/**
 * How a run ends, as the API answers it and the activity log keeps it: a busy contract is answered at once with
 * the time left; failures that outlast every retry are `failed` with their cause (push, fetch, the webhook
 * path; before the plan and while applying it); a run whose only lines were refused or held says so.
 */

jest.setTimeout(60_000);

let stack: Stack;
let alex: string;

const UPDATE_ROUTE = 'PUT /v1/contracts/:id/products/:productId';

beforeAll(async () => {
  stack = await startStack();
  const loaded = await stack.sim('dataverse', 'POST', '/_sim/fixture', fixtureWithOpportunities(12));
  if (loaded.status !== 200) throw new Error(`Dataverse fixture: ${loaded.text}`);
  alex = await stack.token('alex');
}, 60_000);

afterEach(async () => {
  await stack.sim('oneflow', 'PUT', '/_sim/faults', { seed: 1, routes: {} });
  await stack.sim('dataverse', 'PUT', '/_sim/faults', { seed: 1, routes: {} });
  await stack.host.drainQueue();
});

afterAll(async () => {
  await stack.close();
});

/** Every request to one route of a simulator answered 500, however often it is retried. */
const failAlways = (service: 'oneflow' | 'dataverse', route: string) =>
  stack.sim(service, 'PUT', '/_sim/faults', { seed: 1, routes: { [route]: { rates: { '500': 1 } } } });

const push = (contractId: number) =>
  stack.api('POST', `contracts/${String(contractId)}/push`, { token: alex });
const fetch = (contractId: number) =>
  stack.api('POST', `contracts/${String(contractId)}/fetch`, { token: alex });

async function latest(contractId: number): Promise<ActivityEntry> {
  const entry = (await activity(stack, contractId)).at(-1);
  if (!entry) throw new Error(`contract ${String(contractId)} has no activity`);
  return entry;
}

const bodyOf = (answer: ApiAnswer) => answer.body as { outcome: string; activityId: string };

describe('a busy contract is answered at once, with the time its holder has left', () => {
  test('push while another run holds the lease: 409 in well under a second, Retry-After = retryAfterSeconds = the time left', async () => {
    const contractId = await createContract(stack, opportunity(1).id);
    const { leases } = stack.services.store;
    expect(await leases.acquire(FIXTURE.contoso, contractId, 'another-run', 12_000)).toBe(true);

    const started = Date.now();
    const answer = await push(contractId);
    const elapsed = Date.now() - started;

    expect(answer.status).toBe(409);
    // At once (a busy answer used to wait 30 s); the margins are for a loaded machine.
    expect(elapsed).toBeLessThan(5_000);
    const seconds = Number(answer.headers['retry-after']);
    expect(seconds).toBeGreaterThanOrEqual(12 - Math.ceil(elapsed / 1000) - 1);
    expect(seconds).toBeLessThanOrEqual(12);
    expect(answer.body).toEqual({
      error: {
        code: 'contract_busy',
        message: `Another sync of this contract is running; try again in ${String(seconds)} seconds`,
        details: [],
        retryAfterSeconds: seconds,
      },
    });
    await leases.release(FIXTURE.contoso, contractId, 'another-run');
    expect((await push(contractId)).status).toBe(200);
  });

  test('the queue waits for a holder that died: its lease runs out and the notification is applied', async () => {
    const record = opportunity(2);
    const contractId = await createContract(stack, record.id);
    const widget = record.lines[LINE.widget];
    await editProduct(stack, contractId, (await productFor(stack, contractId, widget)).id, {
      quantity: { amount: 6 },
    });
    // A run that took the lease and died: never released, it lives out its 3 seconds.
    expect(await stack.services.store.leases.acquire(FIXTURE.contoso, contractId, 'dead-run', 3_000)).toBe(
      true,
    );

    expect((await postNotification(stack, notification(contractId))).body).toEqual({ status: 'queued' });
    await stack.host.drainQueue();

    expect((await dynamicsLine(stack, record.id, widget)).values.quantity).toBe(6);
    expect(await latest(contractId)).toMatchObject({ action: 'webhook', outcome: 'applied' });
  });
});

describe('failures that outlast the retries reach the activity as failed, with their cause', () => {
  test('push: every product update refused by Oneflow (500 after each retry)', async () => {
    const record = opportunity(3);
    const contractId = await createContract(stack, record.id);
    await dynamicsSide(stack).update(record.lines[LINE.widget], { quantity: 4 });
    await failAlways('oneflow', UPDATE_ROUTE);

    const answer = await push(contractId);
    expect(answer.status).toBe(200);
    expect(bodyOf(answer).outcome).toBe('failed');
    const entry = await latest(contractId);
    expect(entry).toMatchObject({ id: bodyOf(answer).activityId, action: 'push', outcome: 'failed' });
    expect(entry.message).toMatch(/^Push to Oneflow: 1 write failed and stays pending \(Oneflow .*500/);
    expect(entry.changes).toContainEqual(
      expect.objectContaining({ lineId: record.lines[LINE.widget], rule: 'failed' }),
    );
  });

  test('push: reading the contract fails every time, before anything is planned', async () => {
    const record = opportunity(4);
    const contractId = await createContract(stack, record.id);
    await failAlways('oneflow', CONTRACT_ROUTE);

    const answer = await push(contractId);
    expect(answer.status).toBe(502);
    expect(answer.body).toMatchObject({ error: { code: 'oneflow_unavailable' } });
    const entry = await latest(contractId);
    expect(entry).toMatchObject({
      action: 'push',
      outcome: 'failed',
      actor: { kind: 'user', id: FIXTURE.users.alex.oid },
      summary: null,
    });
    expect(entry.message).toBe(
      'Push to Oneflow: failed, nothing was written. Oneflow answered 500 (4 attempts): An internal server error occurred.',
    );
  });

  test('fetch: every Dynamics line write fails', async () => {
    const record = opportunity(5);
    const contractId = await createContract(stack, record.id);
    const widget = record.lines[LINE.widget];
    await editProduct(stack, contractId, (await productFor(stack, contractId, widget)).id, {
      quantity: { amount: 7 },
    });
    await failAlways('dataverse', BATCH_ROUTE);

    const answer = await fetch(contractId);
    expect(bodyOf(answer).outcome).toBe('failed');
    const entry = await latest(contractId);
    expect(entry).toMatchObject({ action: 'fetch', outcome: 'failed' });
    expect(entry.message).toMatch(
      /^Fetch from Oneflow: 1 write failed and stays pending \(.*Dynamics|Dataverse/,
    );
  });

  test('fetch: reading the lines fails every time, before anything is planned', async () => {
    const record = opportunity(6);
    const contractId = await createContract(stack, record.id);
    await failAlways('dataverse', LINES_ROUTE);

    const answer = await fetch(contractId);
    expect(answer.status).toBe(502);
    expect(answer.body).toMatchObject({ error: { code: 'dynamics_unavailable' } });
    const entry = await latest(contractId);
    expect(entry).toMatchObject({ action: 'fetch', outcome: 'failed', summary: null });
    expect(entry.message).toMatch(/^Fetch from Oneflow: failed, nothing was written\. Dynamics: /);
  });

  test(`webhook: reading the contract fails on all ${String(MAX_DEQUEUE_COUNT)} attempts; one failed entry names Oneflow's answer`, async () => {
    const record = opportunity(7);
    const contractId = await createContract(stack, record.id);
    await failAlways('oneflow', CONTRACT_ROUTE);

    expect((await postNotification(stack, notification(contractId))).body).toEqual({ status: 'queued' });
    await stack.host.drainQueue();

    const entries = (await activity(stack, contractId)).filter((entry) => entry.action === 'webhook');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ outcome: 'failed', actor: { kind: 'application' } });
    expect(entries[0]?.message).toContain(`failed ${String(MAX_DEQUEUE_COUNT)} times`);
    expect(entries[0]?.message).toContain('Oneflow answered 500');
  });

  test(`webhook: the Dynamics write fails on all ${String(MAX_DEQUEUE_COUNT)} attempts; each attempt and the giving up are failed, with the cause`, async () => {
    const record = opportunity(8);
    const contractId = await createContract(stack, record.id);
    const widget = record.lines[LINE.widget];
    await editProduct(stack, contractId, (await productFor(stack, contractId, widget)).id, {
      quantity: { amount: 9 },
    });
    await failAlways('dataverse', BATCH_ROUTE);

    expect((await postNotification(stack, notification(contractId))).body).toEqual({ status: 'queued' });
    await stack.host.drainQueue();

    const entries = (await activity(stack, contractId)).filter((entry) => entry.action === 'webhook');
    expect(entries.map((entry) => entry.outcome)).toEqual(Array(MAX_DEQUEUE_COUNT + 1).fill('failed'));
    for (const entry of entries) expect(entry.message).toMatch(/Dynamics|Dataverse/);
    expect(entries.at(-1)?.message).toContain('was given up');
    expect((await dynamicsLine(stack, record.id, widget)).values.quantity).toBe(10);
  });
});

describe('a run whose only lines were refused or held says so, not "nothing to change"', () => {
  test('a 102-character line name: push answers needs_attention and the headline names the error', async () => {
    const record = opportunity(9);
    const contractId = await createContract(stack, record.id);
    await dynamicsSide(stack).update(record.lines[LINE.writeIn], { productdescription: 'N'.repeat(102) });

    const preview = await stack.api('GET', `contracts/${String(contractId)}/plan?action=push`, {
      token: alex,
    });
    expect(bodyOf(preview).outcome).toBe('needs_attention');
    const answer = await push(contractId);
    expect(bodyOf(answer).outcome).toBe('needs_attention');
    const entry = await latest(contractId);
    expect(entry.outcome).toBe('needs_attention');
    expect(entry.message).toMatch(
      /^Push to Oneflow: nothing was written\. Needs your attention: 1 value refused/,
    );
    expect(entry.message).toContain('102');
    expect(entry.message).not.toContain('nothing to change');
  });

  test('a quantity held for review: fetch answers needs_attention and the headline names the held value', async () => {
    await saveOpportunitySettings(stack, (settings) => ({
      ...settings,
      mappings: settings.mappings.map((mapping) =>
        mapping.oneflowField === 'quantity' ? { ...mapping, conflictPolicy: 'review' } : mapping,
      ),
    }));
    try {
      const record = opportunity(10);
      const contractId = await createContract(stack, record.id);
      const support = record.lines[LINE.support];
      await dynamicsSide(stack).update(support, { quantity: 7 });
      await editProduct(stack, contractId, (await productFor(stack, contractId, support)).id, {
        quantity: { amount: 13 },
      });

      const answer = await fetch(contractId);
      expect(bodyOf(answer).outcome).toBe('needs_attention');
      const entry = await latest(contractId);
      expect(entry.message).toMatch(
        /^Fetch from Oneflow: nothing was written\. Needs your attention: 1 value held for you to choose \(Quantity changed in both/,
      );
    } finally {
      await restoreDefaultSettings(stack);
    }
  });
});

describe('an entry is never left running', () => {
  test('when storing the final entry fails, the run row stays and the next look shows the run as interrupted', async () => {
    const record = opportunity(12);
    const contractId = await createContract(stack, record.id);
    await dynamicsSide(stack).update(record.lines[LINE.widget], { quantity: 21 });
    const { store } = stack.services;
    // Table Storage refuses the final entry (the `running` one before the writes is stored).
    const failingStore: StateStore = {
      ...store,
      activity: {
        ...store.activity,
        record: async (entry) => {
          if (entry.outcome !== 'running') throw new Error('storage unavailable');
          await store.activity.record(entry);
        },
      },
    };
    const contract = await store.contracts.getById(FIXTURE.contoso, contractId);
    if (!contract) throw new Error('no contract row');
    const run = runSync(
      { tenant: stack.services.tenant(FIXTURE.contoso), store: failingStore, clock: () => new Date() },
      {
        record: contract,
        action: 'push',
        actor: { kind: 'user', id: FIXTURE.users.alex.oid, name: 'Alex' },
        dryRun: false,
      },
    );
    await expect(run).rejects.toThrow('storage unavailable');
    expect(await store.runs.get(FIXTURE.contoso, contractId)).not.toBeNull();

    // The activity list is the next look: the run's lease is free, so its row is settled there.
    const listed = await stack.api('GET', `activity?contractId=${String(contractId)}`, { token: alex });
    const [entry] = (listed.body as { entries: ActivityEntry[] }).entries;
    expect(entry).toMatchObject({ action: 'push', outcome: 'interrupted' });
    expect(await store.runs.get(FIXTURE.contoso, contractId)).toBeNull();
  });
});

describe('a run that loses its lease writes nothing more', () => {
  test('renewals refused mid-push: the writes after it are not made, stay pending, and the next push makes them', async () => {
    const record = opportunity(11);
    const contractId = await createContract(stack, record.id);
    const dynamics = dynamicsSide(stack);
    await dynamics.remove(record.lines[LINE.widget]);
    await dynamics.update(record.lines[LINE.support], { quantity: 31 });
    const { store } = stack.services;
    // The lease is taken, then every renewal is refused (as when another run took it over): within a third of
    // its 600 ms the run knows. The delete it has started by then is slowed past that.
    let acquired = 0;
    const takenOver: StateStore = {
      ...store,
      leases: {
        ...store.leases,
        acquire: async (...args) => (acquired++ === 0 ? store.leases.acquire(...args) : false),
      },
    };
    await stack.sim('oneflow', 'PUT', '/_sim/faults', {
      seed: 1,
      routes: { 'DELETE /v1/contracts/:id/products/:productId': { latencyMs: 1_000 } },
    });
    const contract = await store.contracts.getById(FIXTURE.contoso, contractId);
    if (!contract) throw new Error('no contract row');
    const supportProduct = await productFor(stack, contractId, record.lines[LINE.support]);
    // One request per product, deletes first, as on a sent contract: a bulk write of the draft's table would make
    // the delete and the update in one request, leaving no write after the lease is lost.
    const tenant = stack.services.tenant(FIXTURE.contoso);
    const perProduct = {
      ...tenant,
      config: { ...tenant.config, oneflow: { ...tenant.config.oneflow, bulkDraftWrites: false } },
    };

    const result = await runSync(
      {
        tenant: perProduct,
        store: takenOver,
        clock: () => new Date(),
        lease: { ttlMs: 600 },
      },
      {
        record: contract,
        action: 'push',
        actor: { kind: 'user', id: FIXTURE.users.alex.oid, name: 'Alex' },
        dryRun: false,
      },
    );
    expect(result.outcome).toBe('failed');
    expect(result.failures).toEqual([
      expect.objectContaining({
        kind: 'update_product',
        message: expect.stringContaining('lost the contract lease') as unknown,
      }),
    ]);
    expect((await productFor(stack, contractId, record.lines[LINE.support])).quantity).toEqual(
      supportProduct.quantity,
    );

    await stack.sim('oneflow', 'PUT', '/_sim/faults', { seed: 1, routes: {} });
    const next = await push(contractId);
    expect(bodyOf(next).outcome).toBe('applied');
    expect((await productFor(stack, contractId, record.lines[LINE.support])).quantity).toMatchObject({
      amount: 31,
    });
  });
});
