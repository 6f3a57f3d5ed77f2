/**
 * The sync rules end to end, through the HTTP API of the whole stack (local runner, simulators and Azurite as
 * their own processes): create contract (T1), push (P1–P5), fetch (F1–F4), the dry run, the toggle, and the
 * activity ledger. Every test works on an opportunity of its own (loaded into the Dataverse simulator), so the
 * tests share one stack without sharing data.
 */
import { LeaseBusyError } from '../state/errors';
import { runSync } from '../sync/syncService';
import { FIXTURE, startStack, type Stack } from '../testing/stack';
import {
  changesOf,
  clearLogs,
  createContract,
  descriptionText,
  dynamicsSide,
  expectStatus,
  lineId,
  linksOf,
  loadRecords,
  notesOf,
  oneflowSide,
  planOf,
  quantityOf,
  requestLog,
  restoreDefaultSettings,
  runAction,
  saveOpportunitySettings,
  writesLogged,
  type DynamicsSide,
  type OneflowSide,
  type TestRecord,
} from './syncE2eSupport';

let stack: Stack;
let alex: string;
let dynamics: DynamicsSide;
let oneflow: OneflowSide;
let records: TestRecord[];
let nextRecord = 0;

/** An opportunity no other test has used. */
function freshRecord(): TestRecord {
  const record = records[nextRecord++];
  if (!record) throw new Error('not enough test records loaded');
  return record;
}

beforeAll(async () => {
  stack = await startStack();
  alex = await stack.token('alex');
  dynamics = dynamicsSide(stack);
  oneflow = oneflowSide(stack);
  ({ records } = await loadRecords(stack, { standard: 20 }));
}, 60_000);

afterAll(async () => {
  await stack.close();
});

/** A contract for a fresh record: its id, the record, and the product group the products went to. */
async function contractForFreshRecord() {
  const record = freshRecord();
  const created = await createContract(stack, alex, record.id);
  const contractId = created.contract.contractId;
  const group = (await oneflow.contract(contractId)).product_groups[0];
  if (!group) throw new Error('the contract has no product table');
  return { record, contractId, groupId: group.id };
}

