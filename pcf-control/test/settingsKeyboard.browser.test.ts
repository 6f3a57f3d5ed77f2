/*
 * The settings page by keyboard alone, against the whole local stack: on every tab, Tab reaches every control in
 * document order; arrow keys move in the tab lists, dropdowns and radio groups; Enter and Space act; dialogs keep
 * focus inside and Esc closes them, handing focus back to the button that opened them.
 */
import type { Locator, Page } from 'playwright-core';
import { expectAccessible } from './support/browser';
import { openSettings, settingsTab } from './support/settingsPage';
import { settingsSuite } from './support/settingsSuite';
import { createContract } from './support/statesSetup';

/** The fixture's opportunity with three product lines (simulators/fixtures/dataverse.json). */
const OPPORTUNITY = '0a1b0000-0000-4000-8000-000000000001';

let contractId: number;

const suite = settingsSuite('settings keyboard', {
  prepare: async (formStack) => {
    // A synced contract: its links fill the Sync mappings tab and its run the activity log.
    contractId = await createContract(formStack.stack, OPPORTUNITY);
  },
});
const { timings } = suite;

interface TabWalk {
  /** What each Tab press focused, in order: role and accessible name or text. */
  stops: string[];
  /** Controls on screen that no Tab press reached (a tab list or radio group counts once). */
  missed: string[];
  /** Stops that came before a control earlier in the document. */
  outOfOrder: string[];
}

/**
 * Presses Tab from the top of the page until focus leaves it or comes round again, marking each control it lands
 * on; then lists the visible controls it never reached and the stops out of document order.
 */
async function walkTabs(page: Page, max = 150): Promise<TabWalk> {
  // Focus starts from a button put before everything else, as a fresh page's first Tab would.
  await page.evaluate(() => {
    for (const element of document.querySelectorAll('[data-kb-seq]')) element.removeAttribute('data-kb-seq');
    const start = document.createElement('button');
    start.id = 'kb-start';
    start.textContent = 'start';
    document.body.prepend(start);
    start.focus();
  });
  const stops: string[] = [];
  for (let step = 0; step < max; step += 1) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate((seq) => {
      const element = document.activeElement;
      if (element === null || element === document.body) return { done: true, text: '' };
      if (element.hasAttribute('data-kb-seq')) return { done: true, text: '' };
      element.setAttribute('data-kb-seq', String(seq));
      const name =
        element.getAttribute('aria-label') ??
        (element.id ? document.querySelector(`label[for="${element.id}"]`)?.textContent : null) ??
        element.textContent;
      const role = element.getAttribute('role') ?? element.tagName.toLowerCase();
      return { done: false, text: `${role}: ${name.trim().slice(0, 80)}` };
    }, step);
    if (stop.done) break;
    stops.push(stop.text);
  }
  const { missed, outOfOrder } = await page.evaluate(() => {
    document.getElementById('kb-start')?.remove();
    const selector =
      'button, input, select, textarea, a[href], [role="tab"], [role="combobox"], [role="switch"], ' +
      '[role="radio"], [role="checkbox"], [tabindex]:not([tabindex="-1"])';
    const shown = (element: Element): boolean =>
      element.getClientRects().length > 0 &&
      getComputedStyle(element).visibility !== 'hidden' &&
      element.closest('[hidden]') === null;
    const controls = [...document.querySelectorAll(selector)].filter(
      (element) =>
        shown(element) &&
        !element.hasAttribute('disabled') &&
        !element.hasAttribute('data-tabster-dummy') &&
        // A dropdown's or combobox's own parts (its chevron) are not stops of their own.
        element.closest('[role="listbox"]') === null,
    );
    const groups = new Map<Element, Element[]>();
    for (const element of controls) {
      // Arrow keys move inside a tab list or a radio group: Tab enters it once.
      const group = element.closest('[role="tablist"], [role="radiogroup"]') ?? element;
      groups.set(group, [...(groups.get(group) ?? []), element]);
    }
    const describe = (element: Element): string =>
      `${element.getAttribute('role') ?? element.tagName.toLowerCase()}: ${(
        element.getAttribute('aria-label') ?? element.textContent
      )
        .trim()
        .slice(0, 80)}`;
    const missedControls = [...groups.values()]
      .filter((members) => !members.some((member) => member.hasAttribute('data-kb-seq')))
      .map((members) => describe(members[0] as Element));
    const reached = [...document.querySelectorAll('[data-kb-seq]')];
    const late: string[] = [];
    reached.forEach((element, index) => {
      const previous = reached[index - 1];
      if (
        previous !== undefined &&
        Number(element.getAttribute('data-kb-seq')) < Number(previous.getAttribute('data-kb-seq'))
      ) {
        late.push(describe(element));
      }
    });
    return { missed: missedControls, outOfOrder: late };
  });
  return { stops, missed, outOfOrder };
}

