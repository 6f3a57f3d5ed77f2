import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { LinksPageAnswerSchema, type Link } from '../src/api/contract';
import { expectAccessible, expectCleanPage, screenshot } from './support/browser';
import { openSettings, settingsTab, type SettingsUser } from './support/settingsPage';
import { settingsSuite } from './support/settingsSuite';
import { createContract, loadStatesRecords, type StatesRecord } from './support/statesSetup';

/*
 * The Sync mappings tab against the whole local stack: contracts created through the API (each one's three lines
 * linked to the Oneflow products made from them), then searched, paged, edited, removed and downloaded in the
 * browser as an admin would, with every outcome checked in the API's stored links and activity.
 */

// The CSV reader of the API's own end-to-end suites, loaded at run time as suite.formStack.ts loads the stack.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parseCsv } = require('../../functions/src/e2e/securitySupport') as {
  parseCsv: (text: string) => string[][];
};

/** More links than one page of the tab (25), so that paging shows. */
const RECORDS = 10;
const TABLE_NAME = 'Links between Dynamics lines and Oneflow products';

let records: StatesRecord[];
let contracts: number[];

const suite = settingsSuite('settings links', {
  prepare: async (formStack) => {
    records = await loadStatesRecords(formStack.stack, RECORDS);
    contracts = [];
    for (const record of records) contracts.push(await createContract(formStack.stack, record.id));
  },
  timeout: 180_000,
});
const { timings } = suite;

/** Every link the API lists for a query, all pages. */
async function storedLinks(query = ''): Promise<Link[]> {
  const token = await suite.formStack.stack.token('sam');
  const links: Link[] = [];
  let continuation: string | null = null;
  do {
    const params = new URLSearchParams(query);
    params.set('limit', '1000');
    if (continuation !== null) params.set('continuationToken', continuation);
    const answer = await suite.formStack.stack.api('GET', `links?${params.toString()}`, { token });
    if (answer.status !== 200) throw new Error(`links: ${String(answer.status)} ${answer.text}`);
    const page = LinksPageAnswerSchema.parse(answer.body);
    links.push(...page.links);
    continuation = page.continuationToken;
  } while (continuation !== null);
  return links;
}

async function storedLink(contractId: number, lineId: string): Promise<Link | undefined> {
  const links = await storedLinks(`contractId=${String(contractId)}&q=${lineId}`);
  return links.find((link) => link.lineId === lineId);
}

async function openLinksTab(user: SettingsUser): Promise<{ page: Page; errors: string[] }> {
  const { page, errors } = await suite.newPage({
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  await openSettings(page, suite.formStack.host, { user });
  await settingsTab(page, 'Sync mappings').click();
  return { page, errors };
}

const table = (page: Page): Locator => page.getByRole('table', { name: TABLE_NAME });

/** The body rows of the links table (the header row left out). */
const bodyRows = (page: Page): Locator => table(page).locator('tbody').getByRole('row');

const rowOf = (page: Page, lineId: string): Locator => bodyRows(page).filter({ hasText: lineId });

async function shownLineIds(page: Page): Promise<string[]> {
  const cells = await bodyRows(page).locator('td:nth-child(2)').allInnerTexts();
  return cells.map((text) => text.trim());
}

async function expectVisible(locator: Locator, timeout = 15_000): Promise<void> {
  await locator.waitFor({ state: 'visible', timeout });
}

/** Dialogs and popups fade in: screenshots and axe's contrast checks wait until nothing is moving. */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() =>
    document.getAnimations().every((animation) => animation.playState !== 'running'),
  );
}

const searchBox = (page: Page): Locator =>
  page.getByRole('textbox', { name: 'Search by Dynamics line id or Oneflow product id' });
const contractBox = (page: Page): Locator => page.getByRole('textbox', { name: 'Contract id' });

async function showContract(page: Page, contractId: number): Promise<void> {
  await searchBox(page).fill('');
  await contractBox(page).fill(String(contractId));
  await expectVisible(page.getByText('3 links', { exact: true }));
  await expectVisible(bodyRows(page).nth(2));
}