describe('create contract (T1)', () => {
  test('T1: every line becomes an Oneflow product carrying the line id as custom_id, and the links are stored', async () => {
    const record = freshRecord();
    const lines = await dynamics.linesOf(record.id);
    expect(lines).toHaveLength(3);

    const answer = await stack.api('POST', 'contracts', {
      token: alex,
      body: { entity: 'opportunity', recordId: record.id },
    });
    expectStatus(answer, 201);
    const body = answer.body as { contract: { contractId: number; recordId: string }; outcome: string };
    expect(body.contract.recordId).toBe(record.id);
    expect(body.outcome).toBe('applied');
    const contractId = body.contract.contractId;

    // Oneflow's own API, not our answer, says what the contract holds.
    const products = await oneflow.products(contractId);
    expect(products.map((product) => product._private_ownerside?.custom_id).sort()).toEqual(
      [...record.lines].sort(),
    );
    for (const line of lines) {
      const product = products.find(
        (candidate) => candidate._private_ownerside?.custom_id === line.opportunityproductid,
      );
      expect(quantityOf(product)).toBe(line.quantity);
      expect(Number(product?.price_1?.base_amount?.amount)).toBe(line.priceperunit);
      // sync-once and one-way fields are written too at creation: description is dynamics_to_oneflow.
      expect(descriptionText(product)).toBe(line.description);
    }
    const writeIn = products.find((product) => product._private_ownerside?.custom_id === record.lines[2]);
    expect(writeIn?.name).toBe(
      lines.find((line) => line.opportunityproductid === record.lines[2])?.productdescription,
    );

    const links = await linksOf(stack, contractId);
    expect(links.map((link) => [link.lineId, link.productId, link.state]).sort()).toEqual(
      products.map((product) => [product._private_ownerside?.custom_id, product.id, 'active']).sort(),
    );
  });

  test('T1: two Create contract requests at once (a double click) make one Oneflow contract', async () => {
    const record = freshRecord();
    await clearLogs(stack);
    const body = { entity: 'opportunity', recordId: record.id };
    const answers = await Promise.all([
      stack.api('POST', 'contracts', { token: alex, body }),
      stack.api('POST', 'contracts', { token: alex, body }),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409]);
    const refused = answers.find((answer) => answer.status === 409);
    // Busy while the first one creates (answered at once), or made already if the first one was that quick.
    expect(['contract_busy', 'contract_exists']).toContain(
      (refused?.body as { error: { code: string } } | undefined)?.error.code,
    );
    const creates = (await requestLog(stack, 'oneflow')).requests.filter(
      (request) => request.method === 'POST' && request.url.endsWith('/contracts/create'),
    );
    expect(creates).toHaveLength(1);
  });

  test('T1: creating the contract again after an interrupted transfer answers 200 and duplicates nothing', async () => {
    const record = freshRecord();
    const [catalog] = record.lines;
    // The first attempt makes the contract, but Oneflow refuses its bulk write of the products.
    await stack.sim('oneflow', 'PUT', '/_sim/faults', {
      seed: 1,
      routes: { 'PUT /v1/contracts/:id/product_groups/:groupId': { rates: { '500': 1 } } },
    });
    const first = await createContract(stack, alex, record.id);
    await stack.sim('oneflow', 'PUT', '/_sim/faults', { seed: 1, routes: {} });
    expect(first.outcome).toBe('failed');
    const contractId = first.contract.contractId;
    // One product an attempt made before its answer was lost, carrying the line's id.
    const group = (await oneflow.contract(contractId)).product_groups[0];
    if (!group) throw new Error('the contract has no product table');
    const made = await oneflow.add(contractId, group.id, {
      name: 'Widget',
      quantity: { type: 'quantity', amount: 10 },
      _private_ownerside: { custom_id: catalog },
    });
    await clearLogs(stack);

    const again = await stack.api('POST', 'contracts', {
      token: alex,
      body: { entity: 'opportunity', recordId: record.id },
    });
    expectStatus(again, 200);
    expect((again.body as { contract: { contractId: number } }).contract.contractId).toBe(contractId);
    expect((again.body as { outcome: string }).outcome).toBe('applied');

    const productsAfter = await oneflow.products(contractId);
    const customIds = productsAfter.map((product) => product._private_ownerside?.custom_id);
    expect([...customIds].sort()).toEqual([...record.lines].sort());
    expect((await oneflow.productOf(contractId, catalog))?.id).toBe(made.id);
    expect((await linksOf(stack, contractId)).map((link) => [link.lineId, link.productId]).sort()).toEqual(
      productsAfter.map((product) => [product._private_ownerside?.custom_id, product.id]).sort(),
    );
    const oneflowLog = await requestLog(stack, 'oneflow');
    expect(oneflowLog.counts['POST /v1/contracts/create']).toBeUndefined();
  });

  test('T1: creating the contract again after a completed transfer answers 409 and overwrites nothing in Oneflow', async () => {
    const { record, contractId } = await contractForFreshRecord();
    const [, supportLine] = record.lines;
    const product = await oneflow.productOf(contractId, supportLine);
    if (!product) throw new Error('no product for the line');
    // The counterparty changes a two-way field in Oneflow; it has not been fetched yet.
    await oneflow.update(contractId, product.id, { quantity: { amount: 20 } });
    await clearLogs(stack);

    const again = await stack.api('POST', 'contracts', {
      token: alex,
      body: { entity: 'opportunity', recordId: record.id },
    });

    // Before the fix, this re-ran the initial transfer and wrote every field of Dynamics over Oneflow's.
    expect(quantityOf(await oneflow.productOf(contractId, supportLine))).toBe(20);
    expectStatus(again, 409);
    expect(again.body).toMatchObject({ error: { code: 'contract_exists' } });
    expect((again.body as { error: { message: string } }).error.message).toContain(String(contractId));
    expect(quantityOf(await oneflow.productOf(contractId, supportLine))).toBe(20);
    expect(await writesLogged(stack)).toEqual([]);
  });
});

