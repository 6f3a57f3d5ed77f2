import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { axeCheck, collectErrors, launchBrowser, screenshot } from './support/browser';
import { startFormStack, type FormStack } from './support/formStack';
import {
  contractIdOf,
  dataverseLine,
  deleteWebhook,
  editOnOneflowPage,
  expectVisible,
  holdQuantityConflicts,
  oneflowProduct,
  registerWebhook,
  resetSettings,
  productTable,
  tableRow,
  until,
  type TableRow,
} from './support/flowsSupport';

/**
 * The sales rep's main flows, clicked through in headless Chromium on the form host against the whole local
 * stack. The tests run in order on one stack and one opportunity: each flow starts where the previous one left
 * the contract, and History at the end lists them all.
 */

/** The seeded rollout opportunity (no contract in a fresh stack) and its lines. */
const OPPORTUNITY = '0a1b0000-0000-4000-8000-000000000001';
const LINE = {
  widget: '2c3d0000-0000-4000-8000-000000000001',
  support: '2c3d0000-0000-4000-8000-000000000002',
  writeIn: '2c3d0000-0000-4000-8000-000000000003',
} as const;
const QUOTE = '1b2c0000-0000-4000-8000-000000000001';
const WRITE_IN = 'Custom integration (write-in)';

let formStack: FormStack | undefined;
let browser: Browser | undefined;
let webhookId: number | null = null;
let contractId = 0;
const timings: Record<string, number> = {};
const TIMINGS_FILE = join(__dirname, '..', 'test-output', 'flows-browser-timings.json');

beforeAll(async () => {
  const started = Date.now();
  formStack = await startFormStack();
  webhookId = await registerWebhook(formStack.stack, formStack.stack.host.url);
  timings.stackStartMs = Date.now() - started;
  browser = await launchBrowser(formStack.stack.simulators.identityCertificatePem);
}, 120_000);

afterAll(async () => {
  try {
    await browser?.close();
  } finally {
    await formStack?.close();
  }
  mkdirSync(join(TIMINGS_FILE, '..'), { recursive: true });
  writeFileSync(TIMINGS_FILE, `${JSON.stringify(timings, null, 2)}\n`);
});

function ready<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('the stack or the browser did not start');
  return value;
}
const stack = () => ready(formStack).stack;

async function openForm(
  entity: 'opportunity' | 'quote',
  id: string,
): Promise<{ page: Page; errors: string[] }> {
  const page = await ready(browser).newPage({ viewport: { width: 1280, height: 900 } });
  const errors = collectErrors(page);
  await page.goto(`${ready(formStack).host.url}/forms/${entity}?id=${id}`);
  try {
    await expectVisible(page.getByRole('heading', { name: 'Oneflow contract', exact: true }));
  } catch (error) {
    // The widget did not render: say what the page shows (a bundle being rebuilt, a missing string, an error).
    throw new Error(
      `the widget did not render on the ${entity} form: ${String(error)}\npage errors: ${JSON.stringify(errors)}\n` +
        (await page.locator('body').innerText()).slice(0, 2000),
    );
  }
  return { page, errors };
}

/** The result bar's title after an action. */
const resultBar = (page: Page, title: string) => page.getByText(title, { exact: true });
const toolbarButton = (page: Page, name: string) =>
  page.getByRole('toolbar', { name: 'Oneflow contract actions' }).getByRole('button', { name, exact: true });

async function refresh(page: Page): Promise<void> {
  await toolbarButton(page, 'Refresh').click();
}

/** Waits for a row of the widget's product table to read as expected (a reload may still be under way). */
async function expectRow(
  page: Page,
  line: string,
  field: string,
  expected: Partial<TableRow>,
): Promise<void> {
  const matches = (row: TableRow | undefined) =>
    row !== undefined &&
    Object.entries(expected).every(([key, value]) => row[key as keyof TableRow] === value);
  try {
    await until(`${line} / ${field}`, async () => matches(await tableRow(page, line, field)));
  } catch {
    throw new Error(
      `${line} / ${field} never read ${JSON.stringify(expected)}; the table: ${JSON.stringify(await productTable(page), null, 1)}`,
    );
  }
}

async function expectAxeClean(page: Page): Promise<void> {
  expect(await axeCheck(page)).toEqual([]);
}

