import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { collectErrors, launchBrowser } from './browser';
import { startFormStack, type FormStack } from './formStack';

/** What a settings browser suite uses once its `beforeAll` has run. */
export interface SettingsSuite {
  /** The whole local stack and the form host serving the settings page. */
  readonly formStack: FormStack;
  /** Chromium, trusting the identity simulator's certificate. */
  readonly browser: Browser;
  /** How long the suite's steps took, logged after its last test. */
  readonly timings: Record<string, number>;
  /** A new page (1280×900 unless told) and the errors it collects from its first request on. */
  newPage(options?: BrowserContextOptions): Promise<{ page: Page; errors: string[] }>;
}

export interface SettingsSuiteOptions {
  /** The suite's own scene, made through the stack before its first test. */
  prepare?: (formStack: FormStack) => Promise<void>;
  /** For `beforeAll`: starting the stack and the browser takes most of a minute on a busy machine. */
  timeout?: number;
}

/**
 * Starts the stack and a browser before the suite's tests (then its scene, if any) and stops both after them,
 * logging `<name> timings` with `stackMs` (stack and browser) and `setupMs` (with the scene). Its fields are read
 * inside tests and helpers, once `beforeAll` has set them.
 */
export function settingsSuite(name: string, options: SettingsSuiteOptions = {}): SettingsSuite {
  let formStack: FormStack | undefined;
  let browser: Browser | undefined;
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    const started = Date.now();
    formStack = await startFormStack();
    browser = await launchBrowser(formStack.stack.simulators.identityCertificatePem);
    timings.stackMs = Date.now() - started;
    await options.prepare?.(formStack);
    timings.setupMs = Date.now() - started;
  }, options.timeout ?? 120_000);

  afterAll(async () => {
    await browser?.close();
    await formStack?.close();
    console.log(`${name} timings: ${JSON.stringify(timings)}`);
  });

  const suite: SettingsSuite = {
    get formStack(): FormStack {
      if (formStack === undefined)
        throw new Error(`${name}: the stack is not started (read it inside a test)`);
      return formStack;
    },
    get browser(): Browser {
      if (browser === undefined)
        throw new Error(`${name}: the browser is not launched (read it inside a test)`);
      return browser;
    },
    timings,
    async newPage(pageOptions = { viewport: { width: 1280, height: 900 } }) {
      const page = await suite.browser.newPage(pageOptions);
      return { page, errors: collectErrors(page) };
    },
  };
  return suite;
}
