import { startOneflowSimulator, type RunningOneflowSimulator } from '@oneflow-sync/simulators/src/oneflow';
import { ContractCreateSchema } from '@oneflow-sync/simulators/src/oneflow/schemas';
import type { TenantConfig } from '../config/config';
import { errorFromResponse } from '../oneflow/errors';
import { createOneflowClient, type OneflowClient } from '../oneflow/oneflowClient';
import type { ContractChangedMessage, Logger } from '../services';
import { createStateStore, type StateStore } from '../state/store';
import type { ContractRecord } from '../state/types';
import { startAzurite, type RunningAzurite } from '../testing/azurite';
import { storeContracts, syncedContractRecord } from '../testing/storedContracts';
import { reconcile, type ReconcilePorts, type TenantReconcileResult } from './reconcile';

/**
 * Reconciliation of 2000 stored contracts against the Oneflow simulator (over HTTP) and Azurite: what one run
 * costs in Oneflow requests, that every changed contract gets a fetch queued (at once when the contract list
 * shows the change, within the stated number of runs when only a full read can), and that a run stops at its
 * share of the org's budget.
 */

jest.setTimeout(120_000);

/** simulators/fixtures/oneflow.json */
const TOKEN = '0f1d2c3b4a5968778695a4b3c2d1e0f1a2b3c4d5';
const USER_EMAIL = 'alex.seller@contoso.example';
const WORKSPACE = 130406;
const TEMPLATE_WITH_PRODUCTS = 756510;
const STORED = 2000;
const ORG_BUDGET = 1800;

const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const LAST_SYNC = new Date(T0 + 10_000).toISOString();
const quietLog: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

let azurite: RunningAzurite;
/** The 2000 contract rows, written once: every simulator of this file makes the same contract ids. */
let store: StateStore;
let storedIds: number[] | undefined;

beforeAll(async () => {
  azurite = await startAzurite();
  store = await createStateStore(azurite.connectionString, { tablePrefix: 'reconcile' });
});

afterAll(async () => {
  await azurite.stop();
});

interface World {
  sim: RunningOneflowSimulator;
  store: StateStore;
  /** The stored contracts' ids, ascending. */
  ids: number[];
  queued: ContractChangedMessage[];
  /** Sets the simulator's clock (Oneflow's times on every change). */
  at(ms: number): void;
  /** One run; `client` replaces the Oneflow client (to make it refuse the list). */
  run(sharePercent: number, client?: (real: OneflowClient) => OneflowClient): Promise<TenantReconcileResult>;
  /** Oneflow API requests since the last call. */
  oneflowRequests(): number;
  close(): Promise<void>;
}

const tenant: TenantConfig = {
  tenantId: '3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f',
  dataverseUrl: 'https://contoso.crm4.dynamics.com',
  orgKey: 'contoso',
  oneflow: {
    apiUrl: 'http://127.0.0.1:1/v1',
    userEmail: USER_EMAIL,
    workspaceId: WORKSPACE,
    templateId: TEMPLATE_WITH_PRODUCTS,
    bulkDraftWrites: true,
    requestBudget: ORG_BUDGET,
  },
  secrets: { oneflowToken: TOKEN, webhookSignKey: 'not-used-here' },
};

/** 2000 draft contracts in Oneflow made at T0, each stored as synced at T0 + 10 s. */
async function world(readings: 'kind' | 'unkind'): Promise<World> {
  let now = T0;
  const sim = await startOneflowSimulator({
    port: 0,
    readings,
    clock: () => new Date(now),
    // Several runs of this file spend more than Oneflow's 2000 per 5 minutes; the allowance is what is tested.
    rateLimit: { budget: 1_000_000, windowMs: 300_000 },
  });
  const ids: number[] = [];
  for (let index = 0; index < STORED; index++) {
    ids.push(
      sim.store.createContract(
        ContractCreateSchema.parse({
          workspace_id: WORKSPACE,
          template_id: TEMPLATE_WITH_PRODUCTS,
          name: `Deal ${index}`,
          product_groups: [{ products: [{ name: 'Widget', quantity: { type: 'quantity', amount: 1 } }] }],
        }),
      ).id,
    );
  }
  if (storedIds === undefined) {
    await storeContracts(store, ids.map(storedRecord));
    storedIds = ids;
  }
  expect(ids).toEqual(storedIds);
  // Each test starts with no full read recorded.
  await store.reconcileChecks.forget(tenant.tenantId, ids);
  const oneflow = createOneflowClient({ baseUrl: `${sim.url}/v1`, token: TOKEN, userEmail: USER_EMAIL });
  const queued: ContractChangedMessage[] = [];
  let counted = 0;
  const apiRequests = () => sim.control.requests.filter((request) => request.url.startsWith('/v1/'));
  return {
    sim,
    store,
    ids,
    queued,
    at: (ms) => {
      now = ms;
    },
    async run(sharePercent, client = (real) => real) {
      const ports: ReconcilePorts = {
        store,
        tenants: [tenant],
        oneflow: () => client(oneflow),
        enqueue: async (message) => {
          queued.push(message);
        },
        clock: () => new Date(),
        quotaSharePercent: sharePercent,
        budgetLeft: () => ORG_BUDGET,
      };
      const [result] = await reconcile(ports, quietLog);
      if (!result) throw new Error('no result for the org');
      return result;
    },
    oneflowRequests() {
      const total = apiRequests().length;
      const since = total - counted;
      counted = total;
      return since;
    },
    close: () => sim.close(),
  };
}

