import type { Browser, Page } from 'playwright-core';
import { axeCheck, collectErrors, launchBrowser, screenshot } from './support/browser';
import { startFormStack, type FormStack } from './support/formStack';
import { createContract, expectVisible, loadStatesRecords, type StatesRecord } from './support/statesSetup';

/**
 * The widget's own MSAL sign-in (`?signin=msal`) against the identity simulator, in a fresh browser context:
 * the sign-in prompt, the pop-up, the silent sign-in on reload, and a browser that blocks the pop-up.
 */

let formStack: FormStack;
let browser: Browser;
let target: StatesRecord;

beforeAll(async () => {
  formStack = await startFormStack();
  const [first] = await loadStatesRecords(formStack.stack, 1);
  if (first === undefined) throw new Error('no record');
  target = first;
  await createContract(formStack.stack, target.id);
  browser = await launchBrowser(formStack.stack.simulators.identityCertificatePem);
}, 120_000);

afterAll(async () => {
  // Guarded: when beforeAll failed half-way, what it did start is still stopped.
  if (typeof browser !== 'undefined') await browser.close();
  if (typeof formStack !== 'undefined') await formStack.close();
});

const msalForm = (): string => `${formStack.host.url}/forms/opportunity?id=${target.id}&signin=msal`;

/** The words of the widget's sign-in bar (a live region repeats them for screen readers). */
const signInWords = (page: Page, words: string) => page.getByRole('group').getByText(words);

/** The widget with its contract loaded: the contract's own name in its header and the product table. */
async function expectContractLoaded(page: Page): Promise<void> {
  await expectVisible(page.getByRole('table', { name: 'Product lines in Dynamics and Oneflow' }), 30_000);
  await expectVisible(page.getByRole('link', { name: /Open in Oneflow/ }));
}

it('signs in through the pop-up on first use, then silently after a reload', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = collectErrors(page);

  await page.goto(msalForm());
  await expectVisible(signInWords(page, 'Sign in to use Oneflow product sync.'), 30_000);
  expect(await axeCheck(page)).toEqual([]);
  await screenshot(page, 'sign-in-needed');

  const popupOpened = page.waitForEvent('popup');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const popup = await popupOpened;
  await expectVisible(popup.getByRole('heading', { name: 'Sign in' }));
  await popup.getByRole('radio', { name: /Alex Seller/ }).check();
  await popup.getByRole('button', { name: 'Sign in' }).click();
  await popup.waitForEvent('close', { timeout: 30_000 });

  await expectContractLoaded(page);
  expect(await signInWords(page, 'Sign in to use Oneflow product sync.').count()).toBe(0);
  expect(await axeCheck(page)).toEqual([]);
  await screenshot(page, 'signed-in');

  // The same browser again: MSAL's cache and the identity provider's session give the token without a window.
  const pagesBefore = context.pages().length;
  let popups = 0;
  context.on('page', () => {
    popups += 1;
  });
  await page.reload();
  await expectContractLoaded(page);
  expect(popups).toBe(0);
  expect(context.pages()).toHaveLength(pagesBefore);
  expect(await page.getByRole('button', { name: 'Sign in' }).count()).toBe(0);

  expect(errors).toEqual([]);
  await context.close();
}, 120_000);

it('says the browser blocked the sign-in window and offers Try again', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // A pop-up blocker: window.open gives nothing, as a browser that blocks pop-ups does.
  await context.addInitScript(() => {
    window.open = () => null;
  });
  const page = await context.newPage();
  const errors = collectErrors(page);

  await page.goto(msalForm());
  await expectVisible(signInWords(page, 'Sign in to use Oneflow product sync.'), 30_000);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expectVisible(
    signInWords(page, 'Your browser blocked the sign-in window. Allow pop-ups for this site and try again.'),
  );
  await expectVisible(page.getByRole('button', { name: 'Try again' }));
  expect(context.pages()).toHaveLength(1);
  expect(await axeCheck(page)).toEqual([]);
  await screenshot(page, 'sign-in-popup-blocked');

  expect(errors).toEqual([]);
  await context.close();
}, 90_000);
