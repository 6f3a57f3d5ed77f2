import { builtInSalesLineAttributes, type DynamicsAttribute } from '../dynamics';
import type { Operation, SyncPlan } from '../plan';
import type { EntitySettings } from '../settings';
import {
  apply,
  CONTRACT_ID,
  editLine,
  editProduct,
  emptyState,
  GROUP_ID,
  inputOf,
  line,
  opportunitySettings,
  productOf,
  T0,
  T1,
  T2,
  transferred,
  writes,
} from '../testing/fixtures';
import { planFetch, planInitialTransfer, planPush } from './planners';

function only<K extends Operation['kind']>(plan: SyncPlan, kind: K): Extract<Operation, { kind: K }> {
  const found = plan.operations.filter(
    (operation): operation is Extract<Operation, { kind: K }> => operation.kind === kind,
  );
  expect(found).toHaveLength(1);
  const [first] = found;
  if (!first) throw new Error(`no ${kind} operation`);
  return first;
}

describe('Create contract (T1)', () => {
  it('T1: every line becomes an Oneflow product with every mapped field, whatever its direction (sync once included)', () => {
    const settings = opportunitySettings({ name: { direction: 'sync_once' } });
    const state = emptyState([
      line('a', { description: 'Blue', manualdiscountamount: 20 }),
      line('b', { quantity: 5 }),
    ]);
    const plan = planInitialTransfer(inputOf(state, settings));
    const creates = plan.operations.filter((operation) => operation.kind === 'create_product');
    expect(creates).toHaveLength(2);
    expect(creates[0]).toMatchObject({
      rule: 'T1',
      lineId: 'a',
      customId: 'a',
      groupId: GROUP_ID,
      values: {
        name: 'Product a',
        description: 'Blue',
        'price_1.base_amount': '100.00',
        quantity: '2',
        'price_1.discount_amount': '10.00',
      },
    });
    expect(plan.links.map((link) => [link.lineId, link.productId, link.state])).toEqual([
      ['a', null, 'active'],
      ['b', null, 'active'],
    ]);
    expect(plan.links[0]?.base.name).toEqual({ dynamics: 'Product a', oneflow: 'Product a' });
  });

  it('T1: re-running after a crash finds the products by custom_id and links them instead of making duplicates', () => {
    const state = transferred([line('a'), line('b')]);
    const crashed = { ...state, links: [] };
    const plan = planInitialTransfer(inputOf(crashed, opportunitySettings()));
    expect(writes(plan)).toEqual([]);
    expect(plan.links.map((link) => link.productId)).toEqual([
      productOf(state, 'a').id,
      productOf(state, 'b').id,
    ]);
  });

  it('T1: a product left half-written by a crash is brought up to date, not duplicated', () => {
    const state = editProduct(transferred([line('a')]), 'a', 'quantity', '9');
    const plan = planInitialTransfer(inputOf({ ...state, links: [] }, opportunitySettings()));
    const update = only(plan, 'update_product');
    expect(update.changes).toEqual([
      expect.objectContaining({ oneflowField: 'quantity', old: '9', new: '2', side: 'oneflow' }),
    ]);
  });

  it('T1: products already in the template are left untouched', () => {
    const state = emptyState([line('a')], [{ id: 500, name: 'Setup fee' }]);
    const plan = planInitialTransfer(inputOf(state, opportunitySettings()));
    expect(plan.operations.find((operation) => operation.kind === 'skip')).toMatchObject({
      rule: 'P4',
      productId: 500,
    });
  });
});

describe('Push (P1–P5)', () => {
  it('P1: a linked line writes only Dynamics-to-Oneflow and two-way fields whose values differ, never sync-once fields', () => {
    const settings = opportunitySettings({ name: { direction: 'sync_once' } });
    let state = transferred([line('a'), line('b')], settings);
    state = editLine(state, 'a', { productidname: 'Renamed', description: 'New text', priceperunit: 120 });
    const plan = planPush(inputOf(state, settings));
    const update = only(plan, 'update_product');
    expect(update).toMatchObject({ rule: 'P1', lineId: 'a', productId: productOf(state, 'a').id });
    expect(update.values).toEqual({ description: 'New text', 'price_1.base_amount': '120.00' });
    expect(update.changes.map((change) => [change.oneflowField, change.old, change.new])).toEqual([
      ['description', null, 'New text'],
      ['price_1.base_amount', '100.00', '120.00'],
    ]);
  });

  it('P1: equal values never produce writes (100 and "100.00", 2 and "2" are the same)', () => {
    const state = transferred([line('a', { priceperunit: 100.0, quantity: 2.0 })]);
    const plan = planPush(
      inputOf(editLine(state, 'a', { priceperunit: '100.000', quantity: 2 }), opportunitySettings()),
    );
    expect(plan.operations).toEqual([]);
  });

  it('P2: a line with no link (added in Dynamics) gets its Oneflow product with all mapped fields, and is linked', () => {
    let state = transferred([line('a')]);
    state = { ...state, lines: [...state.lines, line('new', { quantity: 3 })] };
    const plan = planPush(inputOf(state, opportunitySettings({ description: { direction: 'sync_once' } })));
    const create = only(plan, 'create_product');
    expect(create).toMatchObject({ rule: 'P2', lineId: 'new', customId: 'new' });
    expect(Object.keys(create.values).sort()).toEqual(
      ['description', 'name', 'price_1.base_amount', 'price_1.discount_amount', 'quantity'].sort(),
    );
    expect(plan.links.find((link) => link.lineId === 'new')).toMatchObject({
      productId: null,
      state: 'active',
    });
  });

  it('P3: a link whose line was deleted in Dynamics deletes its Oneflow product and drops the link', () => {
    const state = transferred([line('a'), line('b')]);
    const plan = planPush(
      inputOf(
        { ...state, lines: state.lines.filter((candidate) => candidate.id !== 'b') },
        opportunitySettings(),
      ),
    );
    expect(only(plan, 'delete_product')).toMatchObject({
      rule: 'P3',
      lineId: 'b',
      productId: productOf(state, 'b').id,
    });
    expect(plan.links.map((link) => link.lineId)).toEqual(['a']);
  });

  it('P4: an Oneflow product with no link (added by hand in Oneflow) is untouched and never deleted', () => {
    const state = transferred([line('a')]);
    const manual = { id: 4242, name: 'Hand-added' };
    const withManual = {
      ...state,
      lines: [],
      productGroups: state.productGroups.map((group) => ({
        ...group,
        products: [...group.products, manual],
      })),
    };
    const plan = planPush(inputOf(withManual, opportunitySettings()));
    expect(
      plan.operations.filter((operation) => 'productId' in operation && operation.productId === 4242),
    ).toEqual([expect.objectContaining({ kind: 'skip', rule: 'P4' })]);
    expect(only(plan, 'delete_product').productId).not.toBe(4242);
  });

  it('P5: a link whose product was deleted in Oneflow re-creates it, and says so', () => {
    const state = transferred([line('a')]);
    const deleted = {
      ...state,
      productGroups: state.productGroups.map((group) => ({ ...group, products: [] })),
    };
    const plan = planPush(inputOf(deleted, opportunitySettings()));
    const create = only(plan, 'create_product');
    expect(create.rule).toBe('P5');
    expect(create.reason).toMatch(/deleted in Oneflow/);
    const after = apply(deleted, plan);
    expect(after.links).toEqual([
      expect.objectContaining({ lineId: 'a', productId: productOf(after, 'a').id, state: 'active' }),
    ]);
  });
});