it('pages through every link, and finds one by its line id, by its product id and by contract', async () => {
  const started = Date.now();
  const { page, errors } = await openLinksTab('sam');
  const all = await storedLinks();
  expect(all).toHaveLength(RECORDS * 3);

  await expectVisible(page.getByText('Showing 25; more links follow', { exact: true }));
  expect(await bodyRows(page).count()).toBe(25);
  await expectAccessible(page, 'settings-links-first-page');

  await page.getByRole('button', { name: 'Load more' }).click();
  await expectVisible(page.getByText('Showing 30', { exact: true }));
  // The API's order, each link once: what the admin sees is what is stored.
  expect(await shownLineIds(page)).toEqual(all.map((link) => link.lineId));
  expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);

  const [, , target] = records;
  const lineId = target?.lines[1] ?? '';
  await searchBox(page).fill(lineId);
  await expectVisible(page.getByText('1 link', { exact: true }));
  expect(await shownLineIds(page)).toEqual([lineId]);
  const stored = all.find((link) => link.lineId === lineId);
  const row = rowOf(page, lineId);
  await expectVisible(row.getByText('Active'));
  expect(await row.locator('td').nth(2).innerText()).toBe(String(stored?.productId));
  expect(await row.locator('td').nth(0).innerText()).toBe(String(stored?.contractId));
  await screenshot(page, 'settings-links-search-line-id');

  const byProduct = all[17];
  await searchBox(page).fill(String(byProduct?.productId));
  await expectVisible(rowOf(page, byProduct?.lineId ?? ''));
  expect(await shownLineIds(page)).toEqual([byProduct?.lineId]);

  await searchBox(page).fill('ffff');
  await expectVisible(page.getByText('No links match “ffff”.'));
  await screenshot(page, 'settings-links-search-empty');

  await showContract(page, contracts[4] ?? 0);
  expect(await shownLineIds(page)).toEqual([...(records[4]?.lines ?? [])].sort());

  await contractBox(page).fill('12ab');
  await expectVisible(
    page.getByText(
      'A contract id is a whole number in plain digits without leading zeros, like 1001. Nothing was searched.',
    ),
  );
  expect(await contractBox(page).getAttribute('aria-invalid')).toBe('true');
  await expectAccessible(page, 'settings-links-contract-id-invalid');

  expect(errors).toEqual([]);
  timings.searchAndPagingMs = Date.now() - started;
  await page.close();
}, 120_000);

it("edits a link's state in a dialog, and the stored link changes", async () => {
  const started = Date.now();
  const { page, errors } = await openLinksTab('sam');
  const contractId = contracts[0] ?? 0;
  const lineId = records[0]?.lines[2] ?? '';
  await showContract(page, contractId);

  const edit = rowOf(page, lineId).getByRole('button', { name: `Edit the link of line ${lineId}` });
  await edit.click();
  const dialog = page.getByRole('dialog', { name: 'Edit link' });
  await expectVisible(dialog);
  await expectVisible(
    dialog.getByText(
      'Changing the product clears the last-synced values; the next push or fetch compares both sides afresh.',
    ),
  );
  await settled(page);
  await expectAccessible(page, 'settings-links-edit-dialog');

  await dialog.getByRole('combobox', { name: 'State' }).click();
  const option = page.getByRole('option', { name: 'Deleted in Oneflow' });
  await expectVisible(option);
  await settled(page);
  await expectAccessible(page, 'settings-links-edit-state-open');
  await option.click();
  await dialog.getByRole('button', { name: 'Save link' }).click();

  await expectVisible(page.getByText(`The link of line ${lineId} was saved.`));
  await expectVisible(rowOf(page, lineId).getByText('Deleted in Oneflow'));
  expect(await dialog.count()).toBe(0);
  // Focus is back where the admin was: on the row's Edit button.
  expect(await edit.evaluate((element) => element === document.activeElement)).toBe(true);
  expect(await storedLink(contractId, lineId)).toMatchObject({ state: 'deleted_in_oneflow' });
  await screenshot(page, 'settings-links-edited');

  expect(errors).toEqual([]);
  timings.editStateMs = Date.now() - started;
  await page.close();
}, 90_000);

it('refuses a product already linked to another line of the contract on the product id field', async () => {
  const started = Date.now();
  const { page, errors } = await openLinksTab('sam');
  const contractId = contracts[1] ?? 0;
  const [first, second] = records[1]?.lines ?? [];
  const before = await storedLink(contractId, first ?? '');
  const taken = (await storedLink(contractId, second ?? ''))?.productId;
  await showContract(page, contractId);

  await rowOf(page, first ?? '')
    .getByRole('button', { name: `Edit the link of line ${first ?? ''}` })
    .click();
  const dialog = page.getByRole('dialog', { name: 'Edit link' });
  const product = dialog.getByRole('spinbutton', { name: /Oneflow product id/ });
  await product.fill(String(taken));
  await dialog.getByRole('button', { name: 'Save link' }).click();

  await expectVisible(
    dialog.getByText(`Product ${String(taken)} is already linked to another line of this contract`),
  );
  expect(await product.getAttribute('aria-invalid')).toBe('true');
  await settled(page);
  await expectAccessible(page, 'settings-links-edit-product-taken');
  expect(await storedLink(contractId, first ?? '')).toEqual(before);

  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
  expect(errors).toEqual([]);
  timings.editTakenMs = Date.now() - started;
  await page.close();
}, 90_000);

