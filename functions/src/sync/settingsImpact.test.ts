import {
  applyPlanInMemory,
  builtInSalesLineAttributes,
  defaultSettings,
  planFetch,
  planInitialTransfer,
  planPush,
  writeOneflowField,
  type DynamicsLine,
  type EntitySettings,
  type FieldMapping,
  type InMemoryState,
  type OneflowFieldKey,
  type PlanInput,
} from '@oneflow-sync/shared';
import { compareImpact, mappingDifferences, type ContractPlans } from './settingsImpact';

/** The comparison of what the next push and fetch write with the current and with candidate settings. */

const T0 = '2026-11-24T09:00:00.000Z';
const T1 = '2026-11-24T10:00:00.000Z';
const ATTRIBUTES = builtInSalesLineAttributes('opportunityproduct');

function settingsWith(patches: Partial<Record<OneflowFieldKey, Partial<FieldMapping>>> = {}): EntitySettings {
  const base = defaultSettings('opportunity');
  if (!base) throw new Error('opportunity has default settings');
  return {
    ...base,
    mappings: base.mappings.map((mapping) => ({ ...mapping, ...patches[mapping.oneflowField] })),
  };
}

const CURRENT = settingsWith({ quantity: { direction: 'dynamics_to_oneflow' } });
const TWO_WAY = settingsWith({ quantity: { direction: 'two_way' } });

function line(id: string, quantity: number): DynamicsLine {
  return {
    id,
    values: {
      productidname: `Product ${id}`,
      productdescription: null,
      description: null,
      priceperunit: 100,
      quantity,
      manualdiscountamount: 0,
    },
    isWriteIn: false,
    modifiedOn: T0,
    etag: 'W/"1"',
  };
}

function inputOf(contractId: number, state: InMemoryState, settings: EntitySettings, now = T1): PlanInput {
  return {
    settings,
    attributes: ATTRIBUTES,
    lines: state.lines,
    contract: { id: contractId, productGroups: state.productGroups },
    links: state.links,
    clock: () => new Date(now),
  };
}

/** A contract created from `lines` with the current settings: both sides in sync. */
function synced(contractId: number, lines: DynamicsLine[]): InMemoryState {
  const start: InMemoryState = {
    lines,
    productGroups: [{ id: 77, configuration: { price_precision: 2, quantity_precision: 0 }, products: [] }],
    links: [],
    nextProductId: contractId * 100,
  };
  return applyPlanInMemory(start, planInitialTransfer(inputOf(contractId, start, CURRENT, T0)), T0);
}

/** A counterparty's edit in Oneflow of the product made from `lineId`. */
function editInOneflow(
  state: InMemoryState,
  lineId: string,
  key: OneflowFieldKey,
  value: string,
): InMemoryState {
  return {
    ...state,
    productGroups: state.productGroups.map((group) => ({
      ...group,
      products: group.products.map((product) =>
        product._private_ownerside?.custom_id === lineId
          ? {
              ...writeOneflowField(product, key, value),
              _private_ownerside: { ...product._private_ownerside, updated_time: T1 },
            }
          : product,
      ),
    })),
  };
}

function plansOf(
  contractId: number,
  state: InMemoryState,
  current: EntitySettings | null,
  candidate: EntitySettings,
): ContractPlans {
  const plans = (settings: EntitySettings) => {
    const input = inputOf(contractId, state, settings);
    return { push: planPush(input), fetch: planFetch(input) };
  };
  return {
    contractId,
    now: current ? plans(current) : null,
    after: plans(candidate),
    links: state.links.length,
  };
}

function impactOf(
  planned: ContractPlans[],
  candidate: EntitySettings,
  current: EntitySettings | null = CURRENT,
) {
  return compareImpact({
    entity: 'opportunity',
    plannedAt: T1,
    current,
    candidate,
    stored: planned.length,
    limit: 200,
    planned,
    unreadable: [],
  });
}

/** Two contracts: the counterparty changed the quantity of two lines of the first and one line of the second. */
function counterpartyChangedQuantities(candidate: EntitySettings, current: EntitySettings = CURRENT) {
  let first = synced(1001, [line('a1', 2), line('a2', 3), line('a3', 4)]);
  first = editInOneflow(first, 'a1', 'quantity', '5');
  first = editInOneflow(first, 'a2', 'quantity', '6');
  let second = synced(1002, [line('b1', 1), line('b2', 1)]);
  second = editInOneflow(second, 'b2', 'quantity', '9');
  const untouched = synced(1003, [line('c1', 7)]);
  return [
    plansOf(1001, first, current, candidate),
    plansOf(1002, second, current, candidate),
    plansOf(1003, untouched, current, candidate),
  ];
}

