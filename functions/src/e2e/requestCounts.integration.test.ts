/**
 * Requests per service for a 150-line record (Oneflow's product limit): create contract, push after every line
 * changed in Dynamics (on a draft, then on a sent contract), fetch after every product's quantity changed in
 * Oneflow. The counts come from the simulators' request logs (cleared before each action), are printed as the
 * measurement they are, and are held to the bounds the design promises.
 */
import type { Link } from '@oneflow-sync/shared';
import type { StateStore } from '../state/store';
import { runSync } from '../sync/syncService';
import { FIXTURE, startStack, type Stack } from '../testing/stack';
import {
  clearLogs,
  createContract,
  dynamicsSide,
  expectStatus,
  lineId,
  linksOf,
  loadRecords,
  oneflowSide,
  publishContract,
  quantityOf,
  type RequestLog,
  requestLog,
  runAction,
  type TestRecord,
} from './syncE2eSupport';

const LINES = 150;

/**
 * Latency the Oneflow simulator adds to each answer while rounds are measured: well above the time the
 * simulator takes to handle one round's requests one after another, so a round's arrivals never spread past it.
 */
const LATENCY_MS = 800;

let stack: Stack;
let records: TestRecord[];
let bulk: { id: string; lineIds: string[] };

beforeAll(async () => {
  stack = await startStack();
  const loaded = await loadRecords(stack, { standard: 3, bulkLines: LINES });
  if (!loaded.bulk) throw new Error('no bulk record');
  records = loaded.records;
  bulk = loaded.bulk;
}, 60_000);

afterAll(async () => {
  await stack.close();
});

interface Measured {
  dataverse: RequestLog;
  oneflow: RequestLog;
  ms: number;
}

async function measure(label: string, action: () => Promise<unknown>): Promise<Measured> {
  await clearLogs(stack);
  const started = Date.now();
  await action();
  const ms = Date.now() - started;
  const [dataverse, oneflow] = await Promise.all([
    requestLog(stack, 'dataverse'),
    requestLog(stack, 'oneflow'),
  ]);
  console.log(
    `${label} (${LINES} lines, ${ms} ms): Dataverse ${dataverse.total} requests ${JSON.stringify(
      dataverse.counts,
    )}; Oneflow ${oneflow.total} requests ${JSON.stringify(oneflow.counts)}`,
  );
  return { dataverse, oneflow, ms };
}

const metadataReads = (log: RequestLog): number =>
  log.requests.filter((request) => request.url.includes('EntityDefinitions')).length;

/**
 * Sequential rounds of requests, from the times they arrived: with every answer taking at least `latencyMs`,
 * no request can wait for another that arrived less than `latencyMs` before it, so requests arriving within
 * that span of a round's first one belong to that round.
 */
function roundsOf(log: RequestLog, latencyMs: number): number {
  const arrivals = log.requests.map((request) => Date.parse(request.at)).sort((a, b) => a - b);
  let rounds = 0;
  let roundStart = Number.NEGATIVE_INFINITY;
  for (const at of arrivals) {
    if (at >= roundStart + latencyMs) {
      rounds += 1;
      roundStart = at;
    }
  }
  return rounds;
}

const publish = (contractId: number): Promise<void> => publishContract(stack, contractId);

async function oneflowLatency(ms: number): Promise<void> {
  expectStatus(
    await stack.sim('oneflow', 'PUT', '/_sim/faults', { routes: { '*': { latencyMs: ms } } }),
    200,
  );
}

