/**
 * The impact preview of a settings change end to end: several synced contracts, a counterparty who changed
 * quantities in Oneflow, and an admin about to make Quantity two-way. The preview's counts are what the next fetch
 * then writes once the settings are saved; the preview itself writes nothing (tables and both simulators' request
 * logs), refuses what a save refuses, is for admins only, and never counts another tenant's contracts.
 */
import {
  SettingsImpactAnswerSchema,
  defaultSettings,
  type EntitySettings,
  type SettingsImpactAnswer,
} from '@oneflow-sync/shared';
import { FIXTURE, startStack, type ApiAnswer, type Stack } from '../testing/stack';
import {
  clearLogs,
  contractLineSource,
  createContract,
  dynamicsSide,
  expectStatus,
  linksOf,
  loadRecords,
  oneflowSide,
  quantityOf,
  requestLog,
  runAction,
  saveOpportunitySettings,
  writesLogged,
  type OneflowSide,
  type TestRecord,
} from './syncE2eSupport';

jest.setTimeout(120_000);

const ONEFLOW_HEADERS = { 'x-oneflow-api-token': FIXTURE.oneflowToken };
/** Contracts made for the test of many contracts (records 5 onwards). */
const MANY = 20;

let stack: Stack;
let alex: string;
let sam: string;
let oneflow: OneflowSide;
let records: TestRecord[];
/** Contoso's three synced contracts, by the record they were made from. */
const contracts: number[] = [];
/** A contract of Fabrikam, with a quantity changed in Oneflow as well. */
let fabrikamContract: number;

function opportunitySettings(quantity: EntitySettings['mappings'][number]['direction']): EntitySettings {
  const settings = defaultSettings('opportunity');
  if (!settings) throw new Error('opportunity has default settings');
  return {
    ...settings,
    mappings: settings.mappings.map((mapping) =>
      mapping.oneflowField === 'quantity' ? { ...mapping, direction: quantity } : mapping,
    ),
  };
}

const TWO_WAY = opportunitySettings('two_way');

function record(index: number): TestRecord {
  const found = records[index];
  if (!found) throw new Error(`no test record ${String(index)}`);
  return found;
}

/** A counterparty's edit of a line's quantity in Oneflow. */
async function counterpartySetsQuantity(contractId: number, line: string, quantity: number): Promise<void> {
  const product = await oneflow.productOf(contractId, line);
  if (!product) throw new Error(`no product for line ${line}`);
  await oneflow.update(contractId, product.id, { quantity: { amount: quantity } });
}

const impactOf = (body: unknown, token = sam): Promise<ApiAnswer> =>
  stack.api('POST', 'settings/opportunity/impact', { token, body });

function parsed(answer: ApiAnswer): SettingsImpactAnswer {
  expectStatus(answer, 200);
  return SettingsImpactAnswerSchema.parse(answer.body);
}

/** What the tables hold for Contoso's contracts: links, records, activity and settings. */
async function storedState() {
  const { store } = stack.services;
  return {
    contracts: await store.contracts.listAll(),
    links: await Promise.all([...contracts, fabrikamContract].map((id) => linksOf(stack, id))),
    fabrikamLinks: await store.links.list(FIXTURE.fabrikam, fabrikamContract),
    activity: await store.activity.list(FIXTURE.contoso, { limit: 1000 }),
    settings: await store.settings.get(FIXTURE.contoso, 'opportunity'),
  };
}

beforeAll(async () => {
  stack = await startStack();
  [alex, sam] = await Promise.all([stack.token('alex'), stack.token('sam')]);
  oneflow = oneflowSide(stack);
  ({ records } = await loadRecords(stack, { standard: 5 + MANY }));
  // Quantity goes from Dynamics to Oneflow only: Oneflow's changes to it stay there until a push overwrites them.
  await saveOpportunitySettings(stack, () => opportunitySettings('dynamics_to_oneflow'));
  for (const index of [0, 1, 2, 3]) {
    contracts.push((await createContract(stack, alex, record(index).id)).contract.contractId);
  }
  const [first, second, , moved] = contracts;
  if (first === undefined || second === undefined || moved === undefined)
    throw new Error('contracts missing');
  await counterpartySetsQuantity(first, record(0).lines[0], 14);
  await counterpartySetsQuantity(first, record(0).lines[2], 3);
  await counterpartySetsQuantity(second, record(1).lines[1], 20);
  await counterpartySetsQuantity(moved, record(3).lines[0], 40);
  // The fourth contract belongs to Fabrikam from now on: its record and links move to that tenant.
  const { store } = stack.services;
  const contoso = await store.contracts.getById(FIXTURE.contoso, moved);
  if (!contoso) throw new Error('contract not stored');
  const links = await store.links.list(FIXTURE.contoso, moved);
  await store.contracts.delete(FIXTURE.contoso, moved);
  await store.links.replaceAll(FIXTURE.contoso, moved, []);
  await store.contracts.put({ ...contoso, tenantId: FIXTURE.fabrikam });
  await store.links.replaceAll(FIXTURE.fabrikam, moved, links);
  contracts.pop();
  fabrikamContract = moved;
}, 120_000);

