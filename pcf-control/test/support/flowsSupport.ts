import type { Locator, Page } from 'playwright-core';
import type { Stack } from './formStack';

/** The seeded Oneflow fixture's API token (simulators/fixtures/oneflow.json) and Contoso's webhook sign key. */
const ONEFLOW_HEADERS = { 'x-oneflow-api-token': '0f1d2c3b4a5968778695a4b3c2d1e0f1a2b3c4d5' };
const CONTOSO_SIGN_KEY = 'contoso-sign-key-for-tests';

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function expectOk(answer: { status: number; text: string }, what: string): void {
  if (answer.status < 200 || answer.status > 299) {
    throw new Error(`${what}: ${String(answer.status)} ${answer.text}`);
  }
}

/** Oneflow notifies the Function app's receiver of every change of Contoso's contracts, as an admin sets it up. */
export async function registerWebhook(stack: Stack, apiUrl: string): Promise<number> {
  const answer = await stack.sim(
    'oneflow',
    'POST',
    '/v1/webhooks',
    { callback_url: `${apiUrl}/api/webhooks/oneflow/contoso`, sign_key: CONTOSO_SIGN_KEY },
    ONEFLOW_HEADERS,
  );
  expectOk(answer, 'Oneflow webhook');
  return (answer.body as { webhook_id: number }).webhook_id;
}

export async function deleteWebhook(stack: Stack, webhookId: number): Promise<void> {
  expectOk(
    await stack.sim('oneflow', 'DELETE', `/v1/webhooks/${String(webhookId)}`, undefined, ONEFLOW_HEADERS),
    'Oneflow webhook removal',
  );
}

/** The record's contract id, as the API links it. */
export async function contractIdOf(
  stack: Stack,
  entity: 'opportunity' | 'quote',
  recordId: string,
): Promise<number> {
  const answer = await stack.api('GET', `contracts?entity=${entity}&recordId=${recordId}`, {
    token: await stack.token('alex'),
  });
  expectOk(answer, `contract of ${recordId}`);
  return (answer.body as { contract: { contractId: number } }).contract.contractId;
}

export interface StoredProduct {
  id: number;
  name: string;
  price_1: { base_amount: { amount: string } };
  quantity: { amount: number | string };
  _private_ownerside?: { custom_id?: string | null };
}

/** The contract's products as Oneflow stores them, by the Dynamics line id in their custom_id. */
export async function oneflowProducts(stack: Stack, contractId: number): Promise<Map<string, StoredProduct>> {
  const answer = await stack.sim('oneflow', 'GET', `/_sim/contracts/${String(contractId)}`);
  expectOk(answer, `Oneflow contract ${String(contractId)}`);
  const groups = (answer.body as { product_groups: { products: StoredProduct[] }[] }).product_groups;
  const products = new Map<string, StoredProduct>();
  for (const product of groups.flatMap((group) => group.products)) {
    const lineId = product._private_ownerside?.custom_id;
    if (typeof lineId === 'string') products.set(lineId, product);
  }
  return products;
}

export async function oneflowProduct(
  stack: Stack,
  contractId: number,
  lineId: string,
): Promise<StoredProduct> {
  const product = (await oneflowProducts(stack, contractId)).get(lineId);
  if (!product) throw new Error(`contract ${String(contractId)} has no product for line ${lineId}`);
  return product;
}

export interface DataverseLine {
  quantity: number | null;
  priceperunit: number | null;
  manualdiscountamount: number | null;
}

/** A Dynamics line as the Dataverse simulator holds it (opportunityproducts or quotedetails). */
export async function dataverseLine(
  stack: Stack,
  table: 'opportunityproducts' | 'quotedetails',
  lineId: string,
): Promise<DataverseLine> {
  const token = await stack.token('alex', { aud: stack.simulators.dataverseUrl });
  const answer = await stack.sim(
    'dataverse',
    'GET',
    `/api/data/v9.2/${table}(${lineId})?$select=quantity,priceperunit,manualdiscountamount`,
    undefined,
    { authorization: `Bearer ${token}` },
  );
  expectOk(answer, `Dataverse line ${lineId}`);
  const line = answer.body as Partial<DataverseLine>;
  return {
    quantity: line.quantity ?? null,
    priceperunit: line.priceperunit ?? null,
    manualdiscountamount: line.manualdiscountamount ?? null,
  };
}

