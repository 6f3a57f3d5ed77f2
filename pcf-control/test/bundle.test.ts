import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const OUT = join(__dirname, '..', 'out');

function read(path: string): string | null {
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

function gzipped(code: string | null): number {
  return gzipSync(code ?? '', { level: 9 }).length;
}

/** React's own internals and Fluent's components: here only if the code bundles them. */
const REACT_INTERNALS = '__SECRET_INTERNALS_DO_NOT_USE_OR_YOU_WILL_BE_FIRED';
const FLUENT_COMPONENT = 'fui-DialogSurface';

describe.each([
  // The widget: msal-browser takes about 60 KB of it, React and Fluent none (the platform provides them).
  { control: 'ProductSyncWidget', budgetKb: 130 },
  // The settings page: the widget's root, client and sign-in, plus shared's settings validation and its tabs.
  { control: 'SyncSettings', budgetKb: 140 },
])('the production bundle of $control', ({ control, budgetKb }) => {
  const code = read(join(OUT, 'controls', control, 'bundle.js'));

  it('is built (npm run build -w pcf-control; npm test builds it first)', () => {
    expect(code).not.toBeNull();
  });

  it('takes React and Fluent from the platform instead of bundling them', () => {
    expect(code).toContain('Reactv16');
    expect(code).toContain('FluentUIReactv940');
    expect(code).not.toContain(REACT_INTERNALS);
    expect(code).not.toContain(FLUENT_COMPONENT);
  });

  it(`stays within ${budgetKb} KB gzipped`, () => {
    expect(gzipped(code)).toBeGreaterThan(0);
    expect(gzipped(code)).toBeLessThanOrEqual(budgetKb * 1024);
  });

  it('registers the control under its manifest name', () => {
    expect(code).toMatch(new RegExp(`registerControl\\(\\s*["']OneflowSync\\.${control}["']`));
  });
});

describe("the settings page's web resource", () => {
  const folder = join(OUT, 'webresources', 'oneflowsync_', 'settings');
  const page = read(join(folder, 'index.html'));
  const script = read(join(folder, 'settings.js'));
  /** React 16 and Fluent are inside it, with MSAL and zod: about 300 KB gzipped. */
  const BUDGET_KB = 340;

  it('is built beside the controls, as a page and its script', () => {
    expect(page).not.toBeNull();
    expect(script).not.toBeNull();
    expect(page).toContain('<script src="settings.js"></script>');
    expect(page).toContain('<main id="oneflow-sync-settings"></main>');
    expect(page).toMatch(/<html lang="en">/);
  });

  it('is self-contained: React and Fluent bundled, no platform library globals needed', () => {
    expect(script).toContain(REACT_INTERNALS);
    expect(script).toContain(FLUENT_COMPONENT);
    expect(script).not.toContain('Reactv16');
    expect(script).not.toContain('FluentUIReactv940');
  });

  it("carries the settings page's strings, compiled in from its resx", () => {
    expect(script).toContain('Tab_Setup');
    expect(script).toContain('Standalone_NoXrm');
  });

  it(`stays within ${BUDGET_KB} KB gzipped`, () => {
    const size = gzipped(script);
    expect(size).toBeGreaterThan(100 * 1024);
    expect(size).toBeLessThanOrEqual(BUDGET_KB * 1024);
  });

  it('is listed with its size in out/bundle-sizes.json', () => {
    const sizes = JSON.parse(read(join(OUT, 'bundle-sizes.json')) ?? '{}') as Record<
      string,
      { raw: number; gzip: number } | undefined
    >;
    expect(sizes['webresources/oneflowsync_/settings']).toEqual({
      raw: Buffer.byteLength(script ?? ''),
      gzip: gzipped(script),
    });
  });
});
