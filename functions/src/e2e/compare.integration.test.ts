/**
 * The compare (`GET /api/contracts/{id}/compare`) and the plan dry run against the real stack: the compare's
 * statuses for the seeded opportunity, both answering while a push of the same contract holds its lease and
 * writing nothing (Table Storage rows and the simulators' request logs), and the compare of a 150-line contract
 * measured in requests per side.
 */
import { CompareAnswerSchema, type CompareAnswer, type CompareField } from '@oneflow-sync/shared';
import { serviceClient, tableClient } from '../state/tables';
import { FIXTURE, startStack, type ApiAnswer, type Stack } from '../testing/stack';
import {
  clearLogs,
  createContract,
  descriptionText,
  dynamicsSide,
  expectStatus,
  lineId,
  loadRecords,
  oneflowSide,
  planOf,
  quantityOf,
  requestLog,
  restoreDefaultSettings,
  runAction,
  saveOpportunitySettings,
  writesLogged,
  type TestRecord,
} from './syncE2eSupport';
import { until } from './webhookSupport';

const BULK_LINES = 150;
const UPDATE_ROUTE = 'PUT /v1/contracts/:id/products/:productId';

let stack: Stack;
let alex: string;
let records: TestRecord[];
let bulk: { id: string; lineIds: string[] };

beforeAll(async () => {
  stack = await startStack();
  const loaded = await loadRecords(stack, { standard: 3, bulkLines: BULK_LINES });
  if (!loaded.bulk) throw new Error('no bulk record');
  records = loaded.records;
  bulk = loaded.bulk;
  alex = await stack.token('alex');
}, 60_000);

afterAll(async () => {
  await stack.close();
});

afterEach(async () => {
  await stack.sim('oneflow', 'PUT', '/_sim/faults', { seed: 1, routes: {} });
});

function compareOf(answer: ApiAnswer): CompareAnswer {
  expectStatus(answer, 200);
  // The answer is exactly the shared schema the controls read it with.
  return CompareAnswerSchema.parse(answer.body);
}

async function compare(contractId: number): Promise<CompareAnswer> {
  return compareOf(await stack.api('GET', `contracts/${String(contractId)}/compare`, { token: alex }));
}

function fieldsOf(answer: CompareAnswer, line: string): Record<string, CompareField> {
  const found = answer.lines.find((entry) => entry.lineId === line);
  if (!found) throw new Error(`line ${line} is not in the compare`);
  return Object.fromEntries(found.fields.map((field) => [field.oneflowField, field]));
}

const statusesOf = (answer: CompareAnswer, line: string): string[] =>
  Object.values(fieldsOf(answer, line)).map((field) => field.status);

/** Every row of every table, etags and timestamps included: any write changes this. */
async function tableRows(): Promise<string[]> {
  const connection = stack.azurite.connectionString;
  const rows: string[] = [];
  for await (const table of serviceClient(connection).listTables()) {
    const name = table.name ?? '';
    for await (const entity of tableClient(connection, name).listEntities()) {
      rows.push(`${name} ${JSON.stringify(entity)}`);
    }
  }
  return rows.sort();
}

