import type { Browser, Page } from 'playwright-core';
import { axeCheck, collectErrors, launchBrowser, screenshot } from './support/browser';
import { oneflowProducts } from './support/flowsSupport';
import { startFormStack, type FormStack } from './support/formStack';
import {
  createContract,
  editOneflowQuantity,
  expectVisible,
  lineOf,
  loadStatesRecords,
  openForm,
  pushThroughApi,
  saveSettings,
  updateLine,
  type StatesRecord,
} from './support/statesSetup';

/**
 * The widget with the keyboard alone (Tab, Shift+Tab, arrows, Enter, Space, Esc): the mouse never moves or
 * clicks. Set-up goes through the API and the simulators.
 */

let formStack: FormStack;
let browser: Browser;
let records: StatesRecord[];

beforeAll(async () => {
  formStack = await startFormStack();
  records = await loadStatesRecords(formStack.stack, 3);
  browser = await launchBrowser(formStack.stack.simulators.identityCertificatePem);
}, 120_000);

afterAll(async () => {
  // Guarded: when beforeAll failed half-way, what it did start is still stopped.
  if (typeof browser !== 'undefined') await browser.close();
  if (typeof formStack !== 'undefined') await formStack.close();
});

function record(index: number): StatesRecord {
  const found = records[index];
  if (found === undefined) throw new Error(`no record ${String(index)}`);
  return found;
}

const formUrl = (recordId: string): string => `${formStack.host.url}/forms/opportunity?id=${recordId}`;

interface Focused {
  role: string | null;
  name: string;
  inDialog: boolean;
  checked: boolean | null;
  expanded: string | null;
}

/** What has focus: its role, its name (aria-label, else its text), whether it sits in a dialog. */
async function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!(element instanceof HTMLElement)) {
      return { role: null, name: '', inDialog: false, checked: null, expanded: null };
    }
    const labelled = element.getAttribute('aria-labelledby');
    const label =
      element.getAttribute('aria-label') ??
      (labelled === null ? null : (document.getElementById(labelled)?.textContent ?? null)) ??
      (element instanceof HTMLInputElement ? (element.labels?.[0]?.textContent ?? '') : element.textContent);
    return {
      role:
        element.getAttribute('role') ??
        (element instanceof HTMLInputElement ? element.type : element.tagName.toLowerCase()),
      name: label.trim(),
      inDialog: element.closest('[role="dialog"]') !== null,
      checked: element instanceof HTMLInputElement ? element.checked : null,
      expanded: element.getAttribute('aria-expanded'),
    };
  });
}

/** Presses `key` until what has focus matches, at most `limit` times. */
async function pressUntil(
  page: Page,
  key: string,
  matches: (focus: Focused) => boolean,
  limit = 40,
): Promise<Focused> {
  for (let step = 0; step < limit; step++) {
    await page.keyboard.press(key);
    const focus = await focused(page);
    if (matches(focus)) return focus;
  }
  throw new Error(`${key} never reached the element (focus is on ${JSON.stringify(await focused(page))})`);
}

/**
 * The widget's interactive elements outside its toolbar that a full round of Tab from the top of the page never
 * focused (their markup) and how many there are, so a test sees anything only a mouse could reach.
 */
async function unreachedByTab(page: Page): Promise<{ checked: number; unreached: string[] }> {
  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
  });
  for (let step = 0; step < 60; step++) {
    await page.keyboard.press('Tab');
    await page.evaluate(() => {
      document.activeElement?.setAttribute('data-keyboard-reached', '');
    });
  }
  return page.evaluate(() => {
    const root = Array.from(document.querySelectorAll('section')).find(
      (section) =>
        document.getElementById(section.getAttribute('aria-labelledby') ?? '')?.textContent ===
        'Oneflow contract',
    );
    if (root === undefined) return { checked: 0, unreached: ['the widget section was not found'] };
    const interactive = Array.from(
      root.querySelectorAll<HTMLElement>('button, a[href], input, select, textarea, [tabindex]'),
    ).filter(
      (element) =>
        element.closest('[role="toolbar"]') === null &&
        !element.hasAttribute('data-tabster-dummy') &&
        element.getAttribute('tabindex') !== '-1' &&
        element.offsetParent !== null,
    );
    return {
      checked: interactive.length,
      unreached: interactive
        .filter((element) => !element.hasAttribute('data-keyboard-reached'))
        .map((element) => element.outerHTML.slice(0, 120)),
    };
  });
}

const named = (name: string) => (focus: Focused) => focus.name === name;

