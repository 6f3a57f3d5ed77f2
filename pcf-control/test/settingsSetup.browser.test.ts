import type { Page } from 'playwright-core';
import { axeCheck, expectAccessible, expectCleanPage, screenshot } from './support/browser';
import { openSettings, type SettingsUser } from './support/settingsPage';
import { settingsSuite } from './support/settingsSuite';

const suite = settingsSuite('settings setup');
const { timings } = suite;

interface StoredMapping {
  dynamicsField: string;
  oneflowField: string;
  direction: string;
  writeCondition: string;
  conflictPolicy: string;
}

interface StoredSettings {
  settings: {
    mainEntity: string;
    productsEnabled: boolean;
    productSource: { entity: string; lookupAttribute: string; relationship: string };
    mappings: StoredMapping[];
  };
  etag: string | null;
  isDefault: boolean;
  updatedBy: string | null;
}

async function stored(entity: string): Promise<StoredSettings> {
  const token = await suite.formStack.stack.token('sam');
  const answer = await suite.formStack.stack.api('GET', `settings/${entity}`, { token });
  expect(answer.status).toBe(200);
  return answer.body as StoredSettings;
}

/** Another admin's save, straight through the API with the etag they read. */
async function saveAsOtherAdmin(entity: string, change: (settings: StoredSettings['settings']) => void) {
  const current = await stored(entity);
  change(current.settings);
  const token = await suite.formStack.stack.token('sam');
  const answer = await suite.formStack.stack.api('PUT', `settings/${entity}`, {
    token,
    body: current.settings,
    headers: current.etag === null ? {} : { 'If-Match': current.etag },
  });
  expect(answer.status).toBe(200);
}

/** The settings page on the Setup entities tab, with an entity's Products sub-tab showing. */
async function openEntity(user: SettingsUser, entity: string): Promise<{ page: Page; errors: string[] }> {
  const { page, errors } = await suite.newPage();
  await openSettings(page, suite.formStack.host, { user });
  const list = page.getByRole('tablist', { name: 'Entities' });
  await list.waitFor({ state: 'visible', timeout: 30_000 });
  await list.getByRole('tab', { name: entity, exact: true }).click();
  await page.getByRole('heading', { name: new RegExp(`^${entity} \\(`) }).waitFor({ state: 'visible' });
  await page.getByRole('table', { name: 'Field mappings' }).waitFor({ state: 'visible', timeout: 30_000 });
  return { page, errors };
}

/** The words beside Save mapping of the entity showing (the other opened entities' are hidden, tooltips aside). */
function footerStatus(page: Page, text: string) {
  return page.locator('span:visible', { hasText: new RegExp(`^${text.replace(/\./g, '\\.')}$`) });
}

async function choose(page: Page, combobox: string, option: string): Promise<void> {
  await page.getByRole('combobox', { name: combobox }).click();
  const listbox = page.getByRole('listbox');
  await listbox.waitFor({ state: 'visible' });
  await listbox.getByRole('option', { name: option, exact: true }).click();
  await listbox.waitFor({ state: 'hidden' });
}

async function saveThroughReview(page: Page, screenshotName?: string): Promise<void> {
  await page.getByRole('button', { name: 'Save mapping' }).click();
  const review = page.getByRole('dialog', { name: 'Review and save' });
  await review.waitFor({ state: 'visible' });
  if (screenshotName !== undefined) {
    await expectAccessible(page, screenshotName);
  }
  await review.getByRole('button', { name: 'Save', exact: true }).click();
  await review.waitFor({ state: 'hidden' });
}

