/**
 * Helpers for the end-to-end tests of the sync API (syncRules, syncConflicts, throttling, requestCounts): a
 * Dataverse fixture with records of their own, the two simulators' request logs, and direct reads and writes of
 * both sides, done the way a person in Dynamics or Oneflow would (never through the code under test).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  defaultSettings,
  normalizeRichText,
  type EntitySettings,
  type Link,
  type SyncPlan,
} from '@oneflow-sync/shared';
import { createAppTokenProvider } from '../auth/appTokens';
import { createDataverseClient, type DataverseClient } from '../dataverse/dataverseClient';
import { FIXTURE, startStack, type ApiAnswer, type Stack } from '../testing/stack';

/** simulators/fixtures/dataverse.json: the price list, products and units the fixture's lines use. */
const CATALOG = {
  priceLevel: '5e2b0000-0000-4000-8000-000000000001',
  widget: {
    productId: '3a7c0000-0000-4000-8000-000000000001',
    uomId: '9c1d0000-0000-4000-8000-000000000001',
  },
  supportPlan: {
    productId: '3a7c0000-0000-4000-8000-000000000002',
    uomId: '9c1d0000-0000-4000-8000-000000000002',
  },
} as const;

const BACKEND_SECRET = 'sim-backend-secret~not-a-real-secret';

const hex = (value: number, width: number): string => value.toString(16).padStart(width, '0');

/** A GUID of our own for opportunity number `n` (far from the fixture's ids). */
const opportunityId = (n: number): string => `0a1b0000-0000-4000-8001-${hex(n, 12)}`;
/** A GUID of our own for line `index` of opportunity number `n`. */
export const lineId = (n: number, index: number): string =>
  `2c3d0000-0000-4000-8001-${hex(n * 1000 + index, 12)}`;

export interface TestRecord {
  id: string;
  /** Catalog line (Widget, price from the price list), catalog line (Support Plan), write-in line. */
  lines: [catalog: string, catalogOverridden: string, writeIn: string];
}

/** The three line shapes of the seeded opportunity, for opportunity number `n`. */
function standardLines(n: number): Record<string, unknown>[] {
  const opportunity = opportunityId(n);
  return [
    {
      opportunityproductid: lineId(n, 1),
      opportunityid: opportunity,
      productid: CATALOG.widget.productId,
      uomid: CATALOG.widget.uomId,
      quantity: 10,
      manualdiscountamount: 25,
      description: `Widgets for record ${n}`,
      sequencenumber: 1,
    },
    {
      opportunityproductid: lineId(n, 2),
      opportunityid: opportunity,
      productid: CATALOG.supportPlan.productId,
      uomid: CATALOG.supportPlan.uomId,
      quantity: 12,
      ispriceoverridden: true,
      priceperunit: 90,
      description: `Support hours for record ${n}`,
      sequencenumber: 2,
    },
    {
      opportunityproductid: lineId(n, 3),
      opportunityid: opportunity,
      isproductoverridden: true,
      productdescription: `Custom integration ${n} (write-in)`,
      priceperunit: 1500,
      quantity: 1,
      description: `Write-in line of record ${n}`,
      sequencenumber: 3,
    },
  ];
}

/** `count` write-in lines with distinct names, prices and quantities. */
function manyLines(n: number, count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => ({
    opportunityproductid: lineId(n, i + 1),
    opportunityid: opportunityId(n),
    isproductoverridden: true,
    productdescription: `Bulk item ${i + 1}`,
    priceperunit: 100 + i,
    quantity: 1 + (i % 7),
    description: `Line ${i + 1} of ${count}`,
    sequencenumber: i + 1,
  }));
}

interface DataverseFixture {
  records: Record<string, Record<string, unknown>[]>;
  [key: string]: unknown;
}

function seededDataverseFixture(): DataverseFixture {
  const path = join(__dirname, '..', '..', '..', 'simulators', 'fixtures', 'dataverse.json');
  return JSON.parse(readFileSync(path, 'utf8')) as DataverseFixture;
}

