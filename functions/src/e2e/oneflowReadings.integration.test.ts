/**
 * The product where Oneflow's public sources leave a fact open, end to end against an Oneflow simulator that takes
 * every such fact the unkind way (docs/simulators-oneflow.md, Readings): an update of part of a price resets the
 * rest, answers carry no custom_id, a bulk row of `{id}` alone blanks its product, product edits leave the
 * contract's updated_time alone, descriptions come back as rich text. The sync rules, conflict and webhook suites
 * run under these readings too (jest project `functions (unkind Oneflow)`); this file holds what they do not.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContractChangedMessage, Logger } from '../services';
import { TIMER_FUNCTIONS } from '../registry';
import { startStack, type Stack } from '../testing/stack';
import {
  clearLogs,
  createContract,
  descriptionText,
  dynamicsSide,
  lineId,
  linksOf,
  loadRecords,
  oneflowSide,
  planOf,
  quantityOf,
  runAction,
  writesLogged,
  type DynamicsSide,
  type OneflowProductView,
  type OneflowSide,
  type TestRecord,
} from './syncE2eSupport';
import { messagesFor, recordEnqueues } from './webhookSupport';

jest.setTimeout(30_000);

/** A product every contract made from the template starts with. */
const TEMPLATE_PRODUCT = {
  name: 'Onboarding fee',
  description: 'Once, at the start & on site',
  price_1: {
    base_amount: { amount: '250.00' },
    discount_amount: { amount: '50.00' },
    discount_percent: null,
  },
  quantity: { type: 'quantity', amount: 1 },
};

interface PriceView {
  base_amount?: { amount?: string | null };
  discount_amount?: { amount?: string | null };
  amount?: { amount?: string | null };
}
const priceOf = (product: OneflowProductView | undefined): PriceView | undefined =>
  (product as { price_1?: PriceView } | undefined)?.price_1;

let stack: Stack;
let alex: string;
let dynamics: DynamicsSide;
let oneflow: OneflowSide;
let records: TestRecord[];
let queued: ContractChangedMessage[];
let next = 0;

function freshRecord(): TestRecord {
  const record = records[next++];
  if (!record) throw new Error('not enough test records loaded');
  return record;
}

beforeAll(async () => {
  stack = await startStack({ oneflowReadings: 'unkind' });
  alex = await stack.token('alex');
  dynamics = dynamicsSide(stack);
  oneflow = oneflowSide(stack);
  queued = recordEnqueues(stack);
  const path = join(__dirname, '..', '..', '..', 'simulators', 'fixtures', 'oneflow.json');
  const fixture = JSON.parse(readFileSync(path, 'utf8')) as {
    templates: { id: number; product_groups: { products: unknown[] }[] }[];
  };
  const template = fixture.templates.find((candidate) => candidate.id === 756510);
  const group = template?.product_groups[0];
  if (!group) throw new Error('the Oneflow fixture no longer has template 756510 with a product table');
  group.products.push(TEMPLATE_PRODUCT);
  const loaded = await stack.sim('oneflow', 'POST', '/_sim/fixture', fixture);
  if (loaded.status !== 200) throw new Error(`Oneflow fixture: ${loaded.text}`);
  ({ records } = await loadRecords(stack, { standard: 8 }));
}, 60_000);

afterAll(async () => {
  await stack.close();
});