describe('Fetch (F1–F4)', () => {
  it('F1: a product deleted in Oneflow does not delete its line; the link is marked for the widget', () => {
    const state = transferred([line('a')]);
    const deleted = {
      ...state,
      productGroups: state.productGroups.map((group) => ({ ...group, products: [] })),
    };
    const plan = planFetch(inputOf(deleted, opportunitySettings()));
    expect(writes(plan)).toEqual([]);
    expect(plan.operations).toEqual([expect.objectContaining({ kind: 'skip', rule: 'F1', lineId: 'a' })]);
    expect(plan.links).toEqual([expect.objectContaining({ lineId: 'a', state: 'deleted_in_oneflow' })]);
  });

  it('F2: a product added in Oneflow is not pulled into Dynamics', () => {
    const state = transferred([line('a')]);
    const added = {
      ...state,
      productGroups: state.productGroups.map((group) => ({
        ...group,
        products: [...group.products, { id: 31, name: 'Extra' }],
      })),
    };
    const plan = planFetch(inputOf(added, opportunitySettings()));
    expect(writes(plan)).toEqual([]);
    expect(plan.operations).toEqual([expect.objectContaining({ kind: 'skip', rule: 'F2', productId: 31 })]);
  });

  it('F3: a linked pair writes only two-way (and Oneflow-to-Dynamics) fields whose values differ', () => {
    let state = transferred([line('a')]);
    state = editProduct(state, 'a', 'quantity', '7');
    state = editProduct(state, 'a', 'description', 'Counterparty text');
    const plan = planFetch(inputOf(state, opportunitySettings()));
    const update = only(plan, 'update_line');
    expect(update).toMatchObject({ rule: 'F3', lineId: 'a', etag: 'W/"1"', values: { quantity: 7 } });
    expect(update.changes).toEqual([
      expect.objectContaining({ dynamicsField: 'quantity', side: 'dynamics', old: 2, new: 7 }),
    ]);
  });

  it('F4: price per unit from Oneflow is applied to a write-in line', () => {
    let state = transferred([line('w', { productdescription: 'Consulting' }, { isWriteIn: true })]);
    state = editProduct(state, 'w', 'price_1.base_amount', '150.50');
    const update = only(planFetch(inputOf(state, opportunitySettings())), 'update_line');
    expect(update.values).toEqual({ priceperunit: 150.5 });
  });

  it('F4: on a catalog line price per unit is skipped, and the skip is shown with its reason', () => {
    let state = transferred([line('c')]);
    state = editProduct(state, 'c', 'price_1.base_amount', '80.00');
    const plan = planFetch(inputOf(state, opportunitySettings()));
    expect(writes(plan)).toEqual([]);
    const [skip] = plan.operations;
    expect(skip?.notes).toEqual([
      expect.objectContaining({ kind: 'catalog_price', rule: 'F4', dynamicsField: 'priceperunit' }),
    ]);
    expect(skip?.notes[0]?.reason).toMatch(/price list/);
  });

  it('F4: push restores the catalog price over an Oneflow edit, because Oneflow cannot own it', () => {
    const state = editProduct(transferred([line('c')]), 'c', 'price_1.base_amount', '80.00');
    const update = only(planPush(inputOf(state, opportunitySettings())), 'update_product');
    expect(update.changes).toEqual([
      expect.objectContaining({
        oneflowField: 'price_1.base_amount',
        old: '80.00',
        new: '100.00',
        replacesEdit: true,
      }),
    ]);
  });

  it('F4: settings refuse two-way on anything but price per unit and quantity, and the plan moves nothing', () => {
    const settings = opportunitySettings({ description: { direction: 'two_way' } });
    const plan = planFetch(inputOf(transferred([line('a')]), settings));
    expect(writes(plan)).toEqual([]);
    expect(plan.operations[0]).toMatchObject({ rule: 'SETTINGS' });
    expect(plan.operations[0]?.notes[0]?.reason).toMatch(
      /^mappings\[1\]\.direction: Two-way is only available for Price Per Unit and Quantity/,
    );
  });
});

describe('Toggle off', () => {
  it.each([
    ['create contract', planInitialTransfer],
    ['push', planPush],
    ['fetch', planFetch],
  ] as const)('nothing moves in either direction on %s, and the plan says so plainly', (_name, planner) => {
    let state = transferred([line('a')]);
    state = editProduct(editLine(state, 'a', { priceperunit: 1 }), 'a', 'quantity', '9');
    const plan = planner(inputOf(state, opportunitySettings({}, { productsEnabled: false })));
    expect(writes(plan)).toEqual([]);
    expect(plan.operations).toEqual([expect.objectContaining({ kind: 'skip', rule: 'OFF' })]);
    expect(plan.operations[0]?.reason).toMatch(/turned off for opportunities/);
    expect(plan.links).toEqual(state.links);
  });
});