it('configures Quote: turns transfer off, asks before leaving it unsaved, saves it through the review', async () => {
  const started = Date.now();
  expect((await stored('quote')).isDefault).toBe(true);
  const { page, errors } = await openEntity('sam', 'Quote');
  await page.getByText('Quote uses the built-in defaults; nothing has been saved for it yet.').waitFor();
  await expect(
    page.getByRole('combobox', { name: 'Select a source for product information' }).innerText(),
  ).resolves.toBe('Quote Product (quoteid)');
  await expectAccessible(page, 'settings-setup-quote-defaults');

  // The product sources, with their lookups in brackets; closing the list changes nothing.
  await page.getByRole('combobox', { name: 'Select a source for product information' }).click();
  const sources = page.getByRole('listbox');
  await sources.waitFor({ state: 'visible' });
  expect(await sources.getByRole('option').allInnerTexts()).toContain('Quote Product (quoteid)');
  await expectAccessible(page, 'settings-setup-quote-sources-open');
  await page.keyboard.press('Escape');
  await sources.waitFor({ state: 'hidden' });

  const transfer = page.getByRole('switch', { name: 'Transfer products' });
  await transfer.click();
  expect(await transfer.isChecked()).toBe(false);
  await footerStatus(page, 'Unsaved changes.').waitFor();

  // Leaving the entity with unsaved changes asks first; Keep editing keeps them.
  await page
    .getByRole('tablist', { name: 'Entities' })
    .getByRole('tab', { name: /^Opportunity/ })
    .click();
  const ask = page.getByRole('alertdialog', { name: 'Unsaved changes' });
  await ask.waitFor({ state: 'visible' });
  await expectAccessible(page, 'settings-setup-unsaved-changes-dialog');
  await ask.getByRole('button', { name: 'Keep editing' }).click();
  await ask.waitFor({ state: 'hidden' });
  expect(await transfer.isChecked()).toBe(false);
  // Focus is back on the entity the admin tried to open, and Quote is still the one showing.
  await page.waitForFunction(() => document.activeElement?.getAttribute('role') === 'tab');
  expect(await page.evaluate(() => document.activeElement?.textContent ?? '')).toMatch(/^Opportunity/);
  expect(
    await page
      .getByRole('tablist', { name: 'Entities' })
      .getByRole('tab', { name: /^Quote/ })
      .getAttribute('aria-selected'),
  ).toBe('true');

  await saveThroughReview(page, 'settings-setup-quote-review');
  await page.getByText(/^Saved at .+ by Sam Admin\.$/).waitFor({ state: 'visible', timeout: 30_000 });
  await footerStatus(page, 'No changes to save.').waitFor();
  await expectAccessible(page, 'settings-setup-quote-saved');

  const saved = await stored('quote');
  expect(saved.isDefault).toBe(false);
  expect(saved.updatedBy).toBe('Sam Admin');
  expect(saved.settings.productsEnabled).toBe(false);
  expect(saved.settings.productSource.entity).toBe('quotedetail');
  expect(saved.settings.mappings).toHaveLength(5);
  expect(errors).toEqual([]);
  timings.quoteMs = Date.now() - started;
  await page.close();
}, 120_000);