afterAll(async () => {
  await stack.close();
});

beforeEach(async () => {
  await clearLogs(stack);
});

test('Dynamics to Oneflow → Two-way: the preview counts what the next fetch then writes, and writes nothing itself', async () => {
  const before = await storedState();
  const impact = parsed(await impactOf(TWO_WAY));

  // Nothing written: no request but reads to either service, and the tables as they were.
  expect(await writesLogged(stack)).toEqual([]);
  expect(await storedState()).toEqual(before);

  expect(impact.contracts).toEqual({ stored: 3, considered: 3, compared: 3, limit: 200, truncated: false });
  expect(impact.unreadable).toEqual([]);
  expect(impact.affected).toBe(true);
  expect(impact.mappings.map((mapping) => [mapping.oneflowField, mapping.properties])).toEqual([
    ['quantity', ['direction']],
  ]);
  const quantity = impact.fields.find((field) => field.oneflowField === 'quantity');
  const fetchRow = quantity?.rows.find((row) => row.action === 'fetch' && row.side === 'dynamics');
  expect(fetchRow).toMatchObject({
    now: { contracts: 0, lines: 0 },
    after: { contracts: 2, lines: 3 },
    added: { contracts: 2, lines: 3 },
  });
  expect(quantity?.headline).toMatch(
    /^Quantity becomes Two-way: 3 lines of 2 contracts would take Oneflow's value at the next fetch/,
  );

  // Saved, then fetched: the lines written are the ones the preview counted.
  await saveOpportunitySettings(stack, () => TWO_WAY);
  const fetched = await Promise.all(contracts.map((id) => runAction(stack, alex, id, 'fetch')));
  const written = fetched.map((result) =>
    result.plan.operations.flatMap((operation) =>
      operation.kind === 'update_line'
        ? operation.changes.filter((change) => change.oneflowField === 'quantity')
        : [],
    ),
  );
  expect(written.flat().length).toBe(fetchRow?.after.lines);
  expect(written.filter((changes) => changes.length > 0).length).toBe(fetchRow?.after.contracts);
  const dynamics = dynamicsSide(stack);
  expect(Number((await dynamics.line(record(0).lines[0]))?.quantity)).toBe(14);
  expect(quantityOf(await oneflow.productOf(contracts[1] ?? 0, record(1).lines[1]))).toBe(20);

  // With the settings saved, the same candidate changes nothing.
  const again = parsed(await impactOf(TWO_WAY));
  expect(again).toMatchObject({ affected: false, mappings: [], fields: [] });
  expect(again.headlines).toEqual(['No contract synced so far is affected.']);
});

test('a plain user is refused with 403, and a body a save would refuse with the same 400 naming the field', async () => {
  const forbidden = await impactOf(TWO_WAY, alex);
  expect(forbidden.status).toBe(403);

  const twoWayDescription = {
    ...TWO_WAY,
    mappings: TWO_WAY.mappings.map((mapping) =>
      mapping.oneflowField === 'description' ? { ...mapping, direction: 'two_way' } : mapping,
    ),
  };
  const refused = await impactOf(twoWayDescription);
  const saved = await stack.api('PUT', 'settings/opportunity', {
    token: sam,
    body: twoWayDescription,
    headers: { 'if-match': '*' },
  });
  expect(refused.status).toBe(400);
  expect(refused.body).toEqual(saved.body);
  expect(refused.body).toMatchObject({
    error: { code: 'bad_request', details: [{ field: 'body.mappings.1.direction' }] },
  });

  const misspelt = await impactOf({
    ...TWO_WAY,
    mappings: TWO_WAY.mappings.map((mapping, index) =>
      index === 3 ? { ...mapping, direction: 'sideways' } : mapping,
    ),
  });
  expect(misspelt.status).toBe(400);
  expect(misspelt.body).toMatchObject({ error: { details: [{ field: 'body.mappings.3.direction' }] } });
  expect(await writesLogged(stack)).toEqual([]);
});

test("another tenant's contracts are never counted", async () => {
  // Contoso's contracts are in sync under Two-way: what is left to preview is Fabrikam's contract, whose quantity
  // changed in Oneflow; it is stored for the same entity, and must not show.
  await saveOpportunitySettings(stack, () => TWO_WAY);
  await Promise.all(contracts.map((id) => runAction(stack, alex, id, 'fetch')));
  const all = await stack.services.store.contracts.listAll();
  expect(
    all.filter((stored) => stored.tenantId === FIXTURE.fabrikam).map((stored) => stored.contractId),
  ).toEqual([fabrikamContract]);
  await clearLogs(stack);

  const impact = parsed(await impactOf(opportunitySettings('dynamics_to_oneflow')));
  expect(impact.contracts).toMatchObject({ stored: 3, compared: 3 });
  expect(impact).toMatchObject({ affected: false, unreadable: [] });
  expect(impact.fields.map((field) => [field.oneflowField, field.rows])).toEqual([['quantity', []]]);
  const requested = (await requestLog(stack, 'oneflow')).requests.map((request) => request.url);
  expect(requested.filter((url) => url.includes(String(fabrikamContract)))).toEqual([]);
  expect(await writesLogged(stack)).toEqual([]);
});