test(`request counts of create contract, push and fetch for a ${LINES}-line record stay within the design's bounds`, async () => {
  const alex = await stack.token('alex');
  const dynamics = dynamicsSide(stack);
  const oneflow = oneflowSide(stack);

  // Create contract (T1): cold process, so the metadata reads are in here.
  let contractId = 0;
  const created = await measure('create contract', async () => {
    contractId = (await createContract(stack, alex, bulk.id)).contract.contractId;
  });
  expect(await oneflow.products(contractId)).toHaveLength(LINES);
  expect(await linksOf(stack, contractId)).toHaveLength(LINES);
  expect(created.oneflow.counts['POST /v1/contracts/create']).toBe(1);
  // The transfer plans from the create's own answer: nobody else can have touched the contract since.
  expect(created.oneflow.counts['GET /v1/contracts/:id']).toBeUndefined();
  // A fresh contract gets its whole table in one bulk write, not one request per product.
  expect(created.oneflow.total).toBe(2);
  // The lines are read once to check the user may (before anything exists in Oneflow), once for the transfer.
  expect(created.dataverse.counts['GET /api/data/v9.2/opportunityproducts']).toBeLessThanOrEqual(2);
  expect(created.dataverse.requests.filter((request) => request.method !== 'GET')).toEqual([]);

  // Push after every line changed in Dynamics: the contract is a draft, so its table goes in one bulk write.
  await dynamics.updateMany(
    bulk.lineIds.map((id, index) => ({ id, values: { quantity: 10 + (index % 5) } })),
  );
  let pushed: Awaited<ReturnType<typeof runAction>> | undefined;
  const push = await measure('push (draft)', async () => {
    pushed = await runAction(stack, alex, contractId, 'push');
  });
  expect(pushed?.outcome).toBe('applied');
  expect(pushed?.summary.productsUpdated).toBe(LINES);
  expect(push.oneflow.counts['GET /v1/contracts/:id']).toBe(1);
  expect(push.oneflow.counts['PUT /v1/contracts/:id/product_groups/:groupId']).toBe(1);
  expect(push.oneflow.total).toBeLessThanOrEqual(2);
  expect(push.dataverse.counts['GET /api/data/v9.2/opportunityproducts']).toBe(1);
  expect(push.dataverse.total).toBe(1 + metadataReads(push.dataverse));
  const products = await oneflow.products(contractId);
  expect(
    bulk.lineIds.every((id, index) => {
      const product = products.find((candidate) => candidate._private_ownerside?.custom_id === id);
      return quantityOf(product) === 10 + (index % 5);
    }),
  ).toBe(true);

  // Fetch after every product's quantity changed in Oneflow.
  for (let start = 0; start < products.length; start += 25) {
    await Promise.all(
      products
        .slice(start, start + 25)
        .map((product) =>
          oneflow.update(contractId, product.id, { quantity: { amount: quantityOf(product) + 100 } }),
        ),
    );
  }
  let fetched: Awaited<ReturnType<typeof runAction>> | undefined;
  const fetch = await measure('fetch', async () => {
    fetched = await runAction(stack, alex, contractId, 'fetch');
  });
  expect(fetched?.outcome).toBe('applied');
  expect(fetched?.summary.linesUpdated).toBe(LINES);
  expect(fetch.oneflow.total).toBe(1);
  expect(fetch.oneflow.counts['GET /v1/contracts/:id']).toBe(1);
  expect(fetch.dataverse.counts['GET /api/data/v9.2/opportunityproducts']).toBe(1);
  expect(fetch.dataverse.counts['POST /api/data/v9.2/$batch']).toBe(1);
  expect(fetch.dataverse.total).toBe(2 + metadataReads(fetch.dataverse));
  const lines = await dynamics.linesOf(bulk.id);
  expect(lines).toHaveLength(LINES);
  expect(
    bulk.lineIds.every((id, index) => {
      const line = lines.find((candidate) => candidate.opportunityproductid === id);
      return line?.quantity === 110 + (index % 5);
    }),
  ).toBe(true);

  // The ledger keeps every field of the big actions.
  const activity = await stack.api('GET', `activity?contractId=${contractId}`, { token: alex });
  expectStatus(activity, 200);
  const [fetchEntry, pushEntry] = (activity.body as { entries: { action: string; changes: unknown[] }[] })
    .entries;
  expect(fetchEntry).toMatchObject({ action: 'fetch' });
  expect(fetchEntry?.changes).toHaveLength(LINES);
  expect(pushEntry).toMatchObject({ action: 'push' });
  expect(pushEntry?.changes).toHaveLength(LINES);

  // Once sent, a counterparty may be editing: one request per product, many at once.
  await publish(contractId);
  await dynamics.updateMany(
    bulk.lineIds.map((id, index) => ({ id, values: { quantity: 20 + (index % 5) } })),
  );
  await oneflowLatency(LATENCY_MS);
  let pushedSent: Awaited<ReturnType<typeof runAction>> | undefined;
  const pushSent = await measure('push (sent contract)', async () => {
    pushedSent = await runAction(stack, alex, contractId, 'push');
  });
  await oneflowLatency(0);
  const rounds = roundsOf(pushSent.oneflow, LATENCY_MS);
  console.log(
    `push (sent contract): ${rounds} sequential rounds of Oneflow requests at ${LATENCY_MS} ms each`,
  );
  expect(pushedSent?.outcome).toBe('applied');
  expect(pushSent.oneflow.counts['PUT /v1/contracts/:id/products/:productId']).toBe(LINES);
  expect(pushSent.oneflow.counts['PUT /v1/contracts/:id/product_groups/:groupId']).toBeUndefined();
  expect(pushSent.oneflow.total).toBeLessThanOrEqual(1 + LINES);
  expect(rounds).toBeLessThanOrEqual(10);
  const sentProducts = await oneflow.products(contractId);
  expect(
    bulk.lineIds.every((id, index) => {
      const product = sentProducts.find((candidate) => candidate._private_ownerside?.custom_id === id);
      return quantityOf(product) === 20 + (index % 5);
    }),
  ).toBe(true);
  // Counts are the assertion, not speed: four 150-line actions on a loaded machine outlast jest's 5 s default.
}, 60_000);