describe('a direction change', () => {
  test('Dynamics to Oneflow → Two-way: the lines changed in Oneflow take its value at the next fetch, and push no longer sends them', () => {
    const impact = impactOf(counterpartyChangedQuantities(TWO_WAY), TWO_WAY);
    expect(impact.affected).toBe(true);
    expect(impact.mappings).toEqual([
      expect.objectContaining({
        oneflowField: 'quantity',
        label: 'Quantity',
        change: 'changed',
        properties: ['direction'],
        description: 'Quantity: direction Dynamics to Oneflow → Two-way',
      }),
    ]);
    const quantity = impact.fields.find((field) => field.oneflowField === 'quantity');
    expect(quantity?.rows).toEqual([
      {
        action: 'fetch',
        side: 'dynamics',
        now: { contracts: 0, lines: 0 },
        after: { contracts: 2, lines: 3 },
        added: { contracts: 2, lines: 3 },
        dropped: { contracts: 0, lines: 0 },
        otherValue: { contracts: 0, lines: 0 },
      },
      {
        action: 'push',
        side: 'oneflow',
        now: { contracts: 2, lines: 3 },
        after: { contracts: 0, lines: 0 },
        added: { contracts: 0, lines: 0 },
        dropped: { contracts: 2, lines: 3 },
        otherValue: { contracts: 0, lines: 0 },
      },
    ]);
    expect(quantity?.headline).toBe(
      "Quantity becomes Two-way: 3 lines of 2 contracts would take Oneflow's value at the next fetch; " +
        '3 lines of 2 contracts would no longer send their value to Oneflow at the next push.',
    );
    expect(impact.headlines).toEqual([quantity?.headline]);
  });

  test('the counts are the lines the next fetch writes once the settings are saved', () => {
    const planned = counterpartyChangedQuantities(TWO_WAY);
    const impact = impactOf(planned, TWO_WAY);
    const fetched = planned.flatMap((contract) =>
      contract.after.fetch.operations.flatMap((operation) =>
        operation.kind === 'update_line'
          ? operation.changes.filter((change) => change.oneflowField === 'quantity')
          : [],
      ),
    );
    const row = impact.fields[0]?.rows.find((candidate) => candidate.action === 'fetch');
    expect(row?.after.lines).toBe(fetched.length);
  });

  test('Two-way → Dynamics to Oneflow: the reverse, stated as writes no longer made', () => {
    const impact = impactOf(counterpartyChangedQuantities(CURRENT, TWO_WAY), CURRENT, TWO_WAY);
    const quantity = impact.fields.find((field) => field.oneflowField === 'quantity');
    expect(quantity?.headline).toBe(
      "Quantity becomes Dynamics to Oneflow: 3 lines of 2 contracts would no longer take Oneflow's value at the next fetch; " +
        '3 lines of 2 contracts would send their value to Oneflow at the next push.',
    );
  });
});

describe('nothing changes', () => {
  test('the same settings: no field, no headline but "no contract is affected"', () => {
    const impact = impactOf(counterpartyChangedQuantities(CURRENT), CURRENT);
    expect(impact).toMatchObject({ affected: false, mappings: [], fields: [], products: [] });
    expect(impact.headlines).toEqual(['No contract synced so far is affected.']);
  });

  test('a changed mapping no synced line feels is listed with "no contract synced so far is affected"', () => {
    const candidate = settingsWith({
      quantity: { direction: 'dynamics_to_oneflow', writeCondition: 'only_if_target_empty' },
    });
    const impact = impactOf([plansOf(1003, synced(1003, [line('c1', 7)]), CURRENT, candidate)], candidate);
    expect(impact.affected).toBe(false);
    expect(impact.fields).toEqual([
      expect.objectContaining({
        oneflowField: 'quantity',
        rows: [],
        headline:
          'Quantity: write condition always → only if the target is empty: no contract synced so far is affected.',
      }),
    ]);
  });
});

test('a conflict policy that holds values for review: the writes the current settings make are dropped', () => {
  // Changed on both sides: by action, push writes Dynamics' value; review holds it.
  let state = synced(1001, [line('a1', 2)]);
  state = editInOneflow(state, 'a1', 'quantity', '5');
  state = {
    ...state,
    lines: state.lines.map((entry) => ({
      ...entry,
      values: { ...entry.values, quantity: 8 },
      modifiedOn: T1,
    })),
  };
  const candidate = settingsWith({
    quantity: { direction: 'dynamics_to_oneflow', conflictPolicy: 'review' },
  });
  const impact = impactOf([plansOf(1001, state, CURRENT, candidate)], candidate);
  const rows = impact.fields.find((field) => field.oneflowField === 'quantity')?.rows ?? [];
  expect(rows).toEqual([
    expect.objectContaining({ action: 'push', side: 'oneflow', dropped: { contracts: 1, lines: 1 } }),
  ]);
});