describe('push (P1–P5)', () => {
  test('P1: push writes changed two-way and Dynamics-to-Oneflow fields of a line, never a sync-once field', async () => {
    await saveOpportunitySettings(stack, (settings) => ({
      ...settings,
      mappings: settings.mappings.map((mapping) =>
        mapping.oneflowField === 'description' ? { ...mapping, direction: 'sync_once' } : mapping,
      ),
    }));
    try {
      const { record, contractId } = await contractForFreshRecord();
      const [catalog] = record.lines;
      const before = await oneflow.productOf(contractId, catalog);
      // sync_once is written at creation.
      expect(descriptionText(before)).toBe((await dynamics.line(catalog))?.description);

      await dynamics.update(catalog, {
        quantity: 4, // two_way
        manualdiscountamount: 40, // dynamics_to_oneflow (a line total; Oneflow's discount is per unit)
        description: 'Changed in Dynamics after the contract was made', // sync_once
      });
      const pushed = await runAction(stack, alex, contractId, 'push');

      expect(pushed.outcome).toBe('applied');
      const written = changesOf(pushed.plan, catalog);
      expect(written.map((change) => change.oneflowField).sort()).toEqual(
        ['price_1.discount_amount', 'quantity'].sort(),
      );
      expect(written.every((change) => change.rule === 'P1' && change.side === 'oneflow')).toBe(true);

      const after = await oneflow.productOf(contractId, catalog);
      expect(after?.id).toBe(before?.id);
      expect(quantityOf(after)).toBe(4);
      expect(
        Number(
          (after as { price_1?: { discount_amount?: { amount?: string } } }).price_1?.discount_amount?.amount,
        ),
      ).toBe(10);
      expect(after?.description).toBe(before?.description);
    } finally {
      await restoreDefaultSettings(stack);
    }
  });

  test('P2: a line added in Dynamics gets its Oneflow product and link at push', async () => {
    const { record, contractId } = await contractForFreshRecord();
    const added = lineId(900 + nextRecord, 1);
    await dynamics.addWriteInLine(record.id, added, {
      productdescription: 'Extra training day',
      priceperunit: 800,
      quantity: 2,
    });

    const pushed = await runAction(stack, alex, contractId, 'push');

    expect(pushed.summary.productsCreated).toBe(1);
    expect(pushed.plan.operations.find((operation) => operation.lineId === added)).toMatchObject({
      kind: 'create_product',
      rule: 'P2',
    });
    const product = await oneflow.productOf(contractId, added);
    expect(product?.name).toBe('Extra training day');
    expect(quantityOf(product)).toBe(2);
    expect(Number(product?.price_1?.base_amount?.amount)).toBe(800);
    const link = (await linksOf(stack, contractId)).find((candidate) => candidate.lineId === added);
    expect(link).toMatchObject({ productId: product?.id, state: 'active' });
    expect(await oneflow.products(contractId)).toHaveLength(4);
  });

  test('P3: a line deleted in Dynamics deletes its product at push and drops its link', async () => {
    const { record, contractId } = await contractForFreshRecord();
    const [, removed] = record.lines;
    const product = await oneflow.productOf(contractId, removed);
    expect(product).toBeDefined();
    await dynamics.remove(removed);

    const pushed = await runAction(stack, alex, contractId, 'push');

    expect(pushed.summary.productsDeleted).toBe(1);
    expect(pushed.plan.operations.find((operation) => operation.lineId === removed)).toMatchObject({
      kind: 'delete_product',
      rule: 'P3',
      productId: product?.id,
    });
    const remaining = await oneflow.products(contractId);
    expect(remaining.map((candidate) => candidate.id)).not.toContain(product?.id);
    expect(remaining).toHaveLength(2);
    expect((await linksOf(stack, contractId)).map((link) => link.lineId).sort()).toEqual(
      [record.lines[0], record.lines[2]].sort(),
    );
  });

  test('P4: a product added by hand in Oneflow is left untouched by push', async () => {
    const { record, contractId, groupId } = await contractForFreshRecord();
    const handMade = await oneflow.add(contractId, groupId, {
      name: 'Added by the counterparty',
      price_1: { base_amount: { amount: '42.00' } },
      quantity: { type: 'quantity', amount: 3 },
    });
    await dynamics.update(record.lines[2], { quantity: 2 }); // something else to push
    await clearLogs(stack);

    const pushed = await runAction(stack, alex, contractId, 'push');

    expect(pushed.summary.untouchedProducts).toBe(1);
    expect(pushed.plan.operations).toContainEqual(
      expect.objectContaining({ kind: 'skip', rule: 'P4', productId: handMade.id }),
    );
    const still = (await oneflow.products(contractId)).find((product) => product.id === handMade.id);
    expect(still).toMatchObject({ name: 'Added by the counterparty', quantity: { amount: 3 } });
    expect(still?.price_1?.base_amount?.amount).toBe('42.00');
    const oneflowWrites = (await requestLog(stack, 'oneflow')).requests.filter(
      (request) => request.method !== 'GET',
    );
    expect(oneflowWrites.length).toBeGreaterThan(0); // the other change was pushed
    expect(oneflowWrites.filter((request) => request.url.includes(String(handMade.id)))).toEqual([]);
  });

  test('P5: a product deleted in Oneflow is created again at push, and the answer says so', async () => {
    const { record, contractId } = await contractForFreshRecord();
    const [catalog] = record.lines;
    const deleted = await oneflow.productOf(contractId, catalog);
    if (!deleted) throw new Error('no product for the catalog line');
    await oneflow.remove(contractId, deleted.id);

    const pushed = await runAction(stack, alex, contractId, 'push');

    const operation = pushed.plan.operations.find((candidate) => candidate.lineId === catalog);
    expect(operation).toMatchObject({ kind: 'create_product', rule: 'P5' });
    expect(operation?.reason).toMatch(/deleted in Oneflow/i);
    expect(pushed.summary.productsCreated).toBe(1);
    const recreated = await oneflow.productOf(contractId, catalog);
    expect(recreated).toBeDefined();
    expect(recreated?.id).not.toBe(deleted.id);
    expect(quantityOf(recreated)).toBe(quantityOf(deleted));
    const link = (await linksOf(stack, contractId)).find((candidate) => candidate.lineId === catalog);
    expect(link).toMatchObject({ productId: recreated?.id, state: 'active' });
  });
});

