import Big from 'big.js';
import fc from 'fast-check';
import {
  builtInSalesLineAttributes,
  dynamicsColumn,
  type DynamicsAttribute,
  type DynamicsLine,
} from '../dynamics';
import type { OneflowFieldKey } from '../fieldCatalog';
import type { OneflowProduct } from '../oneflow';
import type { InMemoryState } from './applyInMemory';
import { SyncPlanSchema, type SyncPlan } from '../plan';
import type { ConflictPolicy, Direction, EntitySettings, FieldMapping, WriteCondition } from '../settings';
import { CONFLICT_POLICIES, DIRECTIONS, WRITE_CONDITIONS } from '../settings';
import { validateSettings } from '../settingsValidation';
import {
  apply,
  editLine,
  editProduct,
  inputOf,
  opportunitySettings,
  productOf,
  T0,
  T1,
  T2,
  transferred,
  writes,
} from '../testing/fixtures';
import { CompareAnswerSchema } from '../api/compare';
import { makeCodec } from './codec';
import { compareContract } from './compare';
import { planFetch, planInitialTransfer, planPush } from './planners';

const RUNS = { numRuns: 150 };

// ---- settings: the built-in opportunity line, or a custom line entity where any direction is allowed ----

const customAttributes: DynamicsAttribute[] = [
  ...builtInSalesLineAttributes('new_line').filter(
    (attribute) => attribute.attributeType !== 'Uniqueidentifier',
  ),
  column('new_name', 'String', 200),
  column('new_notes', 'Memo', 4000),
  column('new_price', 'Money'),
  column('new_price2', 'Money'),
  column('new_qty', 'Decimal'),
  column('new_discount', 'Money'),
  column('new_percent', 'Decimal'),
];

function column(logicalName: string, attributeType: string, maxLength?: number): DynamicsAttribute {
  return dynamicsColumn(
    logicalName,
    logicalName,
    attributeType,
    maxLength === undefined ? {} : { maxLength },
  );
}

const direction = fc.constantFrom<Direction>(...DIRECTIONS);
const policy = fc.constantFrom<ConflictPolicy>(...CONFLICT_POLICIES);
const condition = fc.constantFrom<WriteCondition>(...WRITE_CONDITIONS);
const mappingOptions = fc.record({ direction, conflictPolicy: policy, writeCondition: condition });

interface Setup {
  settings: EntitySettings;
  attributes: DynamicsAttribute[];
}

const builtInSetup: fc.Arbitrary<Setup> = fc
  .record({
    name: fc.constantFrom<Direction>('sync_once', 'dynamics_to_oneflow'),
    description: fc.constantFrom<Direction>('sync_once', 'dynamics_to_oneflow'),
    discount: fc.constantFrom<Direction>('sync_once', 'dynamics_to_oneflow'),
    price: mappingOptions,
    quantity: mappingOptions,
    policies: fc.array(policy, { minLength: 3, maxLength: 3 }),
  })
  .map(({ name, description, discount, price, quantity, policies }) => ({
    attributes: builtInSalesLineAttributes('opportunityproduct'),
    settings: opportunitySettings({
      name: { direction: name, conflictPolicy: policies[0] ?? 'by_action' },
      description: { direction: description, conflictPolicy: policies[1] ?? 'by_action' },
      'price_1.discount_amount': { direction: discount, conflictPolicy: policies[2] ?? 'by_action' },
      'price_1.base_amount': price,
      quantity,
    }),
  }));

const optionalMapping = (dynamicsField: string, oneflowField: OneflowFieldKey) =>
  fc.option(
    mappingOptions.map((options): FieldMapping => ({ dynamicsField, oneflowField, ...options })),
    {
      nil: undefined,
    },
  );

const customSetup: fc.Arbitrary<Setup> = fc
  .tuple(
    mappingOptions.map((options): FieldMapping => ({
      dynamicsField: 'new_name',
      oneflowField: 'name',
      ...options,
    })),
    optionalMapping('new_notes', 'description'),
    optionalMapping('new_price', 'price_1.base_amount'),
    optionalMapping('new_price2', 'price_2.base_amount'),
    optionalMapping('new_qty', 'quantity'),
    fc.oneof(
      optionalMapping('new_discount', 'price_1.discount_amount'),
      optionalMapping('new_percent', 'price_1.discount_percent'),
    ),
  )
  .map((mappings) => ({
    attributes: customAttributes,
    settings: opportunitySettings(
      {},
      {
        productSource: {
          entity: 'new_line',
          lookupAttribute: 'new_opportunityid',
          relationship: 'new_opportunity_new_line',
        },
        mappings: mappings.filter((mapping): mapping is FieldMapping => mapping !== undefined),
      },
    ),
  }));