it('creates the contract, pushes a price edited in the grid, and shows a counterparty quantity the webhook brought', async () => {
  const started = Date.now();
  const { page, errors } = await openForm('opportunity', OPPORTUNITY);
  await expectVisible(page.getByRole('heading', { name: 'No Oneflow contract yet' }));

  // Create: the default template is chosen and the lines to send are listed before anything is written.
  await toolbarButton(page, 'Create contract').click();
  const create = page.getByRole('dialog', { name: 'Create Oneflow contract' });
  await expectVisible(create);
  await expectVisible(create.getByRole('table', { name: 'Lines that will be sent' }));
  expect(await create.getByRole('combobox', { name: 'Template' }).textContent()).toContain('Sales agreement');
  const sent = create.getByRole('table', { name: 'Lines that will be sent' });
  for (const name of ['Widget', 'Support Plan', WRITE_IN]) {
    await expectVisible(sent.getByRole('cell', { name, exact: true }));
  }
  await expectAxeClean(page);
  await screenshot(page, 'flows-create-dialog');
  await create.getByRole('button', { name: 'Create contract' }).click();

  await expectVisible(resultBar(page, 'Oneflow contract created'));
  await expectVisible(page.getByRole('link', { name: /Open in Oneflow/ }));
  contractId = await contractIdOf(stack(), 'opportunity', OPPORTUNITY);
  expect((await oneflowProduct(stack(), contractId, LINE.support)).price_1.base_amount.amount).toMatch(
    /^90(\.0+)?$/,
  );
  await expectAxeClean(page);
  await screenshot(page, 'flows-header-after-create');

  // The rep changes a price in the form's grid and saves the line.
  await page.getByRole('textbox', { name: 'Price per unit of Support Plan' }).fill('95');
  await page.getByRole('button', { name: 'Save Support Plan' }).click();
  await expectVisible(page.getByRole('status').filter({ hasText: 'Saved Support Plan' }));
  await refresh(page);

  // Push: the preview names the line, the field, from → to and the side written; the button carries the count.
  await toolbarButton(page, 'Push updates to Oneflow').click();
  const push = page.getByRole('dialog', { name: 'Push updates to Oneflow: preview' });
  const changes = push.getByRole('table', { name: 'Changes that will be written' });
  await expectVisible(changes);
  const change = changes.getByRole('row').filter({ hasText: 'Support Plan' });
  await expect(change.count()).resolves.toBe(1);
  const changeText = await change.innerText();
  expect(changeText).toContain('Price per unit');
  expect(changeText).toMatch(/90(\.00)? → 95(\.00)?/);
  expect(changeText).toContain('Written to Oneflow');
  const confirm = push.getByRole('button', { name: 'Push 1 change' });
  await expectVisible(confirm);
  await expectAxeClean(page);
  await screenshot(page, 'flows-push-preview');
  await confirm.click();

  await expectVisible(resultBar(page, 'Pushed to Oneflow'));
  await expectVisible(page.getByText('1 product updated in Oneflow', { exact: true }));
  await push.waitFor({ state: 'detached' });
  expect(Number((await oneflowProduct(stack(), contractId, LINE.support)).price_1.base_amount.amount)).toBe(
    95,
  );
  await expectAxeClean(page);
  await screenshot(page, 'flows-push-result');

  // The counterparty raises the quantity on Oneflow's contract page; Oneflow's webhook brings it into Dynamics.
  const support = await oneflowProduct(stack(), contractId, LINE.support);
  const oneflowPage = await ready(browser).newPage();
  await editOnOneflowPage(oneflowPage, stack().simulators.oneflowUrl, contractId, support.id, {
    quantity_amount: '15',
  });
  await oneflowPage.close();
  await until('the webhook to write the quantity into Dynamics', async () =>
    (await dataverseLine(stack(), 'opportunityproducts', LINE.support)).quantity === 15 ? true : undefined,
  );

  await refresh(page);
  await expectRow(page, 'Support Plan', 'Quantity', { dynamics: '15', oneflow: '15', status: 'In sync' });
  await expectRow(page, 'Support Plan', 'Price per unit', {
    dynamics: '95.00',
    oneflow: '95.00',
    status: 'In sync',
  });
  await expectAxeClean(page);
  await expectVisible(page.getByText(/Last synced .* by Oneflow webhook \(automatic update\)/));
  await screenshot(page, 'flows-after-webhook');
  expect(errors).toEqual([]);
  await page.close();
  timings.createPushWebhookMs = Date.now() - started;
}, 120_000);

