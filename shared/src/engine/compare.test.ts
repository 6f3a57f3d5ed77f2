import { CompareAnswerSchema, type CompareAnswer, type CompareField } from '../api/compare';
import type { OneflowFieldKey } from '../fieldCatalog';
import type { EntitySettings } from '../settings';
import {
  apply,
  editLine,
  editProduct,
  inputOf,
  line,
  opportunitySettings,
  productOf,
  T1,
  T2,
  transferred,
} from '../testing/fixtures';
import type { InMemoryState } from './applyInMemory';
import { compareContract } from './compare';
import { planFetch, planPush } from './planners';

const SUBJECT = { contract: { state: 'draft' as const, name: 'Deal' }, recordId: 'record-1' };

function compare(state: InMemoryState, settings: EntitySettings = opportunitySettings()): CompareAnswer {
  // Built through the answer's schema, as the route answers it.
  return CompareAnswerSchema.parse(compareContract(inputOf(state, settings, T2), SUBJECT));
}

function field(answer: CompareAnswer, lineId: string, key: OneflowFieldKey): CompareField {
  const found = answer.lines
    .find((entry) => entry.lineId === lineId)
    ?.fields.find((f) => f.oneflowField === key);
  if (!found) throw new Error(`no field ${key} on line ${lineId}`);
  return found;
}

const statuses = (answer: CompareAnswer, lineId: string) =>
  Object.fromEntries(
    (answer.lines.find((entry) => entry.lineId === lineId)?.fields ?? []).map((f) => [
      f.oneflowField,
      f.status,
    ]),
  );