describe('fetch (F1–F4)', () => {
  test('F1: a product deleted in Oneflow leaves its line in Dynamics at fetch, and its link is marked deleted_in_oneflow', async () => {
    const { record, contractId } = await contractForFreshRecord();
    const [catalog] = record.lines;
    const product = await oneflow.productOf(contractId, catalog);
    if (!product) throw new Error('no product for the catalog line');
    await oneflow.remove(contractId, product.id);
    await clearLogs(stack);

    const fetched = await runAction(stack, alex, contractId, 'fetch');

    expect(fetched.plan.operations.find((operation) => operation.lineId === catalog)).toMatchObject({
      kind: 'skip',
      rule: 'F1',
    });
    expect(await dynamics.line(catalog)).not.toBeNull();
    expect(await dynamics.linesOf(record.id)).toHaveLength(3);
    expect((await writesLogged(stack)).filter((write) => write.startsWith('DELETE'))).toEqual([]);
    const link = (await linksOf(stack, contractId)).find((candidate) => candidate.lineId === catalog);
    expect(link).toMatchObject({ productId: product.id, state: 'deleted_in_oneflow' });
  });

  test('F2: a product added in Oneflow is not brought into Dynamics at fetch', async () => {
    const { record, contractId, groupId } = await contractForFreshRecord();
    const handMade = await oneflow.add(contractId, groupId, {
      name: 'Counterparty extra',
      price_1: { base_amount: { amount: '15.00' } },
      quantity: { type: 'quantity', amount: 1 },
    });
    await clearLogs(stack);

    const fetched = await runAction(stack, alex, contractId, 'fetch');

    expect(fetched.summary.untouchedProducts).toBe(1);
    expect(fetched.plan.operations).toContainEqual(
      expect.objectContaining({ kind: 'skip', rule: 'F2', productId: handMade.id }),
    );
    expect((await dynamics.linesOf(record.id)).map((line) => line.opportunityproductid).sort()).toEqual(
      [...record.lines].sort(),
    );
    expect(await writesLogged(stack)).toEqual([]);
    expect((await linksOf(stack, contractId)).map((link) => link.productId)).not.toContain(handMade.id);
  });

  test('F3: a quantity changed in Oneflow is written to its line at fetch (quantity is two-way by default)', async () => {
    const { record, contractId } = await contractForFreshRecord();
    const [, supportLine] = record.lines;
    const product = await oneflow.productOf(contractId, supportLine);
    if (!product) throw new Error('no product for the line');
    await oneflow.update(contractId, product.id, { quantity: { amount: 20 } });

    const fetched = await runAction(stack, alex, contractId, 'fetch');

    expect(fetched.outcome).toBe('applied');
    expect(fetched.summary.linesUpdated).toBe(1);
    expect(changesOf(fetched.plan, supportLine)).toEqual([
      expect.objectContaining({
        kind: 'update_line',
        rule: 'F3',
        oneflowField: 'quantity',
        side: 'dynamics',
      }),
    ]);
    expect((await dynamics.line(supportLine))?.quantity).toBe(20);
    const link = (await linksOf(stack, contractId)).find((candidate) => candidate.lineId === supportLine);
    expect(link?.base.quantity).toEqual({ dynamics: '20', oneflow: '20' });
    // Converged: neither action has anything left for the line.
    expect(changesOf((await planOf(stack, alex, contractId, 'push')).plan, supportLine)).toEqual([]);
    expect(changesOf((await planOf(stack, alex, contractId, 'fetch')).plan, supportLine)).toEqual([]);
  });

  test('F4: a price changed in Oneflow is applied to a write-in line and skipped, with its reason, on a catalog line', async () => {
    const { record, contractId } = await contractForFreshRecord();
    const [catalog, , writeIn] = record.lines;
    const catalogProduct = await oneflow.productOf(contractId, catalog);
    const writeInProduct = await oneflow.productOf(contractId, writeIn);
    if (!catalogProduct || !writeInProduct) throw new Error('products missing');
    const catalogPriceBefore = (await dynamics.line(catalog))?.priceperunit;
    await oneflow.update(contractId, catalogProduct.id, { price_1: { base_amount: { amount: '30.00' } } });
    await oneflow.update(contractId, writeInProduct.id, { price_1: { base_amount: { amount: '1750.00' } } });

    const fetched = await runAction(stack, alex, contractId, 'fetch');

    expect((await dynamics.line(writeIn))?.priceperunit).toBe(1750);
    expect(changesOf(fetched.plan, writeIn)).toContainEqual(
      expect.objectContaining({
        oneflowField: 'price_1.base_amount',
        dynamicsField: 'priceperunit',
        new: 1750,
      }),
    );
    expect((await dynamics.line(catalog))?.priceperunit).toBe(catalogPriceBefore);
    expect(changesOf(fetched.plan, catalog)).toEqual([]);
    const skipped = notesOf(fetched.plan, catalog).find(
      (note) => note.oneflowField === 'price_1.base_amount',
    );
    expect(skipped).toMatchObject({ kind: 'catalog_price', rule: 'F4', dynamicsField: 'priceperunit' });
    expect(skipped?.reason).toMatch(/catalog/i);
    expect(skipped?.reason).toMatch(/price list/i);
  });
});

