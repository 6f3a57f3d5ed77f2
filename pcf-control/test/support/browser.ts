import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';

const CONTROL_ROOT = join(__dirname, '..', '..');
const SCREENSHOT_DIR = join(CONTROL_ROOT, 'test-output', 'screenshots');

/**
 * Flags of @sparticuz/chromium's list (made for serverless functions) that would hide what a test must see:
 * `--disable-web-security` turns CORS off, and the host page must be refused by an API that does not allow it.
 * Playwright sets headless mode itself.
 */
const DROPPED_FLAGS = [
  /^--disable-web-security$/,
  /^--allow-running-insecure-content$/,
  /^--headless/,
  /^--single-process$/,
];

/**
 * The Chromium that @sparticuz/chromium ships (unpacked on first use). The package is ES modules only and jest
 * runs CommonJS, so a child Node process asks it for the executable and its flags.
 */
async function sparticuzChromium(): Promise<{ executablePath: string; args: string[] }> {
  const script =
    "import chromium from '@sparticuz/chromium';" +
    'console.log(JSON.stringify({ executablePath: await chromium.executablePath(), args: chromium.args }));';
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: CONTROL_ROOT,
  });
  return JSON.parse(stdout) as { executablePath: string; args: string[] };
}

/** `--ignore-certificate-errors-spki-list` takes base64 SHA-256 hashes of the trusted keys' SubjectPublicKeyInfo. */
function spkiHash(certificatePem: string): string {
  const spki = new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/**
 * Headless Chromium that trusts exactly the identity simulator's self-signed certificate (MSAL's calls to it
 * must succeed; any other certificate error still fails).
 */
export async function launchBrowser(identityCertificatePem: string): Promise<Browser> {
  const { executablePath, args } = await sparticuzChromium();
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      ...args.filter((flag) => !DROPPED_FLAGS.some((dropped) => dropped.test(flag))),
      `--ignore-certificate-errors-spki-list=${spkiHash(identityCertificatePem)}`,
    ],
  });
}

/** What the page's own code fetches: it reads those answers, an error status included (a 404 is "no contract"). */
const READ_BY_THE_PAGE = new Set(['fetch', 'xhr']);

/**
 * Console errors, uncaught page errors and resources the page could not load (a script, a style, the page
 * itself), so a test can fail on any of them. Chromium also logs every 4xx answer to `fetch` as an error; those
 * answers are the API's and the page's code handles them, so only their failures to arrive at all count.
 */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    if (message.text().startsWith('Failed to load resource:')) return;
    errors.push(`console.error: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400 && !READ_BY_THE_PAGE.has(response.request().resourceType())) {
      errors.push(`not loaded: ${response.url()} (${response.status()})`);
    }
  });
  page.on('requestfailed', (request) => {
    errors.push(
      `request failed: ${request.method()} ${request.url()} (${request.failure()?.errorText ?? ''})`,
    );
  });
  return errors;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; html: string }[];
}

/**
 * axe-core over the whole document (dialogs and tooltips are portals outside the control), serious and critical.
 * Fluent's focus manager (tabster) adds `<i data-tabster-dummy aria-hidden tabindex=0>` around arrow-key groups
 * such as a Toolbar: they hand focus on at once and are hidden from screen readers on purpose, and axe's
 * aria-hidden-focus rule flags them (microsoft/tabster#288, a known Fluent v9 false positive), so they alone are
 * left out.
 */
export async function axeCheck(page: Page | Frame): Promise<AxeViolation[]> {
  // A dialog fades its backdrop in: colours measured mid-transition (a busy machine runs axe in the middle of it)
  // are neither the page's nor the dialog's. Every animation that ends (not a spinner) is awaited first.
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((animation) => Number.isFinite(Number(animation.effect?.getComputedTiming().endTime)))
        .map((animation) =>
          animation.finished.then(
            () => undefined,
            () => undefined,
          ),
        ),
    ),
  );
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<unknown> } })
      .axe;
    const context = { include: [document], exclude: [['[data-tabster-dummy]']] };
    const result = (await axe.run(context, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    })) as { violations: AxeViolation[] };
    return result.violations.map(({ id, impact, help, nodes }) => ({
      id,
      impact,
      help,
      nodes: nodes.map(({ target, html }) => ({ target, html })),
    }));
  });
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

/** A full-page screenshot in pcf-control/test-output/screenshots/<name>.png; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * A screenshot of the page, then its accessibility check. The picture comes first, so a failing check still
 * leaves the picture of what it judged.
 */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  expect(await axeCheck(page)).toEqual([]);
}

/** The last look at a page: its screenshot, no accessibility violations, and no error on it the whole test. */
export async function expectCleanPage(page: Page, name: string, errors: readonly string[]): Promise<void> {
  await expectAccessible(page, name);
  expect(errors).toEqual([]);
}