test("Create contract keeps the template's own products whole and learns its products' ids from the bulk answer", async () => {
  const record = freshRecord();

  const created = await createContract(stack, alex, record.id);

  expect(created.outcome).toBe('applied');
  const contractId = created.contract.contractId;
  const products = await oneflow.products(contractId);
  const fee = products.find((product) => product.name === TEMPLATE_PRODUCT.name);
  // Listed by id alone, the bulk write would have blanked it.
  expect(fee).toMatchObject({ quantity: TEMPLATE_PRODUCT.quantity });
  expect(descriptionText(fee)).toBe(TEMPLATE_PRODUCT.description);
  expect(priceOf(fee)).toMatchObject({
    base_amount: { amount: '250.00' },
    discount_amount: { amount: '50.00' },
    amount: { amount: '200.00' },
  });
  // Each line is linked to the product made for it (Oneflow keeps the line id, though it never says so).
  const links = await linksOf(stack, contractId);
  expect(links.map((link) => [link.lineId, link.productId]).sort()).toEqual(
    products
      .filter((product) => product.id !== fee?.id)
      .map((product) => [product._private_ownerside?.custom_id, product.id])
      .sort(),
  );
  expect(links.map((link) => link.lineId).sort()).toEqual([...record.lines].sort());
});

test('descriptions Oneflow gives back as rich text are the text Dynamics has: a push right after Create contract writes nothing', async () => {
  const record = freshRecord();
  const contractId = (await createContract(stack, alex, record.id)).contract.contractId;
  const product = (await oneflow.products(contractId)).find(
    (candidate) => candidate._private_ownerside?.custom_id === record.lines[0],
  );
  expect(product?.description).toMatch(/^<p>.*<\/p>$/);
  await clearLogs(stack);

  const pushed = await runAction(stack, alex, contractId, 'push');

  expect(pushed.outcome).toBe('nothing_to_do');
  expect(pushed.summary.productsUpdated).toBe(0);
  expect(await writesLogged(stack)).toEqual([]);
});

test('push of a discount alone sends the whole price: the base amount stays', async () => {
  const record = freshRecord();
  const [catalog] = record.lines;
  const contractId = (await createContract(stack, alex, record.id)).contract.contractId;
  const before = await oneflow.productOf(contractId, catalog);
  expect(priceOf(before)?.base_amount?.amount).toBe('25.00');

  await dynamics.update(catalog, { manualdiscountamount: 40 });
  const pushed = await runAction(stack, alex, contractId, 'push');

  expect(pushed.outcome).toBe('applied');
  const after = await oneflow.productOf(contractId, catalog);
  expect(priceOf(after)).toMatchObject({
    base_amount: { amount: '25.00' },
    discount_amount: { amount: '4.00' },
    amount: { amount: '21.00' },
  });
  expect(after?.quantity).toEqual({ type: 'quantity', amount: 10 });
  expect((await planOf(stack, alex, contractId, 'push')).outcome).toBe('nothing_to_do');
});

test('a base amount of 0 with a discount (a negative price) goes to Oneflow and comes back unchanged', async () => {
  const record = freshRecord();
  const writeIn = record.lines[2];
  // A credit line: nothing per unit, 50 off the line (25 per unit).
  await dynamics.update(writeIn, { priceperunit: 0, quantity: 2, manualdiscountamount: 50 });

  const created = await createContract(stack, alex, record.id);

  expect(created.outcome).toBe('applied');
  const contractId = created.contract.contractId;
  const credit = await oneflow.productOf(contractId, writeIn);
  expect(priceOf(credit)).toMatchObject({
    base_amount: { amount: '0.00' },
    discount_amount: { amount: '25.00' },
    amount: { amount: '-25.00' },
  });
  expect(quantityOf(credit)).toBe(2);
  for (const action of ['push', 'fetch'] as const) {
    expect((await planOf(stack, alex, contractId, action)).outcome).toBe('nothing_to_do');
  }
  // The counterparty takes four: the quantity comes into Dynamics, the price stays negative.
  if (!credit) throw new Error('no product for the credit line');
  await oneflow.update(contractId, credit.id, { quantity: { amount: 4 } });
  const fetched = await runAction(stack, alex, contractId, 'fetch');
  expect(fetched.outcome).toBe('applied');
  expect((await dynamics.line(writeIn))?.quantity).toBe(4);
  expect(priceOf(await oneflow.productOf(contractId, writeIn))?.base_amount?.amount).toBe('0.00');
});