it('two admins at once: the second save is refused, Reload keeps the edit and saves both', async () => {
  const started = Date.now();
  const first = await openEntity('sam', 'Opportunity');
  const second = await openEntity('sam', 'Opportunity');

  await choose(first.page, 'Conflict policy of Quantity', 'Ask me (review)');
  await saveThroughReview(first.page);
  await first.page.getByText(/^Saved at .+ by Sam Admin\.$/).waitFor({ state: 'visible', timeout: 30_000 });

  await second.page.getByRole('switch', { name: 'Transfer products' }).click();
  await saveThroughReview(second.page);
  const conflict = second.page.getByText(
    'Someone else saved the settings of Opportunity since you opened them.',
  );
  await conflict.waitFor({ state: 'visible', timeout: 30_000 });
  expect(await second.page.getByText(/^Saved at/).count()).toBe(0);
  await screenshot(second.page, 'settings-setup-412-conflict');
  expect(await axeCheck(second.page)).toEqual([]);
  // Nothing of the refused save was written.
  expect((await stored('opportunity')).settings.productsEnabled).toBe(true);

  await second.page.getByRole('button', { name: 'Reload' }).click();
  await second.page
    .getByText(
      /^Reloaded the settings saved at .+ by Sam Admin\. Your changes are applied again on top of them/,
    )
    .waitFor({ state: 'visible', timeout: 30_000 });
  expect(await second.page.getByRole('switch', { name: 'Transfer products' }).isChecked()).toBe(false);
  await expect(
    second.page.getByRole('combobox', { name: 'Conflict policy of Quantity' }).innerText(),
  ).resolves.toBe('Ask me (review)');
  await screenshot(second.page, 'settings-setup-412-reloaded');
  expect(await axeCheck(second.page)).toEqual([]);

  await saveThroughReview(second.page);
  await second.page.getByText(/^Saved at .+ by Sam Admin\.$/).waitFor({ state: 'visible', timeout: 30_000 });
  const saved = await stored('opportunity');
  expect(saved.settings.productsEnabled).toBe(false);
  expect(saved.settings.mappings.find((mapping) => mapping.oneflowField === 'quantity')?.conflictPolicy).toBe(
    'review',
  );
  expect(first.errors).toEqual([]);
  expect(second.errors).toEqual([]);
  timings.twoAdminsMs = Date.now() - started;
  await first.page.close();
  await second.page.close();
}, 120_000);

it('a refusal the page could not foresee lands on its cell: the edit re-applied onto a source changed meanwhile', async () => {
  const started = Date.now();
  const { page, errors } = await openEntity('sam', 'Opportunity');
  await choose(page, 'Direction of Quantity', 'Sync once');

  // Meanwhile another admin moves Opportunity's products to Contract Line, which has no Quantity column.
  await saveAsOtherAdmin('opportunity', (settings) => {
    settings.productSource = {
      entity: 'new_contractline',
      lookupAttribute: 'new_opportunityid',
      relationship: 'new_opportunity_new_contractline_OpportunityId',
    };
    settings.mappings = [
      {
        dynamicsField: 'new_name',
        oneflowField: 'name',
        direction: 'dynamics_to_oneflow',
        writeCondition: 'always',
        conflictPolicy: 'by_action',
      },
    ];
  });
  const before = await stored('opportunity');

  await saveThroughReview(page);
  await page.getByRole('button', { name: 'Reload' }).click();
  await page.getByText(/^Reloaded the settings saved at/).waitFor({ state: 'visible', timeout: 30_000 });
  await saveThroughReview(page);

  const summaryTitle = page.getByText(/^(1 problem needs|\d+ problems need) attention$/);
  await summaryTitle.waitFor({ state: 'visible', timeout: 30_000 });
  // Focus moved to the summary, and its first link moves it on to the cell.
  expect(await page.evaluate(() => document.activeElement?.textContent ?? '')).toMatch(/need(s)? attention/);
  const link = page.getByRole('button', { name: /^Mapping 2, Dynamics field: quantity is not a column/ });
  await link.waitFor({ state: 'visible' });
  await expectAccessible(page, 'settings-setup-400-on-cell');
  await link.click();
  expect(await page.evaluate(() => document.activeElement?.id ?? '')).toMatch(/-mapping-1-dynamicsField$/);
  expect(await page.getByText(/^quantity is not a column of/).count()).toBeGreaterThan(0);
  expect(await page.getByText(/^Saved at/).count()).toBe(0);

  // Nothing was written.
  expect(await stored('opportunity')).toEqual(before);
  expect(errors).toEqual([]);
  timings.refusedMs = Date.now() - started;
  await page.close();
}, 120_000);