const setup = fc.oneof(builtInSetup, customSetup);

// ---- lines, and the edits both sides make after the contract was created ----

const text = fc.constantFrom<string | null>(null, '', 'Blue', '  Red  ', 'Ünïcödé ✓', 'y'.repeat(3001));
const name = fc.constantFrom('Widget', 'Gadget', '  Padded  ', 'Ünïcödé ✓', 'x'.repeat(81));
const price = fc.constantFrom<number | string | null>(0, 10, 12.5, 99.99, 100, 100.005, '42.10', null);
const quantity = fc.constantFrom(0, 1, 2, 2.5, 3, 10);
const discount = fc.constantFrom(0, 0.01, 5, 20);
const lineValues = fc.record({
  productidname: name,
  productdescription: name,
  description: text,
  priceperunit: price,
  quantity,
  manualdiscountamount: discount,
  new_name: name,
  new_notes: text,
  new_price: price,
  new_price2: price,
  new_qty: quantity,
  new_discount: discount,
  new_percent: fc.constantFrom(0, 10, 12.5),
});
const timestamp = fc.constantFrom(T0, T1, T2);

function lineArbitrary(id: string): fc.Arbitrary<DynamicsLine> {
  return fc.record({ values: lineValues, isWriteIn: fc.boolean(), modifiedOn: timestamp }).map((parts) => ({
    id,
    etag: 'W/"1"',
    ...parts,
  }));
}

const oneflowEdit: fc.Arbitrary<[OneflowFieldKey, string | null]> = fc.oneof(
  fc.tuple(fc.constant<OneflowFieldKey>('name'), fc.constantFrom('Edited', 'Another')),
  fc.tuple(fc.constant<OneflowFieldKey>('description'), fc.constantFrom<string | null>('Edited text', null)),
  fc.tuple(fc.constant<OneflowFieldKey>('price_1.base_amount'), fc.constantFrom('50.00', '100.00', '120.5')),
  fc.tuple(fc.constant<OneflowFieldKey>('price_1.discount_amount'), fc.constantFrom('0', '1.00', '5')),
  fc.tuple(fc.constant<OneflowFieldKey>('price_1.discount_percent'), fc.constantFrom('0', '10')),
  fc.tuple(fc.constant<OneflowFieldKey>('price_2.base_amount'), fc.constantFrom('7.00', '0')),
  fc.tuple(fc.constant<OneflowFieldKey>('quantity'), fc.constantFrom('1', '4', '7')),
);

type Mutation =
  | { kind: 'editLine'; index: number; values: DynamicsLine['values']; at: string }
  | { kind: 'editProduct'; index: number; edit: [OneflowFieldKey, string | null]; at: string }
  | { kind: 'deleteLine'; index: number }
  | { kind: 'addLine'; line: DynamicsLine }
  | { kind: 'deleteProduct'; index: number }
  | { kind: 'addProduct'; name: string }
  | { kind: 'dropLink'; index: number };

const dynamicsMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('editLine' as const),
    index: fc.nat(),
    values: lineValues.chain((all) =>
      fc
        .subarray(Object.keys(all))
        .map((keys) => Object.fromEntries(keys.map((key) => [key, all[key as keyof typeof all]]))),
    ),
    at: timestamp,
  }),
  fc.record({ kind: fc.constant('deleteLine' as const), index: fc.nat() }),
  fc.record({
    kind: fc.constant('addLine' as const),
    line: fc.nat(999).chain((n) => lineArbitrary(`added-${n}`)),
  }),
);
const anyMutation: fc.Arbitrary<Mutation> = fc.oneof(
  dynamicsMutation,
  fc.record({ kind: fc.constant('editProduct' as const), index: fc.nat(), edit: oneflowEdit, at: timestamp }),
  fc.record({ kind: fc.constant('deleteProduct' as const), index: fc.nat() }),
  fc.record({ kind: fc.constant('addProduct' as const), name: fc.constantFrom('Hand-added', 'Setup fee') }),
  fc.record({ kind: fc.constant('dropLink' as const), index: fc.nat() }),
);

