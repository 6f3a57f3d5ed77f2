import type { Locator, Page } from 'playwright-core';
import { expectAccessible, screenshot } from './support/browser';
import type { Stack } from './support/formStack';
import { expectVisible, oneflowProduct } from './support/flowsSupport';
import { openSettings } from './support/settingsPage';
import { settingsSuite } from './support/settingsSuite';

/**
 * The impact preview in the settings page's "Review and save" dialog, clicked through in headless Chromium against
 * the whole local stack: an admin makes Quantity two-way after a counterparty changed quantities in Oneflow, the
 * dialog says what the next fetch would write, and once saved the next fetch writes exactly that.
 */

interface TestRecord {
  id: string;
  lines: [catalog: string, catalogOverridden: string, writeIn: string];
}

/** The Function app's scene helpers, loaded at run time like the stack itself (see suite.formStack.ts). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { loadRecords } = require('../../functions/src/e2e/syncE2eSupport') as {
  loadRecords: (stack: Stack, options: { standard: number }) => Promise<{ records: TestRecord[] }>;
};

const ONEFLOW_HEADERS = { 'x-oneflow-api-token': '0f1d2c3b4a5968778695a4b3c2d1e0f1a2b3c4d5' };

interface Mapping {
  oneflowField: string;
  direction: string;
  [key: string]: unknown;
}
interface Settings {
  mappings: Mapping[];
  [key: string]: unknown;
}

let records: TestRecord[];
const contracts: number[] = [];

function expectOk(answer: { status: number; text: string }, what: string): void {
  if (answer.status < 200 || answer.status > 299)
    throw new Error(`${what}: ${String(answer.status)} ${answer.text}`);
}

async function storedSettings(): Promise<{ settings: Settings; etag: string | null }> {
  const answer = await suite.formStack.stack.api('GET', 'settings/opportunity', {
    token: await suite.formStack.stack.token('sam'),
  });
  expectOk(answer, 'settings');
  return answer.body as { settings: Settings; etag: string | null };
}

const quantityDirection = async (): Promise<string | undefined> =>
  (await storedSettings()).settings.mappings.find((mapping) => mapping.oneflowField === 'quantity')
    ?.direction;

/** A counterparty's change of a line's quantity in Oneflow (the scene; the API is not what is tested here). */
async function counterpartySetsQuantity(contractId: number, line: string, amount: number): Promise<void> {
  const product = await oneflowProduct(suite.formStack.stack, contractId, line);
  const path = `/v1/contracts/${String(contractId)}/products/${String(product.id)}`;
  const current = await suite.formStack.stack.sim('oneflow', 'GET', path, undefined, ONEFLOW_HEADERS);
  expectOk(current, 'Oneflow product');
  const quantity = (current.body as { quantity: Record<string, unknown> }).quantity;
  expectOk(
    await suite.formStack.stack.sim(
      'oneflow',
      'PUT',
      path,
      { quantity: { ...quantity, amount } },
      ONEFLOW_HEADERS,
    ),
    'Oneflow product update',
  );
}

const suite = settingsSuite('settings impact browser', {
  prepare: async (formStack) => {
    const { stack } = formStack;
    ({ records } = await loadRecords(stack, { standard: 2 }));
    // Quantity goes from Dynamics to Oneflow only: Oneflow's changes to it stay there until a push overwrites them.
    const { settings, etag } = await storedSettings();
    const saved = await stack.api('PUT', 'settings/opportunity', {
      token: await stack.token('sam'),
      body: {
        ...settings,
        mappings: settings.mappings.map((mapping) =>
          mapping.oneflowField === 'quantity' ? { ...mapping, direction: 'dynamics_to_oneflow' } : mapping,
        ),
      },
      ...(etag ? { headers: { 'if-match': etag } } : {}),
    });
    expectOk(saved, 'settings saved');
    const alex = await stack.token('alex');
    for (const record of records) {
      const created = await stack.api('POST', 'contracts', {
        token: alex,
        body: { entity: 'opportunity', recordId: record.id },
      });
      expectOk(created, 'contract');
      contracts.push((created.body as { contract: { contractId: number } }).contract.contractId);
    }
    const [first, second] = records;
    if (!first || !second) throw new Error('records missing');
    await counterpartySetsQuantity(contracts[0] ?? 0, first.lines[0], 14);
    await counterpartySetsQuantity(contracts[0] ?? 0, first.lines[2], 3);
    await counterpartySetsQuantity(contracts[1] ?? 0, second.lines[1], 20);
  },
});
const { timings } = suite;