const quietLog: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("reconcile finds a counterparty's product edit though the contract's updated_time did not move", async () => {
  const reconcile = TIMER_FUNCTIONS.find((timer) => timer.name === 'reconcileTimer');
  if (!reconcile) throw new Error('no reconcile timer in the registry');
  const record = freshRecord();
  const [, supportLine] = record.lines;
  const contractId = (await createContract(stack, alex, record.id)).contract.contractId;
  // Synced well after everything Oneflow stamped at creation (it stamps whole seconds).
  await sleep(1100);
  await runAction(stack, alex, contractId, 'fetch');
  const contractTime = (await stack.sim('oneflow', 'GET', `/_sim/contracts/${contractId}`)).body as {
    updated_time: string;
  };
  let queuedBefore = queued.length;
  await reconcile.handle(stack.services, quietLog);
  expect(messagesFor(queued.slice(queuedBefore), contractId)).toEqual([]);

  const product = await oneflow.productOf(contractId, supportLine);
  if (!product) throw new Error('no product for the line');
  await oneflow.update(contractId, product.id, { quantity: { amount: 30 } });
  expect((await stack.sim('oneflow', 'GET', `/_sim/contracts/${contractId}`)).body).toMatchObject({
    updated_time: contractTime.updated_time,
  });
  queuedBefore = queued.length;
  await reconcile.handle(stack.services, quietLog);

  expect(messagesFor(queued.slice(queuedBefore), contractId)).toEqual([
    expect.objectContaining({ contractId, source: { kind: 'reconcile' } }),
  ]);
  await stack.host.drainQueue();
  expect((await dynamics.line(supportLine))?.quantity).toBe(30);
});

test('a create refused because the line’s custom_id is taken adopts the one unlinked product of its name, and guesses nothing between two', async () => {
  const record = freshRecord();
  const { contractId, groupId } = await (async () => {
    const id = (await createContract(stack, alex, record.id)).contract.contractId;
    const group = (await oneflow.contract(id)).product_groups[0];
    if (!group) throw new Error('the contract has no product table');
    return { contractId: id, groupId: group.id };
  })();
  const added = lineId(950, 1);
  await dynamics.addWriteInLine(record.id, added, {
    productdescription: 'Extra day',
    priceperunit: 800,
    quantity: 2,
  });
  // An earlier push made the product, but its answer was lost; the counterparty added one of the same name.
  const lost = await oneflow.add(contractId, groupId, {
    name: 'Extra day',
    quantity: { type: 'quantity', amount: 1 },
    _private_ownerside: { custom_id: added },
  });
  const theirs = await oneflow.add(contractId, groupId, {
    name: 'Extra day',
    quantity: { type: 'quantity', amount: 5 },
  });

  const refused = await runAction(stack, alex, contractId, 'push');

  expect(refused.outcome).toBe('failed');
  expect(refused.failures.map((failure) => failure.message)).toEqual([
    expect.stringContaining('does not say which, and 2 products not linked to a line are named "Extra day"'),
  ]);
  const products = await oneflow.products(contractId);
  expect(products.find((product) => product.id === lost.id)).toMatchObject({ quantity: { amount: 1 } });
  expect(products.find((product) => product.id === theirs.id)).toMatchObject({ quantity: { amount: 5 } });
  expect((await linksOf(stack, contractId)).map((link) => link.lineId)).not.toContain(added);

  await oneflow.remove(contractId, theirs.id);
  const pushed = await runAction(stack, alex, contractId, 'push');

  expect(pushed.outcome).toBe('applied');
  const link = (await linksOf(stack, contractId)).find((candidate) => candidate.lineId === added);
  expect(link?.productId).toBe(lost.id);
  const adopted = await oneflow.productOf(contractId, added);
  expect(adopted?.id).toBe(lost.id);
  expect(quantityOf(adopted)).toBe(2);
  expect(priceOf(adopted)?.base_amount?.amount).toBe('800.00');
  // The template's fee, the three lines, the extra day: nothing made twice.
  expect(await oneflow.products(contractId)).toHaveLength(5);
});