it('removes a link after asking; the API no longer has it and the activity records the edit', async () => {
  const started = Date.now();
  const { page, errors } = await openLinksTab('sam');
  const contractId = contracts[2] ?? 0;
  const lineId = records[2]?.lines[0] ?? '';
  await showContract(page, contractId);

  await rowOf(page, lineId)
    .getByRole('button', { name: `Remove the link of line ${lineId}` })
    .click();
  const dialog = page.getByRole('alertdialog', { name: 'Remove this link?' });
  await expectVisible(
    dialog.getByText(
      'At the next push the line counts as new. If its product still exists in Oneflow it is found again, not duplicated.',
    ),
  );
  await settled(page);
  await expectAccessible(page, 'settings-links-remove-dialog');
  await dialog.getByRole('button', { name: 'Remove link' }).click();

  await expectVisible(page.getByText(`The link of line ${lineId} was removed.`));
  await expectVisible(page.getByText('2 links', { exact: true }));
  expect(await rowOf(page, lineId).count()).toBe(0);
  expect(await storedLink(contractId, lineId)).toBeUndefined();
  expect((await storedLinks(`contractId=${String(contractId)}`)).map((link) => link.lineId)).toEqual(
    records[2]?.lines.slice(1),
  );
  const activity = await suite.formStack.stack.api('GET', `activity?contractId=${String(contractId)}`, {
    token: await suite.formStack.stack.token('sam'),
  });
  const entries = (activity.body as { entries: { action: string; message: string }[] }).entries;
  expect(entries[0]).toMatchObject({ action: 'link_edit', message: 'Link removed by hand' });
  await screenshot(page, 'settings-links-removed');

  expect(errors).toEqual([]);
  timings.removeMs = Date.now() - started;
  await page.close();
}, 90_000);

it('downloads the CSV of the current search, every row as the API lists it', async () => {
  const started = Date.now();
  const { page, errors } = await openLinksTab('sam');
  await expectVisible(page.getByText(/^Showing 25/));

  async function download(): Promise<string[][]> {
    const [file] = await Promise.all([
      page.waitForEvent('download', { timeout: 30_000 }),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(file.suggestedFilename()).toBe('product-sync-links.csv');
    const path = await file.path();
    await expectVisible(page.getByText('Downloaded product-sync-links.csv: every link the search matches.'));
    return parseCsv(readFileSync(path, 'utf8'));
  }
  const asRow = (link: Link): string[] => [
    String(link.contractId),
    link.lineId,
    String(link.productId),
    link.state,
    link.syncedAt,
    JSON.stringify(link.base),
  ];

  const [header, ...rows] = await download();
  expect(header).toEqual(['contractId', 'lineId', 'productId', 'state', 'syncedAt', 'base']);
  const all = await storedLinks();
  expect(rows).toEqual(all.map(asRow));
  await screenshot(page, 'settings-links-downloaded');

  const contractId = contracts[3] ?? 0;
  await showContract(page, contractId);
  const [, ...contractRows] = await download();
  expect(contractRows).toEqual((await storedLinks(`contractId=${String(contractId)}`)).map(asRow));
  expect(contractRows).toHaveLength(3);

  expect(errors).toEqual([]);
  timings.downloadMs = Date.now() - started;
  await page.close();
}, 90_000);

it('lists and downloads for a user without the admin role, whose edit and remove say the role they need', async () => {
  const started = Date.now();
  const { page, errors } = await openLinksTab('alex');
  await expectVisible(page.getByText(/^Showing 25/));
  const lineId = (await shownLineIds(page))[0] ?? '';
  const edit = rowOf(page, lineId).getByRole('button', { name: `Edit the link of line ${lineId}` });
  expect(await edit.getAttribute('aria-disabled')).toBe('true');
  const description = await edit.evaluate((element) =>
    (element.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join(' '),
  );
  expect(description).toBe('Changing links needs the ProductSync.Admin role.');
  await edit.hover();
  await expectVisible(
    page
      .locator('[role="tooltip"]:visible')
      .filter({ hasText: 'Changing links needs the ProductSync.Admin role.' }),
  );
  await edit.click({ force: true });
  expect(await page.getByRole('dialog').count()).toBe(0);

  const [file] = await Promise.all([
    page.waitForEvent('download', { timeout: 30_000 }),
    page.getByRole('button', { name: 'Download CSV' }).click(),
  ]);
  const [, ...rows] = parseCsv(readFileSync(await file.path(), 'utf8'));
  expect(rows.map((row) => row[1])).toEqual((await storedLinks()).map((link) => link.lineId));
  await expectCleanPage(page, 'settings-links-read-only', errors);
  timings.readOnlyMs = Date.now() - started;
  await page.close();
}, 60_000);