describe('Sync once after creation', () => {
  it('a sync-once field is never written by push or fetch, even when both sides changed it', () => {
    const settings = opportunitySettings({
      quantity: { direction: 'sync_once' },
      name: { direction: 'sync_once' },
    });
    let state = transferred([line('a')], settings);
    state = editLine(state, 'a', { quantity: 5, productidname: 'Dyn name' });
    state = editProduct(state, 'a', 'quantity', '8');
    state = editProduct(state, 'a', 'name', 'Oneflow name');
    expect(writes(planPush(inputOf(state, settings)))).toEqual([]);
    expect(writes(planFetch(inputOf(state, settings)))).toEqual([]);
  });
});

describe('Conflicts (a field changed on both sides since the base)', () => {
  const bothChanged = (settings: EntitySettings, dynamicsAt = T1, oneflowAt = T2) => {
    let state = transferred([line('a')], settings);
    state = editLine(state, 'a', { quantity: 5 }, dynamicsAt);
    return editProduct(state, 'a', 'quantity', '8', oneflowAt);
  };

  it("by_action (default): push writes Dynamics' value and marks the overwrite", () => {
    const settings = opportunitySettings();
    const change = only(planPush(inputOf(bothChanged(settings), settings)), 'update_product').changes[0];
    expect(change).toMatchObject({
      new: '5',
      conflict: { policy: 'by_action', resolvedFor: 'dynamics', dynamics: '5', oneflow: '8' },
    });
  });

  it("by_action (default): fetch writes Oneflow's value and marks the overwrite", () => {
    const settings = opportunitySettings();
    const plan = planFetch(inputOf(bothChanged(settings), settings));
    expect(only(plan, 'update_line').changes[0]).toMatchObject({
      new: 8,
      conflict: { resolvedFor: 'oneflow' },
    });
    expect(plan.summary.conflictsOverwritten).toBe(1);
  });

  it.each([
    ['dynamics_wins', 'push writes, fetch keeps Dynamics', true, false],
    ['oneflow_wins', 'fetch writes, push keeps Oneflow', false, true],
  ] as const)('%s: %s', (policy, _words, pushWrites, fetchWrites) => {
    const settings = opportunitySettings({ quantity: { conflictPolicy: policy } });
    const state = bothChanged(settings);
    const push = planPush(inputOf(state, settings));
    const fetch = planFetch(inputOf(state, settings));
    expect(writes(push).length > 0).toBe(pushWrites);
    expect(writes(fetch).length > 0).toBe(fetchWrites);
    const kept = (pushWrites ? fetch : push).operations[0]?.notes[0];
    expect(kept).toMatchObject({ kind: 'conflict_kept', conflict: { policy } });
  });

  it.each([
    ['Dynamics edited last', T2, T1, 'dynamics'],
    ['Oneflow edited last', T1, T2, 'oneflow'],
  ] as const)(
    'most_recent: the newer side wins in both actions (%s)',
    (_words, dynamicsAt, oneflowAt, winner) => {
      const settings = opportunitySettings({ quantity: { conflictPolicy: 'most_recent' } });
      const state = bothChanged(settings, dynamicsAt, oneflowAt);
      const push = planPush(inputOf(state, settings));
      const fetch = planFetch(inputOf(state, settings));
      expect(writes(push).length > 0).toBe(winner === 'dynamics');
      expect(writes(fetch).length > 0).toBe(winner === 'oneflow');
    },
  );

  it('most_recent: our own write at a sync does not make that side newer (an echo never overwrites)', () => {
    const T3 = '2026-11-24T12:00:00.000Z';
    const settings = opportunitySettings({
      quantity: { direction: 'oneflow_to_dynamics', conflictPolicy: 'most_recent' },
    });
    let state = transferred([line('a')], settings);
    state = editProduct(state, 'a', 'quantity', '8', T1);
    state = editLine(state, 'a', { quantity: 5, productidname: 'Renamed' }, T2);
    // Dynamics was edited last: fetch keeps its 5.
    expect(writes(planFetch(inputOf(state, settings, T3)))).toEqual([]);
    // The push writes the name, which moves the product's updated_time to the sync's time.
    const push = planPush(inputOf(state, settings, T3));
    expect(only(push, 'update_product').values).toEqual({ name: 'Renamed' });
    const pushed = apply(state, push, T3);
    expect(productOf(pushed, 'a')._private_ownerside?.updated_time).toBe(T3);
    // That echo is no Oneflow edit: the older difference is held for a person, not overwritten with 8.
    const fetch = planFetch(inputOf(pushed, settings, T3));
    expect(writes(fetch)).toEqual([]);
    expect(fetch.operations[0]?.notes[0]).toMatchObject({
      kind: 'held_for_review',
      oneflowField: 'quantity',
    });
  });

  it('review: the field is held for a person in both actions, and stays held until decided', () => {
    const settings = opportunitySettings({ quantity: { conflictPolicy: 'review' } });
    const state = bothChanged(settings);
    const push = planPush(inputOf(state, settings));
    expect(writes(push)).toEqual([]);
    expect(push.summary.held).toBe(1);
    expect(push.operations[0]?.notes[0]).toMatchObject({
      kind: 'held_for_review',
      conflict: { dynamics: '5', oneflow: '8' },
    });
    const fetch = planFetch(inputOf(apply(state, push), settings));
    expect(writes(fetch)).toEqual([]);
    expect(fetch.summary.held).toBe(1);
  });

  it('no conflict: a two-way field changed only in Oneflow is not overwritten by push; Fetch brings it over', () => {
    const settings = opportunitySettings();
    const writeIn = line('w', { productdescription: 'Consulting' }, { isWriteIn: true });
    const state = editProduct(transferred([writeIn], settings), 'w', 'quantity', '8');
    const push = planPush(inputOf(state, settings));
    expect(writes(push)).toEqual([]);
    expect(push.operations[0]?.notes[0]).toMatchObject({ kind: 'kept_for_other_action' });
    const fetch = planFetch(inputOf(apply(state, push), settings));
    expect(only(fetch, 'update_line').values).toEqual({ quantity: 8 });
  });

  it('a Dynamics-to-Oneflow field edited in Oneflow is restored by push, marked as replacing that edit', () => {
    const state = editProduct(
      transferred([line('a', { description: 'Ours' })]),
      'a',
      'description',
      'Theirs',
    );
    const change = only(planPush(inputOf(state, opportunitySettings())), 'update_product').changes[0];
    expect(change).toMatchObject({
      oneflowField: 'description',
      old: 'Theirs',
      new: 'Ours',
      replacesEdit: true,
    });
  });
});

