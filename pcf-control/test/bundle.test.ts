import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUNDLE = join(__dirname, '..', 'out', 'controls', 'ProductSyncWidget', 'bundle.js');
/** The widget's budget: msal-browser takes about 60 KB of it, React and Fluent none (the platform provides them). */
const GZIP_BUDGET_BYTES = 130 * 1024;

describe('the production bundle of ProductSyncWidget', () => {
  const code = existsSync(BUNDLE) ? readFileSync(BUNDLE, 'utf8') : null;

  it('is built (npm run build -w pcf-control; npm test builds it first)', () => {
    expect(code).not.toBeNull();
  });

  it('takes React and Fluent from the platform instead of bundling them', () => {
    expect(code).toContain('Reactv16');
    expect(code).toContain('FluentUIReactv940');
    // React's own internals and Fluent's components would be here if either were bundled.
    expect(code).not.toContain('__SECRET_INTERNALS_DO_NOT_USE_OR_YOU_WILL_BE_FIRED');
    expect(code).not.toContain('fui-DialogSurface');
  });

  it(`stays within ${GZIP_BUDGET_BYTES / 1024} KB gzipped`, () => {
    const gzipped = gzipSync(code ?? '', { level: 9 }).length;
    expect(gzipped).toBeGreaterThan(0);
    expect(gzipped).toBeLessThanOrEqual(GZIP_BUDGET_BYTES);
  });

  it('registers the control under its manifest name', () => {
    expect(code).toMatch(/registerControl\(\s*["']OneflowSync\.ProductSyncWidget["']/);
  });
});