test('the seeded opportunity compared: in sync, changed in Dynamics, changed in Oneflow, conflict held, added and deleted in Oneflow, not linked yet', async () => {
  const dynamics = dynamicsSide(stack);
  const oneflow = oneflowSide(stack);
  const [widget, support, writeIn] = FIXTURE.opportunityLines;
  const conflicted = lineId(900, 1);
  const deleted = lineId(900, 2);
  const added = lineId(900, 3);
  for (const [id, name, sequence] of [
    [conflicted, 'Onboarding days', 4],
    [deleted, 'Travel costs', 5],
  ] as const) {
    await dynamics.addWriteInLine(FIXTURE.opportunity, id, {
      productdescription: name,
      priceperunit: 500,
      quantity: 4,
      sequencenumber: sequence,
    });
  }
  const created = await createContract(stack, alex, FIXTURE.opportunity);
  const contractId = created.contract.contractId;
  await saveOpportunitySettings(stack, (settings) => ({
    ...settings,
    mappings: settings.mappings.map((mapping) =>
      mapping.oneflowField === 'quantity' ? { ...mapping, conflictPolicy: 'review' } : mapping,
    ),
  }));

  await dynamics.update(support, { description: 'Support hours, renewed for a second year' });
  const products = await oneflow.contract(contractId);
  const groupId = products.product_groups[0]?.id ?? 0;
  const productOf = async (line: string) => {
    const product = await oneflow.productOf(contractId, line);
    if (!product) throw new Error(`no product for ${line}`);
    return product;
  };
  await oneflow.update(contractId, (await productOf(writeIn)).id, { quantity: { amount: 3 } });
  await dynamics.update(conflicted, { quantity: 5 });
  await oneflow.update(contractId, (await productOf(conflicted)).id, { quantity: { amount: 6 } });
  await oneflow.remove(contractId, (await productOf(deleted)).id);
  const byHand = await oneflow.add(contractId, groupId, {
    name: 'Counterparty extra',
    price_1: { base_amount: { amount: '75.00' } },
    quantity: { type: 'quantity', amount: 2 },
  });
  await dynamics.addWriteInLine(FIXTURE.opportunity, added, {
    productdescription: 'Added after the contract',
    priceperunit: 20,
    quantity: 1,
    sequencenumber: 6,
  });

  await clearLogs(stack);
  const answer = await compare(contractId);

  const { name, ...contract } = answer.contract;
  expect(contract).toEqual({ id: contractId, state: 'draft' });
  expect(name).toMatch(/\S/);
  expect(answer).toMatchObject({ mainEntity: 'opportunity', recordId: FIXTURE.opportunity, refused: null });
  expect(answer.lines.map((line) => [line.lineId, line.state])).toEqual([
    [widget, 'linked'],
    [support, 'linked'],
    [writeIn, 'linked'],
    [conflicted, 'linked'],
    [deleted, 'deleted_in_oneflow'],
    [added, 'not_linked'],
  ]);
  // In sync: every field agrees, each side's value shown with the base.
  expect(new Set(statusesOf(answer, widget))).toEqual(new Set(['in_sync']));
  expect(fieldsOf(answer, widget).quantity).toMatchObject({
    dynamics: '10',
    oneflow: '10',
    base: { dynamics: '10', oneflow: '10' },
  });
  // Changed in Dynamics: Push brings it over.
  const description = fieldsOf(answer, support).description;
  expect(description).toMatchObject({
    status: 'will_push',
    dynamics: 'Support hours, renewed for a second year',
    oneflow: descriptionText(await productOf(support)),
    conflict: false,
  });
  // Changed in Oneflow on a two-way field: Fetch brings it over.
  expect(fieldsOf(answer, writeIn).quantity).toMatchObject({
    status: 'will_fetch',
    dynamics: '1',
    oneflow: '3',
    base: { dynamics: '1', oneflow: '1' },
  });
  // Changed on both sides under the review policy: held for a person.
  const held = fieldsOf(answer, conflicted).quantity;
  expect(held).toMatchObject({
    status: 'conflict_held',
    conflict: true,
    dynamics: '5',
    oneflow: '6',
    base: { dynamics: '4', oneflow: '4' },
    conflictPolicy: 'review',
  });
  expect(held?.reason).toContain('held for you to choose');
  // Deleted in Oneflow: Push adds it again.
  expect(new Set(statusesOf(answer, deleted))).toEqual(new Set(['deleted_in_oneflow']));
  expect(answer.lines[4]).toMatchObject({ name: 'Travel costs', productId: null });
  expect(answer.lines[4]?.push).toContain('deleted in Oneflow');
  // Not linked yet: Push adds it.
  expect(new Set(statusesOf(answer, added))).toEqual(new Set(['not_linked']));
  expect(fieldsOf(answer, added).quantity).toMatchObject({ dynamics: '1', oneflow: null, base: null });
  // Added by hand in Oneflow: shown, never touched.
  expect(answer.addedInOneflow).toEqual([
    expect.objectContaining({ productId: byHand.id, name: 'Counterparty extra' }),
  ]);
  expect(answer.counts).toMatchObject({
    lines: 6,
    linked: 4,
    notLinked: 1,
    deletedInOneflow: 1,
    linesInSync: 1,
    addedInOneflow: 1,
    deletedInDynamics: 0,
    push: { creates: 2, updates: 1, deletes: 0 },
    fetch: { updates: 1 },
  });
  expect(answer.counts.fields).toMatchObject({ will_push: 1, will_fetch: 1, conflict_held: 1, in_sync: 17 });

  // Both sides read once, in parallel with our own state; nothing written anywhere.
  const [dataverseLog, oneflowLog] = await Promise.all([
    requestLog(stack, 'dataverse'),
    requestLog(stack, 'oneflow'),
  ]);
  expect(oneflowLog.counts).toEqual({ 'GET /v1/contracts/:id': 1 });
  expect(dataverseLog.counts['GET /api/data/v9.2/opportunityproducts']).toBe(1);
  expect(await writesLogged(stack)).toEqual([]);

  // The compare says what the actions do: after the push, what it would push is in sync.
  const pushed = await runAction(stack, alex, contractId, 'push');
  expect(pushed.summary).toMatchObject({ productsCreated: 2, productsUpdated: 1 });
  const after = await compare(contractId);
  expect(fieldsOf(after, support).description?.status).toBe('in_sync');
  expect(fieldsOf(after, writeIn).quantity?.status).toBe('will_fetch');
  expect(fieldsOf(after, conflicted).quantity?.status).toBe('conflict_held');
  expect(after.lines.map((line) => line.state)).toEqual(Array.from({ length: 6 }, () => 'linked'));
  await restoreDefaultSettings(stack);
}, 60_000);