/**
 * The counterparty edits a product on the Oneflow simulator's contract page (plain HTML forms, one per product):
 * the fields given are typed in and the product's Save pressed, as a person would.
 */
export async function editOnOneflowPage(
  page: Page,
  oneflowUrl: string,
  contractId: number,
  productId: number,
  fields: Partial<Record<'base_amount' | 'quantity_amount', string>>,
): Promise<void> {
  await page.goto(`${oneflowUrl}/contracts/${String(contractId)}`);
  const form = `product-${String(productId)}`;
  for (const [name, value] of Object.entries(fields)) {
    await page.locator(`input[form="${form}"][name="${name}"]`).fill(value);
  }
  await Promise.all([page.waitForEvent('framenavigated'), page.locator(`button[form="${form}"]`).click()]);
  await page.waitForLoadState('load');
  // On success the page redirects back to the contract, which shows the stored values; otherwise the problems.
  for (const [name, value] of Object.entries(fields)) {
    const shown = await page
      .locator(`input[form="${form}"][name="${name}"]`)
      .inputValue({ timeout: 5_000 })
      .catch(() => null);
    if (shown === null || Number(shown) !== Number(value)) {
      throw new Error(`the Oneflow page did not keep ${name}: ${await page.locator('body').innerText()}`);
    }
  }
}

/** The settings' quantity mapping under the `review` conflict policy (set up as an admin would, through the API). */
export async function holdQuantityConflicts(stack: Stack, entity: 'opportunity' | 'quote'): Promise<void> {
  const token = await stack.token('sam');
  const current = await stack.api('GET', `settings/${entity}`, { token });
  expectOk(current, `settings of ${entity}`);
  const { settings, etag } = current.body as {
    settings: { mappings: { oneflowField: string; conflictPolicy?: string }[] };
    etag: string | null;
  };
  const saved = await stack.api('PUT', `settings/${entity}`, {
    token,
    body: {
      ...settings,
      mappings: settings.mappings.map((mapping) =>
        mapping.oneflowField === 'quantity' ? { ...mapping, conflictPolicy: 'review' } : mapping,
      ),
    },
    ...(etag !== null ? { headers: { 'if-match': etag } } : {}),
  });
  expectOk(saved, `settings of ${entity}`);
}

export async function resetSettings(stack: Stack, entity: 'opportunity' | 'quote'): Promise<void> {
  const token = await stack.token('sam');
  const current = await stack.api('GET', `settings/${entity}`, { token });
  expectOk(current, `settings of ${entity}`);
  const { etag } = current.body as { etag: string | null };
  const answer = await stack.api('POST', `settings/${entity}/reset`, {
    token,
    ...(etag !== null ? { headers: { 'if-match': etag } } : {}),
  });
  expectOk(answer, `settings reset of ${entity}`);
}

export async function expectVisible(locator: Locator, timeout = 20_000): Promise<void> {
  await locator.waitFor({ state: 'visible', timeout });
}

export interface TableRow {
  line: string;
  field: string;
  dynamics: string;
  oneflow: string;
  status: string;
}

/** The widget's product table as the rep reads it: the line's name (shown on its first row) carried down. */
export async function productTable(page: Page): Promise<TableRow[]> {
  const cells = await page
    .getByRole('table', { name: 'Product lines in Dynamics and Oneflow' })
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((row) => Array.from(row.querySelectorAll('td'), (cell) => cell.textContent.trim())),
    );
  let line = '';
  return cells.map(([name = '', field = '', dynamics = '', oneflow = '', status = '']) => {
    if (name !== '') line = name;
    return { line, field, dynamics, oneflow, status };
  });
}

export async function tableRow(page: Page, line: string, field: string): Promise<TableRow | undefined> {
  return (await productTable(page)).find((row) => row.line === line && row.field === field);
}
