import { createHash, randomBytes } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { expectAccessible, expectCleanPage, screenshot } from './support/browser';
import { until } from './support/flowsSupport';
import { openSettings, settingsTab } from './support/settingsPage';
import { settingsSuite } from './support/settingsSuite';
import {
  UPDATE_ROUTE,
  createContract,
  loadStatesRecords,
  pushThroughApi,
  setFaults,
  updateLine,
  type StatesRecord,
} from './support/statesSetup';

/*
 * The settings page's activity log against the whole local stack. One contract gets a history of every kind
 * through the API and the simulators, as reps, Oneflow and the webhook would make it: created, pushed, fetched,
 * a push whose Oneflow write fails, a webhook run that fails every attempt until it is given up, and enough
 * quiet pushes to need a second page. The admin then reads it in the browser.
 */

const CONTOSO_SIGN_KEY = 'contoso-sign-key-for-tests';
const ONEFLOW_HEADERS = { 'x-oneflow-api-token': '0f1d2c3b4a5968778695a4b3c2d1e0f1a2b3c4d5' };
/** More than one page of 20 entries. */
const QUIET_PUSHES = 20;

let record: StatesRecord;
let contractId: number;

interface ApiEntry {
  id: string;
  action: string;
  outcome: string;
  message: string;
  changes: {
    lineId: string | null;
    oneflowField: string | null;
    side: string | null;
    old: unknown;
    new: unknown;
    rule: string;
    note?: string;
  }[];
}

/** The API's own listing (every page), newest first: what the page must agree with. */
async function apiActivity(query: string): Promise<ApiEntry[]> {
  const token = await suite.formStack.stack.token('sam');
  const entries: ApiEntry[] = [];
  let continuation: string | null = null;
  do {
    const next: string =
      continuation === null ? '' : `&continuationToken=${encodeURIComponent(continuation)}`;
    const answer = await suite.formStack.stack.api('GET', `activity?${query}&limit=200${next}`, { token });
    if (answer.status !== 200) throw new Error(`activity: ${String(answer.status)} ${answer.text}`);
    const page = answer.body as { entries: ApiEntry[]; continuationToken: string | null };
    entries.push(...page.entries);
    continuation = page.continuationToken;
  } while (continuation !== null);
  return entries;
}

/** A push through the API whose answer must be the given outcome. */
async function push(expected: string): Promise<void> {
  const answer = await pushThroughApi(suite.formStack.stack, contractId);
  const outcome = (JSON.parse(answer.text) as { outcome?: string }).outcome;
  if (outcome !== expected)
    throw new Error(`push: expected ${expected}, got ${answer.status} ${answer.text}`);
}

/** Oneflow's notification that the contract changed, signed with Contoso's key as Oneflow signs it. */
async function notifyChange(): Promise<void> {
  const callbackId = randomBytes(20).toString('hex');
  const answer = await suite.formStack.stack.api('POST', 'webhooks/oneflow/contoso', {
    body: {
      contract: { id: contractId },
      callback_id: callbackId,
      events: [{ created_time: '2026-11-24T10:30:00+0000', id: 1, type: 'contract:content_update' }],
      signature: createHash('sha1')
        .update(callbackId + CONTOSO_SIGN_KEY)
        .digest('hex'),
    },
  });
  if (answer.status !== 200) throw new Error(`webhook: ${String(answer.status)} ${answer.text}`);
}

/** A product's quantity changed by the counterparty in Oneflow. */
async function editInOneflow(quantity: number): Promise<void> {
  const { stack } = suite.formStack;
  const contract = await stack.sim(
    'oneflow',
    'GET',
    `/v1/contracts/${String(contractId)}`,
    undefined,
    ONEFLOW_HEADERS,
  );
  const groups = (
    contract.body as {
      product_groups: { products: { id: number; _private_ownerside?: { custom_id?: string } }[] }[];
    }
  ).product_groups;
  const product = groups
    .flatMap((group) => group.products)
    .find((candidate) => candidate._private_ownerside?.custom_id === record.lines[0]);
  if (product === undefined) throw new Error('no Oneflow product for the widget line');
  const path = `/v1/contracts/${String(contractId)}/products/${String(product.id)}`;
  const current = await stack.sim('oneflow', 'GET', path, undefined, ONEFLOW_HEADERS);
  const body = { ...(current.body as Record<string, unknown>), quantity: { amount: quantity } };
  const saved = await stack.sim('oneflow', 'PUT', path, body, ONEFLOW_HEADERS);
  if (saved.status !== 200) throw new Error(`Oneflow edit: ${String(saved.status)} ${saved.text}`);
}

