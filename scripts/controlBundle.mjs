// The widget's production bundle, which the form host serves: built before `npm start` runs the host when it is
// missing or older than any of its sources, so the page never shows a widget older than the code.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './localState.mjs';

const CONTROL = join(ROOT, 'pcf-control');
const BUNDLE = join(CONTROL, 'out', 'controls', 'ProductSyncWidget', 'bundle.js');
/** What goes into the bundle: the control, its code, the API schemas it imports from shared/ and the build's settings. */
const SOURCES = [
  join(CONTROL, 'ProductSyncWidget'),
  join(CONTROL, 'src'),
  join(ROOT, 'shared', 'src'),
  ...['package.json', 'pcfconfig.json', 'featureconfig.json', 'webpack.config.js', 'tsconfig.json'].map(
    (name) => join(CONTROL, name),
  ),
];

function newestChange(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return /\.test\.tsx?$/.test(path) ? 0 : stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestChange(join(path, name))), 0);
}

/** Why the bundle must be built, or null when it is up to date. */
export function bundleOutOfDate({ bundle = BUNDLE, sources: paths = SOURCES } = {}) {
  if (!existsSync(bundle)) return 'the control bundle is missing';
  const built = statSync(bundle).mtimeMs;
  const sources = Math.max(0, ...paths.filter((path) => existsSync(path)).map(newestChange));
  return sources > built ? 'the control changed since its bundle was built' : null;
}

/**
 * Builds the bundle (`npm run build -w pcf-control`, about 35 s) when it is out of date; returns whether it did. A
 * failed build with an older bundle in place starts the stack with that one, saying so; without any, it stops.
 */
export function ensureControlBundle() {
  const reason = bundleOutOfDate();
  if (reason === null) return false;
  console.log(`Building the widget (${reason}): npm run build -w pcf-control`);
  const builtBefore = existsSync(BUNDLE) ? statSync(BUNDLE).mtimeMs : 0;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const build = spawnSync(npm, ['run', 'build', '-w', 'pcf-control'], { cwd: ROOT, stdio: 'inherit' });
  // The build fails when this run wrote no bundle (pcf-scripts alone exits 0 on a failed compile).
  if (build.status === 0 && existsSync(BUNDLE) && statSync(BUNDLE).mtimeMs > builtBefore) return true;
  if (!existsSync(BUNDLE)) {
    throw new Error(
      'Building the widget failed (npm run build -w pcf-control); the form host needs its bundle.',
    );
  }
  const builtAt = statSync(BUNDLE).mtime.toISOString();
  console.warn(`The widget did not build (see above): the form host serves the bundle built at ${builtAt}.`);
  return false;
}
