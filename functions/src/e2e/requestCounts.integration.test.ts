/**
 * Requests per service for a 150-line record (Oneflow's product limit): create contract, push after every line
 * changed in Dynamics, fetch after every product's quantity changed in Oneflow. The counts come from the
 * simulators' request logs (cleared before each action), are printed as the measurement they are, and are held
 * to the bounds the design promises.
 */
import { startStack, type Stack } from '../testing/stack';
import {
  clearLogs,
  createContract,
  dynamicsSide,
  expectStatus,
  linksOf,
  loadRecords,
  oneflowSide,
  quantityOf,
  requestLog,
  runAction,
  type RequestLog,
} from './syncE2eSupport';

const LINES = 150;

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
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

test(`request counts of create contract, push and fetch for a ${LINES}-line record stay within the design's bounds`, async () => {
  const alex = await stack.token('alex');
  const dynamics = dynamicsSide(stack);
  const oneflow = oneflowSide(stack);
  const { bulk } = await loadRecords(stack, { standard: 0, bulkLines: LINES });
  if (!bulk) throw new Error('no bulk record');

  // Create contract (T1): cold process, so the metadata reads are in here.
  let contractId = 0;
  const created = await measure('create contract', async () => {
    contractId = (await createContract(stack, alex, bulk.id)).contract.contractId;
  });
  expect(await oneflow.products(contractId)).toHaveLength(LINES);
  expect(await linksOf(stack, contractId)).toHaveLength(LINES);
  expect(created.oneflow.counts['POST /v1/contracts/create']).toBe(1);
  expect(created.oneflow.counts['GET /v1/contracts/:id']).toBe(1);
  // A fresh contract gets its whole table in one bulk write, not one request per product.
  expect(created.oneflow.total).toBe(3);
  // The lines are read once to check the user may (before anything exists in Oneflow), once for the transfer.
  expect(created.dataverse.counts['GET /api/data/v9.2/opportunityproducts']).toBeLessThanOrEqual(2);
  expect(created.dataverse.requests.filter((request) => request.method !== 'GET')).toEqual([]);

  // Push after every line changed in Dynamics.
  await dynamics.updateMany(
    bulk.lineIds.map((id, index) => ({ id, values: { quantity: 10 + (index % 5) } })),
  );
  let pushed: Awaited<ReturnType<typeof runAction>> | undefined;
  const push = await measure('push', async () => {
    pushed = await runAction(stack, alex, contractId, 'push');
  });
  expect(pushed?.outcome).toBe('applied');
  expect(pushed?.summary.productsUpdated).toBe(LINES);
  expect(push.oneflow.counts['GET /v1/contracts/:id']).toBe(1);
  expect(push.oneflow.counts['PUT /v1/contracts/:id/products/:productId']).toBe(LINES);
  expect(push.oneflow.total).toBeLessThanOrEqual(1 + LINES);
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
  // Counts are the assertion, not speed: three 150-line actions on a loaded machine outlast jest's 5 s default.
}, 60_000);