it('reaches every toolbar action in order, previews a push, keeps focus in the dialog, Esc returns to Push, Enter confirms', async () => {
  const target = record(0);
  const contractId = await createContract(formStack.stack, target.id);
  await updateLine(formStack.stack, target.lines[1], { quantity: 20 });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = collectErrors(page);
  await openForm(page, formUrl(target.id));
  await expectVisible(page.getByText('1 product to push').first());

  // Everything the widget offers outside the toolbar (whose arrows are walked below) is in the Tab order.
  const tabOrder = await unreachedByTab(page);
  expect(tabOrder.checked).toBeGreaterThanOrEqual(2);
  expect(tabOrder.unreached).toEqual([]);

  // Tab enters the toolbar on its first action; the arrows walk the rest in order.
  await pressUntil(page, 'Tab', named('Push updates to Oneflow'));
  const order = ['Push updates to Oneflow'];
  for (let step = 0; step < 3; step++) {
    await page.keyboard.press('ArrowRight');
    order.push((await focused(page)).name);
  }
  expect(order).toEqual(['Push updates to Oneflow', 'Fetch updates from Oneflow', 'Refresh', 'History']);
  // Shift+Tab leaves the toolbar backwards; Tab comes back to it.
  await page.keyboard.press('Shift+Tab');
  expect((await focused(page)).name).not.toBe('History');
  await pressUntil(
    page,
    'Tab',
    (focus) => focus.name === 'History' || focus.name === 'Push updates to Oneflow',
  );
  await pressUntil(page, 'ArrowLeft', named('Push updates to Oneflow'), 4);

  // Enter opens the preview; Tab and Shift+Tab stay inside it.
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Push updates to Oneflow: preview' });
  await expectVisible(dialog.getByRole('button', { name: 'Push 1 change' }));
  for (let step = 0; step < 8; step++) {
    await page.keyboard.press('Tab');
    expect((await focused(page)).inDialog).toBe(true);
  }
  for (let step = 0; step < 4; step++) {
    await page.keyboard.press('Shift+Tab');
    expect((await focused(page)).inDialog).toBe(true);
  }
  expect(await axeCheck(page)).toEqual([]);
  await screenshot(page, 'keyboard-push-preview');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  expect((await focused(page)).name).toBe('Push updates to Oneflow');

  // Again, and this time confirm with Enter.
  await page.keyboard.press('Enter');
  await expectVisible(dialog.getByRole('button', { name: 'Push 1 change' }));
  await pressUntil(page, 'Tab', named('Push 1 change'));
  await page.keyboard.press('Enter');
  await expectVisible(page.getByText('Pushed to Oneflow'), 30_000);
  expect((await oneflowProducts(formStack.stack, contractId)).get(target.lines[1])?.quantity.amount).toBe(20);

  expect(errors).toEqual([]);
  await page.close();
}, 120_000);

it('opens History from the toolbar and expands an entry with the keyboard; Esc returns to History', async () => {
  const target = record(1);
  await createContract(formStack.stack, target.id);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = collectErrors(page);
  await openForm(page, formUrl(target.id));
  await expectVisible(page.getByRole('table', { name: 'Product lines in Dynamics and Oneflow' }));

  await pressUntil(page, 'Tab', named('Push updates to Oneflow'));
  await pressUntil(page, 'ArrowRight', named('History'), 5);
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Product sync history' });
  await expectVisible(dialog);
  const header = await pressUntil(page, 'Tab', (focus) => focus.inDialog && focus.expanded === 'false', 10);
  expect(header.name).toMatch(/Create contract/);
  await page.keyboard.press('Enter');
  expect((await focused(page)).expanded).toBe('true');
  await expectVisible(dialog.getByText(/→/).first());
  expect(await axeCheck(page)).toEqual([]);
  await screenshot(page, 'keyboard-history-expanded');

  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  expect((await focused(page)).name).toBe('History');
  expect(errors).toEqual([]);
  await page.close();
}, 120_000);

it('resolves a held conflict by choosing with the arrow keys, and switches to changes only with Space', async () => {
  const target = record(2);
  await saveSettings(formStack.stack, 'opportunity', (settings) => ({
    ...settings,
    mappings: (settings.mappings as Record<string, unknown>[]).map((mapping) =>
      mapping.oneflowField === 'quantity' ? { ...mapping, conflictPolicy: 'review' } : mapping,
    ),
  }));
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = collectErrors(page);
  try {
    const contractId = await createContract(formStack.stack, target.id);
    const writeIn = target.lines[2];
    await updateLine(formStack.stack, writeIn, { quantity: 3 });
    await editOneflowQuantity(formStack.stack, contractId, writeIn, 5);
    const pushed = await pushThroughApi(formStack.stack, contractId);
    expect(pushed.status).toBe(200);

    await openForm(page, formUrl(target.id));
    await expectVisible(
      page.getByText('1 value changed in both Dynamics and Oneflow. Choose which value to keep.'),
    );

    // Changes only: Space on the switch hides the lines in sync.
    const changesOnly = await pressUntil(page, 'Tab', (focus) => focus.role === 'switch');
    expect(changesOnly.name).toBe('Changes only');
    const rowsBefore = await page.getByRole('row').count();
    await page.keyboard.press('Space');
    expect((await focused(page)).checked).toBe(!(changesOnly.checked ?? false));
    expect(await page.getByRole('row').count()).not.toBe(rowsBefore);
    await screenshot(page, 'keyboard-changes-only');

    // Back up to the held bar's action.
    await pressUntil(page, 'Shift+Tab', named('Resolve conflicts'));
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Resolve conflicts' });
    await expectVisible(dialog);
    await pressUntil(page, 'Tab', (focus) => focus.inDialog && focus.role === 'radio', 10);
    await page.keyboard.press('ArrowDown');
    const choice = await focused(page);
    expect(choice).toMatchObject({ name: 'Keep Oneflow: 5', checked: true });
    expect(await axeCheck(page)).toEqual([]);
    await screenshot(page, 'keyboard-resolve-conflicts');
    await pressUntil(page, 'Tab', named('Apply 1 choice'), 10);
    await page.keyboard.press('Enter');
    await expectVisible(page.getByText('Conflicts resolved'), 30_000);
    expect((await lineOf(formStack.stack, writeIn)).quantity).toBe(5);
    expect(errors).toEqual([]);
  } finally {
    await saveSettings(formStack.stack, 'opportunity', (settings) => ({
      ...settings,
      mappings: (settings.mappings as Record<string, unknown>[]).map((mapping) =>
        mapping.oneflowField === 'quantity' ? { ...mapping, conflictPolicy: 'by_action' } : mapping,
      ),
    }));
    await page.close();
  }
}, 120_000);