test('a contract deleted in Oneflow is reported as unreadable, and not marked by the preview', async () => {
  const contractId = (await createContract(stack, alex, record(4).id)).contract.contractId;
  const deleted = await stack.sim(
    'oneflow',
    'DELETE',
    `/v1/contracts/${String(contractId)}`,
    undefined,
    ONEFLOW_HEADERS,
  );
  expect(deleted.status).toBeLessThan(300);
  await clearLogs(stack);

  const impact = parsed(await impactOf({ ...TWO_WAY, productsEnabled: false }));
  expect(impact.unreadable).toEqual([
    {
      contractId,
      recordId: record(4).id,
      reason: 'Oneflow no longer has this contract: it was deleted there',
    },
  ]);
  expect(impact.contracts).toMatchObject({ stored: 4, considered: 4, compared: 3 });
  expect(impact.transferProducts).toMatchObject({ before: true, after: false, contracts: 4 });
  expect(impact.headlines[0]).toBe(
    'Transfer products switched off: 4 contracts stop syncing; no products are sent to or taken from Oneflow.',
  );
  expect(impact.headlines).toContain('1 contract could not be read and is not counted.');
  const stored = await stack.services.store.contracts.getById(FIXTURE.contoso, contractId);
  expect(stored?.deletedInOneflowAt).toBeNull();
  expect(await writesLogged(stack)).toEqual([]);
});

test('each contract is read once per side, and its lines once per distinct reading of the two settings', async () => {
  for (let index = 5; index < 5 + MANY; index++) await createContract(stack, alex, record(index).id);
  const compared = 3 + MANY;
  // The contract deleted in Oneflow (the test before) is read too, and reported as unreadable.
  const considered = compared + 1;
  const reads = async () => {
    const [oneflowLog, dataverseLog] = await Promise.all([
      requestLog(stack, 'oneflow'),
      requestLog(stack, 'dataverse'),
    ]);
    return {
      contracts: oneflowLog.requests.filter((request) =>
        /\/v1\/contracts\/\d+$/.test(request.url.split('?')[0] ?? ''),
      ).length,
      lines: dataverseLog.requests.filter((request) => request.url.includes('/opportunityproducts?')).length,
    };
  };

  // The same columns as the settings in force: one read of the lines serves both plans.
  await clearLogs(stack);
  const same = parsed(await impactOf(opportunitySettings('dynamics_to_oneflow')));
  expect(same.contracts).toMatchObject({ stored: considered, considered, compared });
  expect(await reads()).toEqual({ contracts: considered, lines: considered });

  // Another column (the write-in's product name as the description): each reading reads its own lines.
  const otherColumn = {
    ...TWO_WAY,
    mappings: TWO_WAY.mappings.map((mapping) =>
      mapping.oneflowField === 'description' ? { ...mapping, dynamicsField: 'productdescription' } : mapping,
    ),
  };
  await clearLogs(stack);
  const other = parsed(await impactOf(otherColumn));
  expect(await reads()).toEqual({ contracts: considered, lines: 2 * considered });
  expect(other.mappings.map((mapping) => [mapping.oneflowField, mapping.properties])).toEqual([
    ['description', ['dynamicsField']],
  ]);
  // Every line's description would come from another column, whose values differ from the ones synced.
  const description = other.fields.find((field) => field.oneflowField === 'description');
  expect(description?.rows).toEqual([
    expect.objectContaining({
      action: 'push',
      side: 'oneflow',
      added: { contracts: compared, lines: 3 * compared },
    }),
  ]);
  expect(await writesLogged(stack)).toEqual([]);
});

test('another product source: every link is to a line of the old one, and push would remove those products', async () => {
  const compared = 3 + MANY;
  const candidate = {
    mainEntity: 'opportunity',
    productsEnabled: true,
    ...contractLineSource(),
  };
  const before = await storedState();
  const impact = parsed(await impactOf(candidate));

  expect(impact.sourceChange).toMatchObject({
    before: { entity: 'opportunityproduct', lookupAttribute: 'opportunityid' },
    after: { entity: 'new_contractline', lookupAttribute: 'new_opportunityid' },
    links: 3 * compared,
    contracts: compared,
  });
  expect(impact.headlines[0]).toBe(impact.sourceChange?.headline);
  // None of these records has contract lines: the new source's reading finds no line, so push would remove every
  // product made from the old source's lines.
  expect(impact.products).toEqual([
    expect.objectContaining({
      action: 'push',
      kind: 'delete_product',
      now: { contracts: 0, lines: 0 },
      after: { contracts: compared, lines: 3 * compared },
    }),
  ]);
  expect(impact.mappings.map((mapping) => [mapping.oneflowField, mapping.change])).toEqual([
    ['name', 'changed'],
    ['description', 'removed'],
    ['price_1.base_amount', 'removed'],
    ['price_1.discount_amount', 'removed'],
    ['quantity', 'removed'],
  ]);
  expect(await writesLogged(stack)).toEqual([]);
  expect(await storedState()).toEqual(before);
});