/**
 * Loads the seeded Dataverse fixture plus opportunities of our own: `standard` records shaped like the seeded
 * one (numbers 1…standard), and optionally one record with `bulkLines` write-in lines (number 999).
 * Every test can then create a contract on a record no other test touched.
 */
export async function loadRecords(
  stack: Stack,
  options: { standard: number; bulkLines?: number },
): Promise<{ records: TestRecord[]; bulk: { id: string; lineIds: string[] } | null }> {
  const fixture = seededDataverseFixture();
  const opportunities = fixture.records.opportunities ?? [];
  const lines = fixture.records.opportunityproducts ?? [];
  const records: TestRecord[] = [];
  for (let n = 1; n <= options.standard; n++) {
    opportunities.push({
      opportunityid: opportunityId(n),
      name: `E2E record ${n}`,
      pricelevelid: CATALOG.priceLevel,
    });
    lines.push(...standardLines(n));
    records.push({ id: opportunityId(n), lines: [lineId(n, 1), lineId(n, 2), lineId(n, 3)] });
  }
  let bulk: { id: string; lineIds: string[] } | null = null;
  if (options.bulkLines !== undefined) {
    const n = 999;
    opportunities.push({
      opportunityid: opportunityId(n),
      name: 'E2E bulk record',
      pricelevelid: CATALOG.priceLevel,
    });
    const bulkLines = manyLines(n, options.bulkLines);
    lines.push(...bulkLines);
    bulk = { id: opportunityId(n), lineIds: bulkLines.map((_, i) => lineId(n, i + 1)) };
  }
  fixture.records.opportunities = opportunities;
  fixture.records.opportunityproducts = lines;
  const loaded = await stack.sim('dataverse', 'POST', '/_sim/fixture', fixture);
  if (loaded.status !== 200) throw new Error(`fixture refused: ${loaded.text}`);
  return { records, bulk };
}

// ---------------------------------------------------------------------------------------------------------
// Dynamics, as a person editing lines there (the application user, not the code under test)

export interface DynamicsSide {
  client: DataverseClient;
  /** A line's columns as Dataverse has them now; null when the line does not exist. */
  line(id: string): Promise<Record<string, unknown> | null>;
  linesOf(opportunity: string): Promise<Record<string, unknown>[]>;
  update(id: string, values: Record<string, unknown>): Promise<void>;
  /** Many lines in one change set. */
  updateMany(updates: { id: string; values: Record<string, unknown> }[]): Promise<void>;
  addWriteInLine(opportunity: string, id: string, values: Record<string, unknown>): Promise<void>;
  remove(id: string): Promise<void>;
}

const Row = z.record(z.string(), z.unknown());