describe('Write conditions', () => {
  it('only_if_target_empty: push does not overwrite a value Oneflow already has', () => {
    const settings = opportunitySettings({ description: { writeCondition: 'only_if_target_empty' } });
    let state = transferred([line('a', { description: 'First' })], settings);
    state = editLine(state, 'a', { description: 'Second' });
    const plan = planPush(inputOf(state, settings));
    expect(writes(plan)).toEqual([]);
    expect(plan.operations[0]?.notes[0]).toMatchObject({
      kind: 'target_not_empty',
      oneflowField: 'description',
    });
  });

  it('only_if_target_empty: push fills the field when Oneflow has it empty', () => {
    const settings = opportunitySettings({ description: { writeCondition: 'only_if_target_empty' } });
    const state = editLine(transferred([line('a')], settings), 'a', { description: 'Now filled' });
    expect(only(planPush(inputOf(state, settings)), 'update_product').values).toEqual({
      description: 'Now filled',
    });
  });
});

describe('Oneflow to Dynamics (custom line entity)', () => {
  const attributes: DynamicsAttribute[] = [
    ...builtInSalesLineAttributes('new_line').filter((attribute) => attribute.logicalName !== 'description'),
    {
      logicalName: 'description',
      displayName: 'Notes',
      attributeType: 'Memo',
      isValidForCreate: true,
      isValidForUpdate: true,
      isCalculated: false,
      maxLength: 4000,
    },
  ];
  const settings = opportunitySettings(
    { description: { direction: 'oneflow_to_dynamics' } },
    {
      productSource: {
        entity: 'new_line',
        lookupAttribute: 'new_opportunityid',
        relationship: 'new_opportunity_new_line',
      },
    },
  );

  it('fetch writes the Oneflow value into Dynamics', () => {
    const state = editProduct(
      transferred([line('a')], settings, attributes),
      'a',
      'description',
      'From the counterparty',
    );
    expect(only(planFetch(inputOf(state, settings, T1, attributes)), 'update_line').values).toEqual({
      description: 'From the counterparty',
    });
  });

  it('push never writes it, even when Dynamics changed it', () => {
    const state = editLine(transferred([line('a')], settings, attributes), 'a', {
      description: 'Local edit',
    });
    expect(writes(planPush(inputOf(state, settings, T1, attributes)))).toEqual([]);
  });
});

describe('Values', () => {
  it('a name over 80 characters is a validation error shown to the user, never cut; the product is not created', () => {
    const long = 'x'.repeat(81);
    const plan = planPush(inputOf(emptyState([line('a', { productidname: long })]), opportunitySettings()));
    expect(writes(plan)).toEqual([]);
    expect(plan.operations[0]?.notes).toEqual([
      expect.objectContaining({
        kind: 'invalid_value',
        oneflowField: 'name',
        reason: "Oneflow's Name has 81 characters; the limit is 80",
      }),
    ]);
    expect(plan.links).toEqual([]);
  });

  it('an invalid value on a linked line holds that field only; the other fields are still written', () => {
    const state = editLine(transferred([line('a')]), 'a', {
      productidname: 'y'.repeat(90),
      description: 'ok',
    });
    const plan = planPush(inputOf(state, opportunitySettings()));
    const update = only(plan, 'update_product');
    expect(update.values).toEqual({ description: 'ok' });
    expect(update.notes).toEqual([expect.objectContaining({ kind: 'invalid_value', oneflowField: 'name' })]);
  });

  it("the line-total manual discount becomes Oneflow's per-unit discount", () => {
    const plan = planPush(
      inputOf(emptyState([line('a', { quantity: 3, manualdiscountamount: 30 })]), opportunitySettings()),
    );
    expect(only(plan, 'create_product').values['price_1.discount_amount']).toBe('10.00');
  });

  it('a discount that is not below the base amount is refused before it reaches Oneflow', () => {
    const plan = planPush(
      inputOf(
        emptyState([line('a', { quantity: 1, priceperunit: 10, manualdiscountamount: 10 })]),
        opportunitySettings(),
      ),
    );
    expect(writes(plan)).toEqual([]);
    expect(plan.operations[0]?.notes[0]?.reason).toMatch(
      /base amount \(10\.00\) to exceed the discount \(10\.00\)/,
    );
  });

  it('a base amount of 0 with a discount is a negative price, which Oneflow allows: the line is created', () => {
    const plan = planPush(
      inputOf(
        emptyState([line('a', { quantity: 2, priceperunit: 0, manualdiscountamount: 50 })]),
        opportunitySettings(),
      ),
    );
    expect(only(plan, 'create_product').values).toMatchObject({
      'price_1.base_amount': '0.00',
      'price_1.discount_amount': '25.00',
    });
  });

  it('a linked line whose price drops to 0 with its discount kept is pushed as a negative price', () => {
    const state = editLine(transferred([line('a', { manualdiscountamount: 20 })]), 'a', { priceperunit: 0 });
    const update = only(planPush(inputOf(state, opportunitySettings())), 'update_product');
    expect(update.values).toEqual({ 'price_1.base_amount': '0.00' });
  });

  it(`Oneflow's limit of 150 products: lines beyond it are not added, and each says why`, () => {
    const existing = Array.from({ length: 149 }, (_, index) => ({ id: index + 1, name: `Manual ${index}` }));
    const state = emptyState([line('a'), line('b'), line('c')], existing);
    const plan = planPush(inputOf(state, opportunitySettings()));
    expect(plan.summary.productsCreated).toBe(1);
    const refused = plan.operations.filter(
      (operation) => operation.kind === 'skip' && operation.lineId !== null,
    );
    expect(refused.map((operation) => operation.lineId)).toEqual(['b', 'c']);
    expect(refused[0]?.reason).toMatch(/at most 150 products/);
    expect(plan.links.map((link) => link.lineId)).toEqual(['a']);
  });
});

