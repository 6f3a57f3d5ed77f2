import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { axeCheck, collectErrors, launchBrowser, screenshot } from './support/browser';
import { oneflowProducts } from './support/flowsSupport';
import { startFormStack, type FormStack } from './support/formStack';
import {
  activityOf,
  addWriteInLine,
  createContract,
  expectVisible,
  holdLease,
  loadStatesRecords,
  openForm,
  publishContract,
  saveSettings,
  setFaults,
  signContract,
  toolbarButton,
  UPDATE_ROUTE,
  updateLine,
  type StatesRecord,
} from './support/statesSetup';

/**
 * The widget's states on the form host in headless Chromium against the whole local stack: a signed contract,
 * product sync turned off, a busy contract, a push that is only partly written, a read-only form and the dark
 * theme. State is set up through the API and the simulators; what is under test is clicked in the browser.
 */

const QUOTE = '1b2c0000-0000-4000-8000-000000000001';

let formStack: FormStack;
let browser: Browser;
let records: StatesRecord[];
const timings: Record<string, number> = {};

beforeAll(async () => {
  const started = Date.now();
  formStack = await startFormStack();
  records = await loadStatesRecords(formStack.stack, 5);
  browser = await launchBrowser(formStack.stack.simulators.identityCertificatePem);
  timings.setupMs = Date.now() - started;
}, 120_000);

afterEach(async () => {
  await setFaults(formStack.stack, 'oneflow', {});
});

afterAll(async () => {
  // Guarded: when beforeAll failed half-way, what it did start is still stopped.
  if (typeof browser !== 'undefined') await browser.close();
  if (typeof formStack !== 'undefined') await formStack.close();
  const folder = join(__dirname, '..', 'test-output');
  mkdirSync(folder, { recursive: true });
  const path = join(folder, 'browser-timings.json');
  let previous: Record<string, unknown> = {};
  try {
    previous = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    // No earlier suite wrote timings.
  }
  writeFileSync(path, `${JSON.stringify({ ...previous, states: timings }, null, 2)}\n`);
});

function record(index: number): StatesRecord {
  const found = records[index];
  if (found === undefined) throw new Error(`no record ${String(index)}`);
  return found;
}

const formUrl = (recordId: string, options = '', table: 'opportunity' | 'quote' = 'opportunity'): string =>
  `${formStack.host.url}/forms/${table}?id=${recordId}${options}`;

async function newPage(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  return { page, errors: collectErrors(page) };
}

/** Tab from the top of the page until the toolbar button of that name has focus (the keyboard's only way). */
async function tabTo(page: Page, name: string, limit = 40): Promise<void> {
  for (let step = 0; step < limit; step++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const element = document.activeElement;
      return element instanceof HTMLButtonElement ? element.textContent.trim() : '';
    });
    if (focused === name) return;
  }
  throw new Error(`Tab never reached ${name}`);
}

async function isDisabled(page: Page, name: string): Promise<boolean> {
  return (await toolbarButton(page, name).getAttribute('aria-disabled')) === 'true';
}

it('a signed contract: Push is disabled but reachable with Tab, its tooltip says why on focus; Fetch stays enabled', async () => {
  const started = Date.now();
  const target = record(0);
  const contractId = await createContract(formStack.stack, target.id);
  await signContract(formStack.stack, contractId);
  const { page, errors } = await newPage();

  await openForm(page, formUrl(target.id));
  await expectVisible(
    page.getByText('This contract is signed. Its products can no longer be changed in Oneflow.'),
  );
  expect(await isDisabled(page, 'Push updates to Oneflow')).toBe(true);
  expect(await isDisabled(page, 'Fetch updates from Oneflow')).toBe(false);
  // The record has its contract, so Create contract is not offered at all.
  expect(await toolbarButton(page, 'Create contract').count()).toBe(0);

  // The mouse never moves: the tooltip must come from keyboard focus alone.
  await tabTo(page, 'Push updates to Oneflow');
  const tooltip = page.getByRole('tooltip');
  await expectVisible(tooltip);
  expect(await tooltip.textContent()).toBe(
    'The contract is signed. Its products can no longer be changed in Oneflow.',
  );
  // A click on the disabled action opens nothing.
  await page.keyboard.press('Enter');
  expect(await page.getByRole('dialog').count()).toBe(0);

  expect(await axeCheck(page)).toEqual([]);
  await screenshot(page, 'states-signed');
  expect(errors).toEqual([]);
  await page.close();
  timings.signedMs = Date.now() - started;
}, 90_000);

