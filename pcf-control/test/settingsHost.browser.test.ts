import type { Locator } from 'playwright-core';
import { axeCheck, expectAccessible, expectCleanPage, screenshot } from './support/browser';
import {
  openSettings,
  SETTINGS_TABS,
  settingsTab,
  settingsTabList,
  signInWithPopup,
  webResourceFrame,
  webResourceUrl,
} from './support/settingsPage';
import { settingsSuite } from './support/settingsSuite';

const suite = settingsSuite('settings host');
const { timings } = suite;

async function expectVisible(locator: Locator): Promise<void> {
  await locator.waitFor({ state: 'visible', timeout: 15_000 });
}

it('shows the settings control to the admin: signed in with the admin role, three tabs, nothing read-only', async () => {
  const started = Date.now();
  const { page, errors } = await suite.newPage();
  // The page's sign-in: the token the host mints for Sam at the identity simulator.
  const tokenAnswer = page.waitForResponse((response) =>
    response.url().startsWith(`${suite.formStack.host.url}/host/token?user=sam`),
  );
  await openSettings(page, suite.formStack.host, { user: 'sam' });

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

  await expectCleanPage(page, 'settings-host-admin', errors);
  timings.adminMs = Date.now() - started;
  await page.close();
}, 60_000);

it('shows the page read-only to a user without the admin role, saying which role is needed', async () => {
  const started = Date.now();
  const { page, errors } = await suite.newPage();
  await openSettings(page, suite.formStack.host, { user: 'alex', theme: 'dark' });

  await expectVisible(
    page.getByText('You can view these settings. Changing them needs the ProductSync.Admin role.'),
  );
  expect(await settingsTabList(page).getByRole('tab').count()).toBe(SETTINGS_TABS.length);

  await expectCleanPage(page, 'settings-host-read-only-dark', errors);
  timings.readOnlyMs = Date.now() - started;
  await page.close();
}, 60_000);

it('signs the control in through its own MSAL with ?signin=msal, as Sam at the identity provider', async () => {
  const started = Date.now();
  const { page, errors } = await suite.newPage();
  await openSettings(page, suite.formStack.host, { user: 'sam', signin: 'msal' });
  expect(await settingsTabList(page).getByRole('tab').allInnerTexts()).toEqual([...SETTINGS_TABS]);
  expect(await page.getByText(/Changing them needs the ProductSync\.Admin role/).count()).toBe(0);
  await screenshot(page, 'settings-host-msal');
  expect(errors).toEqual([]);
  timings.msalMs = Date.now() - started;
  await page.close();
}, 60_000);

it('runs the web-resource build inside an app page: Xrm from the parent, MSAL sign-in as the admin, three tabs', async () => {
  const started = Date.now();
  const { page, errors } = await suite.newPage();
  const apiCalls: string[] = [];
  page.on('request', (request) => {
    if (request.url().startsWith(suite.formStack.stack.host.url)) apiCalls.push(request.url());
  });
  // Whatever the page loads of its own: the web resource and its script, never the platform's libraries.
  const loaded: string[] = [];
  page.on('response', (response) => {
    if (response.url().startsWith(suite.formStack.host.url)) loaded.push(new URL(response.url()).pathname);
  });
  await page.goto(webResourceUrl(suite.formStack.host, { user: 'sam' }));
  await expectVisible(page.getByRole('heading', { level: 1, name: /Oneflow product sync administration/ }));
  const frame = webResourceFrame(page);

  // The environment variables (read through Xrm.WebApi) configure it; no session yet, so it asks.
  await expectVisible(frame.getByText('Sign in to use Oneflow product sync.'));
  await expectAccessible(page, 'settings-web-resource-sign-in');
  await signInWithPopup(page, frame, 'sam');

  await settingsTabList(frame).waitFor({ state: 'visible', timeout: 15_000 });
  expect(await settingsTabList(frame).getByRole('tab').allInnerTexts()).toEqual([...SETTINGS_TABS]);
  // Sam's token carries the admin role: nothing is read-only.
  expect(await frame.getByText(/Changing them needs the ProductSync\.Admin role/).count()).toBe(0);
  expect(loaded).toEqual(
    expect.arrayContaining([
      '/WebResources/oneflowsync_/settings/index.html',
      '/WebResources/oneflowsync_/settings/settings.js',
    ]),
  );
  expect(loaded.filter((path) => path.startsWith('/platform/') || path.startsWith('/controls/'))).toEqual([]);

  await screenshot(page, 'settings-web-resource-admin');
  const document = page.frame({ url: /\/WebResources\/oneflowsync_\/settings\/index\.html$/ });
  if (document === null) throw new Error('The web resource has no frame');
  expect(await document.title()).toBe('Oneflow product sync settings');
  expect(await axeCheck(document)).toEqual([]);
  expect(errors).toEqual([]);
  timings.webResourceMs = Date.now() - started;
  await page.close();
}, 90_000);

it('says in words that the web resource needs Dynamics when it is opened on its own', async () => {
  const { page, errors } = await suite.newPage({ viewport: { width: 1280, height: 700 } });
  await page.goto(`${suite.formStack.host.url}/WebResources/oneflowsync_/settings/index.html`);
  await expectVisible(page.getByText('Open this page from Dynamics 365'));
  expect(await page.getByRole('tablist').count()).toBe(0);
  await expectCleanPage(page, 'settings-web-resource-no-xrm', errors);
  await page.close();
}, 60_000);