describe('Rich-text descriptions', () => {
  const rewritten = [
    ['wrapped in a paragraph', '<p>Blue &amp; white</p>'],
    ['entity-escaped', 'Blue &amp; white'],
    ['with its whitespace changed', '  Blue   &amp;\twhite \n'],
    ['as a paragraph with a non-breaking space', '<p>Blue&nbsp;&amp; white</p>'],
  ] as const;

  it.each(rewritten)(
    'a description Oneflow gives back %s is the one push wrote: no write, the base settles',
    (_how, asOneflowShows) => {
      let state = transferred([line('a', { description: 'Blue & white' })]);
      state = editProduct(state, 'a', 'description', asOneflowShows, T0);
      const plan = planPush(inputOf(state, opportunitySettings()));
      expect(writes(plan)).toEqual([]);
      expect(plan.operations.flatMap((operation) => operation.notes)).toEqual([]);
      expect(plan.links[0]?.base.description).toEqual({ dynamics: 'Blue & white', oneflow: 'Blue & white' });
    },
  );

  it('line breaks survive the comparison: paragraphs and <br> are lines, as in the text they came from', () => {
    let state = transferred([line('a', { description: 'First line\nSecond line' })]);
    state = editProduct(state, 'a', 'description', '<p>First line</p><p>Second line</p>', T0);
    expect(writes(planPush(inputOf(state, opportunitySettings())))).toEqual([]);
    state = editProduct(state, 'a', 'description', '<p>First line<br>Second line</p>', T0);
    expect(writes(planPush(inputOf(state, opportunitySettings())))).toEqual([]);
  });

  it('a description goes to Oneflow as typed (blank lines and spacing kept), and compares equal afterwards', () => {
    const typed = 'Scope:\n\n  1. Install   the widgets\n\nTerms & conditions apply';
    const created = only(
      planInitialTransfer(inputOf(emptyState([line('a', { description: typed })]), opportunitySettings())),
      'create_product',
    );
    expect(created.values.description).toBe(typed.trim());

    let state = transferred([line('a', { description: 'Short' })]);
    state = editLine(state, 'a', { description: typed });
    const plan = planPush(inputOf(state, opportunitySettings()));
    const update = only(plan, 'update_product');
    expect(update.values.description).toBe(typed.trim());
    expect(update.changes).toEqual([
      expect.objectContaining({ oneflowField: 'description', new: typed.trim() }),
    ]);
    // The base is the compared form, so Oneflow's rich-text copy of the text is no change.
    state = apply(state, plan, T2);
    state = editProduct(
      state,
      'a',
      'description',
      '<p>Scope:</p><p>1. Install the widgets</p><p>Terms &amp; conditions apply</p>',
      T2,
    );
    expect(writes(planPush(inputOf(state, opportunitySettings(), T2)))).toEqual([]);
  });

  it("a real change of the text in Oneflow is still a change: push restores Dynamics' text over it", () => {
    let state = transferred([line('a', { description: 'Blue' })]);
    state = editProduct(state, 'a', 'description', '<p>Green &amp; gold</p>');
    const update = only(planPush(inputOf(state, opportunitySettings())), 'update_product');
    expect(update.changes).toEqual([
      expect.objectContaining({
        oneflowField: 'description',
        old: 'Green & gold',
        new: 'Blue',
        replacesEdit: true,
      }),
    ]);
  });
});

describe('Echoes and idempotence', () => {
  it('the webhooks a push causes find nothing to change: fetch right after the push writes nothing', () => {
    const settings = opportunitySettings();
    let state = transferred(
      [line('a'), line('w', { productdescription: 'Write-in' }, { isWriteIn: true })],
      settings,
    );
    state = editLine(state, 'a', { quantity: 4, priceperunit: 99.99, description: 'x' });
    state = editLine(state, 'w', { priceperunit: 12.5 });
    state = apply(state, planPush(inputOf(state, settings)), T2);
    expect(writes(planFetch(inputOf(state, settings, T2)))).toEqual([]);
  });

  it('a contract id and the plan time are stamped on every plan and link', () => {
    const plan = planPush(inputOf(transferred([line('a')]), opportunitySettings(), T2));
    expect(plan).toMatchObject({ contractId: CONTRACT_ID, plannedAt: T2, mainEntity: 'opportunity' });
    expect(plan.links[0]).toMatchObject({ contractId: CONTRACT_ID, syncedAt: T2 });
  });
});