describe('dry run', () => {
  test('the push and fetch plans show the pending changes and write nothing to Oneflow, Dynamics or the tables', async () => {
    const { record, contractId } = await contractForFreshRecord();
    const [catalog, supportLine] = record.lines;
    await dynamics.update(catalog, { quantity: 6 });
    const supportProduct = await oneflow.productOf(contractId, supportLine);
    if (!supportProduct) throw new Error('no product');
    await oneflow.update(contractId, supportProduct.id, { quantity: { amount: 14 } });
    const linksBefore = await linksOf(stack, contractId);
    const contractBefore = await stack.services.store.contracts.getById(FIXTURE.contoso, contractId);
    const activityBefore = await stack.services.store.activity.list(FIXTURE.contoso, { contractId });
    const oneflowBefore = await oneflow.products(contractId);
    const dynamicsBefore = await dynamics.linesOf(record.id);
    await clearLogs(stack);

    const pushPlan = await planOf(stack, alex, contractId, 'push');
    const fetchPlan = await planOf(stack, alex, contractId, 'fetch');

    expect(pushPlan.applied).toBe(false);
    expect(changesOf(pushPlan.plan, catalog)).toContainEqual(
      expect.objectContaining({ oneflowField: 'quantity', old: '10', new: '6', side: 'oneflow' }),
    );
    expect(fetchPlan.applied).toBe(false);
    expect(changesOf(fetchPlan.plan, supportLine)).toContainEqual(
      expect.objectContaining({ oneflowField: 'quantity', new: 14, side: 'dynamics' }),
    );
    expect(await writesLogged(stack)).toEqual([]);
    expect((await requestLog(stack, 'oneflow')).total).toBeGreaterThan(0); // it did read
    expect(await linksOf(stack, contractId)).toEqual(linksBefore);
    expect(await stack.services.store.contracts.getById(FIXTURE.contoso, contractId)).toEqual(contractBefore);
    expect(await stack.services.store.activity.list(FIXTURE.contoso, { contractId })).toEqual(activityBefore);
    expect(await oneflow.products(contractId)).toEqual(oneflowBefore);
    expect(await dynamics.linesOf(record.id)).toEqual(dynamicsBefore);

    // The preview is what a push then does.
    const pushed = await runAction(stack, alex, contractId, 'push');
    expect(pushed.plan.operations).toEqual(pushPlan.plan.operations);
  });

  test('a plan for an action other than push or fetch is a 400 naming query.action', async () => {
    const { contractId } = await contractForFreshRecord();
    await clearLogs(stack);
    for (const query of ['?action=sync', '']) {
      const answer = await stack.api('GET', `contracts/${contractId}/plan${query}`, { token: alex });
      expectStatus(answer, 400);
      const error = (answer.body as { error: { code: string; details: { field: string }[] } }).error;
      expect(error.code).toBe('bad_request');
      expect(error.details.map((detail) => detail.field)).toContain('query.action');
    }
    expect(await writesLogged(stack)).toEqual([]);
  });
});

