import type { FrameLocator, Locator, Page } from 'playwright-core';
import type { RunningFormHost } from '../../host/server';

/**
 * The demo users of the settings page: Sam Admin holds `ProductSync.Admin` (the page is editable), Alex Seller
 * and Robin Viewer do not (the page is read-only and says which role is needed).
 */
export type SettingsUser = 'sam' | 'alex' | 'robin';

/** Who holds the admin role, by the identity fixture. */
const SETTINGS_USER_NAMES: Readonly<Record<SettingsUser, string>> = {
  sam: 'Sam Admin',
  alex: 'Alex Seller',
  robin: 'Robin Viewer',
};

export interface SettingsPageOptions {
  user: SettingsUser;
  theme?: 'light' | 'dark';
  /** `host` (default): the host hands the page the user's token; `msal`: the control signs in itself. */
  signin?: 'host' | 'msal';
}

/** The tabs of the settings page, by their resx names (Tab_Setup, Tab_Links, Tab_Activity). */
export const SETTINGS_TABS = ['Setup entities', 'Sync mappings', 'Activity log'] as const;

/** Where the host serves the SyncSettings control for a user: `/settings?user=…`. */
export function settingsUrl(host: Pick<RunningFormHost, 'url'>, options: SettingsPageOptions): string {
  const query = new URLSearchParams({ user: options.user });
  if (options.theme !== undefined) query.set('theme', options.theme);
  if (options.signin !== undefined) query.set('signin', options.signin);
  return `${host.url}/settings?${query.toString()}`;
}

/** The web-resource build of the settings page, inside its parent page with the `Xrm` of the user's session. */
export function webResourceUrl(host: Pick<RunningFormHost, 'url'>, options: { user: SettingsUser }): string {
  return `${host.url}/settings/web-resource?${new URLSearchParams({ user: options.user }).toString()}`;
}

/** The web resource's own document, inside the parent page's iframe (locate its content from here). */
export function webResourceFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe[title="Oneflow product sync settings"]');
}

/**
 * The settings page's own tab list (Setup entities · Sync mappings · Activity log), on the page or inside the web
 * resource's frame; the tabs inside a panel (the entity list) are other tab lists.
 */
export function settingsTabList(root: Page | FrameLocator): Locator {
  return root
    .getByRole('tablist')
    .filter({ has: root.getByRole('tab', { name: SETTINGS_TABS[0], exact: true }) });
}

export function settingsTab(root: Page | FrameLocator, name: (typeof SETTINGS_TABS)[number]): Locator {
  return root.getByRole('tab', { name, exact: true });
}

/**
 * Opens the settings page and waits until it is signed in and its tabs show (with `signin: 'msal'` use
 * signInWithPopup first: the page then waits for a click). Returns the page for chaining.
 */
export async function openSettings(
  page: Page,
  host: Pick<RunningFormHost, 'url'>,
  options: SettingsPageOptions,
  timeout = 30_000,
): Promise<Page> {
  await page.goto(settingsUrl(host, options));
  if (options.signin === 'msal') {
    await signInWithPopup(page, page, options.user, timeout);
  }
  await settingsTabList(page).waitFor({ state: 'visible', timeout });
  return page;
}

/**
 * Signs in through MSAL's pop-up at the identity simulator, as the user would: the page's Sign in button, then
 * the user's account on the simulator's sign-in page. `root` is the page, or the frame of the web resource.
 */
export async function signInWithPopup(
  page: Page,
  root: Page | FrameLocator,
  user: SettingsUser,
  timeout = 30_000,
): Promise<void> {
  const signIn = root.getByRole('button', { name: 'Sign in', exact: true });
  await signIn.waitFor({ state: 'visible', timeout });
  const [popup] = await Promise.all([page.waitForEvent('popup', { timeout }), signIn.click()]);
  await popup.getByRole('radio', { name: new RegExp(SETTINGS_USER_NAMES[user]) }).check();
  await popup.getByRole('button', { name: 'Sign in' }).click();
  await signIn.waitFor({ state: 'hidden', timeout });
}