describe('no lease for a compare or a preview: only applying takes it', () => {
  test('while a push of the contract is applying, a compare and both previews answer 200, and a second push gets 409', async () => {
    const record = records[0];
    if (!record) throw new Error('no record');
    const contractId = (await createContract(stack, alex, record.id)).contract.contractId;
    await dynamicsSide(stack).update(record.lines[2], { quantity: 4 });
    // The push's one product update hangs in Oneflow, so the push holds the contract's lease meanwhile.
    await stack.sim('oneflow', 'PUT', '/_sim/faults', {
      seed: 1,
      routes: { [UPDATE_ROUTE]: { latencyMs: 8_000 } },
    });
    const push = stack.api('POST', `contracts/${String(contractId)}/push`, { token: alex });
    await until('the push to start writing', () =>
      stack.services.store.runs.get(FIXTURE.contoso, contractId),
    );

    const compared = await compare(contractId);
    expect(fieldsOf(compared, record.lines[2]).quantity).toMatchObject({
      status: 'will_push',
      dynamics: '4',
    });
    expect((await planOf(stack, alex, contractId, 'push')).summary.productsUpdated).toBe(1);
    expect((await planOf(stack, alex, contractId, 'fetch')).applied).toBe(false);
    const busy = await stack.api('POST', `contracts/${String(contractId)}/push`, { token: alex });
    expect(busy.status).toBe(409);
    expect((busy.body as { error: { code: string } }).error.code).toBe('contract_busy');
    // All of that answered while the push was still applying: its run row is still there.
    expect(await stack.services.store.runs.get(FIXTURE.contoso, contractId)).not.toBeNull();

    const pushed = await push;
    expectStatus(pushed, 200);
    expect((pushed.body as { outcome: string }).outcome).toBe('applied');
    expect(quantityOf(await oneflowSide(stack).productOf(contractId, record.lines[2]))).toBe(4);
    expect(fieldsOf(await compare(contractId), record.lines[2]).quantity?.status).toBe('in_sync');
  }, 60_000);

  test('a compare and the previews under a held lease write nothing: Table Storage rows unchanged, only reads sent', async () => {
    const record = records[1];
    if (!record) throw new Error('no record');
    const contractId = (await createContract(stack, alex, record.id)).contract.contractId;
    await dynamicsSide(stack).update(record.lines[1], { quantity: 20 });
    const { leases } = stack.services.store;
    expect(await leases.acquire(FIXTURE.contoso, contractId, 'another-run', 60_000)).toBe(true);
    try {
      const before = await tableRows();
      await clearLogs(stack);

      const compared = await compare(contractId);
      expect(fieldsOf(compared, record.lines[1]).quantity?.status).toBe('will_push');
      const pushPlan = await planOf(stack, alex, contractId, 'push');
      expect(pushPlan).toMatchObject({ applied: false, outcome: 'applied', activityId: null });
      expect(pushPlan.summary.productsUpdated).toBe(1);
      expect((await planOf(stack, alex, contractId, 'fetch')).outcome).toBe('nothing_to_do');

      expect(await writesLogged(stack)).toEqual([]);
      expect((await requestLog(stack, 'oneflow')).counts).toEqual({ 'GET /v1/contracts/:id': 3 });
      expect(await tableRows()).toEqual(before);
      // Applying still waits for the lease.
      const busy = await stack.api('POST', `contracts/${String(contractId)}/push`, { token: alex });
      expect(busy.status).toBe(409);
    } finally {
      await leases.release(FIXTURE.contoso, contractId, 'another-run');
    }
  }, 60_000);
});