it("fetches a quantity from Oneflow and skips a catalog line's price, naming the reason in the preview and the table", async () => {
  const started = Date.now();
  // From here on the rep fetches by hand: no webhook brings Oneflow's edits first.
  if (webhookId !== null) await deleteWebhook(stack(), webhookId);
  webhookId = null;
  const before = await dataverseLine(stack(), 'opportunityproducts', LINE.widget);
  const product = await oneflowProduct(stack(), contractId, LINE.widget);
  const oneflowPage = await ready(browser).newPage();
  await editOnOneflowPage(oneflowPage, stack().simulators.oneflowUrl, contractId, product.id, {
    base_amount: '30',
    quantity_amount: '11',
  });
  await oneflowPage.close();

  const { page, errors } = await openForm('opportunity', OPPORTUNITY);
  await toolbarButton(page, 'Fetch updates from Oneflow').click();
  const fetch = page.getByRole('dialog', { name: 'Fetch updates from Oneflow: preview' });
  const changes = fetch.getByRole('table', { name: 'Changes that will be written' });
  await expectVisible(changes);
  // The line's discount is per line in Dynamics and per unit in Oneflow: more units, more discount.
  const rows = changes.getByRole('row').filter({ hasText: 'Widget' });
  await expect(rows.count()).resolves.toBe(2);
  expect(await rows.nth(0).innerText()).toMatch(/Quantity\s+10 → 11\s+Written to Dynamics/);
  expect(await rows.nth(1).innerText()).toMatch(/Discount per unit\s+25 → 27\.5[\s\S]*Written to Dynamics/);
  const skip = fetch
    .getByRole('table', { name: 'Values that will not be written' })
    .getByRole('row')
    .filter({ hasText: 'Widget' });
  await expect(skip.count()).resolves.toBe(1);
  const skipText = await skip.innerText();
  expect(skipText).toMatch(/Price per unit\s+Skipped/);
  expect(skipText).toContain('"30.00" from Oneflow is not applied');
  expect(skipText).toContain('this line is a catalog product, so its price comes from the price list');
  const confirm = fetch.getByRole('button', { name: 'Fetch 2 changes' });
  await expectVisible(confirm);
  await expectAxeClean(page);
  await screenshot(page, 'flows-fetch-preview-catalog-skip');
  await confirm.click();

  await expectVisible(resultBar(page, 'Fetched from Oneflow'));
  const after = await dataverseLine(stack(), 'opportunityproducts', LINE.widget);
  expect(after).toEqual({ ...before, quantity: 11, manualdiscountamount: 27.5 });
  await expectRow(page, 'Widget', 'Quantity', {
    dynamics: '11',
    oneflow: '11',
    status: 'In sync',
  });
  // Fetch left Dynamics' catalog price as it was, so the table shows the difference Push would now write.
  await expectRow(page, 'Widget', 'Price per unit', {
    dynamics: '25.00',
    oneflow: '30.00',
    status: 'Will push',
  });
  // The table says why Fetch left it: the catalog line's price comes from the price list.
  const why = page.getByRole('button', { name: 'Why Will push: Price per unit' });
  await why.focus();
  await expectVisible(
    page
      .getByRole('tooltip')
      .filter({ hasText: /is a catalog product, so its price comes from the price list/ }),
  );
  await expectAxeClean(page);
  await screenshot(page, 'flows-fetch-result');
  expect(errors).toEqual([]);
  await page.close();
  timings.fetchCatalogSkipMs = Date.now() - started;
}, 90_000);