test('another Dynamics field for a mapped Oneflow field: the lines where it holds another value are written', () => {
  const candidate = settingsWith({ description: { dynamicsField: 'productdescription' } });
  let state = synced(1001, [line('a1', 2)]);
  state = {
    ...state,
    lines: state.lines.map((entry) => ({
      ...entry,
      values: { ...entry.values, productdescription: 'Text of the write-in' },
    })),
  };
  const impact = impactOf([plansOf(1001, state, CURRENT, candidate)], candidate);
  const description = impact.fields.find((field) => field.oneflowField === 'description');
  expect(description?.mapping?.properties).toEqual(['dynamicsField']);
  expect(description?.rows).toEqual([
    expect.objectContaining({ action: 'push', side: 'oneflow', added: { contracts: 1, lines: 1 } }),
  ]);
});

test('products switched off: every contract stops syncing, and every write of the current settings is dropped', () => {
  const candidate = { ...TWO_WAY, productsEnabled: false };
  const impact = impactOf(counterpartyChangedQuantities(candidate), candidate);
  expect(impact.transferProducts).toEqual({
    before: true,
    after: false,
    contracts: 3,
    headline:
      'Transfer products switched off: 3 contracts stop syncing; no products are sent to or taken from Oneflow.',
  });
  const push = impact.fields.find((field) => field.oneflowField === 'quantity')?.rows[0];
  expect(push).toMatchObject({
    action: 'push',
    dropped: { contracts: 2, lines: 3 },
    after: { contracts: 0, lines: 0 },
  });
  expect(impact.headlines[0]).toBe(impact.transferProducts?.headline);
});

test('another product source: the links are to lines of the old one, and push would replace the products', () => {
  const candidate: EntitySettings = {
    ...CURRENT,
    productSource: {
      entity: 'opportunityproduct',
      lookupAttribute: 'parentopportunityid',
      relationship: 'other',
    },
  };
  const state = synced(1001, [line('a1', 2), line('a2', 3)]);
  // The other source's lines are other records.
  const otherLines: InMemoryState = { ...state, lines: [line('n1', 2)] };
  const planned: ContractPlans = {
    contractId: 1001,
    now: plansOf(1001, state, CURRENT, CURRENT).after,
    after: plansOf(1001, otherLines, candidate, candidate).after,
    links: state.links.length,
  };
  const impact = impactOf([planned], candidate);
  expect(impact.sourceChange).toMatchObject({ links: 2, contracts: 1 });
  expect(impact.sourceChange?.headline).toBe(
    'The product source changes from opportunityproduct (opportunityid) to opportunityproduct (parentopportunityid): the 2 links of 1 contract are to lines of opportunityproduct.',
  );
  expect(impact.products).toEqual([
    expect.objectContaining({
      action: 'push',
      kind: 'create_product',
      now: { contracts: 0, lines: 0 },
      after: { contracts: 1, lines: 1 },
    }),
    expect.objectContaining({
      action: 'push',
      kind: 'delete_product',
      now: { contracts: 0, lines: 0 },
      after: { contracts: 1, lines: 2 },
    }),
  ]);
});

test('more contracts than the limit, and contracts that could not be read, are said', () => {
  const planned = counterpartyChangedQuantities(TWO_WAY).slice(0, 2);
  const impact = compareImpact({
    entity: 'opportunity',
    plannedAt: T1,
    current: CURRENT,
    candidate: TWO_WAY,
    stored: 250,
    limit: 3,
    planned,
    unreadable: [{ contractId: 1003, recordId: 'r', reason: 'Oneflow answered 500' }],
  });
  expect(impact.contracts).toEqual({ stored: 250, considered: 3, compared: 2, limit: 3, truncated: true });
  expect(impact.headlines.slice(-2)).toEqual([
    'Only the first 3 of 250 contracts were planned.',
    '1 contract could not be read and is not counted.',
  ]);
});

describe('mapping differences', () => {
  test('added, removed and changed mappings, in the catalog order', () => {
    const current = settingsWith();
    const candidate: EntitySettings = {
      ...current,
      mappings: [
        ...current.mappings.filter((mapping) => mapping.oneflowField !== 'description'),
        {
          dynamicsField: 'description',
          oneflowField: 'price_2.base_amount',
          direction: 'sync_once',
          writeCondition: 'always',
          conflictPolicy: 'by_action',
        } satisfies FieldMapping,
      ].map((mapping) =>
        mapping.oneflowField === 'name' ? { ...mapping, conflictPolicy: 'dynamics_wins' as const } : mapping,
      ),
    };
    expect(
      mappingDifferences(current, candidate).map((difference) => [
        difference.oneflowField,
        difference.change,
        difference.description,
      ]),
    ).toEqual([
      ['name', 'changed', 'Name: conflict policy by action → Dynamics wins'],
      ['description', 'removed', 'Description is no longer mapped'],
      ['price_2.base_amount', 'added', 'Price 2: base amount is newly mapped from description (Sync once)'],
    ]);
  });

  test('an entity without current settings: every mapping is added', () => {
    expect(mappingDifferences(null, CURRENT).every((difference) => difference.change === 'added')).toBe(true);
  });
});