const storedRecord = (contractId: number): ContractRecord =>
  syncedContractRecord(tenant.tenantId, contractId, {
    createdAt: new Date(T0).toISOString(),
    syncedAt: LAST_SYNC,
  });

/** Edits a product as a counterparty would, through Oneflow's API (not counted: the log is read before a run). */
async function editProduct(
  sim: RunningOneflowSimulator,
  contractId: number,
  quantity: number,
): Promise<void> {
  const productId = sim.store.contract(contractId).productGroups[0]?.products[0]?.id;
  if (productId === undefined) throw new Error(`contract ${contractId} has no product`);
  const answer = await fetch(`${sim.url}/v1/contracts/${contractId}/products/${productId}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', 'x-oneflow-api-token': TOKEN },
    body: JSON.stringify({ quantity: { type: 'quantity', amount: quantity } }),
  });
  if (answer.status !== 200) throw new Error(`product edit: ${answer.status} ${await answer.text()}`);
}

/** Picks `count` ids spread over the list (so changes sit on many pages). */
const spread = (ids: readonly number[], count: number, offset: number): number[] =>
  Array.from({ length: count }, (_, index) => ids[(offset + index * 97) % ids.length] ?? 0);

const queuedIds = (queued: readonly ContractChangedMessage[]): number[] =>
  [...new Set(queued.map((message) => message.contractId))].sort((a, b) => a - b);

describe('reconciliation of 2000 stored contracts of which 20 changed', () => {
  let current: World | undefined;
  /** Puts back stored rows a test changed. */
  let restore: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await restore?.();
    restore = undefined;
    await current?.close();
    current = undefined;
  });

  test('kind reading (list items carry the whole contract): one run costs at most 30 Oneflow requests and queues exactly the 20', async () => {
    const w = (current = await world('kind'));
    w.at(T0 + 60_000);
    const sent = spread(w.ids, 8, 3);
    const edited = spread(w.ids, 10, 500).filter((id) => !sent.includes(id));
    const [gone, productGone] = spread(w.ids, 2, 1234).filter(
      (id) => !sent.includes(id) && !edited.includes(id),
    );
    if (gone === undefined || productGone === undefined) throw new Error('no contract to delete');
    for (const id of sent) w.sim.store.publish(id);
    for (const [index, id] of edited.entries()) await editProduct(w.sim, id, 20 + index);
    w.sim.store.deleteContract(gone);
    // A line linked to a product Oneflow no longer has, though no time moved (a delete leaves none behind).
    await w.store.links.put(tenant.tenantId, {
      contractId: productGone,
      lineId: 'line-gone',
      productId: 999_999_999,
      state: 'active',
      base: {},
      syncedAt: LAST_SYNC,
    });
    // Two more contracts are settled: they are stored as signed, and never asked about.
    const settled = w.ids.slice(0, 2);
    for (const id of settled) await w.store.contracts.put({ ...storedRecord(id), oneflowState: 'signed' });
    restore = async () => {
      for (const id of settled) await w.store.contracts.put(storedRecord(id));
      await w.store.links.delete(tenant.tenantId, productGone, 'line-gone');
    };
    const changed = [...sent, ...edited, gone, productGone].sort((a, b) => a - b);
    expect(changed).toHaveLength(20);
    w.oneflowRequests();

    const result = await w.run(10);

    const requests = w.oneflowRequests();
    expect(requests).toBeLessThanOrEqual(30);
    expect(result).toMatchObject({
      stored: STORED,
      skipped: settled.length,
      lookup: 'listing',
      requests,
      fullReads: 0,
      fullReadsLeft: 0,
      stopped: null,
      queued: 20,
    });
    expect(queuedIds(w.queued)).toEqual(changed);
    expect(w.queued.every((message) => message.source.kind === 'reconcile')).toBe(true);
  });

  test('unkind reading (list items without product tables, product edits leave the contract time): contract changes are queued at once, product-only ones within the stated runs', async () => {
    const w = (current = await world('unkind'));
    w.at(T0 + 60_000);
    const sent = spread(w.ids, 5, 7);
    const edited = spread(w.ids, 14, 900).filter((id) => !sent.includes(id));
    const [gone] = spread(w.ids, 1, 1500).filter((id) => !sent.includes(id) && !edited.includes(id));
    if (gone === undefined) throw new Error('no contract to delete');
    for (const id of sent) w.sim.store.publish(id);
    for (const [index, id] of edited.entries()) await editProduct(w.sim, id, 20 + index);
    w.sim.store.deleteContract(gone);
    // The contracts' own times did not move for the product edits: only a full read shows them.
    for (const id of edited) {
      expect(w.sim.store.contract(id).updatedTime).toBe(w.sim.store.contract(w.ids[1] ?? 0).updatedTime);
    }
    expect(edited).toHaveLength(14);
    const share = 25;
    const allowance = Math.floor((ORG_BUDGET * share) / 100);
    w.oneflowRequests();

    const first = await w.run(share);
    expect(w.oneflowRequests()).toBe(first.requests);
    expect(first.requests).toBe(allowance);
    expect(first.stopped).toBe('quota_share');
    expect(queuedIds(w.queued)).toEqual(expect.arrayContaining([...sent, gone]));
    // The stated period: every contract a list item cannot vouch for is read within ⌈those ÷ reads a run⌉ runs
    // (found changes are read again until a fetch syncs them, so they are taken off the reads a run).
    const lookups = first.requests - first.fullReads;
    const partial = first.fullReads + first.fullReadsLeft;
    expect(partial).toBe(STORED - sent.length - 1);
    const runs = Math.ceil(partial / (allowance - lookups - edited.length));

    let run = 1;
    while (run < runs && !edited.every((id) => w.queued.some((message) => message.contractId === id))) {
      const next = await w.run(share);
      expect(w.oneflowRequests()).toBeLessThanOrEqual(allowance);
      expect(next.requests).toBeLessThanOrEqual(allowance);
      run += 1;
    }
    expect(queuedIds(w.queued)).toEqual([...sent, ...edited, gone].sort((a, b) => a - b));
    expect(run).toBeLessThanOrEqual(runs);
  });

  test("the share of the org's budget stops a run: it spends no more, says so, and queues nothing it did not see", async () => {
    const w = (current = await world('kind'));
    w.at(T0 + 60_000);
    const late = w.ids[w.ids.length - 1] ?? 0;
    const early = w.ids[5] ?? 0;
    w.sim.store.publish(early);
    w.sim.store.publish(late);
    w.sim.store.deleteContract(w.ids[w.ids.length - 2] ?? 0);
    w.oneflowRequests();

    // 1 % of 1800: 18 requests, fewer than the 21 pages of 2000 open contracts.
    const result = await w.run(1);

    expect(w.oneflowRequests()).toBe(18);
    expect(result).toMatchObject({ requests: 18, allowance: 18, stopped: 'quota_share' });
    // The early change was on a page read; the late one and the deletion were not reached, and nothing unseen
    // passes for deleted.
    expect(queuedIds(w.queued)).toEqual([early]);
  });

  test('a contract list Oneflow refuses (not offered to the token) falls back on full reads within the same allowance', async () => {
    const w = (current = await world('kind'));
    w.at(T0 + 60_000);
    const early = w.ids[3] ?? 0;
    const late = w.ids[w.ids.length - 1] ?? 0;
    w.sim.store.publish(early);
    w.sim.store.publish(late);
    w.oneflowRequests();
    const refusingList = (real: OneflowClient): OneflowClient => ({
      ...real,
      listContracts: async () => {
        throw errorFromResponse(
          404,
          { detail: 'A required entity is missing.' },
          {
            method: 'GET',
            url: '/contracts',
            attempts: 1,
          },
        );
      },
    });

    const result = await w.run(10, refusingList);

    // The refused list took one request of the allowance of 180; the rest went to full reads, oldest-known first.
    expect(result).toMatchObject({ lookup: 'unavailable', allowance: 180, requests: 180, fullReads: 179 });
    expect(w.oneflowRequests()).toBe(179);
    expect(result.fullReadsLeft).toBe(STORED - 179);
    expect(queuedIds(w.queued)).toEqual([early]);
    // The next run goes on with the contracts not read yet (and the changed one, until a fetch syncs it).
    const readIds = (from: number) =>
      w.sim.control.requests
        .slice(from)
        .map((request) => /^\/v1\/contracts\/(\d+)$/.exec(request.url)?.[1])
        .filter((id): id is string => id !== undefined)
        .map(Number);
    const before = w.sim.control.requests.length;
    const firstRead = new Set(readIds(0));
    const next = await w.run(10, refusingList);
    expect(next.fullReads).toBe(179);
    expect(readIds(before).filter((id) => firstRead.has(id))).toEqual([early]);
    expect(queuedIds(w.queued)).toEqual([early]);
  });
});