async function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => element === document.activeElement);
}

/** Tab (forward) until `locator` has focus, as a keyboard user would get there. */
async function tabTo(page: Page, locator: Locator, max = 120): Promise<void> {
  for (let step = 0; step < max; step += 1) {
    if (await isFocused(locator)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${locator.toString()}`);
}

/** Tab and Shift+Tab cycle inside the dialog: focus never leaves it. */
async function expectFocusTrapped(page: Page, dialog: Locator, presses = 8): Promise<void> {
  for (const key of ['Tab', 'Shift+Tab']) {
    for (let step = 0; step < presses; step += 1) {
      await page.keyboard.press(key);
      expect(await dialog.evaluate((element) => element.contains(document.activeElement))).toBe(true);
    }
  }
}

async function openPage(): Promise<{ page: Page; errors: string[] }> {
  const { page, errors } = await suite.newPage();
  await openSettings(page, suite.formStack.host, { user: 'sam' });
  await page.getByRole('table', { name: 'Field mappings' }).waitFor({ state: 'visible', timeout: 30_000 });
  return { page, errors };
}

/** Moves to a main tab with the arrow keys from the selected one, and selects it with Enter. */
async function chooseTab(
  page: Page,
  from: Locator,
  to: Locator,
  key: 'ArrowRight' | 'ArrowLeft',
): Promise<void> {
  await tabTo(page, from);
  for (let step = 0; step < 3 && !(await isFocused(to)); step += 1) await page.keyboard.press(key);
  expect(await isFocused(to)).toBe(true);
  await page.keyboard.press('Enter');
  expect(await to.getAttribute('aria-selected')).toBe('true');
}

it('Setup entities: every control by Tab in order, entities by arrows, a mapping edited, added and removed, the review dialog trapped', async () => {
  const started = Date.now();
  const { page, errors } = await openPage();

  const walk = await walkTabs(page);
  expect(walk.missed).toEqual([]);
  expect(walk.outOfOrder).toEqual([]);
  expect(walk.stops).toEqual(
    expect.arrayContaining([
      'tab: Setup entities',
      'combobox: Dynamics field of Quantity',
      'combobox: Direction of Quantity',
      'button: Remove mapping Quantity',
      'button: Add field mapping',
    ]),
  );
  timings.setupStops = walk.stops.length;

  // The entity list: arrows move, Enter opens the entity.
  const entities = page.getByRole('tablist', { name: 'Entities' });
  const opportunity = entities.getByRole('tab', { name: 'Opportunity' });
  const quote = entities.getByRole('tab', { name: 'Quote' });
  await tabTo(page, opportunity);
  await page.keyboard.press('ArrowDown');
  expect(await isFocused(quote)).toBe(true);
  await page.keyboard.press('Enter');
  expect(await quote.getAttribute('aria-selected')).toBe('true');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Space');
  expect(await opportunity.getAttribute('aria-selected')).toBe('true');

  // A direction by arrows: the refused options are passed over by Enter, an offered one is chosen.
  const direction = page.getByRole('combobox', { name: 'Direction of Discount per unit' });
  await tabTo(page, direction);
  await page.keyboard.press('Alt+ArrowDown');
  await page.getByRole('listbox').waitFor({ state: 'visible' });
  await expectAccessible(page, 'settings-keyboard-setup-direction-open');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Enter');
  await page.getByRole('listbox').waitFor({ state: 'hidden' });
  expect(await direction.innerText()).toBe('Sync once');
  expect(await isFocused(direction)).toBe(true);

  // Remove by Space: focus moves to the row that took its place.
  await tabTo(page, page.getByRole('button', { name: 'Remove mapping Description' }));
  await page.keyboard.press('Space');
  expect(await isFocused(page.getByRole('button', { name: 'Remove mapping Price per unit' }))).toBe(true);

  // Add by Enter: focus goes to the new row's column, chosen by typing and Enter.
  await tabTo(page, page.getByRole('button', { name: 'Add field mapping' }));
  await page.keyboard.press('Enter');
  const column = page.getByRole('combobox', { name: /^Dynamics field of / }).last();
  expect(await isFocused(column)).toBe(true);
  const row = (await column.getAttribute('aria-label')) ?? '';
  await page.keyboard.type('write-in');
  await page.getByRole('listbox').waitFor({ state: 'visible' });
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  expect(await page.getByRole('combobox', { name: row }).inputValue()).toBe(
    'Write-In Product (productdescription)',
  );

  // Save mapping opens the review: focus stays inside, Esc closes it and returns focus to Save mapping.
  const save = page.getByRole('button', { name: 'Save mapping' });
  await tabTo(page, save);
  await page.keyboard.press('Enter');
  const review = page.getByRole('dialog', { name: 'Review and save' });
  await review.waitFor({ state: 'visible' });
  await expectFocusTrapped(page, review);
  await expectAccessible(page, 'settings-keyboard-setup-review');
  await page.keyboard.press('Escape');
  await review.waitFor({ state: 'hidden' });
  expect(await isFocused(save)).toBe(true);

  expect(errors).toEqual([]);
  timings.setupTabMs = Date.now() - started;
  await page.close();
}, 120_000);

it('Sync mappings: every control by Tab in order, the edit and remove dialogs trapped and closed by Esc', async () => {
  const started = Date.now();
  const { page, errors } = await openPage();
  await chooseTab(
    page,
    settingsTab(page, 'Setup entities'),
    settingsTab(page, 'Sync mappings'),
    'ArrowRight',
  );
  const table = page.getByRole('table', { name: 'Links between Dynamics lines and Oneflow products' });
  await table.waitFor({ state: 'visible', timeout: 30_000 });
  await table.getByRole('row').nth(1).waitFor({ state: 'visible' });

  const walk = await walkTabs(page);
  expect(walk.missed).toEqual([]);
  expect(walk.outOfOrder).toEqual([]);
  expect(walk.stops).toEqual(expect.arrayContaining(['button: Download CSV']));
  timings.linksStops = walk.stops.length;

  for (const [opener, role, title] of [
    [/^Edit the link of line /, 'dialog', 'Edit link'],
    // Removing asks as an alert dialog: Esc still cancels.
    [/^Remove the link of line /, 'alertdialog', 'Remove this link?'],
  ] as const) {
    const button = table.getByRole('button', { name: opener }).first();
    await tabTo(page, button);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole(role, { name: title });
    await dialog.waitFor({ state: 'visible' });
    await expectFocusTrapped(page, dialog);
    await expectAccessible(
      page,
      `settings-keyboard-links-${title === 'Edit link' ? 'edit' : 'remove'}-dialog`,
    );
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await isFocused(button)).toBe(true);
  }
  // Nothing was changed by closing the dialogs.
  const token = await suite.formStack.stack.token('sam');
  const links = await suite.formStack.stack.api('GET', `links?contractId=${String(contractId)}`, { token });
  expect((links.body as { links: unknown[] }).links).toHaveLength(3);

  expect(errors).toEqual([]);
  timings.linksMs = Date.now() - started;
  await page.close();
}, 120_000);

it('Activity log: every control by Tab in order, radio groups by arrows, Show by Enter, an entry expanded by Space', async () => {
  const started = Date.now();
  const { page, errors } = await openPage();
  await chooseTab(page, settingsTab(page, 'Setup entities'), settingsTab(page, 'Activity log'), 'ArrowLeft');

  const byContract = page.getByRole('radio', { name: 'Contract id' });
  const byRecord = page.getByRole('radio', { name: 'Dynamics record id' });
  await tabTo(page, byContract);
  await page.keyboard.press('ArrowRight');
  expect(await byRecord.isChecked()).toBe(true);
  await page.keyboard.press('ArrowLeft');
  expect(await byContract.isChecked()).toBe(true);

  await page.keyboard.press('Tab');
  await page.keyboard.type(String(contractId));
  await page.keyboard.press('Enter');
  const header = page.getByRole('button', { name: /Contract created/ }).first();
  await header.waitFor({ state: 'visible', timeout: 30_000 });

  const walk = await walkTabs(page);
  expect(walk.missed).toEqual([]);
  expect(walk.outOfOrder).toEqual([]);
  timings.activityStops = walk.stops.length;

  await tabTo(page, header);
  await page.keyboard.press('Space');
  expect(await header.getAttribute('aria-expanded')).toBe('true');
  await page.getByRole('table', { name: 'Changes of this entry' }).first().waitFor({ state: 'visible' });

  // The outcome filter by arrows: the listing follows at once.
  await tabTo(page, page.getByRole('radio', { name: 'All' }));
  await page.keyboard.press('ArrowRight');
  expect(await page.getByRole('radio', { name: 'Failed' }).isChecked()).toBe(true);
  await page.getByText(`No failed runs for contract ${String(contractId)}.`).waitFor({ state: 'visible' });
  await expectAccessible(page, 'settings-keyboard-activity-failed-filter');

  expect(errors).toEqual([]);
  timings.activityMs = Date.now() - started;
  await page.close();
}, 120_000);