describe('Recovery after crashes, Oneflow limits, and notes that tell the truth', () => {
  const withoutProducts = (state: ReturnType<typeof transferred>) => ({
    ...state,
    productGroups: state.productGroups.map((group) => ({ ...group, products: [] })),
  });

  it('P3: a line deleted after its product was re-created but before the new link was stored still loses its product', () => {
    const settings = opportunitySettings();
    const start = transferred([line('a'), line('b')]);
    const recreated = apply(withoutProducts(start), planPush(inputOf(withoutProducts(start), settings)));
    const crashed = { ...recreated, links: start.links, lines: recreated.lines.filter((l) => l.id !== 'a') };
    const plan = planPush(inputOf(crashed, settings));
    expect(only(plan, 'delete_product')).toMatchObject({
      rule: 'P3',
      lineId: 'a',
      productId: productOf(recreated, 'a').id,
    });
  });

  it('P4: a product whose custom_id names no stored link is never deleted: only a stored link proves sync made it', () => {
    const start = transferred([line('a'), line('b')]);
    const lost = { ...start, links: [], lines: start.lines.filter((l) => l.id !== 'b') };
    const plan = planPush(inputOf(lost, opportunitySettings()));
    expect(writes(plan).filter((operation) => operation.kind === 'delete_product')).toEqual([]);
    expect(plan.operations).toContainEqual(
      expect.objectContaining({ rule: 'P4', productId: productOf(start, 'b').id }),
    );
  });

  it('T1: re-running Create contract after a line was deleted keeps its link, so the next push removes its product', () => {
    const settings = opportunitySettings();
    const start = transferred([line('a'), line('b')]);
    const rerun = { ...start, lines: start.lines.filter((l) => l.id !== 'b') };
    const plan = planInitialTransfer(inputOf(rerun, settings));
    expect(plan.links.map((link) => link.lineId)).toEqual(['a', 'b']);
    const push = planPush(inputOf(apply(rerun, plan), settings));
    expect(only(push, 'delete_product')).toMatchObject({ lineId: 'b', productId: productOf(start, 'b').id });
  });

  it("T1: a product found in a second product table is brought up to date at that table's precision", () => {
    const state = emptyState([line('a', { priceperunit: 99.5 })]);
    const second = {
      id: 88,
      configuration: { price_precision: 0, quantity_precision: 0 },
      products: [
        {
          id: 5,
          name: 'Product a',
          _private_ownerside: { custom_id: 'a' },
          price_1: { base_amount: { amount: '100' } },
          quantity: { type: 'quantity' as const, amount: '2' },
        },
      ],
    };
    const plan = planInitialTransfer(
      inputOf({ ...state, productGroups: [...state.productGroups, second] }, opportunitySettings()),
    );
    // 99.5 at that table's 0 places is 100, which the product already has: nothing to write.
    expect(writes(plan)).toEqual([]);
    expect(plan.links).toEqual([expect.objectContaining({ lineId: 'a', productId: 5 })]);
  });

  it('equal values never produce writes: an amount Oneflow leaves out equals an empty Dynamics amount', () => {
    const settings = opportunitySettings({ 'price_1.base_amount': { oneflowField: 'price_2.base_amount' } });
    const state = transferred(
      [line('w', { productdescription: 'Consulting', priceperunit: null }, { isWriteIn: true })],
      settings,
    );
    const stripped = {
      ...state,
      productGroups: state.productGroups.map((group) => ({
        ...group,
        products: group.products.map((product) => ({ ...product, price_2: undefined })),
      })),
    };
    expect(writes(planFetch(inputOf(stripped, settings)))).toEqual([]);
    expect(writes(planPush(inputOf(stripped, settings)))).toEqual([]);
  });

  it("Oneflow's limit of 150 products: a push that deletes one line and adds another deletes first", () => {
    const existing = Array.from({ length: 149 }, (_, index) => ({
      id: 1000 + index,
      name: `Manual ${index}`,
    }));
    let state = transferred([line('old')]);
    state = {
      ...state,
      lines: [line('new')],
      productGroups: state.productGroups.map((group) => ({
        ...group,
        products: [...group.products, ...existing],
      })),
    };
    const plan = planPush(inputOf(state, opportunitySettings()));
    expect(writes(plan).map((operation) => operation.kind)).toEqual(['delete_product', 'create_product']);
  });

  it('only_if_target_empty: a Dynamics amount below the group precision (0.4 at 0 places) is not empty, so it is kept', () => {
    const settings = opportunitySettings({ quantity: { writeCondition: 'only_if_target_empty' } });
    const state = editProduct(
      transferred([line('w', { productdescription: 'Hours', quantity: 0.4 }, { isWriteIn: true })], settings),
      'w',
      'quantity',
      '5',
    );
    const plan = planFetch(inputOf(state, settings));
    expect(writes(plan)).toEqual([]);
    expect(plan.operations[0]?.notes[0]).toMatchObject({
      kind: 'target_not_empty',
      dynamicsField: 'quantity',
    });
  });

  it('a kept conflict says the value stays when the other action can never write it', () => {
    const settings = opportunitySettings({ description: { conflictPolicy: 'oneflow_wins' } });
    let state = transferred([line('a', { description: 'Start' })], settings);
    state = editProduct(editLine(state, 'a', { description: 'Ours' }), 'a', 'description', 'Theirs');
    const note = planPush(inputOf(state, settings)).operations[0]?.notes[0];
    expect(note?.kind).toBe('conflict_kept');
    expect(note?.reason).toMatch(/it stays as it is: Dynamics to Oneflow never writes it into Dynamics$/);
    expect(writes(planFetch(inputOf(state, settings)))).toEqual([]);
  });

  it('a two-way change kept for the other action says it stays when that action would find the field filled', () => {
    const settings = opportunitySettings({ quantity: { writeCondition: 'only_if_target_empty' } });
    const state = editLine(
      transferred([line('w', { productdescription: 'Hours' }, { isWriteIn: true })], settings),
      'w',
      { quantity: 9 },
    );
    const note = planFetch(inputOf(state, settings)).operations[0]?.notes[0];
    expect(note).toMatchObject({ kind: 'kept_for_other_action' });
    expect(note?.reason).toMatch(
      /it stays as it is: it is written only into an empty field, and Oneflow has "2"$/,
    );
    expect(writes(planPush(inputOf(state, settings)))).toEqual([]);
  });

  it('most_recent: without an Oneflow edit time nobody can tell which is newer, so the field is held', () => {
    const settings = opportunitySettings({ quantity: { conflictPolicy: 'most_recent' } });
    let state = editProduct(
      editLine(transferred([line('a')], settings), 'a', { quantity: 5 }, T2),
      'a',
      'quantity',
      '8',
    );
    state = {
      ...state,
      productGroups: state.productGroups.map((group) => ({
        ...group,
        products: group.products.map((product) => ({ ...product, _private_ownerside: { custom_id: 'a' } })),
      })),
    };
    const fetch = planFetch(inputOf(state, settings));
    expect(writes(fetch)).toEqual([]);
    expect(fetch.operations[0]?.notes[0]).toMatchObject({
      kind: 'held_for_review',
      conflict: { resolvedFor: 'held' },
    });
  });

  it('two products with the same custom_id: the older one is linked, whatever order Oneflow lists them in', () => {
    const state = emptyState([line('a')]);
    const twins = [
      { id: 99, name: 'Twin', _private_ownerside: { custom_id: 'a' } },
      { id: 7, name: 'Twin', _private_ownerside: { custom_id: 'a' } },
    ];
    for (const products of [twins, [...twins].reverse()]) {
      const plan = planPush(
        inputOf(
          {
            ...state,
            productGroups: [
              {
                ...state.productGroups[0],
                id: GROUP_ID,
                configuration: { price_precision: 2, quantity_precision: 0 },
                products,
              },
            ],
          },
          opportunitySettings(),
        ),
      );
      expect(plan.links).toEqual([expect.objectContaining({ lineId: 'a', productId: 7 })]);
    }
  });

  it('the summary counts every field written, creates included, and keeps untouched products apart from skips', () => {
    const state = emptyState([line('a'), line('b')], [{ id: 500, name: 'Setup fee' }]);
    const plan = planInitialTransfer(inputOf(state, opportunitySettings()));
    expect(plan.summary).toMatchObject({
      productsCreated: 2,
      fieldsWritten: 10,
      untouchedProducts: 1,
      skipped: 0,
    });
  });
});