const suite = settingsSuite('settings activity', {
  prepare: async (formStack) => {
    const { stack } = formStack;
    [record] = (await loadStatesRecords(stack, 1)) as [StatesRecord];
    contractId = await createContract(stack, record.id);
    // Two pushes that write a quantity each.
    for (const quantity of [11, 12]) {
      await updateLine(stack, record.lines[0], { quantity });
      await push('applied');
    }
    // A fetch of the counterparty's change.
    await editInOneflow(14);
    const fetched = await stack.api('POST', `contracts/${String(contractId)}/fetch`, {
      token: await stack.token('alex'),
    });
    if ((fetched.body as { outcome?: string }).outcome !== 'applied')
      throw new Error(`fetch: ${fetched.text}`);
    // A push whose one Oneflow write fails however often it is retried.
    await setFaults(stack, 'oneflow', { [UPDATE_ROUTE]: { rates: { '500': 1 } } });
    await updateLine(stack, record.lines[0], { quantity: 15 });
    await push('failed');
    await setFaults(stack, 'oneflow', {});
    await push('applied');
    // A webhook run failing on Dynamics at every attempt: after the last one it is given up, with its cause.
    await setFaults(stack, 'dataverse', { '*': { rates: { '500': 1 } } });
    await notifyChange();
    await until(
      'the webhook run to be given up',
      async () => (await apiActivity(`contractId=${String(contractId)}&outcome=failed`)).length === 2,
      60_000,
    );
    await setFaults(stack, 'dataverse', {});
    for (let n = 0; n < QUIET_PUSHES; n++) await push('nothing_to_do');
  },
  timeout: 180_000,
});
const { timings } = suite;

async function expectVisible(locator: Locator, timeout = 15_000): Promise<void> {
  await locator.waitFor({ state: 'visible', timeout });
}

/** The settings page as Sam Admin, on the Activity log tab. */
async function openActivityLog(): Promise<{ page: Page; errors: string[]; activityRequests: string[] }> {
  const { page, errors } = await suite.newPage();
  const activityRequests: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/api/activity') activityRequests.push(request.url());
  });
  await openSettings(page, suite.formStack.host, { user: 'sam' });
  await settingsTab(page, 'Activity log').click();
  await expectVisible(page.getByText('Enter a contract id or a Dynamics record id and choose Show.'));
  return { page, errors, activityRequests };
}

/** The entries' header buttons, each naming time · actor · action · outcome · message. */
function entryHeaders(page: Page): Locator {
  return page.getByRole('tabpanel').locator('button[aria-expanded]');
}

async function entryTexts(page: Page): Promise<string[]> {
  return (await entryHeaders(page).allInnerTexts()).map((text) => text.replace(/\s+/g, ' ').trim());
}

it('lists a contract newest first, 20 at a time, and Load more appends the older ones', async () => {
  const started = Date.now();
  const { page, errors, activityRequests } = await openActivityLog();
  const all = await apiActivity(`contractId=${String(contractId)}`);
  expect(all.length).toBeGreaterThanOrEqual(26);

  // A malformed id is named on its field, and nothing is asked.
  const idInput = page.getByRole('textbox', { name: 'Contract id' });
  await idInput.fill('10O1');
  await idInput.press('Enter');
  await expectVisible(
    page.getByText('A contract id is a whole number in plain digits without leading zeros, like 1001.'),
  );
  expect(await idInput.getAttribute('aria-invalid')).toBe('true');
  expect(activityRequests).toEqual([]);
  await expectAccessible(page, 'settings-activity-invalid-contract-id');

  await idInput.fill(String(contractId));
  await idInput.press('Enter');
  await expectVisible(
    page.getByText(
      `The newest 20 entries for contract ${String(contractId)}; older ones follow with Load more.`,
    ),
  );
  const firstPage = await entryTexts(page);
  expect(firstPage).toHaveLength(20);
  all.slice(0, 20).forEach((entry, index) => {
    expect(firstPage[index]).toContain(entry.message);
  });
  await screenshot(page, 'settings-activity-contract-first-page');

  await page.getByRole('button', { name: 'Load more' }).click();
  await expectVisible(
    page.getByText(`All ${String(all.length)} entries for contract ${String(contractId)} are shown.`),
  );
  const everything = await entryTexts(page);
  expect(everything).toHaveLength(all.length);
  all.forEach((entry, index) => {
    expect(everything[index]).toContain(entry.message);
  });
  // The oldest entry is the contract's creation.
  expect(everything.at(-1)).toContain('Contract created');
  expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
  expect(activityRequests).toHaveLength(2);
  expect(new URL(activityRequests[1] ?? '').searchParams.get('continuationToken')).not.toBeNull();
  await expectCleanPage(page, 'settings-activity-contract-all-pages', errors);
  timings.pagingMs = Date.now() - started;
  await page.close();
}, 120_000);

it('lists the same entries by Dynamics record id', async () => {
  const started = Date.now();
  const { page, errors } = await openActivityLog();
  const all = await apiActivity(`recordId=${record.id}`);

  await page.getByRole('radio', { name: 'Dynamics record id' }).check();
  const idInput = page.getByRole('textbox', { name: 'Dynamics record id' });
  await idInput.fill(record.id.toUpperCase());
  await page.getByRole('button', { name: 'Show' }).click();
  await expectVisible(
    page.getByText(`The newest 20 entries for record ${record.id}; older ones follow with Load more.`),
  );
  const shown = await entryTexts(page);
  all.slice(0, 20).forEach((entry, index) => {
    expect(shown[index]).toContain(entry.message);
  });
  await expectCleanPage(page, 'settings-activity-by-record', errors);
  timings.recordMs = Date.now() - started;
  await page.close();
}, 120_000);

