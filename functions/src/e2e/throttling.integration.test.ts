/**
 * Throttling end to end: the simulators answer 429 (injected with their seeded fault control, so the exact
 * requests that fail are known in advance) and the backend's clients wait and retry as the services ask —
 * Dataverse's Retry-After exactly, Oneflow's (which sends none) with backoff — until they give up, when the API
 * answers 503 with an error code saying which service is busy.
 */
import { decideFault, FaultConfigSchema, type FaultConfig } from '@oneflow-sync/simulators/src/common/faults';
import { seededRandom } from '@oneflow-sync/simulators/src/common/random';
import { startStack, type Stack } from '../testing/stack';
import {
  clearLogs,
  createContract,
  dynamicsSide,
  type DynamicsSide,
  expectStatus,
  linksOf,
  loadRecords,
  type LoggedRequest,
  type OneflowSide,
  oneflowSide,
  publishContract,
  quantityOf,
  requestLog,
  runAction,
  type Service,
  type SyncAnswer,
  type TestRecord,
  writesLogged,
} from './syncE2eSupport';

const LINES_READ = 'GET /api/data/v9.2/opportunityproducts';
const DATAVERSE_BATCH = 'POST /api/data/v9.2/$batch';
const CONTRACT_READ = 'GET /v1/contracts/:id';
const PRODUCT_UPDATE = 'PUT /v1/contracts/:id/products/:productId';

let stack: Stack;
let alex: string;
let dynamics: DynamicsSide;
let oneflow: OneflowSide;
let records: TestRecord[];
let nextRecord = 0;

beforeAll(async () => {
  stack = await startStack();
  alex = await stack.token('alex');
  dynamics = dynamicsSide(stack);
  oneflow = oneflowSide(stack);
  ({ records } = await loadRecords(stack, { standard: 10 }));
}, 60_000);

afterAll(async () => {
  await stack.close();
});

afterEach(async () => {
  await Promise.all([
    stack.sim('dataverse', 'PUT', '/_sim/faults', {}),
    stack.sim('oneflow', 'PUT', '/_sim/faults', {}),
  ]);
});

async function contractForFreshRecord() {
  const record = records[nextRecord++];
  if (!record) throw new Error('not enough test records loaded');
  const created = await createContract(stack, alex, record.id);
  return { record, contractId: created.contract.contractId };
}

function config(route: string, rate429: number, seed: number): FaultConfig {
  return FaultConfigSchema.parse({ seed, routes: { [route]: { rates: { '429': rate429 } } } });
}

/**
 * A fault config under which the requests to `route` get exactly `pattern` (429 or an answer), then answers
 * for a while: the seed is found by running the simulator's own fault decision on its own random source.
 */
function faultsFor(route: string, pattern: ('429' | null)[]): FaultConfig {
  const wanted = [...pattern, null, null, null, null];
  for (let seed = 1; seed < 100_000; seed++) {
    const candidate = config(route, 0.5, seed);
    const random = seededRandom(seed);
    if (wanted.every((fault) => decideFault(candidate, route, random).fault === fault)) return candidate;
  }
  throw new Error(`no seed gives ${pattern.join(',')}`);
}

async function injectFaults(service: Service, faults: FaultConfig): Promise<void> {
  expectStatus(await stack.sim(service, 'PUT', '/_sim/faults', faults), 200);
}

async function requestsTo(service: Service, route: string): Promise<LoggedRequest[]> {
  return (await requestLog(stack, service)).requests.filter((request) => request.route === route);
}

/** Seconds of Retry-After on the Dataverse simulator's injected 429 (asked directly, then forgotten). */
async function dataverseRetryAfterSeconds(): Promise<number> {
  await injectFaults('dataverse', config(LINES_READ, 1, 1));
  const answer = await stack.sim('dataverse', 'GET', '/api/data/v9.2/opportunityproducts');
  expectStatus(answer, 429);
  const seconds = Number(answer.headers['retry-after']);
  expect(seconds).toBeGreaterThanOrEqual(1);
  await injectFaults('dataverse', FaultConfigSchema.parse({}));
  return seconds;
}

test('a Dataverse 429 on the line read is retried after its Retry-After, and the push succeeds', async () => {
  const { record, contractId } = await contractForFreshRecord();
  await dynamics.update(record.lines[0], { quantity: 5 });
  const retryAfter = await dataverseRetryAfterSeconds();
  await injectFaults('dataverse', faultsFor(LINES_READ, ['429']));
  await clearLogs(stack);

  const started = Date.now();
  const pushed = await runAction(stack, alex, contractId, 'push');
  const elapsed = Date.now() - started;

  const reads = await requestsTo('dataverse', LINES_READ);
  expect(pushed.outcome).toBe('applied');
  expect(quantityOf(await oneflow.productOf(contractId, record.lines[0]))).toBe(5);
  expect(reads.map((request) => request.status)).toEqual([429, 200]);
  const [throttled, retried] = reads;
  const gap = Date.parse(retried?.at ?? '') - Date.parse(throttled?.at ?? '');
  expect(gap).toBeGreaterThanOrEqual(retryAfter * 1000);
  expect(elapsed).toBeGreaterThanOrEqual(retryAfter * 1000);
});