it('product sync turned off for quotes: the widget says so, and Push and Fetch are disabled with that reason', async () => {
  const started = Date.now();
  await createContract(formStack.stack, QUOTE, 'quote');
  await saveSettings(formStack.stack, 'quote', (settings) => ({ ...settings, productsEnabled: false }));
  const { page, errors } = await newPage();
  try {
    await openForm(page, formUrl(QUOTE, '', 'quote'));
    const words = page.getByText(
      /^Product sync is turned off for .+\. Nothing is sent to or taken from Oneflow\.$/,
    );
    await expectVisible(words);
    expect(await isDisabled(page, 'Push updates to Oneflow')).toBe(true);
    expect(await isDisabled(page, 'Fetch updates from Oneflow')).toBe(true);

    await tabTo(page, 'Push updates to Oneflow');
    const tooltip = page.getByRole('tooltip');
    await expectVisible(tooltip);
    expect(await tooltip.textContent()).toMatch(/^Product sync is turned off for .+\.$/);
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Fetch updates from Oneflow');
    await expectVisible(page.getByRole('tooltip', { name: /^Product sync is turned off for/ }));

    expect(await axeCheck(page)).toEqual([]);
    await screenshot(page, 'states-products-off');
    expect(errors).toEqual([]);
  } finally {
    await saveSettings(formStack.stack, 'quote', (settings) => ({ ...settings, productsEnabled: true }));
    await page.close();
  }
  timings.productsOffMs = Date.now() - started;
}, 90_000);

it('a busy contract: Push says another sync is running, tries again once by itself and then writes', async () => {
  const started = Date.now();
  const target = record(2);
  const contractId = await createContract(formStack.stack, target.id);
  await updateLine(formStack.stack, target.lines[0], { quantity: 6 });
  const { page, errors } = await newPage();

  await openForm(page, formUrl(target.id));
  await expectVisible(page.getByText('1 product to push').first());
  await toolbarButton(page, 'Push updates to Oneflow').click();
  const dialog = page.getByRole('dialog', { name: 'Push updates to Oneflow: preview' });
  // The quantity, and the per-unit discount Oneflow gets for the line's manual discount at the new quantity.
  const confirm = dialog.getByRole('button', { name: 'Push 2 changes' });
  await expectVisible(confirm);

  // Another sync of the contract takes its lease between the preview and the rep's confirmation.
  const release = await holdLease(formStack.stack, contractId, 8_000);
  await confirm.click();
  const waiting = dialog.getByText(
    /^Another sync of this contract is running\. Trying again in \d+ seconds…$/,
  );
  await expectVisible(waiting);
  expect(await axeCheck(page)).toEqual([]);
  await screenshot(page, 'states-busy');
  await release();

  await expectVisible(page.getByText('Pushed to Oneflow'), 45_000);
  expect(await page.getByText('Not every change was written').count()).toBe(0);
  expect(
    await page.getByText('Some values changed since the preview; this is what was written.').count(),
  ).toBe(0);
  // One push ran: the retry, after the busy answer (a busy answer is not recorded).
  expect(await activityOf(formStack.stack, contractId)).toEqual([
    ['push', 'applied'],
    ['initial_transfer', 'applied'],
  ]);
  expect((await oneflowProducts(formStack.stack, contractId)).get(target.lines[0])?.quantity.amount).toBe(6);
  expect(await axeCheck(page)).toEqual([]);
  await screenshot(page, 'states-busy-then-pushed');
  expect(errors).toEqual([]);
  await page.close();
  timings.busyMs = Date.now() - started;
}, 120_000);

