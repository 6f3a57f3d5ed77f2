/**
 * Conflicts end to end (a field changed on both sides since the last sync): the `review` policy holds the field
 * until a person resolves it through the API; the default `by_action` policy lets the action's side win and
 * marks the overwrite in the plan and the activity.
 */
import { FIXTURE, startStack, type Stack } from '../testing/stack';
import {
  changesOf,
  clearLogs,
  createContract,
  dynamicsSide,
  expectStatus,
  loadRecords,
  notesOf,
  oneflowSide,
  planOf,
  quantityOf,
  restoreDefaultSettings,
  runAction,
  saveOpportunitySettings,
  writesLogged,
  type DynamicsSide,
  type OneflowSide,
  type SyncAnswer,
  type TestRecord,
} from './syncE2eSupport';

let stack: Stack;
let alex: string;
let dynamics: DynamicsSide;
let oneflow: OneflowSide;
let records: TestRecord[];

beforeAll(async () => {
  stack = await startStack();
  alex = await stack.token('alex');
  dynamics = dynamicsSide(stack);
  oneflow = oneflowSide(stack);
  ({ records } = await loadRecords(stack, { standard: 4 }));
}, 60_000);

afterAll(async () => {
  await stack.close();
});

afterEach(async () => {
  await restoreDefaultSettings(stack);
});

function record(index: number): TestRecord {
  const found = records[index];
  if (!found) throw new Error(`no test record ${index}`);
  return found;
}

/** Changes a line's quantity in Dynamics and its product's quantity in Oneflow, to different values. */
async function changeQuantityOnBothSides(
  contractId: number,
  line: string,
  inDynamics: number,
  inOneflow: number,
): Promise<number> {
  const product = await oneflow.productOf(contractId, line);
  if (!product) throw new Error(`no product for line ${line}`);
  await dynamics.update(line, { quantity: inDynamics });
  await oneflow.update(contractId, product.id, { quantity: { amount: inOneflow } });
  return product.id;
}

const quantityChanges = (answer: SyncAnswer, line: string) =>
  changesOf(answer.plan, line).filter((change) => change.oneflowField === 'quantity');
const quantityNotes = (answer: SyncAnswer, line: string) =>
  notesOf(answer.plan, line).filter((note) => note.oneflowField === 'quantity');

test('review: a two-way field changed on both sides is held at push, and resolving it for Oneflow writes Oneflow’s value to Dynamics', async () => {
  await saveOpportunitySettings(stack, (settings) => ({
    ...settings,
    mappings: settings.mappings.map((mapping) =>
      mapping.oneflowField === 'quantity' ? { ...mapping, conflictPolicy: 'review' } : mapping,
    ),
  }));
  const { id: recordId, lines } = record(0);
  const [, supportLine, writeIn] = lines;
  const contractId = (await createContract(stack, alex, recordId)).contract.contractId;
  await changeQuantityOnBothSides(contractId, writeIn, 3, 5);
  await changeQuantityOnBothSides(contractId, supportLine, 20, 15);

  const pushed = await runAction(stack, alex, contractId, 'push');

  expect(pushed.summary.held).toBeGreaterThanOrEqual(2);
  for (const line of [writeIn, supportLine]) {
    expect(quantityChanges(pushed, line)).toEqual([]);
    const notes = quantityNotes(pushed, line);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({
      kind: 'held_for_review',
      conflict: { policy: 'review', resolvedFor: 'held' },
    });
  }
  // Nothing was written for the held field on either side.
  expect(quantityOf(await oneflow.productOf(contractId, writeIn))).toBe(5);
  expect(quantityOf(await oneflow.productOf(contractId, supportLine))).toBe(15);
  expect((await dynamics.line(writeIn))?.quantity).toBe(3);
  expect((await dynamics.line(supportLine))?.quantity).toBe(20);
  // A fetch holds it just the same.
  const fetchPlan = await planOf(stack, alex, contractId, 'fetch');
  expect(quantityChanges(fetchPlan, writeIn)).toEqual([]);
  expect(quantityNotes(fetchPlan, writeIn)).toEqual([expect.objectContaining({ kind: 'held_for_review' })]);

  const resolved = await stack.api('POST', `contracts/${contractId}/conflicts/resolve`, {
    token: alex,
    body: {
      resolutions: [
        { lineId: writeIn, oneflowField: 'quantity', keep: 'oneflow' },
        { lineId: supportLine, oneflowField: 'quantity', keep: 'dynamics' },
      ],
    },
  });

  expectStatus(resolved, 200);
  const results = (resolved.body as { results: SyncAnswer[] }).results;
  expect(results.map((result) => result.outcome)).toEqual(['applied', 'applied']);
  expect((await dynamics.line(writeIn))?.quantity).toBe(5);
  expect(quantityOf(await oneflow.productOf(contractId, writeIn))).toBe(5);
  expect(quantityOf(await oneflow.productOf(contractId, supportLine))).toBe(20);
  expect((await dynamics.line(supportLine))?.quantity).toBe(20);
  // Nothing is left for those fields: no write, no held value, in either direction.
  for (const action of ['push', 'fetch'] as const) {
    const plan = await planOf(stack, alex, contractId, action);
    for (const line of [writeIn, supportLine]) {
      expect(quantityChanges(plan, line)).toEqual([]);
      expect(quantityNotes(plan, line)).toEqual([]);
    }
    expect(plan.summary.held).toBe(0);
  }
  const [entry] = await stack.services.store.activity.list(FIXTURE.contoso, { contractId });
  expect(entry?.action).toBe('conflict_resolution');
});

