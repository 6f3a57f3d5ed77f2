import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';

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

/** Console errors and uncaught page errors of a page, so a test can fail on any of them. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  return errors;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; html: string }[];
}

/** axe-core over the whole document (dialogs and tooltips are portals outside the control), serious and critical. */
export async function axeCheck(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: unknown): Promise<unknown> } })
      .axe;
    const result = (await axe.run(document, {
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