/** The cells of a table's rows, header first. */
async function rowsOf(table: Locator): Promise<string[][]> {
  return table
    .locator('tr')
    .evaluateAll((rows) =>
      rows.map((row) => Array.from(row.querySelectorAll('th, td'), (cell) => cell.textContent.trim())),
    );
}

async function chooseQuantityDirection(page: Page, name: string, shot: string): Promise<void> {
  const direction = page.getByRole('combobox', { name: 'Direction of Quantity' });
  await expectVisible(direction);
  await direction.click();
  await expectVisible(page.getByRole('listbox'));
  await expectAccessible(page, shot);
  await page.getByRole('option', { name, exact: true }).click();
}

it('previews Quantity becoming two-way in the review dialog, and the next fetch writes what it said', async () => {
  const started = Date.now();
  const { page, errors } = await suite.newPage({ viewport: { width: 1280, height: 1000 } });
  await openSettings(page, suite.formStack.host, { user: 'sam' });

  await chooseQuantityDirection(page, 'Two-way', 'settings-impact-direction-open');
  const save = page.getByRole('button', { name: 'Save mapping' });
  await save.click();

  const dialog = page.getByRole('dialog', { name: 'Review and save' });
  await expectVisible(dialog);
  const table = dialog.getByRole('table', { name: 'Quantity: writes at the next push and fetch' });
  await expectVisible(table, 30_000);
  expect(await rowsOf(table)).toEqual([
    ['Action', 'Written into', 'Change', 'Contracts', 'Lines'],
    ['Next fetch', 'Dynamics (Oneflow’s value wins)', 'Newly written', '2', '3'],
    ['Next push', 'Oneflow (Dynamics’ value wins)', 'No longer written', '2', '3'],
  ]);
  await expectVisible(dialog.getByText('Quantity becomes Two-way', { exact: true }));
  await expectVisible(dialog.getByText('2 of 2 synced contracts compared.'));
  await expectAccessible(page, 'settings-impact-review-dialog');
  timings.previewShownMs = Date.now() - started;
  // The preview saved nothing.
  expect(await quantityDirection()).toBe('dynamics_to_oneflow');

  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
  await expectVisible(page.getByText(/^Saved at .* by Sam Admin\.$/));
  expect(await quantityDirection()).toBe('two_way');
  await screenshot(page, 'settings-impact-saved');

  // The next fetch of each contract writes the lines the preview counted.
  const alex = await suite.formStack.stack.token('alex');
  let written = 0;
  let contractsWritten = 0;
  for (const contractId of contracts) {
    const fetched = await suite.formStack.stack.api('POST', `contracts/${String(contractId)}/fetch`, {
      token: alex,
    });
    expectOk(fetched, 'fetch');
    const plan = (
      fetched.body as { plan: { operations: { kind: string; changes?: { oneflowField: string }[] }[] } }
    ).plan;
    const lines = plan.operations.filter(
      (operation) =>
        operation.kind === 'update_line' &&
        (operation.changes ?? []).some((change) => change.oneflowField === 'quantity'),
    ).length;
    written += lines;
    if (lines > 0) contractsWritten += 1;
  }
  expect({ contracts: contractsWritten, lines: written }).toEqual({ contracts: 2, lines: 3 });
  expect(errors).toEqual([]);
  timings.firstTestMs = Date.now() - started;
  await page.close();
}, 120_000);

it('says when no synced contract would feel a change, and Cancel saves nothing', async () => {
  const started = Date.now();
  const { page, errors } = await suite.newPage({ viewport: { width: 1280, height: 1000 } });
  await openSettings(page, suite.formStack.host, { user: 'sam' });

  // Every contract is in sync now: Dynamics to Oneflow would change nothing that was synced.
  await chooseQuantityDirection(page, 'Dynamics to Oneflow', 'settings-impact-direction-back-open');
  const save = page.getByRole('button', { name: 'Save mapping' });
  await save.click();
  const dialog = page.getByRole('dialog', { name: 'Review and save' });
  await expectVisible(dialog.getByText('No contract synced so far is affected.', { exact: true }), 30_000);
  await expectVisible(dialog.getByText('Quantity becomes Dynamics to Oneflow', { exact: true }));
  await expectVisible(
    dialog.getByText('No contract synced so far is affected by this change.', { exact: true }),
  );
  expect(await dialog.getByRole('table').count()).toBe(0);
  await expectAccessible(page, 'settings-impact-nothing-affected');

  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'hidden' });
  // Focus returns to what opened the dialog, and nothing was saved.
  expect(await save.evaluate((element) => element === document.activeElement)).toBe(true);
  expect(await quantityDirection()).toBe('two_way');
  expect(errors).toEqual([]);
  timings.secondTestMs = Date.now() - started;
  await page.close();
}, 120_000);