it('shows only the failed runs under Failed, each with its cause in full', async () => {
  const started = Date.now();
  const { page, errors, activityRequests } = await openActivityLog();
  const failed = await apiActivity(`contractId=${String(contractId)}&outcome=failed`);
  expect(failed.map((entry) => entry.action)).toEqual(['webhook', 'push']);

  await page.getByRole('textbox', { name: 'Contract id' }).fill(String(contractId));
  await page.getByRole('button', { name: 'Show' }).click();
  await expectVisible(page.getByRole('button', { name: 'Load more' }));
  await page.getByRole('radio', { name: 'Failed' }).check();
  await expectVisible(page.getByText(`2 entries for contract ${String(contractId)}.`));
  expect(new URL(activityRequests.at(-1) ?? '').searchParams.get('outcome')).toBe('failed');

  const headers = entryHeaders(page);
  expect(await headers.count()).toBe(2);
  const texts = await entryTexts(page);
  expect(texts.every((text) => text.includes('Failed'))).toBe(true);
  expect(texts[0]).toContain('Webhook: Oneflow reported a change');
  expect(texts[0]).toMatch(/failed 5 times and was given up: .+\. Use Fetch updates from Oneflow/);
  expect(texts[1]).toContain('Push to Oneflow');
  expect(texts[1]).toMatch(/1 write failed and stays pending \(Oneflow .*500/);
  // The cause is not cut off: the message's element is as wide as its text needs, inside the page.
  const cause = headers.first().getByText(failed[0]?.message ?? '', { exact: true });
  await expectVisible(cause);
  expect(await cause.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
  await expectAccessible(page, 'settings-activity-failed-filter');

  // Held: none of this contract's runs was held.
  await page.getByRole('radio', { name: 'Held' }).check();
  await expectVisible(page.getByText(`No held runs for contract ${String(contractId)}.`));
  expect(await entryHeaders(page).count()).toBe(0);
  await expectCleanPage(page, 'settings-activity-held-empty', errors);
  timings.failedMs = Date.now() - started;
  await page.close();
}, 120_000);

it('expands an entry, by keyboard, to the field-level changes it recorded', async () => {
  const started = Date.now();
  const { page, errors } = await openActivityLog();
  const all = await apiActivity(`contractId=${String(contractId)}`);
  const failedPush = all.find((entry) => entry.action === 'push' && entry.outcome === 'failed');
  const fetch = all.find((entry) => entry.action === 'fetch');
  if (failedPush === undefined || fetch === undefined)
    throw new Error('the scene lacks a failed push or a fetch');

  await page.getByRole('textbox', { name: 'Contract id' }).fill(String(contractId));
  await page.getByRole('textbox', { name: 'Contract id' }).press('Enter');
  // The quiet pushes fill the first page: the fetch and the failed push are older.
  await page.getByRole('button', { name: 'Load more' }).click();
  await expectVisible(
    page.getByText(`All ${String(all.length)} entries for contract ${String(contractId)} are shown.`),
  );

  // The fetch: the widget line's quantity written to Dynamics, as the API recorded it.
  const fetchHeader = entryHeaders(page).filter({ hasText: fetch.message });
  await fetchHeader.focus();
  await page.keyboard.press('Enter');
  expect(await fetchHeader.getAttribute('aria-expanded')).toBe('true');
  const table = page.getByRole('table', { name: 'Changes of this entry' });
  await expectVisible(table);
  const quantity = fetch.changes.find(
    (change) => change.lineId === record.lines[0] && change.oneflowField === 'quantity',
  );
  expect(quantity).toMatchObject({ side: 'dynamics' });
  const row = table.getByRole('row').filter({ hasText: record.lines[0] }).filter({ hasText: 'quantity' });
  const cells = (await row.first().getByRole('cell').allInnerTexts()).map((text) =>
    text.replace(/\s+/g, ' '),
  );
  expect(cells[2]).toBe('Dynamics');
  expect(cells[3]).toBe(`${String(quantity?.old)} → ${String(quantity?.new)}`);
  await expectAccessible(page, 'settings-activity-fetch-expanded');

  // The failed push: the write that failed, with the service's words in its note.
  const pushHeader = entryHeaders(page).filter({ hasText: failedPush.message });
  await pushHeader.click();
  const tables = page.getByRole('table', { name: 'Changes of this entry' });
  expect(await tables.count()).toBe(2);
  const failure = failedPush.changes.find((change) => change.rule === 'failed');
  expect(failure?.note).toMatch(/500/);
  await expectVisible(tables.getByRole('cell', { name: `failed: ${failure?.note ?? ''}`, exact: true }));
  await expectCleanPage(page, 'settings-activity-failed-push-expanded', errors);
  timings.expandMs = Date.now() - started;
  await page.close();
}, 120_000);