test('a bulk push on a draft keeps a product added by hand in Oneflow, and writes every change of the table in one request', async () => {
  const alex = await stack.token('alex');
  const dynamics = dynamicsSide(stack);
  const oneflow = oneflowSide(stack);
  const [record] = records;
  if (!record) throw new Error('no record');
  const { contractId } = (await createContract(stack, alex, record.id)).contract;
  const [table] = (await oneflow.contract(contractId)).product_groups;
  if (!table) throw new Error('no product table');
  const byHand = await oneflow.add(contractId, table.id, {
    name: 'Installation (added in Oneflow)',
    description: 'Agreed on the phone',
    price_1: { base_amount: { amount: '250.00' } },
    quantity: { type: 'quantity', amount: 2 },
  });
  const [catalog, overridden, writeIn] = record.lines;
  const added = lineId(1, 4);
  const removed = await oneflow.productOf(contractId, writeIn);
  await dynamics.update(catalog, { quantity: 31 });
  await dynamics.update(overridden, { quantity: 32 });
  await dynamics.remove(writeIn);
  await dynamics.addWriteInLine(record.id, added, {
    productdescription: 'Training day',
    priceperunit: 900,
    quantity: 3,
  });

  let pushed: Awaited<ReturnType<typeof runAction>> | undefined;
  const push = await measure('push (draft, mixed changes)', async () => {
    pushed = await runAction(stack, alex, contractId, 'push');
  });

  expect(pushed?.outcome).toBe('applied');
  expect(pushed?.summary).toMatchObject({ productsCreated: 1, productsUpdated: 2, productsDeleted: 1 });
  expect(push.oneflow.counts).toEqual({
    'GET /v1/contracts/:id': 1,
    'PUT /v1/contracts/:id/product_groups/:groupId': 1,
  });
  const products = await oneflow.products(contractId);
  const kept = products.find((product) => product.id === byHand.id);
  expect(kept).toMatchObject({ name: 'Installation (added in Oneflow)', quantity: { amount: 2 } });
  expect(kept?.price_1?.base_amount?.amount).toBe('250.00');
  expect(products.some((product) => product.id === removed?.id)).toBe(false);
  expect(quantityOf(await oneflow.productOf(contractId, catalog))).toBe(31);
  expect(quantityOf(await oneflow.productOf(contractId, overridden))).toBe(32);
  const made = await oneflow.productOf(contractId, added);
  expect(made).toMatchObject({ name: 'Training day', quantity: { amount: 3 } });
  expect(products).toHaveLength(4);
  const links = await linksOf(stack, contractId);
  expect(links.map((link) => [link.lineId, link.productId]).sort()).toEqual(
    [catalog, overridden, added]
      .map((line) => [line, products.find((product) => product._private_ownerside?.custom_id === line)?.id])
      .sort(),
  );
  // Nothing is left to do: the bulk write wrote exactly what the plan said.
  expect((await runAction(stack, alex, contractId, 'push')).outcome).toBe('nothing_to_do');
}, 30_000);