describe('compare: a status per linked line and mapped field, read from the push and fetch plans', () => {
  it('in sync: right after the transfer every field agrees, with both values and the base', () => {
    const answer = compare(transferred([line('a', { quantity: 3 }), line('b')]));
    expect(answer.counts).toMatchObject({ lines: 2, linked: 2, linesInSync: 2, notLinked: 0 });
    expect(answer.counts.fields.in_sync).toBe(10);
    expect(field(answer, 'a', 'quantity')).toEqual({
      oneflowField: 'quantity',
      dynamicsField: 'quantity',
      label: 'Quantity',
      direction: 'two_way',
      conflictPolicy: 'by_action',
      dynamics: '3',
      oneflow: '3',
      base: { dynamics: '3', oneflow: '3' },
      status: 'in_sync',
      conflict: false,
      reason: null,
    });
    expect(answer.lines[0]).toMatchObject({ name: 'Product a', state: 'linked', push: null, notes: [] });
    expect(answer.contract).toEqual({ id: 9001, state: 'draft', name: 'Deal' });
  });

  it('P1: a field changed in Dynamics will be pushed; F3: a field changed in Oneflow will be fetched', () => {
    let state = transferred([line('a'), line('b')]);
    state = editLine(state, 'a', { quantity: 7 });
    state = editProduct(state, 'b', 'quantity', '9');
    const answer = compare(state);
    expect(field(answer, 'a', 'quantity')).toMatchObject({
      dynamics: '7',
      oneflow: '2',
      status: 'will_push',
    });
    expect(field(answer, 'b', 'quantity')).toMatchObject({
      dynamics: '2',
      oneflow: '9',
      status: 'will_fetch',
    });
    expect(statuses(answer, 'a')).toMatchObject({ name: 'in_sync', description: 'in_sync' });
    expect(answer.counts.fields).toMatchObject({ will_push: 1, will_fetch: 1, in_sync: 8 });
    expect(answer.counts.push).toEqual({ creates: 0, updates: 1, deletes: 0 });
    expect(answer.counts.fetch).toEqual({ updates: 1 });
  });

  it('one-way fields belong to their source: a Dynamics-to-Oneflow name edited in Oneflow will be pushed back', () => {
    const state = editProduct(transferred([line('a')]), 'a', 'name', 'Renamed in Oneflow');
    expect(field(compare(state), 'a', 'name')).toMatchObject({
      dynamics: 'Product a',
      oneflow: 'Renamed in Oneflow',
      status: 'will_push',
      conflict: false,
    });
  });

  it.each([
    ['review', 'conflict_held', /held for you to choose/],
    ['by_action', 'conflict', /Push keeps Dynamics' value, Fetch keeps Oneflow's/],
    ['dynamics_wins', 'will_push', null],
    ['oneflow_wins', 'will_fetch', null],
  ] as const)('conflicts: a field changed on both sides under policy %s is %s', (policy, status, reason) => {
    let state = transferred([line('a')], opportunitySettings({ quantity: { conflictPolicy: policy } }));
    state = editLine(state, 'a', { quantity: 4 });
    state = editProduct(state, 'a', 'quantity', '5');
    const answer = compare(state, opportunitySettings({ quantity: { conflictPolicy: policy } }));
    const quantity = field(answer, 'a', 'quantity');
    expect(quantity).toMatchObject({ dynamics: '4', oneflow: '5', base: { dynamics: '2', oneflow: '2' } });
    expect(quantity.status).toBe(status);
    expect(quantity.conflict).toBe(true);
    if (reason) expect(quantity.reason).toMatch(reason);
  });

  it('skipped with reason: a field written only into an empty Oneflow field that has a value', () => {
    const settings = opportunitySettings({ description: { writeCondition: 'only_if_target_empty' } });
    let state = transferred([line('a', { description: 'First' })], settings);
    state = editLine(state, 'a', { description: 'Second' });
    const description = field(compare(state, settings), 'a', 'description');
    expect(description.status).toBe('skipped');
    expect(description.reason).toMatch(/only into an empty field/);
  });

  it('skipped with reason: a sync-once field that differs never moves after the transfer', () => {
    const settings = opportunitySettings({ name: { direction: 'sync_once' } });
    const state = editLine(transferred([line('a')], settings), 'a', { productidname: 'Renamed' });
    const name = field(compare(state, settings), 'a', 'name');
    expect(name).toMatchObject({ status: 'skipped', dynamics: 'Renamed', oneflow: 'Product a' });
    expect(name.reason).toMatch(/Sync once/);
  });

  it('skipped with reason: values Oneflow would refuse together hold the whole line, and the line says why', () => {
    // A discount of 150 per unit on a base of 100: Oneflow needs the base to exceed the discount.
    const state = editLine(transferred([line('a')]), 'a', { manualdiscountamount: 300 });
    const answer = compare(state);
    const discount = field(answer, 'a', 'price_1.discount_amount');
    expect(discount).toMatchObject({ status: 'skipped', dynamics: '300.00', oneflow: '0.00' });
    expect(discount.reason).toMatch(/not updated until these values are fixed.*base amount/);
    expect(answer.lines[0]?.notes).toEqual([expect.stringMatching(/base amount \(100.00\) to exceed/)]);
    expect(answer.counts.push.updates).toBe(0);
  });

  it('a line discount nobody changed follows its quantity: fetched with it, not a conflict, and the reason names both actions', () => {
    // 25 off the line at 10 units is 2.50 a unit; the counterparty makes it 12 units in Oneflow.
    const state = editProduct(
      transferred([line('a', { quantity: 10, priceperunit: 25, manualdiscountamount: 25 })]),
      'a',
      'quantity',
      '12',
    );
    const answer = compare(state);
    expect(field(answer, 'a', 'quantity').status).toBe('will_fetch');
    const discount = field(answer, 'a', 'price_1.discount_amount');
    expect(discount).toMatchObject({
      dynamics: '25.00',
      oneflow: '2.50',
      base: { dynamics: '25.00', oneflow: '2.50' },
      status: 'will_fetch',
      conflict: false,
    });
    // Fetch makes the line total follow the contract's per-unit discount, and a push leaves the contract's alone.
    expect(discount.reason).toBe(
      "Manual Discount 25.00 → 30.00: the quantity changed in Oneflow (10 → 12), and the contract keeps its discount of 2.50 per unit, so the line now has 12 × 2.50 off. Price 1: discount amount stays 2.50: the contract's quantity is 12 (Dynamics has 10, which this push does not send), and neither side changed the discount since the last sync, so the contract keeps its 2.50 per unit; Fetch brings the quantity into Dynamics, with a Manual Discount of 12 × 2.50 for the line.",
    );
  });

  it('F4: a catalog line price changed in Oneflow is restored by push, and says why fetch would skip it', () => {
    const state = editProduct(transferred([line('a')]), 'a', 'price_1.base_amount', '120');
    const price = field(compare(state), 'a', 'price_1.base_amount');
    expect(price).toMatchObject({ dynamics: '100.00', oneflow: '120.00', status: 'will_push' });
    const skip = planFetch(inputOf(state, opportunitySettings(), T2)).operations.flatMap(
      (operation) => operation.notes,
    );
    const catalog = skip.find((note) => note.kind === 'catalog_price');
    expect(catalog).toBeDefined();
    expect(price.reason).toBe(catalog?.reason);
  });

  it('P4/P5/P2/P3: products added in Oneflow, deleted in Oneflow, lines not linked yet and lines deleted in Dynamics', () => {
    let state = transferred([line('a'), line('b'), line('c')]);
    const deleted = productOf(state, 'b');
    state = {
      ...state,
      // Product b deleted in Oneflow, a product added by hand, line c deleted and line d added in Dynamics.
      productGroups: state.productGroups.map((group) => ({
        ...group,
        products: [
          ...group.products.filter((product) => product.id !== deleted.id),
          { id: 500, name: 'Added by hand', quantity: { type: 'quantity', amount: '3' } },
        ],
      })),
      lines: [
        ...state.lines.filter((entry) => entry.id !== 'c'),
        line('d', { quantity: 6 }, { modifiedOn: T1 }),
      ],
    };
    const answer = compare(state);
    expect(answer.lines.map((entry) => [entry.lineId, entry.state, entry.productId])).toEqual([
      ['a', 'linked', productOf(state, 'a').id],
      ['b', 'deleted_in_oneflow', null],
      ['d', 'not_linked', null],
    ]);
    expect(statuses(answer, 'b')).toEqual(
      Object.fromEntries(
        ['name', 'description', 'price_1.base_amount', 'quantity', 'price_1.discount_amount'].map((key) => [
          key,
          'deleted_in_oneflow',
        ]),
      ),
    );
    expect(answer.lines[1]?.push).toMatch(/deleted in Oneflow/);
    expect(field(answer, 'b', 'quantity')).toMatchObject({
      dynamics: '2',
      oneflow: null,
      base: { dynamics: '2' },
    });
    expect(field(answer, 'd', 'quantity')).toMatchObject({ status: 'not_linked', dynamics: '6', base: null });
    expect(answer.lines[2]?.push).toMatch(/New line in Dynamics/);
    expect(answer.addedInOneflow).toEqual([
      expect.objectContaining({
        productId: 500,
        name: 'Added by hand',
        values: expect.arrayContaining([
          { oneflowField: 'quantity', label: 'Quantity', value: '3' },
        ]) as unknown,
      }),
    ]);
    expect(answer.deletedInDynamics).toEqual([
      expect.objectContaining({
        lineId: 'c',
        name: 'Product c',
        reason: expect.stringMatching(/deleted in Dynamics/) as unknown,
      }),
    ]);
    expect(answer.counts).toMatchObject({
      lines: 3,
      linked: 1,
      notLinked: 1,
      deletedInOneflow: 1,
      addedInOneflow: 1,
      deletedInDynamics: 1,
      push: { creates: 2, updates: 0, deletes: 1 },
    });
  });

  it('OFF: with product sync turned off every field is skipped with the refusal', () => {
    const settings = opportunitySettings({}, { productsEnabled: false });
    const state = editLine(transferred([line('a')]), 'a', { quantity: 5 });
    const answer = compare(state, settings);
    expect(answer.refused).toMatch(/turned off/);
    expect(answer.productsEnabled).toBe(false);
    expect(new Set(answer.lines[0]?.fields.map((f) => f.status))).toEqual(new Set(['skipped']));
  });

  it('after push and fetch are applied, nothing is left to push or fetch: the compare says what they do', () => {
    let state = transferred([line('a'), line('b'), line('c')]);
    state = editLine(state, 'a', { quantity: 7, description: 'Longer' });
    state = editProduct(state, 'b', 'quantity', '9');
    state = editProduct(state, 'c', 'name', 'Renamed');
    const before = compare(state);
    expect(before.counts.fields.will_push).toBe(3);
    expect(before.counts.fields.will_fetch).toBe(1);
    const settings = opportunitySettings();
    state = apply(state, planPush(inputOf(state, settings, T2)), T2);
    state = apply(state, planFetch(inputOf(state, settings, T2)), T2);
    const after = compare(state);
    expect(after.counts.linesInSync).toBe(3);
    expect(after.counts.fields.in_sync).toBe(15);
  });
});