describe('The discount after a quantity change (Dynamics: a line total; Oneflow: per unit)', () => {
  /** A line of 10 at 100.00 with 25.00 off the line: Oneflow shows 2.50 off each unit. */
  const discounted = () => transferred([line('a', { quantity: 10, manualdiscountamount: 25 })]);

  it('the counterparty changes the quantity 10 → 14: fetch keeps the 2.50 per unit they saw, and Dynamics follows with 35.00 for the line', () => {
    expect(productOf(discounted(), 'a').price_1?.discount_amount?.amount).toBe('2.50');
    const state = editProduct(discounted(), 'a', 'quantity', '14');
    const update = only(planFetch(inputOf(state, opportunitySettings())), 'update_line');
    expect(update.values).toEqual({ quantity: 14, manualdiscountamount: 35 });
    expect(update.changes).toEqual([
      expect.objectContaining({ dynamicsField: 'quantity', old: 10, new: 14 }),
      expect.objectContaining({ dynamicsField: 'manualdiscountamount', side: 'dynamics', old: 25, new: 35 }),
    ]);
    expect(update.notes).toEqual([
      expect.objectContaining({
        kind: 'info',
        rule: 'F3',
        dynamicsField: 'manualdiscountamount',
        oneflowField: 'price_1.discount_amount',
        reason:
          'Manual Discount 25.00 → 35.00: the quantity changed in Oneflow (10 → 14), and the contract keeps its discount of 2.50 per unit, so the line now has 14 × 2.50 off.',
      }),
    ]);
  });

  it('… and the next push proposes nothing: the per-unit discount stays 2.50, never 1.79', () => {
    const edited = editProduct(discounted(), 'a', 'quantity', '14');
    const fetched = apply(edited, planFetch(inputOf(edited, opportunitySettings())), T1);
    const push = planPush(inputOf(fetched, opportunitySettings(), T2));
    expect(writes(push)).toEqual([]);
    expect(productOf(fetched, 'a').price_1?.discount_amount?.amount).toBe('2.50');
    expect(fetched.lines[0]?.values).toMatchObject({ quantity: 14, manualdiscountamount: 35 });
  });

  it('the sales rep changes the quantity 10 → 14 in Dynamics: push keeps the line total of 25.00, so Oneflow gets 1.79 per unit, and says so', () => {
    const state = editLine(discounted(), 'a', { quantity: 14 });
    const update = only(planPush(inputOf(state, opportunitySettings())), 'update_product');
    expect(update.values).toEqual({ quantity: '14', 'price_1.discount_amount': '1.79' });
    expect(update.notes).toEqual([
      expect.objectContaining({
        kind: 'info',
        rule: 'P1',
        oneflowField: 'price_1.discount_amount',
        reason:
          "Price 1: discount amount 2.50 → 1.79: the Manual Discount of 25.00 is for the whole line, and the line's quantity is now 14, so each unit gets 25.00 ÷ 14 off.",
      }),
    ]);
  });

  it('a discount the rep changed in Dynamics while the counterparty changed the quantity is the rep’s line total: fetch leaves it, push spreads it', () => {
    let state = editProduct(discounted(), 'a', 'quantity', '14');
    state = editLine(state, 'a', { manualdiscountamount: 28 });
    const fetch = only(planFetch(inputOf(state, opportunitySettings())), 'update_line');
    expect(fetch.values).toEqual({ quantity: 14 });
    const fetched = apply(state, planFetch(inputOf(state, opportunitySettings())), T1);
    const push = only(planPush(inputOf(fetched, opportunitySettings(), T2)), 'update_product');
    expect(push.values).toEqual({ 'price_1.discount_amount': '2.00' });
  });

  it('a discount pushed while the contract keeps another quantity is spread over the contract’s quantity, and the fetch after it agrees', () => {
    let state = editProduct(discounted(), 'a', 'quantity', '14');
    state = editLine(state, 'a', { manualdiscountamount: 28 });
    const push = only(planPush(inputOf(state, opportunitySettings())), 'update_product');
    expect(push.values).toEqual({ 'price_1.discount_amount': '2.00' });
    expect(push.notes).toContainEqual(
      expect.objectContaining({
        kind: 'info',
        reason:
          "Price 1: discount amount 2.50 → 2.00: the Manual Discount of 28.00 is for the whole line, and the contract's quantity is 14 (Dynamics has 10, which this push does not send), so each unit gets 28.00 ÷ 14 off.",
      }),
    );
    const pushed = apply(state, planPush(inputOf(state, opportunitySettings())), T1);
    const fetch = only(planFetch(inputOf(pushed, opportunitySettings(), T2)), 'update_line');
    expect(fetch.values).toEqual({ quantity: 14 });
  });

  /** Where a discounted line ends up on both sides after a push then a fetch, or a fetch then a push. */
  const endState = (state: ReturnType<typeof discounted>) => ({
    quantity: state.lines[0]?.values.quantity,
    lineTotal: state.lines[0]?.values.manualdiscountamount,
    contractQuantity: productOf(state, 'a').quantity?.amount,
    perUnit: productOf(state, 'a').price_1?.discount_amount?.amount,
  });
  const pushThenFetch = (state: ReturnType<typeof discounted>, settings = opportunitySettings()) => {
    const pushed = apply(state, planPush(inputOf(state, settings)), T1);
    return apply(pushed, planFetch(inputOf(pushed, settings, T1)), T2);
  };
  const fetchThenPush = (state: ReturnType<typeof discounted>, settings = opportunitySettings()) => {
    const fetched = apply(state, planFetch(inputOf(state, settings)), T1);
    return apply(fetched, planPush(inputOf(fetched, settings, T1)), T2);
  };

  it('a push that runs before the fetch of the counterparty’s quantity 10 → 31 leaves the 2.50 per unit alone, and says why', () => {
    const state = editProduct(discounted(), 'a', 'quantity', '31');
    const push = planPush(inputOf(state, opportunitySettings()));
    expect(writes(push)).toEqual([]);
    expect(only(push, 'skip').notes).toContainEqual(
      expect.objectContaining({
        kind: 'info',
        rule: 'P1',
        oneflowField: 'price_1.discount_amount',
        dynamicsField: 'manualdiscountamount',
        reason:
          "Price 1: discount amount stays 2.50: the contract's quantity is 31 (Dynamics has 10, which this push does not send), and neither side changed the discount since the last sync, so the contract keeps its 2.50 per unit; Fetch brings the quantity into Dynamics, with a Manual Discount of 31 × 2.50 for the line.",
      }),
    );
  });

  it('the counterparty’s quantity 10 → 31: push then fetch ends where fetch then push does, 2.50 per unit and 77.50 for the line', () => {
    const state = editProduct(discounted(), 'a', 'quantity', '31');
    const expected = { quantity: 31, lineTotal: 77.5, contractQuantity: '31', perUnit: '2.50' };
    expect(endState(pushThenFetch(state))).toEqual(expected);
    expect(endState(fetchThenPush(state))).toEqual(expected);
  });

  it('the same with the quantity Oneflow to Dynamics: either order keeps the contract’s 2.50 per unit', () => {
    const settings = opportunitySettings({ quantity: { direction: 'oneflow_to_dynamics' } });
    const start = transferred([line('a', { quantity: 10, manualdiscountamount: 25 })], settings);
    const state = editProduct(start, 'a', 'quantity', '31');
    const expected = { quantity: 31, lineTotal: 77.5, contractQuantity: '31', perUnit: '2.50' };
    expect(endState(pushThenFetch(state, settings))).toEqual(expected);
    expect(endState(fetchThenPush(state, settings))).toEqual(expected);
  });

  it('with a sync-once quantity each side keeps its own quantity and its own terms: the contract’s 2.50 per unit is never rewritten', () => {
    const settings = opportunitySettings({ quantity: { direction: 'sync_once' } });
    const start = transferred([line('a', { quantity: 10, manualdiscountamount: 25 })], settings);
    const state = editProduct(start, 'a', 'quantity', '31');
    const push = planPush(inputOf(state, settings));
    expect(writes(push)).toEqual([]);
    expect(only(push, 'skip').notes).toContainEqual(
      expect.objectContaining({
        kind: 'info',
        reason:
          "Price 1: discount amount stays 2.50: the contract's quantity is 31 (Dynamics has 10, which this push does not send), and neither side changed the discount since the last sync, so the contract keeps its 2.50 per unit.",
      }),
    );
    const expected = { quantity: 10, lineTotal: 25, contractQuantity: '31', perUnit: '2.50' };
    expect(endState(pushThenFetch(state, settings))).toEqual(expected);
    expect(endState(fetchThenPush(state, settings))).toEqual(expected);
  });

  it('a quantity changed in Dynamics 10 → 31 keeps the line total of 25.00 in either order: 0.81 per unit', () => {
    const state = editLine(discounted(), 'a', { quantity: 31 });
    const expected = { quantity: 31, lineTotal: 25, contractQuantity: '31', perUnit: '0.81' };
    expect(endState(pushThenFetch(state))).toEqual(expected);
    expect(endState(fetchThenPush(state))).toEqual(expected);
  });

  it('a quantity of 0 from Oneflow leaves the line total as it is (no units to spread it over), and brings it back at the old per-unit discount', () => {
    const zero = editProduct(discounted(), 'a', 'quantity', '0');
    const fetch = only(planFetch(inputOf(zero, opportunitySettings())), 'update_line');
    expect(fetch.values).toEqual({ quantity: 0 });
    expect(fetch.notes).toEqual([
      expect.objectContaining({
        kind: 'info',
        dynamicsField: 'manualdiscountamount',
        reason:
          'Manual Discount stays 25.00: the quantity changed in Oneflow (10 → 0), and with no units there is nothing to take 2.50 off each; when the quantity changes again, the discount follows it at 2.50 per unit.',
      }),
    ]);
    const atZero = apply(zero, planFetch(inputOf(zero, opportunitySettings())), T1);
    const back = editProduct(atZero, 'a', 'quantity', '12', T2);
    const refetch = only(planFetch(inputOf(back, opportunitySettings(), T2)), 'update_line');
    expect(refetch.values).toEqual({ quantity: 12, manualdiscountamount: 30 });
  });

  it('sync-once discounts are never written after creation, whatever the quantity does', () => {
    const settings = opportunitySettings({ 'price_1.discount_amount': { direction: 'sync_once' } });
    const start = transferred([line('a', { quantity: 10, manualdiscountamount: 25 })], settings);
    const state = editProduct(start, 'a', 'quantity', '14');
    expect(only(planFetch(inputOf(state, settings)), 'update_line').values).toEqual({ quantity: 14 });
  });

  it('with fractional quantities the two forms agree within rounding, so neither side is rewritten back and forth', () => {
    const group = { price_precision: 2, quantity_precision: 2 };
    const atPrecision = (state: ReturnType<typeof discounted>) => ({
      ...state,
      productGroups: state.productGroups.map((candidate) => ({ ...candidate, configuration: group })),
    });
    let state = atPrecision(emptyState([line('a', { quantity: 1, manualdiscountamount: 6.67 })]));
    state = apply(state, planInitialTransfer(inputOf(state, opportunitySettings())), T1);
    state = editProduct(state, 'a', 'quantity', '0.5', T1);
    state = apply(state, planFetch(inputOf(state, opportunitySettings(), T1)), T1);
    expect(state.lines[0]?.values).toMatchObject({ quantity: 0.5, manualdiscountamount: 3.34 });
    expect(writes(planPush(inputOf(state, opportunitySettings(), T2)))).toEqual([]);
    expect(writes(planFetch(inputOf(state, opportunitySettings(), T2)))).toEqual([]);
  });
});