test('a refused bulk write fails every write of its table and loses nothing: the lines keep their links, and the next push makes the changes', async () => {
  const alex = await stack.token('alex');
  const dynamics = dynamicsSide(stack);
  const oneflow = oneflowSide(stack);
  const record = records[1];
  if (!record) throw new Error('no record');
  const { contractId } = (await createContract(stack, alex, record.id)).contract;
  const [catalog, overridden, writeIn] = record.lines;
  const added = lineId(2, 4);
  const linksBefore = await linksOf(stack, contractId);
  const productsBefore = await oneflow.products(contractId);
  await dynamics.update(catalog, { quantity: 41 });
  await dynamics.remove(writeIn);
  await dynamics.addWriteInLine(record.id, added, {
    productdescription: 'Audit',
    priceperunit: 700,
    quantity: 1,
  });
  expectStatus(
    await stack.sim('oneflow', 'PUT', '/_sim/faults', {
      seed: 1,
      routes: { 'PUT /v1/contracts/:id/product_groups/:groupId': { rates: { '500': 1 } } },
    }),
    200,
  );

  const failed = await runAction(stack, alex, contractId, 'push');

  expectStatus(await stack.sim('oneflow', 'PUT', '/_sim/faults', { seed: 1, routes: {} }), 200);
  expect(failed.outcome).toBe('failed');
  expect(failed.failures).toHaveLength(3);
  expect(await oneflow.products(contractId)).toEqual(productsBefore);
  // Every line keeps its product and base (a line the push did not write may show a later syncedAt).
  const kept = (links: Link[]) =>
    links.map(({ lineId: line, productId, base }) => ({ line, productId, base }));
  expect(kept(await linksOf(stack, contractId))).toEqual(kept(linksBefore));

  const retried = await runAction(stack, alex, contractId, 'push');
  expect(retried.outcome).toBe('applied');
  expect(retried.summary).toMatchObject({ productsCreated: 1, productsUpdated: 1, productsDeleted: 1 });
  expect(quantityOf(await oneflow.productOf(contractId, catalog))).toBe(41);
  expect(await oneflow.productOf(contractId, writeIn)).toBeUndefined();
  expect(await oneflow.productOf(contractId, overridden)).toEqual(
    productsBefore.find((product) => product._private_ownerside?.custom_id === overridden),
  );
  const made = await oneflow.productOf(contractId, added);
  expect(made).toMatchObject({ name: 'Audit' });
  expect((await linksOf(stack, contractId)).find((link) => link.lineId === added)?.productId).toBe(made?.id);
}, 30_000);

test("a bulk write confirms every line it writes to the run's journal: updates, deletes and creates", async () => {
  const alex = await stack.token('alex');
  const dynamics = dynamicsSide(stack);
  const record = records[2];
  if (!record) throw new Error('no record');
  const { contractId } = (await createContract(stack, alex, record.id)).contract;
  const [catalog, , writeIn] = record.lines;
  const added = lineId(3, 4);
  await dynamics.update(catalog, { quantity: 51 });
  await dynamics.remove(writeIn);
  await dynamics.addWriteInLine(record.id, added, {
    productdescription: 'Review',
    priceperunit: 300,
    quantity: 1,
  });
  // What the journal records as written, each time it records progress.
  const progress: string[][] = [];
  const { store } = stack.services;
  const watched: StateStore = {
    ...store,
    runs: {
      ...store.runs,
      progress: (tenantId, contract, runId, lines) => {
        progress.push([...lines]);
        return store.runs.progress(tenantId, contract, runId, lines);
      },
    },
  };
  const contract = await store.contracts.getById(FIXTURE.contoso, contractId);
  if (!contract) throw new Error('no contract row');
  await clearLogs(stack);

  const result = await runSync(
    { tenant: stack.services.tenant(FIXTURE.contoso), store: watched, clock: () => new Date() },
    {
      record: contract,
      action: 'push',
      actor: { kind: 'user', id: FIXTURE.users.alex.oid, name: 'Alex' },
      dryRun: false,
    },
  );

  expect(result.outcome).toBe('applied');
  expect((await requestLog(stack, 'oneflow')).counts['PUT /v1/contracts/:id/product_groups/:groupId']).toBe(
    1,
  );
  expect(progress.at(-1)?.sort()).toEqual([catalog, writeIn, added].sort());
}, 30_000);