export function dynamicsSide(stack: Stack): DynamicsSide {
  const tokens = createAppTokenProvider({
    authorityHost: stack.simulators.identityUrl,
    tenantId: FIXTURE.contoso,
    clientId: FIXTURE.apiClientId,
    credential: { kind: 'secret', secret: BACKEND_SECRET },
    caCertificatePem: stack.simulators.identityCertificatePem,
  });
  const url = stack.simulators.dataverseUrl;
  const client = createDataverseClient({ environmentUrl: url, getAccessToken: () => tokens.getToken(url) });
  const select =
    '$select=opportunityproductid,quantity,priceperunit,manualdiscountamount,description,productdescription,isproductoverridden,_productid_value';
  return {
    client,
    async line(id) {
      const rows = await client.getAll(
        `opportunityproducts?${select}&$filter=opportunityproductid eq ${id}`,
        Row,
      );
      return rows[0] ?? null;
    },
    async linesOf(opportunity) {
      return client.getAll(
        `opportunityproducts?${select}&$filter=_opportunityid_value eq ${opportunity}`,
        Row,
      );
    },
    async update(id, values) {
      await client.patch(`opportunityproducts(${id})`, values, { ifMatch: '*' });
    },
    async updateMany(updates) {
      await client.batchChangeSet(
        updates.map((update) => ({
          method: 'PATCH' as const,
          path: `opportunityproducts(${update.id})`,
          body: update.values,
          ifMatch: '*',
        })),
      );
    },
    async addWriteInLine(opportunity, id, values) {
      await client.batchChangeSet([
        {
          method: 'POST',
          path: 'opportunityproducts',
          body: {
            opportunityproductid: id,
            'opportunityid@odata.bind': `/opportunities(${opportunity})`,
            isproductoverridden: true,
            ...values,
          },
        },
      ]);
    },
    async remove(id) {
      await client.batchChangeSet([{ method: 'DELETE', path: `opportunityproducts(${id})` }]);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Oneflow, as a person editing the contract there

export interface OneflowProductView {
  id: number;
  name: string;
  description?: string | null;
  _private_ownerside?: { custom_id?: string | null; updated_time?: string } | null;
  price_1?: { base_amount?: { amount?: string | null } | null } | null;
  quantity?: { type?: string; amount?: number | string | null } | null;
}

interface OneflowContractView {
  id: number;
  product_groups: { id: number; products: OneflowProductView[] }[];
}

export interface OneflowSide {
  /** The contract as Oneflow stores it (custom_ids included, whatever its answers show). */
  contract(id: number): Promise<OneflowContractView>;
  products(id: number): Promise<OneflowProductView[]>;
  /** The product made from a line (by custom_id), or undefined. */
  productOf(contractId: number, line: string): Promise<OneflowProductView | undefined>;
  update(contractId: number, productId: number, body: Record<string, unknown>): Promise<void>;
  add(contractId: number, groupId: number, body: Record<string, unknown>): Promise<OneflowProductView>;
  remove(contractId: number, productId: number): Promise<void>;
}

/**
 * A person's edit of a product in Oneflow, as its page sends it: each nested object it changes (`price_1`,
 * `price_2`, `quantity`) whole, the parts not changed as they are, since Oneflow may reset what an update leaves
 * out of a nested object.
 */
export function wholeEdit(
  current: Record<string, unknown>,
  edit: Record<string, unknown>,
): Record<string, unknown> {
  const whole: Record<string, unknown> = { ...edit };
  for (const key of ['price_1', 'price_2', 'quantity']) {
    const before = current[key];
    const change = edit[key];
    if (typeof change === 'object' && change !== null && typeof before === 'object' && before !== null) {
      whole[key] = { ...before, ...change };
    }
  }
  return whole;
}

/** The simulator's view of a contract as stored: custom_ids shown, whatever Oneflow's answers leave out. */
export async function storedContract(stack: Stack, id: number): Promise<ApiAnswer> {
  const answer = await stack.sim('oneflow', 'GET', `/_sim/contracts/${id}`);
  if (answer.status !== 200) throw new Error(`Oneflow contract ${id}: ${answer.status} ${answer.text}`);
  return answer;
}

export function oneflowSide(stack: Stack): OneflowSide {
  const headers = { 'x-oneflow-api-token': FIXTURE.oneflowToken };
  const call = async (method: string, path: string, body?: unknown): Promise<ApiAnswer> => {
    const answer = await stack.sim('oneflow', method, `/v1${path}`, body, headers);
    if (answer.status !== 200) throw new Error(`Oneflow ${method} ${path}: ${answer.status} ${answer.text}`);
    return answer;
  };
  const side: OneflowSide = {
    async contract(id) {
      return (await storedContract(stack, id)).body as OneflowContractView;
    },
    async products(id) {
      return (await side.contract(id)).product_groups.flatMap((group) => group.products);
    },
    async productOf(contractId, line) {
      return (await side.products(contractId)).find(
        (product) => product._private_ownerside?.custom_id === line,
      );
    },
    async update(contractId, productId, body) {
      const path = `/contracts/${contractId}/products/${productId}`;
      const current = (await call('GET', path)).body as Record<string, unknown>;
      await call('PUT', path, wholeEdit(current, body));
    },
    async add(contractId, groupId, body) {
      return (await call('POST', `/contracts/${contractId}/product_groups/${groupId}/products`, body))
        .body as OneflowProductView;
    },
    async remove(contractId, productId) {
      await call('DELETE', `/contracts/${contractId}/products/${productId}`);
    },
  };
  return side;
}

export const quantityOf = (product: OneflowProductView | undefined): number =>
  Number(product?.quantity?.amount ?? Number.NaN);

/** A description as text: Oneflow may keep it as rich text (`<p>…</p>`, entities), which is the same text. */
export const descriptionText = (product: OneflowProductView | undefined): string | null => {
  const text = normalizeRichText(product?.description);
  return text.ok ? text.value : null;
};

// ---------------------------------------------------------------------------------------------------------
// Request logs

export interface LoggedRequest {
  method: string;
  url: string;
  route: string;
  status: number;
  at: string;
}

export interface RequestLog {
  total: number;
  counts: Record<string, number>;
  requests: LoggedRequest[];
}

export type Service = 'dataverse' | 'oneflow';

export async function clearLogs(stack: Stack): Promise<void> {
  await Promise.all([
    stack.sim('dataverse', 'DELETE', '/_sim/requests'),
    stack.sim('oneflow', 'DELETE', '/_sim/requests'),
  ]);
}

export async function requestLog(stack: Stack, service: Service): Promise<RequestLog> {
  return (await stack.sim(service, 'GET', '/_sim/requests')).body as RequestLog;
}

/** The requests of both simulators that could have changed something (anything but GET). */
export async function writesLogged(stack: Stack): Promise<string[]> {
  const logs = await Promise.all([requestLog(stack, 'dataverse'), requestLog(stack, 'oneflow')]);
  return logs.flatMap((log) =>
    log.requests
      .filter((request) => request.method !== 'GET')
      .map((request) => `${request.method} ${request.url}`),
  );
}

// ---------------------------------------------------------------------------------------------------------
// The API

export interface SyncAnswer {
  applied: boolean;
  outcome: 'applied' | 'nothing_to_do' | 'refused' | 'failed';
  summary: SyncPlan['summary'];
  plan: SyncPlan;
  failures: { message: string }[];
  activityId: string | null;
}

export interface CreateAnswer extends SyncAnswer {
  contract: { contractId: number; recordId: string; mainEntity: string };
}

export function expectStatus(answer: ApiAnswer, status: number): void {
  if (answer.status !== status) {
    throw new Error(`expected HTTP ${status}, got ${answer.status}: ${answer.text.slice(0, 2000)}`);
  }
}

/** Sends the contract to its signers in Oneflow: it is no longer a draft, so pushes write one product per request. */
export async function publishContract(stack: Stack, contractId: number): Promise<void> {
  expectStatus(
    await stack.sim(
      'oneflow',
      'POST',
      `/v1/contracts/${String(contractId)}/publish`,
      { subject: 'Your contract', message: 'Please sign.' },
      { 'x-oneflow-api-token': FIXTURE.oneflowToken },
    ),
    200,
  );
}

export async function createContract(stack: Stack, token: string, recordId: string): Promise<CreateAnswer> {
  const answer = await stack.api('POST', 'contracts', { token, body: { entity: 'opportunity', recordId } });
  expectStatus(answer, 201);
  return answer.body as CreateAnswer;
}

export async function runAction(
  stack: Stack,
  token: string,
  contractId: number,
  action: 'push' | 'fetch',
): Promise<SyncAnswer> {
  const answer = await stack.api('POST', `contracts/${contractId}/${action}`, { token });
  expectStatus(answer, 200);
  return answer.body as SyncAnswer;
}

export async function planOf(
  stack: Stack,
  token: string,
  contractId: number,
  action: 'push' | 'fetch',
): Promise<SyncAnswer> {
  const answer = await stack.api('GET', `contracts/${contractId}/plan?action=${action}`, { token });
  expectStatus(answer, 200);
  return answer.body as SyncAnswer;
}

export async function linksOf(stack: Stack, contractId: number): Promise<Link[]> {
  return stack.services.store.links.list(FIXTURE.contoso, contractId);
}

/** Saves opportunity settings as the admin (sam): the defaults changed by `change`. */
export async function saveOpportunitySettings(
  stack: Stack,
  change: (settings: EntitySettings) => EntitySettings,
): Promise<EntitySettings> {
  const token = await stack.token('sam');
  const current = await stack.api('GET', 'settings/opportunity', { token });
  expectStatus(current, 200);
  const etag = (current.body as { etag: string | null }).etag;
  const defaults = defaultSettings('opportunity');
  if (!defaults) throw new Error('opportunity has no default settings');
  const settings = change(defaults);
  const saved = await stack.api('PUT', 'settings/opportunity', {
    token,
    body: settings,
    ...(etag ? { headers: { 'if-match': etag } } : {}),
  });
  expectStatus(saved, 200);
  return settings;
}

/** Back to the default settings (saved explicitly, so every test starts from the same place). */
export async function restoreDefaultSettings(stack: Stack): Promise<void> {
  await saveOpportunitySettings(stack, (settings) => settings);
}

/**
 * The fixture's custom product source (contract lines, looked up by their opportunity) with one mapping, the
 * line's name to the product's name: a fresh copy each call, for settings bodies to spread in.
 */
export function contractLineSource(): Pick<EntitySettings, 'productSource' | 'mappings'> {
  return {
    productSource: {
      entity: 'new_contractline',
      lookupAttribute: 'new_opportunityid',
      relationship: 'new_opportunity_new_contractline_OpportunityId',
    },
    mappings: [
      {
        dynamicsField: 'new_name',
        oneflowField: 'name',
        direction: 'dynamics_to_oneflow',
        writeCondition: 'always',
        conflictPolicy: 'by_action',
      },
    ],
  };
}

/** A change of one field of the plan (or the activity): everything but old / new. */
export function changesOf(plan: SyncPlan, lineId: string) {
  return plan.operations.flatMap((operation) =>
    operation.lineId === lineId && 'changes' in operation
      ? operation.changes.map((change) => ({ kind: operation.kind, rule: operation.rule, ...change }))
      : [],
  );
}

export function notesOf(plan: SyncPlan, lineId: string) {
  return plan.operations.flatMap((operation) => (operation.lineId === lineId ? operation.notes : []));
}

/** A stack with test records of its own, for the tests of one file. */
export interface RecordStack {
  readonly stack: Stack;
  /** Alex's token (a sales rep of Contoso). */
  readonly alex: string;
  /** A record no earlier test of the file has taken. */
  freshRecord: () => TestRecord;
  /** The last record loaded: untouched as long as the tests take fewer records than were loaded. */
  lastRecord: () => TestRecord;
}

/**
 * Starts the stack and loads `standard` records before the file's tests, closes it after them, and before each
 * test turns injected Oneflow faults off and clears both simulators' request logs.
 */
export function useRecordStack(standard: number): RecordStack {
  let started: { stack: Stack; alex: string; records: TestRecord[] } | undefined;
  let next = 0;
  const ready = (): NonNullable<typeof started> => {
    if (!started) throw new Error('the stack is started in beforeAll: use it inside tests');
    return started;
  };
  beforeAll(async () => {
    const stack = await startStack();
    try {
      const alex = await stack.token('alex');
      const { records } = await loadRecords(stack, { standard });
      started = { stack, alex, records };
    } catch (error) {
      await stack.close();
      throw error;
    }
  }, 60_000);
  afterAll(async () => {
    await started?.stack.close();
  });
  beforeEach(async () => {
    const { stack } = ready();
    await stack.sim('oneflow', 'PUT', '/_sim/faults', {});
    await clearLogs(stack);
  });
  return {
    get stack() {
      return ready().stack;
    },
    get alex() {
      return ready().alex;
    },
    freshRecord: () => {
      const record = ready().records[next++];
      if (!record) throw new Error('not enough test records loaded');
      return record;
    },
    lastRecord: () => {
      const record = ready().records.at(-1);
      if (!record) throw new Error('no test records loaded');
      return record;
    },
  };
}