test('a contract deleted in Oneflow: the compare answers 410 and marks it, as a preview does', async () => {
  const record = records[2];
  if (!record) throw new Error('no record');
  const contractId = (await createContract(stack, alex, record.id)).contract.contractId;
  const deleted = await stack.sim('oneflow', 'DELETE', `/v1/contracts/${String(contractId)}`, undefined, {
    'x-oneflow-api-token': FIXTURE.oneflowToken,
  });
  expect(deleted.status).toBeLessThan(300);

  const answer = await stack.api('GET', `contracts/${String(contractId)}/compare`, { token: alex });
  expect(answer.status).toBe(410);
  expect((answer.body as { error: { code: string } }).error.code).toBe('contract_deleted');
  const stored = await stack.services.store.contracts.getById(FIXTURE.contoso, contractId);
  expect(stored?.deletedInOneflowAt).not.toBeNull();
  const activity = await stack.api('GET', `activity?contractId=${String(contractId)}`, { token: alex });
  expectStatus(activity, 200);
  const { entries } = activity.body as { entries: { action: string; message: string }[] };
  expect(entries.filter((entry) => entry.action === 'contract_deleted')).toEqual([
    expect.objectContaining({ message: expect.stringContaining('Found by Compare') as unknown }),
  ]);
  // Marked: the next compare is answered from the stored mark, without asking Oneflow.
  await clearLogs(stack);
  expect((await stack.api('GET', `contracts/${String(contractId)}/compare`, { token: alex })).status).toBe(
    410,
  );
  expect((await requestLog(stack, 'oneflow')).total).toBe(0);
}, 60_000);

test(`compare of a ${BULK_LINES}-line contract: one read of each side`, async () => {
  const dynamics = dynamicsSide(stack);
  const contractId = (await createContract(stack, alex, bulk.id)).contract.contractId;
  // Every line changed in Dynamics, so every line has a field to push.
  await dynamics.updateMany(
    bulk.lineIds.map((id, index) => ({ id, values: { quantity: 20 + (index % 5) } })),
  );

  await clearLogs(stack);
  const started = Date.now();
  const answer = await compare(contractId);
  const ms = Date.now() - started;
  const [dataverseLog, oneflowLog] = await Promise.all([
    requestLog(stack, 'dataverse'),
    requestLog(stack, 'oneflow'),
  ]);
  console.log(
    `compare (${String(BULK_LINES)} lines, ${String(ms)} ms): Dataverse ${String(dataverseLog.total)} requests ${JSON.stringify(
      dataverseLog.counts,
    )}; Oneflow ${String(oneflowLog.total)} requests ${JSON.stringify(oneflowLog.counts)}`,
  );

  expect(answer.counts).toMatchObject({ lines: BULK_LINES, linked: BULK_LINES });
  expect(answer.counts.fields.will_push).toBe(BULK_LINES);
  expect(answer.counts.push.updates).toBe(BULK_LINES);
  // The contract (with its products) once; the lines once; the metadata is the process's cache by now.
  expect(oneflowLog.counts).toEqual({ 'GET /v1/contracts/:id': 1 });
  expect(dataverseLog.counts).toEqual({ 'GET /api/data/v9.2/opportunityproducts': 1 });
  expect(await writesLogged(stack)).toEqual([]);
}, 60_000);