describe('toggle off', () => {
  test('with product sync turned off, push and fetch are refused plainly and write nothing', async () => {
    const { record, contractId } = await contractForFreshRecord();
    const [catalog, supportLine] = record.lines;
    await dynamics.update(catalog, { quantity: 3 });
    const supportProduct = await oneflow.productOf(contractId, supportLine);
    if (!supportProduct) throw new Error('no product');
    await oneflow.update(contractId, supportProduct.id, { quantity: { amount: 30 } });
    await saveOpportunitySettings(stack, (settings) => ({ ...settings, productsEnabled: false }));
    try {
      const linksBefore = await linksOf(stack, contractId);
      const oneflowBefore = await oneflow.products(contractId);
      const dynamicsBefore = await dynamics.linesOf(record.id);
      await clearLogs(stack);

      for (const action of ['push', 'fetch'] as const) {
        const answer = await runAction(stack, alex, contractId, action);
        expect(answer.outcome).toBe('refused');
        expect(answer.plan.productsEnabled).toBe(false);
        expect(answer.plan.operations).toHaveLength(1);
        expect(answer.plan.operations[0]).toMatchObject({ kind: 'skip', rule: 'OFF' });
        expect(answer.plan.operations[0]?.reason).toMatch(/turned off/i);
        expect(answer.summary.fieldsWritten).toBe(0);
      }

      expect(await writesLogged(stack)).toEqual([]);
      expect(await oneflow.products(contractId)).toEqual(oneflowBefore);
      expect(await dynamics.linesOf(record.id)).toEqual(dynamicsBefore);
      expect(await linksOf(stack, contractId)).toEqual(linksBefore);
      const [latest] = await stack.services.store.activity.list(FIXTURE.contoso, { contractId });
      expect(latest).toMatchObject({ action: 'fetch', outcome: 'refused' });
      expect(latest?.message).toMatch(/turned off/i);
    } finally {
      await restoreDefaultSettings(stack);
    }
  });
});