it('holds a quantity changed on both sides for review and writes the side the rep keeps', async () => {
  const started = Date.now();
  await holdQuantityConflicts(stack(), 'opportunity');
  try {
    const { page, errors } = await openForm('opportunity', OPPORTUNITY);
    await page.getByRole('textbox', { name: `Quantity of ${WRITE_IN}` }).fill('3');
    await page.getByRole('button', { name: `Save ${WRITE_IN}` }).click();
    await expectVisible(page.getByRole('status').filter({ hasText: `Saved ${WRITE_IN}` }));
    const product = await oneflowProduct(stack(), contractId, LINE.writeIn);
    const oneflowPage = await ready(browser).newPage();
    await editOnOneflowPage(oneflowPage, stack().simulators.oneflowUrl, contractId, product.id, {
      quantity_amount: '4',
    });
    await oneflowPage.close();

    await refresh(page);
    const held = page.getByText('1 value changed in both Dynamics and Oneflow. Choose which value to keep.');
    await expectVisible(held);
    await expectRow(page, WRITE_IN, 'Quantity', {
      dynamics: '3',
      oneflow: '4',
      status: 'Conflict (held)',
    });
    await expectAxeClean(page);
    await screenshot(page, 'flows-conflict-held');

    await page.getByRole('button', { name: 'Resolve conflicts' }).first().click();
    const resolve = page.getByRole('dialog', { name: 'Resolve conflicts' });
    const choice = resolve.getByRole('radiogroup', { name: `Value to keep for ${WRITE_IN}, Quantity` });
    await expectVisible(choice);
    await expectVisible(choice.getByRole('radio', { name: 'Keep Dynamics: 3' }));
    await choice.getByRole('radio', { name: 'Keep Oneflow: 4' }).check();
    await expectAxeClean(page);
    await screenshot(page, 'flows-conflict-dialog');
    await resolve.getByRole('button', { name: 'Apply 1 choice' }).click();

    await expectVisible(resultBar(page, 'Conflicts resolved'));
    await until('Dynamics to get the kept quantity', async () =>
      (await dataverseLine(stack(), 'opportunityproducts', LINE.writeIn)).quantity === 4 ? true : undefined,
    );
    expect(Number((await oneflowProduct(stack(), contractId, LINE.writeIn)).quantity.amount)).toBe(4);
    await held.waitFor({ state: 'detached', timeout: 20_000 });
    await expectRow(page, WRITE_IN, 'Quantity', {
      dynamics: '4',
      oneflow: '4',
      status: 'In sync',
    });
    await expectAxeClean(page);
    await screenshot(page, 'flows-conflict-resolved');
    expect(errors).toEqual([]);
    await page.close();
  } finally {
    await resetSettings(stack(), 'opportunity');
  }
  timings.conflictMs = Date.now() - started;
}, 90_000);

it('creates the contract of a quote from the Quote form', async () => {
  const started = Date.now();
  const { page, errors } = await openForm('quote', QUOTE);
  await expectVisible(page.getByRole('heading', { name: 'No Oneflow contract yet' }));
  await expectAxeClean(page);
  await screenshot(page, 'flows-quote-no-contract');

  await toolbarButton(page, 'Create contract').click();
  const create = page.getByRole('dialog', { name: 'Create Oneflow contract' });
  const sent = create.getByRole('table', { name: 'Lines that will be sent' });
  await expectVisible(sent);
  await expectVisible(sent.getByRole('cell', { name: 'On-site training (write-in)', exact: true }));
  await expectAxeClean(page);
  await create.getByRole('button', { name: 'Create contract' }).click();

  await expectVisible(resultBar(page, 'Oneflow contract created'));
  await expectVisible(page.getByRole('link', { name: /Open in Oneflow/ }));
  const quoteContract = await contractIdOf(stack(), 'quote', QUOTE);
  await expectVisible(page.getByText(`Contract ${String(quoteContract)}`, { exact: true }));
  const training = await oneflowProduct(stack(), quoteContract, '3d4e0000-0000-4000-8000-000000000002');
  expect(Number(training.quantity.amount)).toBe(2);
  await expectRow(page, 'On-site training (write-in)', 'Quantity', {
    status: 'In sync',
  });
  await expectAxeClean(page);
  await screenshot(page, 'flows-quote-header-after-create');
  expect(errors).toEqual([]);
  await page.close();
  timings.quoteMs = Date.now() - started;
}, 90_000);

it("lists the record's history with the fields each entry wrote", async () => {
  const started = Date.now();
  const { page, errors } = await openForm('opportunity', OPPORTUNITY);
  await toolbarButton(page, 'History').click();
  const history = page.getByRole('dialog', { name: 'Product sync history' });
  const push = history.getByRole('button', { name: /Push/ });
  await expectVisible(push);
  for (const action of ['Create contract', 'Automatic update', 'Fetch', 'Conflict resolution']) {
    await expectVisible(history.getByRole('button', { name: new RegExp(action) }).first());
  }
  await push.click();
  await expectVisible(
    history.getByText('Support Plan: Price per unit 90.00 → 95.00 (Oneflow)', { exact: true }),
  );
  // The counterparty's quantity, brought by Oneflow's webhook.
  await history.getByRole('button', { name: /Oneflow webhook Automatic update Applied/ }).click();
  await expectVisible(history.getByText('Support Plan: Quantity 12 → 15 (Dynamics)', { exact: true }));
  await expectAxeClean(page);
  await screenshot(page, 'flows-history');
  expect(errors).toEqual([]);
  await page.close();
  timings.historyMs = Date.now() - started;
}, 60_000);