test('a Dataverse 429 on the $batch of a fetch is retried after its Retry-After, and the lines are written once', async () => {
  const { record, contractId } = await contractForFreshRecord();
  const [, supportLine] = record.lines;
  const product = await oneflow.productOf(contractId, supportLine);
  if (!product) throw new Error('no product');
  await oneflow.update(contractId, product.id, { quantity: { amount: 21 } });
  const retryAfter = await dataverseRetryAfterSeconds();
  await injectFaults('dataverse', faultsFor(DATAVERSE_BATCH, ['429']));
  await clearLogs(stack);

  const fetched = await runAction(stack, alex, contractId, 'fetch');

  const batches = await requestsTo('dataverse', DATAVERSE_BATCH);
  expect(fetched.outcome).toBe('applied');
  expect((await dynamics.line(supportLine))?.quantity).toBe(21);
  expect(batches.map((request) => request.status)).toEqual([429, 200]);
  const gap = Date.parse(batches[1]?.at ?? '') - Date.parse(batches[0]?.at ?? '');
  expect(gap).toBeGreaterThanOrEqual(retryAfter * 1000);
});

test('Oneflow 429s on the contract read and on a product update are retried with backoff, and the push succeeds', async () => {
  const { record, contractId } = await contractForFreshRecord();
  await dynamics.update(record.lines[2], { quantity: 4 });
  await injectFaults('oneflow', faultsFor(CONTRACT_READ, ['429', '429']));
  await clearLogs(stack);

  const pushed = await runAction(stack, alex, contractId, 'push');

  const reads = await requestsTo('oneflow', CONTRACT_READ);
  expect(pushed.outcome).toBe('applied');
  expect(quantityOf(await oneflow.productOf(contractId, record.lines[2]))).toBe(4);
  expect(reads.map((request) => request.status)).toEqual([429, 429, 200]);
  const times = reads.map((request) => Date.parse(request.at));
  expect(times).toEqual([...times].sort((a, b) => a - b));

  // The same for a write: the product update's first attempt is refused.
  await dynamics.update(record.lines[2], { quantity: 6 });
  await injectFaults('oneflow', faultsFor(PRODUCT_UPDATE, ['429']));
  await clearLogs(stack);
  const again = await runAction(stack, alex, contractId, 'push');
  expect((await requestsTo('oneflow', PRODUCT_UPDATE)).map((request) => request.status)).toEqual([429, 200]);
  expect(again.outcome).toBe('applied');
  expect(quantityOf(await oneflow.productOf(contractId, record.lines[2]))).toBe(6);
});

test('when Dataverse keeps answering 429 the API answers 503 dynamics_busy with Retry-After, and writes nothing', async () => {
  const { record, contractId } = await contractForFreshRecord();
  await dynamics.update(record.lines[0], { quantity: 8 });
  const linksBefore = await linksOf(stack, contractId);
  await injectFaults('dataverse', config(LINES_READ, 1, 1));
  await clearLogs(stack);

  const answer = await stack.api('POST', `contracts/${contractId}/push`, { token: alex });

  const reads = await requestsTo('dataverse', LINES_READ);
  expectStatus(answer, 503);
  const error = (answer.body as { error: { code: string; message: string } }).error;
  expect(error.code).toBe('dynamics_busy');
  expect(error.message).toMatch(/Dynamics/);
  expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(reads.length).toBeGreaterThan(1); // retried before giving up
  expect(reads.every((request) => request.status === 429)).toBe(true);
  expect(await writesLogged(stack)).toEqual([]);
  expect(await linksOf(stack, contractId)).toEqual(linksBefore);
});

test('when Oneflow keeps answering 429 the API answers 503 oneflow_busy, and writes nothing', async () => {
  const { record, contractId } = await contractForFreshRecord();
  await dynamics.update(record.lines[0], { quantity: 9 });
  const linksBefore = await linksOf(stack, contractId);
  await injectFaults('oneflow', config(CONTRACT_READ, 1, 1));
  await clearLogs(stack);

  const answer = await stack.api('POST', `contracts/${contractId}/push`, { token: alex });

  const reads = await requestsTo('oneflow', CONTRACT_READ);
  expectStatus(answer, 503);
  expect((answer.body as { error: { code: string } }).error.code).toBe('oneflow_busy');
  expect(answer.headers['retry-after']).toBeDefined();
  expect(reads.length).toBeGreaterThan(1);
  expect(reads.every((request) => request.status === 429)).toBe(true);
  expect(await writesLogged(stack)).toEqual([]);
  expect(await linksOf(stack, contractId)).toEqual(linksBefore);
});

test('when Oneflow keeps refusing one product update, the push reports that write as failed and a later push completes it', async () => {
  const { record, contractId } = await contractForFreshRecord();
  // Sent, so the push writes one product per request (a draft's table would go in one bulk write).
  await publishContract(stack, contractId);
  const [catalog, , writeIn] = record.lines;
  await dynamics.update(catalog, { quantity: 2 });
  await dynamics.update(writeIn, { quantity: 2 });
  const writeInProduct = await oneflow.productOf(contractId, writeIn);
  const baseBefore = (await linksOf(stack, contractId)).find((link) => link.lineId === writeIn)?.base;
  await injectFaults('oneflow', config(PRODUCT_UPDATE, 1, 1));

  const pushed = await runAction(stack, alex, contractId, 'push');

  expect(pushed.outcome).toBe('failed');
  expect(pushed.failures.length).toBe(2);
  expect(quantityOf(await oneflow.productOf(contractId, writeIn))).toBe(quantityOf(writeInProduct));
  // The line keeps its old base, so the change stays pending.
  expect((await linksOf(stack, contractId)).find((link) => link.lineId === writeIn)?.base).toEqual(
    baseBefore,
  );

  await injectFaults('oneflow', FaultConfigSchema.parse({}));
  const retried: SyncAnswer = await runAction(stack, alex, contractId, 'push');
  expect(retried.outcome).toBe('applied');
  expect(quantityOf(await oneflow.productOf(contractId, writeIn))).toBe(2);
  expect(quantityOf(await oneflow.productOf(contractId, catalog))).toBe(2);
});