it('resets Quote to the defaults after confirming', async () => {
  const started = Date.now();
  await saveAsOtherAdmin('quote', (settings) => {
    settings.mappings = settings.mappings.filter((mapping) => mapping.oneflowField !== 'description');
  });
  expect((await stored('quote')).settings.mappings).toHaveLength(4);
  const { page, errors } = await openEntity('sam', 'Quote');

  await page.getByRole('button', { name: 'Reset to default' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Reset to default' });
  await confirm.waitFor({ state: 'visible' });
  await confirm.getByText('Replace all mappings of Quote with the defaults?').waitFor();
  await expectAccessible(page, 'settings-setup-reset-confirm');
  await confirm.getByRole('button', { name: 'Replace with defaults' }).click();
  await page
    .getByText(/^Reset to the defaults and saved at .+ by Sam Admin\.$/)
    .waitFor({ state: 'visible', timeout: 30_000 });
  await screenshot(page, 'settings-setup-reset-done');

  const saved = await stored('quote');
  expect(saved.settings.mappings.map((mapping) => mapping.oneflowField)).toEqual([
    'name',
    'description',
    'price_1.base_amount',
    'quantity',
    'price_1.discount_amount',
  ]);
  // The switch and the source stay as saved.
  expect(saved.settings.productsEnabled).toBe(false);
  expect(errors).toEqual([]);
  timings.resetMs = Date.now() - started;
  await page.close();
}, 120_000);

it('configures another entity from Dynamics’ main entities, and says when none of its lines can sync', async () => {
  const started = Date.now();
  const { page, errors } = await suite.newPage();
  await openSettings(page, suite.formStack.host, { user: 'sam' });
  const find = page.getByRole('combobox', { name: 'Configure another entity' });
  await find.click();
  await find.fill('contract');
  const listbox = page.getByRole('listbox');
  await listbox.waitFor({ state: 'visible' });
  const option = listbox.getByRole('option', { name: 'Contract Line (new_contractline)', exact: true });
  await option.waitFor({ state: 'visible' });
  await expectAccessible(page, 'settings-setup-configure-search');
  await option.click();
  await page.getByRole('button', { name: 'Configure', exact: true }).click();

  await page.getByRole('heading', { name: 'Contract Line (new_contractline)' }).waitFor({ state: 'visible' });
  await page
    .getByText(
      'Contract Line has no entity that can hold its product lines (no lookup to it), so its products cannot be synced.',
    )
    .waitFor({ state: 'visible', timeout: 30_000 });
  expect(
    await page
      .getByRole('tablist', { name: 'Entities' })
      .getByRole('tab', { name: 'Contract Line' })
      .getAttribute('aria-selected'),
  ).toBe('true');
  expect(await page.getByRole('button', { name: 'Save mapping' }).getAttribute('aria-disabled')).toBe('true');
  await footerStatus(page, 'There is nothing to save yet.').waitFor();
  await expectAccessible(page, 'settings-setup-configure-no-sources');
  // Opening it wrote nothing.
  const token = await suite.formStack.stack.token('sam');
  expect((await suite.formStack.stack.api('GET', 'settings/new_contractline', { token })).status).toBe(404);
  expect(errors).toEqual([]);
  timings.configureMs = Date.now() - started;
  await page.close();
}, 120_000);

it('is read-only without the admin role, and says why', async () => {
  const started = Date.now();
  const { page, errors } = await openEntity('alex', 'Opportunity');
  expect(await page.getByRole('switch', { name: 'Transfer products' }).isDisabled()).toBe(true);
  expect(
    await page.getByRole('combobox', { name: 'Select a source for product information' }).isDisabled(),
  ).toBe(true);
  expect(await page.getByRole('button', { name: 'Save mapping' }).getAttribute('aria-disabled')).toBe('true');
  expect(await page.getByRole('button', { name: 'Reset to default' }).getAttribute('aria-disabled')).toBe(
    'true',
  );
  await page
    .getByText('Changing settings needs the ProductSync.Admin role.', { exact: true })
    .first()
    .waitFor();
  await page.getByRole('button', { name: 'Reset to default' }).click({ force: true });
  expect(await page.getByRole('alertdialog').count()).toBe(0);
  await expectCleanPage(page, 'settings-setup-read-only', errors);
  timings.readOnlyMs = Date.now() - started;
  await page.close();
}, 120_000);
