import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import type { FormStack } from './formStack';
import { oneflowProducts } from './flowsSupport';

/**
 * Set-up for the browser suites of the widget's states: records of their own in Dataverse, contracts created,
 * signed and edited through the API and the simulators (as another user or Oneflow would), faults and settings.
 * What a test then checks is done by clicking in the browser.
 */

type Stack = FormStack['stack'];

const CONTOSO = '3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f';
const ONEFLOW_HEADERS = { 'x-oneflow-api-token': '0f1d2c3b4a5968778695a4b3c2d1e0f1a2b3c4d5' };
const ROLLOUT = '0a1b0000-0000-4000-8000-000000000001';
const ROLLOUT_LINES = [
  '2c3d0000-0000-4000-8000-000000000001',
  '2c3d0000-0000-4000-8000-000000000002',
  '2c3d0000-0000-4000-8000-000000000003',
] as const;

export const UPDATE_ROUTE = 'PUT /v1/contracts/:id/products/:productId';

export interface StatesRecord {
  id: string;
  name: string;
  /** Widget (catalog), Support Plan (price overridden), a write-in line: copies of the seeded rollout's. */
  lines: [widget: string, support: string, writeIn: string];
}

/** Record `n` of these suites (ids far from the seed's and from the backend suites'). */
function statesRecord(n: number): StatesRecord {
  const nn = String(n).padStart(2, '0');
  return {
    id: `0a1b0000-0000-4000-8000-5a7e000000${nn}`,
    name: `Widget states ${String(n)}`,
    lines: [1, 2, 3].map((line) => `2c3d0000-0000-4000-8000-5a7e0000${nn}0${String(line)}`) as [
      string,
      string,
      string,
    ],
  };
}

interface DataverseFixture {
  records: Record<string, Record<string, unknown>[]>;
}

/** The seeded Dataverse fixture plus `count` copies of the rollout opportunity with its three lines. */
export async function loadStatesRecords(stack: Stack, count: number): Promise<StatesRecord[]> {
  const path = join(__dirname, '..', '..', '..', 'simulators', 'fixtures', 'dataverse.json');
  const fixture = JSON.parse(readFileSync(path, 'utf8')) as DataverseFixture;
  const opportunities = fixture.records.opportunities ?? [];
  const lines = fixture.records.opportunityproducts ?? [];
  const template = opportunities.find((record) => record.opportunityid === ROLLOUT);
  const templateLines = ROLLOUT_LINES.map((id) => lines.find((line) => line.opportunityproductid === id));
  if (template === undefined) throw new Error('the seed fixture no longer has the rollout opportunity');
  const records: StatesRecord[] = [];
  for (let n = 1; n <= count; n++) {
    const record = statesRecord(n);
    opportunities.push({ ...template, opportunityid: record.id, name: record.name });
    templateLines.forEach((line, index) => {
      if (line === undefined) throw new Error('the seed fixture no longer has the rollout lines');
      lines.push({ ...line, opportunityproductid: record.lines[index], opportunityid: record.id });
    });
    records.push(record);
  }
  fixture.records.opportunities = opportunities;
  fixture.records.opportunityproducts = lines;
  const loaded = await stack.sim('dataverse', 'POST', '/_sim/fixture', fixture);
  if (loaded.status !== 200) throw new Error(`Dataverse fixture refused: ${loaded.text}`);
  return records;
}

/** What the tests use of the stack's Function app beyond the browser-suite interface. */
interface ApiStack {
  api(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; headers: Record<string, string>; body: unknown; text: string }>;
  services: {
    store: {
      leases: {
        acquire(tenantId: string, contractId: number, holder: string, ms: number): Promise<boolean>;
        release(tenantId: string, contractId: number, holder: string): Promise<void>;
      };
    };
  };
}

const apiOf = (stack: Stack): ApiStack => stack as unknown as ApiStack;

/** The record's contract, created through the API as Alex; its Oneflow contract id. */
export async function createContract(
  stack: Stack,
  recordId: string,
  entity: 'opportunity' | 'quote' = 'opportunity',
): Promise<number> {
  const answer = await apiOf(stack).api('POST', 'contracts', {
    token: await stack.token('alex'),
    body: { entity, recordId },
  });
  if (answer.status !== 201) throw new Error(`create contract: ${String(answer.status)} ${answer.text}`);
  return (answer.body as { contract: { contractId: number } }).contract.contractId;
}

/** A push through the API as Alex (another sync of the contract than the browser's). */
export async function pushThroughApi(
  stack: Stack,
  contractId: number,
): Promise<{ status: number; text: string }> {
  return apiOf(stack).api('POST', `contracts/${String(contractId)}/push`, {
    token: await stack.token('alex'),
  });
}

/** The contract's activity as [action, outcome], newest first. */
export async function activityOf(stack: Stack, contractId: number): Promise<[string, string][]> {
  const answer = await apiOf(stack).api('GET', `activity?contractId=${String(contractId)}`, {
    token: await stack.token('alex'),
  });
  if (answer.status !== 200) throw new Error(`activity: ${String(answer.status)} ${answer.text}`);
  return (answer.body as { entries: { action: string; outcome: string }[] }).entries.map((entry) => [
    entry.action,
    entry.outcome,
  ]);
}