function pick<T>(items: readonly T[], index: number): T | undefined {
  return items.length === 0 ? undefined : items[index % items.length];
}

function mutate(state: InMemoryState, mutation: Mutation): InMemoryState {
  switch (mutation.kind) {
    case 'editLine': {
      const target = pick(state.lines, mutation.index);
      return target ? editLine(state, target.id, mutation.values, mutation.at) : state;
    }
    case 'deleteLine': {
      const target = pick(state.lines, mutation.index);
      return { ...state, lines: state.lines.filter((line) => line !== target) };
    }
    case 'addLine':
      return state.lines.some((line) => line.id === mutation.line.id)
        ? state
        : { ...state, lines: [...state.lines, mutation.line] };
    case 'editProduct': {
      const link = pick(state.links, mutation.index);
      const exists =
        link &&
        state.productGroups.some((group) => group.products.some((product) => product.id === link.productId));
      return exists
        ? editProduct(state, link.lineId, mutation.edit[0], mutation.edit[1], mutation.at)
        : state;
    }
    case 'deleteProduct': {
      const target = pick(
        state.productGroups.flatMap((group) => group.products),
        mutation.index,
      );
      return {
        ...state,
        productGroups: state.productGroups.map((group) => ({
          ...group,
          products: group.products.filter((product) => product !== target),
        })),
      };
    }
    case 'addProduct':
      return {
        ...state,
        nextProductId: state.nextProductId + 1,
        productGroups: state.productGroups.map((group, index) =>
          index === 0
            ? { ...group, products: [...group.products, { id: state.nextProductId, name: mutation.name }] }
            : group,
        ),
      };
    case 'dropLink': {
      const target = pick(state.links, mutation.index);
      return { ...state, links: state.links.filter((link) => link !== target) };
    }
  }
}

interface Scenario extends Setup {
  state: InMemoryState;
  handAdded: number[];
}

function scenario(mutations: fc.Arbitrary<Mutation[]>): fc.Arbitrary<Scenario> {
  return fc
    .record({
      setup,
      lines: fc
        .uniqueArray(fc.constantFrom('l1', 'l2', 'l3', 'l4', 'l5', 'l6'), { maxLength: 6 })
        .chain((ids) => fc.tuple(...ids.map(lineArbitrary))),
      mutations,
    })
    .map(({ setup: { settings, attributes }, lines, mutations: steps }) => {
      const start = transferred(lines, settings, attributes);
      const before = new Set(
        start.productGroups.flatMap((group) => group.products.map((product) => product.id)),
      );
      const state = steps.reduce(mutate, start);
      const linkedIds = new Set(state.links.map((link) => link.productId));
      const handAdded = state.productGroups
        .flatMap((group) => group.products)
        .filter((product) => !before.has(product.id) && !linkedIds.has(product.id))
        .map((product) => product.id);
      return { settings, attributes, state, handAdded };
    });
}

const anyScenario = scenario(fc.array(anyMutation, { maxLength: 8 }));

function plan(
  kind: 'push' | 'fetch' | 'initial',
  { settings, attributes, state }: Pick<Scenario, 'settings' | 'attributes' | 'state'>,
  now = T2,
): SyncPlan {
  const input = inputOf(state, settings, now, attributes);
  return kind === 'push' ? planPush(input) : kind === 'fetch' ? planFetch(input) : planInitialTransfer(input);
}

/** Both sides after three rounds of push then fetch, each applied: where sync must have come to rest. */
function converged(scene: Scenario): InMemoryState {
  let state = scene.state;
  for (let round = 0; round < 3; round += 1) {
    state = apply(state, plan('push', { ...scene, state }), T2);
    state = apply(state, plan('fetch', { ...scene, state }), T2);
  }
  return state;
}