test('resolving a field that is not held changes nothing it was not asked to', async () => {
  const { id: recordId, lines } = record(1);
  const [catalog] = lines;
  const contractId = (await createContract(stack, alex, recordId)).contract.contractId;
  await clearLogs(stack);

  const resolved = await stack.api('POST', `contracts/${contractId}/conflicts/resolve`, {
    token: alex,
    body: { resolutions: [{ lineId: catalog, oneflowField: 'quantity', keep: 'oneflow' }] },
  });

  expectStatus(resolved, 200);
  expect((resolved.body as { results: SyncAnswer[] }).results.map((result) => result.outcome)).toEqual([
    'nothing_to_do',
  ]);
  expect(await writesLogged(stack)).toEqual([]);
});

test('a malformed resolution is a 400 naming each bad field, and nothing is written', async () => {
  const { id: recordId } = record(2);
  const contractId = (await createContract(stack, alex, recordId)).contract.contractId;
  await clearLogs(stack);
  const answer = await stack.api('POST', `contracts/${contractId}/conflicts/resolve`, {
    token: alex,
    body: { resolutions: [{ lineId: 'not-a-guid', oneflowField: 'quantity', keep: 'both' }] },
  });
  expectStatus(answer, 400);
  const fields = (answer.body as { error: { details: { field: string }[] } }).error.details.map(
    (detail) => detail.field,
  );
  expect(fields).toEqual(expect.arrayContaining(['body.resolutions.0.lineId', 'body.resolutions.0.keep']));
  expect(await writesLogged(stack)).toEqual([]);
});

test('by_action (default): push writes Dynamics’ value, fetch would write Oneflow’s, and the plan marks the overwrite', async () => {
  const { id: recordId, lines } = record(3);
  const [, , writeIn] = lines;
  const contractId = (await createContract(stack, alex, recordId)).contract.contractId;
  const productId = await changeQuantityOnBothSides(contractId, writeIn, 3, 5);

  const pushPlan = await planOf(stack, alex, contractId, 'push');
  const pushChanges = quantityChanges(pushPlan, writeIn);
  expect(pushChanges).toHaveLength(1);
  expect(pushChanges[0]).toMatchObject({
    side: 'oneflow',
    old: '5',
    new: '3',
    conflict: { policy: 'by_action', resolvedFor: 'dynamics' },
  });
  expect(pushPlan.summary.conflictsOverwritten).toBe(1);

  const fetchPlan = await planOf(stack, alex, contractId, 'fetch');
  const fetchChanges = quantityChanges(fetchPlan, writeIn);
  expect(fetchChanges).toHaveLength(1);
  expect(fetchChanges[0]).toMatchObject({
    side: 'dynamics',
    old: 3,
    conflict: { policy: 'by_action', resolvedFor: 'oneflow' },
  });
  expect(Number(fetchChanges[0]?.new)).toBe(5);
  expect(fetchPlan.summary.conflictsOverwritten).toBe(1);

  const pushed = await runAction(stack, alex, contractId, 'push');
  expect(pushed.summary.conflictsOverwritten).toBe(1);
  expect(quantityOf((await oneflow.products(contractId)).find((product) => product.id === productId))).toBe(
    3,
  );
  const [entry] = await stack.services.store.activity.list(FIXTURE.contoso, { contractId });
  const overwrite = entry?.changes.find(
    (change) => change.lineId === writeIn && change.oneflowField === 'quantity',
  );
  expect(overwrite).toMatchObject({ side: 'oneflow', old: '5', new: '3' });
  expect(overwrite?.note).toMatch(/both sides/i);
});