/** The contract is sent for signing: no longer a draft, so a push writes one product per request. */
export async function publishContract(stack: Stack, contractId: number): Promise<void> {
  const published = await stack.sim(
    'oneflow',
    'POST',
    `/v1/contracts/${String(contractId)}/publish`,
    { subject: 'Your contract', message: 'Please sign.' },
    ONEFLOW_HEADERS,
  );
  if (published.status !== 200) throw new Error(`publish: ${String(published.status)} ${published.text}`);
}

/** Oneflow's own sequence: the contract is sent for signing, then the counterparty signs it. */
export async function signContract(stack: Stack, contractId: number): Promise<void> {
  await publishContract(stack, contractId);
  const signed = await stack.sim('oneflow', 'POST', `/_sim/contracts/${String(contractId)}/sign`, {});
  if (signed.status !== 200) throw new Error(`sign: ${String(signed.status)} ${signed.text}`);
}

async function dataverse(stack: Stack, method: string, path: string, body?: unknown): Promise<unknown> {
  const token = await stack.token('alex', { aud: stack.simulators.dataverseUrl });
  const answer = await stack.sim('dataverse', method, `/api/data/v9.2/${path}`, body, {
    authorization: `Bearer ${token}`,
  });
  if (answer.status >= 300)
    throw new Error(`Dataverse ${method} ${path}: ${String(answer.status)} ${answer.text}`);
  return answer.body;
}

/** A line edited in Dynamics by Alex, as on the form's grid. */
export async function updateLine(
  stack: Stack,
  lineId: string,
  values: Record<string, unknown>,
): Promise<void> {
  await dataverse(stack, 'PATCH', `opportunityproducts(${lineId})`, values);
}

/** A write-in line added in Dynamics. */
export async function addWriteInLine(
  stack: Stack,
  recordId: string,
  lineId: string,
  values: Record<string, unknown>,
): Promise<void> {
  await dataverse(stack, 'POST', 'opportunityproducts', {
    opportunityproductid: lineId,
    'opportunityid@odata.bind': `/opportunities(${recordId})`,
    isproductoverridden: true,
    ...values,
  });
}

/** A line's columns as Dataverse has them now. */
export async function lineOf(stack: Stack, lineId: string): Promise<Record<string, unknown>> {
  return (await dataverse(stack, 'GET', `opportunityproducts(${lineId})`)) as Record<string, unknown>;
}

/** Faults and latency of one simulator's routes; `{}` clears them. */
export async function setFaults(
  stack: Stack,
  service: 'oneflow' | 'dataverse',
  routes: Record<string, unknown>,
): Promise<void> {
  const answer = await stack.sim(service, 'PUT', '/_sim/faults', { seed: 1, routes });
  if (answer.status !== 200) throw new Error(`faults: ${String(answer.status)} ${answer.text}`);
}

/** Another run holding the contract's lease for `ms`, as a sync in progress does; released by the returned call. */
export async function holdLease(stack: Stack, contractId: number, ms: number): Promise<() => Promise<void>> {
  const { leases } = apiOf(stack).services.store;
  if (!(await leases.acquire(CONTOSO, contractId, 'browser-test-run', ms))) throw new Error('lease not free');
  return () => leases.release(CONTOSO, contractId, 'browser-test-run');
}

/** An entity's settings with one change, saved as the admin (Sam) over whatever is saved. */
export async function saveSettings(
  stack: Stack,
  entity: 'opportunity' | 'quote',
  change: (settings: Record<string, unknown>) => Record<string, unknown>,
): Promise<void> {
  const token = await stack.token('sam');
  const current = await apiOf(stack).api('GET', `settings/${entity}`, { token });
  if (current.status !== 200) throw new Error(`settings: ${String(current.status)} ${current.text}`);
  const settings = (current.body as { settings: Record<string, unknown> }).settings;
  const saved = await apiOf(stack).api('PUT', `settings/${entity}`, {
    token,
    body: change(settings),
    headers: { 'if-match': '*' },
  });
  if (saved.status !== 200) throw new Error(`settings saved: ${String(saved.status)} ${saved.text}`);
}

export async function expectVisible(locator: Locator, timeout = 15_000): Promise<void> {
  await locator.waitFor({ state: 'visible', timeout });
}

/** The form of a record, with the widget loaded (its contract heading shown). */
export async function openForm(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expectVisible(page.getByRole('heading', { name: 'Oneflow contract' }));
}

/** The widget's toolbar button of that name. */
export function toolbarButton(page: Page, name: string): Locator {
  return page.getByRole('toolbar', { name: 'Oneflow contract actions' }).getByRole('button', { name });
}

/** The counterparty changes a product's quantity in Oneflow (the product of that Dynamics line). */
export async function editOneflowQuantity(
  stack: Stack,
  contractId: number,
  lineId: string,
  amount: number,
): Promise<void> {
  const product = (await oneflowProducts(stack, contractId)).get(lineId);
  if (product === undefined) throw new Error(`no Oneflow product for line ${lineId}`);
  const answer = await stack.sim(
    'oneflow',
    'PUT',
    `/v1/contracts/${String(contractId)}/products/${String(product.id)}`,
    { quantity: { ...product.quantity, amount } },
    ONEFLOW_HEADERS,
  );
  if (answer.status !== 200) throw new Error(`Oneflow edit: ${String(answer.status)} ${answer.text}`);
}