describe('activity', () => {
  test('activity by contract and by record lists entries newest first, with line, field, old, new, side, rule and actor', async () => {
    const { record, contractId } = await contractForFreshRecord();
    const [catalog, supportLine] = record.lines;
    await dynamics.update(catalog, { quantity: 7 });
    await runAction(stack, alex, contractId, 'push');
    const supportProduct = await oneflow.productOf(contractId, supportLine);
    if (!supportProduct) throw new Error('no product');
    await oneflow.update(contractId, supportProduct.id, { quantity: { amount: 16 } });
    await runAction(stack, alex, contractId, 'fetch');

    const byContract = await stack.api('GET', `activity?contractId=${contractId}`, { token: alex });
    expectStatus(byContract, 200);
    const entries = (byContract.body as { entries: ActivityView[] }).entries;
    expect(entries.map((entry) => entry.action)).toEqual(['fetch', 'push', 'initial_transfer']);
    const times = entries.map((entry) => Date.parse(entry.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    for (const entry of entries) {
      expect(entry.actor).toMatchObject({ kind: 'user', id: FIXTURE.users.alex.oid });
      expect(entry.contractId).toBe(contractId);
      expect(entry.recordId).toBe(record.id);
    }
    const [fetchEntry, pushEntry, createEntry] = entries;
    expect(fetchEntry?.changes).toContainEqual(
      expect.objectContaining({
        lineId: supportLine,
        productId: supportProduct.id,
        dynamicsField: 'quantity',
        oneflowField: 'quantity',
        old: 12,
        new: 16,
        side: 'dynamics',
        rule: 'F3',
      }),
    );
    expect(pushEntry?.changes).toContainEqual(
      expect.objectContaining({
        lineId: catalog,
        dynamicsField: 'quantity',
        oneflowField: 'quantity',
        old: '10',
        new: '7',
        side: 'oneflow',
        rule: 'P1',
      }),
    );
    expect(createEntry?.changes.filter((change) => change.rule === 'T1').length).toBeGreaterThanOrEqual(
      3 * 5,
    );

    const byRecord = await stack.api('GET', `activity?recordId=${record.id}`, { token: alex });
    expectStatus(byRecord, 200);
    expect((byRecord.body as { entries: ActivityView[] }).entries).toEqual(entries);
  });
});

interface ActivityView {
  action: string;
  at: string;
  contractId: number;
  recordId: string;
  actor: { kind: string; id: string };
  changes: { rule: string; lineId: string | null }[];
}

describe('one writer per contract', () => {
  test('a push that loses its lease while reading writes nothing to Oneflow and answers contract_busy', async () => {
    const { record, contractId } = await contractForFreshRecord();
    const [catalog] = record.lines;
    await dynamics.update(catalog, { quantity: 4 });
    const { store } = stack.services;
    // Table Storage stops answering the renewals: after its ttl the lease is no longer this run's.
    let acquired = 0;
    const leases = {
      ...store.leases,
      acquire: async (tenantId: string, id: number, holder: string, ttlMs: number) => {
        acquired += 1;
        if (acquired > 1) throw new Error('storage unavailable');
        return store.leases.acquire(tenantId, id, holder, ttlMs);
      },
      release: (tenantId: string, id: number, holder: string) => store.leases.release(tenantId, id, holder),
    };
    // The lines take longer to read than the lease lives.
    await stack.sim('dataverse', 'PUT', '/_sim/faults', {
      seed: 1,
      routes: { 'GET /api/data/v9.2/opportunityproducts': { latencyMs: 1500 } },
    });
    await clearLogs(stack);
    const contract = await store.contracts.getById(FIXTURE.contoso, contractId);
    if (!contract) throw new Error('no contract row');
    try {
      const run = runSync(
        {
          tenant: stack.services.tenant(FIXTURE.contoso),
          store: { ...store, leases },
          clock: () => new Date(),
          lease: { ttlMs: 300 },
        },
        {
          record: contract,
          action: 'push',
          actor: { kind: 'user', id: FIXTURE.users.alex.oid, name: null },
          dryRun: false,
        },
      );
      await expect(run).rejects.toBeInstanceOf(LeaseBusyError);
    } finally {
      await stack.sim('dataverse', 'PUT', '/_sim/faults', { seed: 1, routes: {} });
    }
    expect(quantityOf(await oneflow.productOf(contractId, catalog))).toBe(10);
    expect(await writesLogged(stack)).toEqual([]);
  });
});