describe('engine properties', () => {
  it('generated settings are valid (the generators explore what admins can save)', () => {
    fc.assert(
      fc.property(setup, ({ settings, attributes }) => {
        expect(validateSettings(settings, attributes)).toMatchObject({ ok: true });
      }),
      RUNS,
    );
  });

  it('plans are deterministic: the same inputs, in any order of products and links, give the same plan', () => {
    fc.assert(
      fc.property(
        anyScenario,
        fc.constantFrom<'push' | 'fetch' | 'initial'>('push', 'fetch', 'initial'),
        (scene, kind) => {
          const shuffled: InMemoryState = {
            ...scene.state,
            links: [...scene.state.links].reverse(),
            productGroups: scene.state.productGroups.map((group) => ({
              ...group,
              products: [...group.products].reverse(),
            })),
          };
          const first = plan(kind, scene);
          expect(plan(kind, scene)).toEqual(first);
          expect(plan(kind, { ...scene, state: shuffled })).toEqual(first);
        },
      ),
      RUNS,
    );
  });

  it('every plan is a valid sync plan of the API contract, nothing left out and nothing added', () => {
    fc.assert(
      fc.property(
        anyScenario,
        fc.constantFrom<'push' | 'fetch' | 'initial'>('push', 'fetch', 'initial'),
        (scene, kind) => {
          const built = plan(kind, scene);
          expect(SyncPlanSchema.parse(built)).toEqual(built);
        },
      ),
      RUNS,
    );
  });

  it('push then fetch with no outside change plans nothing: the fetch after a push writes only what was pending before it', () => {
    const fetchWrites = (scene: Pick<Scenario, 'settings' | 'attributes' | 'state'>): string[] =>
      writes(plan('fetch', scene)).flatMap((operation) =>
        operation.kind === 'update_line'
          ? operation.changes.map(
              (change) => `${operation.lineId}|${change.dynamicsField}|${JSON.stringify(change.new)}`,
            )
          : [],
      );
    let nothingPending = 0;
    fc.assert(
      fc.property(anyScenario, (scene) => {
        const pending = fetchWrites(scene);
        if (pending.length === 0) nothingPending += 1;
        const pushed = apply(scene.state, plan('push', scene), T2);
        const afterPush = fetchWrites({ ...scene, state: pushed });
        for (const write of afterPush) expect(pending).toContain(write);
      }),
      RUNS,
    );
    // The case the rule names (nothing pending, so the fetch must plan nothing) is most of the runs.
    expect(nothingPending).toBeGreaterThan(RUNS.numRuns / 2);
  });

  it('echoes write nothing: after a push of Dynamics-only changes, fetch plans no write', () => {
    fc.assert(
      fc.property(scenario(fc.array(dynamicsMutation, { maxLength: 8 })), (scene) => {
        fc.pre(!scene.settings.mappings.some((mapping) => mapping.direction === 'oneflow_to_dynamics'));
        const pushed = apply(scene.state, plan('push', scene), T2);
        expect(writes(plan('fetch', { ...scene, state: pushed }))).toEqual([]);
      }),
      RUNS,
    );
  });

  it('sync converges: after at most three rounds of push and fetch, neither plans a write', () => {
    fc.assert(
      fc.property(anyScenario, (scene) => {
        const state = converged(scene);
        expect(writes(plan('push', { ...scene, state }))).toEqual([]);
        expect(writes(plan('fetch', { ...scene, state }))).toEqual([]);
      }),
      RUNS,
    );
  });

  it('push never edits or deletes an Oneflow product that has no link', () => {
    fc.assert(
      fc.property(anyScenario, (scene) => {
        const touched = writes(plan('push', scene)).flatMap((operation) =>
          operation.kind === 'update_product' || operation.kind === 'delete_product'
            ? [operation.productId]
            : [],
        );
        for (const id of scene.handAdded) expect(touched).not.toContain(id);
      }),
      RUNS,
    );
  });

  it('fetch never creates or deletes a Dynamics line, and writes nothing to Oneflow', () => {
    fc.assert(
      fc.property(anyScenario, (scene) => {
        const fetch = plan('fetch', scene);
        expect(writes(fetch).every((operation) => operation.kind === 'update_line')).toBe(true);
        const after = apply(scene.state, fetch, T2);
        expect(after.lines.map((line) => line.id)).toEqual(scene.state.lines.map((line) => line.id));
        expect(after.productGroups).toEqual(scene.state.productGroups);
      }),
      RUNS,
    );
  });

  it('a sync-once field is never written after creation', () => {
    fc.assert(
      fc.property(anyScenario, (scene) => {
        const syncOnce = new Set(
          scene.settings.mappings
            .filter((mapping) => mapping.direction === 'sync_once')
            .map((mapping) => mapping.oneflowField),
        );
        for (const operation of [...plan('push', scene).operations, ...plan('fetch', scene).operations]) {
          if (operation.kind !== 'update_product' && operation.kind !== 'update_line') continue;
          for (const change of operation.changes) expect(syncOnce.has(change.oneflowField)).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it('after a push, every linked product equals its Dynamics line on every pushable field (a line discount spread over the contract’s quantity), unless the plan says why not', () => {
    fc.assert(
      fc.property(anyScenario, (scene) => {
        const push = plan('push', scene);
        const after = apply(scene.state, push, T2);
        const explained = new Set(
          push.operations.flatMap((operation) =>
            operation.notes.map((note) => `${operation.lineId ?? ''}|${note.oneflowField ?? '*'}`),
          ),
        );
        // A line whose product could not be made (invalid values) stays out of Oneflow, and its skip says why.
        for (const operation of push.operations) {
          if (operation.kind === 'skip' && (operation.rule === 'P2' || operation.rule === 'P5')) {
            explained.add(`${operation.lineId ?? ''}|*`);
          }
        }
        const group = after.productGroups[0];
        if (!group) throw new Error('the contract has a product table');
        const codecOf = (mapping: FieldMapping) =>
          makeCodec(
            scene.settings.productSource.entity,
            mapping,
            scene.attributes.find((candidate) => candidate.logicalName === mapping.dynamicsField),
            group.configuration,
          );
        const quantityMapping = scene.settings.mappings.find(
          (mapping) => mapping.dynamicsField === 'quantity' && mapping.oneflowField === 'quantity',
        );
        /** The line at the contract's quantity, where the contract keeps one Dynamics does not agree with. */
        const atContractQuantity = (line: DynamicsLine, product: OneflowProduct): DynamicsLine => {
          if (!quantityMapping) return line;
          const quantity = codecOf(quantityMapping);
          const dynamics = quantity.readDynamics(line);
          const oneflow = quantity.readOneflow(product);
          if (!dynamics.ok || !oneflow.ok || oneflow.value === null) return line;
          if (quantity.agrees(dynamics.value, oneflow.value, line)) return line;
          return { ...line, values: { ...line.values, quantity: Number(oneflow.value) } };
        };
        for (const line of after.lines) {
          if (explained.has(`${line.id}|*`)) continue;
          const product = productOf(after, line.id);
          for (const mapping of scene.settings.mappings) {
            if (mapping.direction !== 'dynamics_to_oneflow' && mapping.direction !== 'two_way') continue;
            if (explained.has(`${line.id}|${mapping.oneflowField}`)) continue;
            const codec = codecOf(mapping);
            const asIn = codec.lineDiscount ? atContractQuantity(line, product) : line;
            const dynamics = codec.readDynamics(asIn);
            const oneflow = codec.readOneflow(product);
            if (!dynamics.ok || !oneflow.ok) throw new Error('the values read back');
            const inStep =
              codec.agrees(dynamics.value, oneflow.value, asIn) ||
              codec.agreesWithinRounding(dynamics.value, oneflow.value, asIn);
            expect({ line: line.id, field: mapping.oneflowField, inStep, oneflow: oneflow.value }).toEqual({
              line: line.id,
              field: mapping.oneflowField,
              inStep: true,
              oneflow: inStep ? oneflow.value : codec.toOneflow(dynamics.value, asIn),
            });
          }
        }
      }),
      RUNS,
    );
  });

  it('applying a plan twice equals applying it once', () => {
    fc.assert(
      fc.property(
        anyScenario,
        fc.constantFrom<'push' | 'fetch' | 'initial'>('push', 'fetch', 'initial'),
        (scene, kind) => {
          const planned = plan(kind, scene);
          const once = apply(scene.state, planned, T2);
          expect(apply(once, planned, T2)).toEqual(once);
        },
      ),
      RUNS,
    );
  });
});

// ---- the discount after a quantity change: Dynamics keeps a line total, Oneflow a per-unit amount ----

interface DiscountScene {
  settings: EntitySettings;
  quantityPrecision: number;
  /** The line's quantity and its manual discount (a line total) when the contract was made. */
  quantity: number;
  lineDiscount: number;
  /** The quantity one side changes it to. */
  newQuantity: number;
}

/** A quantity at the group's precision: whole units, or hundredths (hours, kilograms). */
const quantityAt = (precision: number, min: number) =>
  precision === 0
    ? fc.integer({ min, max: 40 })
    : fc.integer({ min: Math.max(1, min * 100), max: 4000 }).map((hundredths) => hundredths / 100);

function discountScene(quantityDirections: Direction[]): fc.Arbitrary<DiscountScene> {
  return fc
    .record({
      quantityPrecision: fc.constantFrom(0, 2),
      quantityDirection: fc.constantFrom(...quantityDirections),
      policies: fc.array(policy, { minLength: 2, maxLength: 2 }),
    })
    .chain(({ quantityPrecision, quantityDirection, policies }) =>
      fc
        .record({
          quantity: quantityAt(quantityPrecision, 1),
          newQuantity: quantityAt(quantityPrecision, 1),
          // Per unit below the price of 100.00, as Oneflow requires.
          perUnitCents: fc.integer({ min: 1, max: 9_999 }),
        })
        .map(({ quantity, newQuantity, perUnitCents }) => ({
          settings: opportunitySettings({
            quantity: { direction: quantityDirection, conflictPolicy: policies[0] ?? 'by_action' },
            'price_1.discount_amount': {
              direction: 'dynamics_to_oneflow',
              conflictPolicy: policies[1] ?? 'by_action',
            },
          }),
          quantityPrecision,
          quantity,
          newQuantity,
          lineDiscount: Math.round(perUnitCents * quantity) / 100,
        })),
    );
}

function madeContract(scene: DiscountScene): InMemoryState {
  const start = {
    lines: [
      {
        id: 'l1',
        etag: 'W/"1"',
        isWriteIn: false,
        modifiedOn: T0,
        values: {
          productidname: 'Consulting',
          priceperunit: 100,
          quantity: scene.quantity,
          manualdiscountamount: scene.lineDiscount,
        },
      },
    ],
    productGroups: [
      {
        id: 77,
        configuration: { price_precision: 2, quantity_precision: scene.quantityPrecision },
        products: [],
      },
    ],
    links: [],
    nextProductId: 1,
  };
  return apply(start, planInitialTransfer(inputOf(start, scene.settings, T0)), T0);
}

const perUnitDiscount = (state: InMemoryState) => productOf(state, 'l1').price_1?.discount_amount?.amount;
const dynamicsDiscount = (state: InMemoryState) => state.lines[0]?.values.manualdiscountamount;

describe('the discount after a quantity change (the decision in docs/decisions.md)', () => {
  it('a quantity the counterparty changes in Oneflow keeps the per-unit discount the contract shows: fetch makes Dynamics’ line total follow, and push proposes no other discount', () => {
    fc.assert(
      fc.property(discountScene(['two_way', 'oneflow_to_dynamics']), (scene) => {
        const made = madeContract(scene);
        const perUnit = perUnitDiscount(made);
        const edited = editProduct(made, 'l1', 'quantity', String(scene.newQuantity), T1);
        const fetched = apply(edited, planFetch(inputOf(edited, scene.settings, T1)), T1);
        expect(fetched.lines[0]?.values.quantity).toBe(scene.newQuantity);
        // Dynamics' line total is the contract's per-unit discount at the new quantity: spread back over it, or
        // (where cents cannot hold the exact share, below one unit) as per unit × quantity, to the cent.
        const total = new Big(Number(dynamicsDiscount(fetched) ?? 0));
        const unit = new Big(perUnit ?? '0');
        const cents = (value: Big) => value.round(2, Big.roundHalfUp).toFixed(2);
        const inStep =
          cents(total.div(scene.newQuantity)) === cents(unit) ||
          cents(unit.times(scene.newQuantity)) === cents(total);
        expect({ total: cents(total), perUnit: cents(unit), inStep }).toMatchObject({ inStep: true });
        const push = planPush(inputOf(fetched, scene.settings, T2));
        expect(writes(push)).toEqual([]);
        expect(perUnitDiscount(apply(fetched, push, T2))).toBe(perUnit);
        expect(writes(planFetch(inputOf(fetched, scene.settings, T2)))).toEqual([]);
      }),
      RUNS,
    );
  });

  it('a push that runs before the fetch of the counterparty’s quantity changes nothing the fetch first would not: both orders end in the same state', () => {
    fc.assert(
      fc.property(discountScene(['two_way', 'oneflow_to_dynamics']), (scene) => {
        const made = madeContract(scene);
        const edited = editProduct(made, 'l1', 'quantity', String(scene.newQuantity), T1);
        const pushed = apply(edited, planPush(inputOf(edited, scene.settings, T1)), T1);
        const pushThenFetch = apply(pushed, planFetch(inputOf(pushed, scene.settings, T2)), T2);
        const fetched = apply(edited, planFetch(inputOf(edited, scene.settings, T1)), T1);
        const fetchThenPush = apply(fetched, planPush(inputOf(fetched, scene.settings, T2)), T2);
        const end = (state: InMemoryState) => ({
          line: state.lines[0]?.values,
          product: productOf(state, 'l1'),
        });
        expect(end(pushThenFetch)).toEqual(end(fetchThenPush));
        expect(perUnitDiscount(pushThenFetch)).toBe(perUnitDiscount(made));
      }),
      RUNS,
    );
  });

  it('a quantity the sales rep changes in Dynamics keeps the line total, as Dynamics does: push spreads it over the new quantity, and the fetch after it changes nothing', () => {
    fc.assert(
      fc.property(discountScene(['two_way', 'dynamics_to_oneflow']), (scene) => {
        fc.pre(scene.lineDiscount / scene.newQuantity < 100);
        const made = madeContract(scene);
        const edited = editLine(made, 'l1', { quantity: scene.newQuantity }, T1);
        const push = planPush(inputOf(edited, scene.settings, T1));
        const pushed = apply(edited, push, T1);
        expect(dynamicsDiscount(pushed)).toBe(scene.lineDiscount);
        const perUnit = new Big(scene.lineDiscount).div(scene.newQuantity).round(2, Big.roundHalfUp);
        expect(perUnitDiscount(pushed)).toBe(perUnit.toFixed(2));
        expect(writes(planFetch(inputOf(pushed, scene.settings, T2)))).toEqual([]);
        expect(writes(planPush(inputOf(pushed, scene.settings, T2)))).toEqual([]);
      }),
      RUNS,
    );
  });
});

describe('compare', () => {
  const WRITTEN = new Set(['will_push', 'will_fetch', 'conflict']);

  it('the compare of any contract is a valid answer that shows every write the plans make, and calls nothing in sync that a plan writes', () => {
    fc.assert(
      fc.property(anyScenario, (scene) => {
        const input = inputOf(scene.state, scene.settings, T2, scene.attributes);
        const answer = CompareAnswerSchema.parse(
          compareContract(input, { contract: { state: 'draft', name: null }, recordId: 'r' }),
        );
        const push = plan('push', scene);
        const fetch = plan('fetch', scene);
        const written = (which: SyncPlan, lineId: string, key: OneflowFieldKey): boolean =>
          which.operations.some(
            (operation) =>
              operation.lineId === lineId &&
              'changes' in operation &&
              operation.changes.some((change) => change.oneflowField === key),
          );
        for (const line of answer.lines.filter((entry) => entry.state === 'linked')) {
          for (const field of line.fields) {
            const byPlans =
              written(push, line.lineId, field.oneflowField) ||
              written(fetch, line.lineId, field.oneflowField);
            // Whatever a plan writes is shown as written by an action; what it shows in sync, no plan writes.
            expect({
              line: line.lineId,
              field: field.oneflowField,
              written: WRITTEN.has(field.status),
            }).toEqual({
              line: line.lineId,
              field: field.oneflowField,
              written: byPlans,
            });
            if (field.status === 'skipped' || field.status === 'conflict_held') {
              expect(field.reason).toMatch(/\S/);
            }
          }
        }
        expect(answer.addedInOneflow.map((product) => product.productId)).toEqual(
          expect.arrayContaining(scene.handAdded),
        );
        expect(answer.counts.push).toEqual({
          creates: push.summary.productsCreated,
          updates: push.summary.productsUpdated,
          deletes: push.summary.productsDeleted,
        });
      }),
      RUNS,
    );
  });

  it('after push and fetch have converged, the compare shows nothing left for either action', () => {
    fc.assert(
      fc.property(anyScenario, (scene) => {
        const state = converged(scene);
        const answer = compareContract(inputOf(state, scene.settings, T2, scene.attributes), {
          contract: { state: 'draft', name: null },
          recordId: 'r',
        });
        const pending = answer.lines.flatMap((line) =>
          line.fields
            .filter((field) => WRITTEN.has(field.status))
            .map((field) => [line.lineId, field.oneflowField]),
        );
        expect(pending).toEqual([]);
      }),
      RUNS,
    );
  });
});
