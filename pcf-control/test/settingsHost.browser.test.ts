import type { Browser, Locator } from 'playwright-core';
import { axeCheck, collectErrors, launchBrowser, screenshot } from './support/browser';
import { startFormStack, type FormStack } from './support/formStack';
import { openSettings, SETTINGS_TABS, settingsTab, settingsTabList } from './support/settingsPage';

let formStack: FormStack;
let browser: Browser;
const timings: Record<string, number> = {};

beforeAll(async () => {
  const started = Date.now();
  formStack = await startFormStack();
  browser = await launchBrowser(formStack.stack.simulators.identityCertificatePem);
  timings.setupMs = Date.now() - started;
}, 120_000);

afterAll(async () => {
  await browser.close();
  await formStack.close();
  console.log(`settings host timings: ${JSON.stringify(timings)}`);
});

async function expectVisible(locator: Locator): Promise<void> {
  await locator.waitFor({ state: 'visible', timeout: 15_000 });
}

it('shows the settings control to the admin: signed in with the admin role, three tabs, nothing read-only', async () => {
  const started = Date.now();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = collectErrors(page);
  // The page's sign-in: the token the host mints for Sam at the identity simulator.
  const tokenAnswer = page.waitForResponse((response) =>
    response.url().startsWith(`${formStack.host.url}/host/token?user=sam`),
  );
  await openSettings(page, formStack.host, { user: 'sam' });

  await expectVisible(page.getByRole('main'));
  await expectVisible(page.getByRole('heading', { level: 1, name: 'Oneflow product sync administration' }));
  await expectVisible(page.getByRole('heading', { name: 'Oneflow product sync settings' }));
  const tabs = settingsTabList(page).getByRole('tab');
  expect(await tabs.allInnerTexts()).toEqual([...SETTINGS_TABS]);
  expect(await settingsTab(page, 'Setup entities').getAttribute('aria-selected')).toBe('true');
  // Signed in as Sam, whose token carries the admin role: the page is not read-only.
  const { accessToken } = (await (await tokenAnswer).json()) as { accessToken: string };
  const claims = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString()) as {
    name?: string;
    roles?: string[];
  };
  expect(claims).toMatchObject({ name: 'Sam Admin', roles: ['ProductSync.Admin'] });
  expect(await page.getByText(/Changing them needs the ProductSync\.Admin role/).count()).toBe(0);

  await screenshot(page, 'settings-host-admin');
  expect(await axeCheck(page)).toEqual([]);
  expect(errors).toEqual([]);
  timings.adminMs = Date.now() - started;
  await page.close();
}, 60_000);

it('shows the page read-only to a user without the admin role, saying which role is needed', async () => {
  const started = Date.now();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = collectErrors(page);
  await openSettings(page, formStack.host, { user: 'alex', theme: 'dark' });

  await expectVisible(
    page.getByText('You can view these settings. Changing them needs the ProductSync.Admin role.'),
  );
  expect(await settingsTabList(page).getByRole('tab').count()).toBe(SETTINGS_TABS.length);

  await screenshot(page, 'settings-host-read-only-dark');
  expect(await axeCheck(page)).toEqual([]);
  expect(errors).toEqual([]);
  timings.readOnlyMs = Date.now() - started;
  await page.close();
}, 60_000);
