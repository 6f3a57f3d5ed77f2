import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { collectErrors, expectCleanPage, launchBrowser, screenshot } from './support/browser';
import { startFormStack, type FormStack } from './support/formStack';

const OPPORTUNITY = '0a1b0000-0000-4000-8000-000000000001';
const WIDGET_LINE = '2c3d0000-0000-4000-8000-000000000001';

let formStack: FormStack;
let browser: Browser;
const timings: Record<string, number> = {};

beforeAll(async () => {
  const started = Date.now();
  formStack = await startFormStack();
  timings.stackStartMs = Date.now() - started;
  const launching = Date.now();
  browser = await launchBrowser(formStack.stack.simulators.identityCertificatePem);
  timings.browserLaunchMs = Date.now() - launching;
}, 120_000);

afterAll(async () => {
  await browser.close();
  await formStack.close();
  // Read by whoever tunes the suite; the numbers are not asserted.
  const folder = join(__dirname, '..', 'test-output');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'browser-timings.json'), `${JSON.stringify(timings, null, 2)}\n`);
});

it('shows the widget on the Opportunity form, and a quantity edited in the grid reaches Dataverse', async () => {
  const started = Date.now();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = collectErrors(page);
  // The widget's first call to the Function app: another origin, so the browser applies CORS to it.
  const apiAnswer = page.waitForResponse((response) =>
    response.url().startsWith(`${formStack.stack.host.url}/api/`),
  );
  await page.goto(`${formStack.host.url}/forms/opportunity?id=${OPPORTUNITY}`);

  await expectVisible(
    page.getByRole('heading', { level: 1, name: 'Contoso rollout: 10 widgets and support' }),
  );
  await expectVisible(page.getByRole('heading', { name: 'Oneflow contract' }));
  const answer = await apiAnswer;
  expect(answer.headers()['access-control-allow-origin']).toBe(formStack.host.url);
  expect(answer.request().headers().authorization).toMatch(/^Bearer ey/);

  const quantity = page.getByRole('textbox', { name: 'Quantity of Widget' });
  await quantity.fill('7');
  await page.getByRole('button', { name: 'Save Widget' }).click();
  await expectVisible(page.getByRole('status').filter({ hasText: 'Saved Widget' }));
  // The grid reads the line again after the save, as a form refresh does.
  expect(await quantity.inputValue()).toBe('7');

  const token = await formStack.stack.token('alex', { aud: formStack.stack.simulators.dataverseUrl });
  const line = await formStack.stack.sim(
    'dataverse',
    'GET',
    `/api/data/v9.2/opportunityproducts(${WIDGET_LINE})?$select=quantity`,
    undefined,
    { authorization: `Bearer ${token}` },
  );
  expect(line.body).toMatchObject({ quantity: 7 });

  await expectCleanPage(page, 'opportunity-form', errors);
  timings.smokeTestMs = Date.now() - started;
  await page.close();
}, 60_000);

it("signs in through the control's own MSAL against the identity provider with ?signin=msal", async () => {
  const started = Date.now();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = collectErrors(page);
  await page.goto(`${formStack.host.url}/forms/opportunity?id=${OPPORTUNITY}&signin=msal`);
  // No session at the identity provider yet: the silent attempt fails and the widget asks.
  const signIn = page.getByRole('button', { name: 'Sign in', exact: true });
  await expectVisible(signIn);
  const [popup] = await Promise.all([page.waitForEvent('popup'), signIn.click()]);
  await popup.getByRole('radio', { name: /Alex Seller/ }).check();
  const apiAnswer = page.waitForResponse((response) =>
    response.url().startsWith(`${formStack.stack.host.url}/api/`),
  );
  await popup.getByRole('button', { name: 'Sign in' }).click();
  const answer = await apiAnswer;
  const claims = JSON.parse(
    Buffer.from((answer.request().headers().authorization ?? '').split('.')[1] ?? '', 'base64url').toString(),
  ) as Record<string, unknown>;
  expect(claims).toMatchObject({ name: 'Alex Seller', azp: '7e1f3a5c-9b2d-4f6e-8a0c-3d5f7b9e1a2c' });
  // Signed in: the widget no longer asks.
  await signIn.waitFor({ state: 'hidden', timeout: 15_000 });
  await screenshot(page, 'opportunity-form-msal');
  expect(errors).toEqual([]);
  timings.msalTestMs = Date.now() - started;
  await page.close();
}, 60_000);

async function expectVisible(locator: import('playwright-core').Locator): Promise<void> {
  await locator.waitFor({ state: 'visible', timeout: 15_000 });
}