it('a push Oneflow only partly takes: the result bar counts the changes not written and names the line, never success', async () => {
  const started = Date.now();
  const target = record(3);
  const contractId = await createContract(formStack.stack, target.id);
  // Sent, so the push writes one product per request (a draft's table would go in one bulk write).
  await publishContract(formStack.stack, contractId);
  const addedLine = '2c3d0000-0000-4000-8000-5a7e00000499';
  await updateLine(formStack.stack, target.lines[0], { quantity: 4 });
  await addWriteInLine(formStack.stack, target.id, addedLine, {
    productdescription: 'Onsite training day',
    priceperunit: 700,
    quantity: 1,
  });
  // Oneflow refuses every product update (after each retry); adding a product still works.
  await setFaults(formStack.stack, 'oneflow', { [UPDATE_ROUTE]: { rates: { '500': 1 } } });
  const { page, errors } = await newPage();

  await openForm(page, formUrl(target.id));
  await expectVisible(page.getByText('2 products to push').first());
  await toolbarButton(page, 'Push updates to Oneflow').click();
  const dialog = page.getByRole('dialog', { name: 'Push updates to Oneflow: preview' });
  const confirm = dialog.getByRole('button', { name: /^Push \d+ changes$/ });
  await expectVisible(confirm);
  const total = Number(/\d+/.exec((await confirm.textContent()) ?? '')?.[0]);
  await confirm.click();

  const failures = page.getByText(
    /^1 of \d+ changes were not written\. They stay pending and will show again\.$/,
  );
  await expectVisible(failures, 90_000);
  // The confirm button counts fields; the result counts writes per product: one update failed, one add worked.
  expect(total).toBeGreaterThan(2);
  expect(await failures.textContent()).toBe(
    '1 of 2 changes were not written. They stay pending and will show again.',
  );
  await expectVisible(page.getByText('Not every change was written'));
  await expectVisible(page.getByRole('listitem').filter({ hasText: /^Widget: / }));
  expect(await page.getByText('Pushed to Oneflow').count()).toBe(0);

  const products = await oneflowProducts(formStack.stack, contractId);
  expect(products.get(target.lines[0])?.quantity.amount).toBe(10);
  expect(products.get(addedLine)?.name).toBe('Onsite training day');
  expect(await axeCheck(page)).toEqual([]);
  await screenshot(page, 'states-partial-failure');
  expect(errors).toEqual([]);
  await page.close();
  timings.partialFailureMs = Date.now() - started;
}, 150_000);

it('a read-only form: the actions that write are disabled and say the record is read-only', async () => {
  const started = Date.now();
  const target = record(1);
  await createContract(formStack.stack, target.id);
  const { page, errors } = await newPage();

  await openForm(page, formUrl(target.id, '&readonly=1'));
  await expectVisible(page.getByRole('table', { name: 'Product lines in Dynamics and Oneflow' }));
  expect(await isDisabled(page, 'Push updates to Oneflow')).toBe(true);
  expect(await isDisabled(page, 'Fetch updates from Oneflow')).toBe(true);
  expect(await isDisabled(page, 'History')).toBe(false);
  await tabTo(page, 'Push updates to Oneflow');
  await expectVisible(page.getByRole('tooltip', { name: 'This record is read-only.' }));

  expect(await axeCheck(page)).toEqual([]);
  await screenshot(page, 'states-read-only');
  expect(errors).toEqual([]);
  await page.close();
  timings.readOnlyMs = Date.now() - started;
}, 90_000);

it('the dark theme: the widget with its contract and a tooltip open has no contrast or other axe violations', async () => {
  const started = Date.now();
  const target = record(1);
  const { page, errors } = await newPage();

  // Read-only, so that Push is disabled and its tooltip (the reason) opens on focus.
  await openForm(page, formUrl(target.id, '&theme=dark&readonly=1'));
  await expectVisible(page.getByRole('table', { name: 'Product lines in Dynamics and Oneflow' }));
  await tabTo(page, 'Push updates to Oneflow');
  await expectVisible(page.getByRole('tooltip'));

  expect(await axeCheck(page)).toEqual([]);
  await screenshot(page, 'states-dark');
  expect(errors).toEqual([]);
  await page.close();
  timings.darkMs = Date.now() - started;
}, 90_000);
