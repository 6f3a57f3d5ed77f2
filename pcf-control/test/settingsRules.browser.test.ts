import type { Locator, Page } from 'playwright-core';
import sourceFields from '../src/settings/setup/sourceFields.test-data.json';
import { expectAccessible, screenshot } from './support/browser';
import { openSettings } from './support/settingsPage';
import { settingsSuite } from './support/settingsSuite';

const suite = settingsSuite('settings rules');
const { timings } = suite;

const TWO_WAY_REFUSED =
  'Two-way: only for Price per unit and Quantity on Opportunity Product lines, because Dynamics recalculates the rest';

interface StoredMapping {
  dynamicsField: string;
  oneflowField: string;
  direction: string;
}

/** Opportunity's mappings as the API stores them (the defaults until someone saves). */
async function storedMappings(): Promise<StoredMapping[]> {
  const token = await suite.formStack.stack.token('sam');
  const answer = await suite.formStack.stack.api('GET', 'settings/opportunity', { token });
  expect(answer.status).toBe(200);
  return (answer.body as { settings: { mappings: StoredMapping[] } }).settings.mappings;
}

async function directionOf(dynamicsField: string): Promise<string | undefined> {
  return (await storedMappings()).find((mapping) => mapping.dynamicsField === dynamicsField)?.direction;
}

/** The settings page as Sam Admin, on Opportunity's mapping table. */
async function openMappings(width = 1280): Promise<{ page: Page; errors: string[] }> {
  const { page, errors } = await suite.newPage({ viewport: { width, height: 900 } });
  await openSettings(page, suite.formStack.host, { user: 'sam' });
  await page.getByRole('table', { name: 'Field mappings' }).waitFor({ state: 'visible', timeout: 30_000 });
  return { page, errors };
}

async function optionNamed(page: Page, name: RegExp): Promise<Locator> {
  const listbox = page.getByRole('listbox');
  await listbox.waitFor({ state: 'visible', timeout: 10_000 });
  return listbox.getByRole('option', { name });
}

it('the unit tests’ column lists are the ones the API answers with', async () => {
  const token = await suite.formStack.stack.token('sam');
  for (const entity of ['opportunityproduct', 'quotedetail', 'new_contractline'] as const) {
    const answer = await suite.formStack.stack.api('GET', `metadata/fields?entity=${entity}`, { token });
    expect(answer.status).toBe(200);
    expect((answer.body as { fields: unknown }).fields).toEqual(sourceFields[entity]);
  }
}, 60_000);

it('explains a refused two-way beside it, and neither a click nor the keyboard can choose it', async () => {
  const started = Date.now();
  const { page, errors } = await openMappings();
  const before = await storedMappings();
  expect(await directionOf('manualdiscountamount')).toBe('dynamics_to_oneflow');
  const direction = page.getByRole('combobox', { name: 'Direction of Discount per unit' });
  await expect(direction.innerText()).resolves.toBe('Dynamics to Oneflow');
  await expectAccessible(page, 'settings-rules-table');

  // The mouse: the option is listed with its reason, and clicking it changes nothing.
  await direction.click();
  const twoWay = await optionNamed(page, /^Two-way/);
  expect(await twoWay.getAttribute('aria-disabled')).toBe('true');
  expect(await twoWay.innerText()).toContain(TWO_WAY_REFUSED);
  const oneflowToDynamics = await optionNamed(page, /^Oneflow to Dynamics/);
  expect(await oneflowToDynamics.getAttribute('aria-disabled')).toBe('true');
  expect(await (await optionNamed(page, /^Sync once$/)).getAttribute('aria-disabled')).toBeNull();
  await twoWay.click({ force: true });
  expect(await direction.innerText()).toBe('Dynamics to Oneflow');
  if (!(await page.getByRole('listbox').isVisible())) await direction.click();
  await page.getByText(TWO_WAY_REFUSED).first().waitFor({ state: 'visible' });
  await expectAccessible(page, 'settings-rules-two-way-refused');
  await page.keyboard.press('Escape');
  await page.getByRole('listbox').waitFor({ state: 'hidden' });
  expect(await direction.innerText()).toBe('Dynamics to Oneflow');

  // The keyboard: the arrows reach the option (its reason is read out with it); Enter and Space do not choose it.
  await direction.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('listbox').waitFor({ state: 'visible' });
  await page.keyboard.press('ArrowDown');
  const twoWayId = await twoWay.getAttribute('id');
  expect(await direction.getAttribute('aria-activedescendant')).toBe(twoWayId);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Space');
  if (await page.getByRole('listbox').isVisible()) await page.keyboard.press('Escape');
  expect(await direction.innerText()).toBe('Dynamics to Oneflow');
  // Nothing changed, so there is nothing to save, and the stored settings are as they were.
  await page
    .getByRole('tabpanel', { name: 'Setup entities' })
    .getByText('No changes to save.')
    .waitFor({ state: 'visible' });
  expect(await page.getByRole('button', { name: 'Save mapping' }).getAttribute('aria-disabled')).toBe('true');
  expect(await storedMappings()).toEqual(before);
  expect(errors).toEqual([]);
  timings.refusedMs = Date.now() - started;
  await page.close();
}, 120_000);

it('finds columns as the admin types, with the ones the row cannot take explained', async () => {
  const started = Date.now();
  // A narrow form: the table scrolls sideways and stays usable.
  const { page, errors } = await openMappings(900);
  const column = page.getByRole('combobox', { name: 'Dynamics field of Quantity' });
  expect(await column.inputValue()).toBe('Quantity (quantity)');
  await column.click();
  await column.fill('amount');
  const amount = await optionNamed(page, /^Amount \(baseamount\)/);
  expect(await amount.getAttribute('aria-disabled')).toBe('true');
  expect(await amount.innerText()).toContain(TWO_WAY_REFUSED);
  const options = await page.getByRole('listbox').getByRole('option').allInnerTexts();
  expect(options.length).toBeGreaterThan(3);
  expect(options.every((text) => /amount/i.test(text))).toBe(true);
  await expectAccessible(page, 'settings-rules-column-search-900px');
  await page.keyboard.press('Escape');
  await column.blur();
  expect(await column.inputValue()).toBe('Quantity (quantity)');
  expect(errors).toEqual([]);
  timings.searchMs = Date.now() - started;
  await page.close();
}, 120_000);

it('saves an option it offers: Sync once for the discount, chosen by keyboard', async () => {
  const started = Date.now();
  const { page, errors } = await openMappings();
  const direction = page.getByRole('combobox', { name: 'Direction of Discount per unit' });
  await direction.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('listbox').waitFor({ state: 'visible' });
  // Dynamics to Oneflow is selected; Sync once is the option above it.
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Enter');
  await page.getByRole('listbox').waitFor({ state: 'hidden' });
  expect(await direction.innerText()).toBe('Sync once');

  await page.getByRole('button', { name: 'Save mapping' }).click();
  const review = page.getByRole('dialog', { name: 'Review and save' });
  await review.waitFor({ state: 'visible' });
  await expectAccessible(page, 'settings-rules-review-sync-once');
  await review.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByText(/^Saved at/).waitFor({ state: 'visible', timeout: 30_000 });
  expect(await directionOf('manualdiscountamount')).toBe('sync_once');
  await screenshot(page, 'settings-rules-saved');
  expect(errors).toEqual([]);
  timings.saveMs = Date.now() - started;
  await page.close();
}, 120_000);
