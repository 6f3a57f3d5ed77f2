// The controls' production bundles and the web resources (settings page, sign-in redirect), which the form host
// serves and the solution packs: built before `npm start` runs the host or `npm run pack` packs
// them when one is missing or older than any of their sources, so neither ever uses a control older than the code.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './localState.mjs';

const CONTROL = join(ROOT, 'pcf-control');
/** What `npm run build -w pcf-control` writes and the form host serves. */
const BUNDLES = [
  join(CONTROL, 'out', 'controls', 'ProductSyncWidget', 'bundle.js'),
  join(CONTROL, 'out', 'controls', 'SyncSettings', 'bundle.js'),
  join(CONTROL, 'out', 'webresources', 'oneflowsync_', 'settings', 'settings.js'),
  join(CONTROL, 'out', 'webresources', 'oneflowsync_', 'auth', 'redirect.js'),
];
/** What goes into them: the controls, their code, the API schemas they import from shared/ and the build's settings. */
const SOURCES = [
  join(CONTROL, 'ProductSyncWidget'),
  join(CONTROL, 'SyncSettings'),
  join(CONTROL, 'src'),
  join(CONTROL, 'scripts'),
  join(ROOT, 'shared', 'src'),
  ...['package.json', 'pcfconfig.json', 'featureconfig.json', 'webpack.config.js', 'tsconfig.json'].map(
    (name) => join(CONTROL, name),
  ),
];

function newestChange(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return /\.test\.tsx?$/.test(path) ? 0 : stat.mtimeMs;
  // pcf-scripts writes generated/ itself during the build: it is an output, not a source.
  return readdirSync(path)
    .filter((name) => name !== 'generated')
    .reduce((newest, name) => Math.max(newest, newestChange(join(path, name))), 0);
}

/** Why the bundles must be built, or null when they are all up to date. */
export function bundleOutOfDate({ bundles = BUNDLES, sources: paths = SOURCES } = {}) {
  const missing = bundles.find((bundle) => !existsSync(bundle));
  if (missing !== undefined) return `${relative(CONTROL, missing)} is missing`;
  const built = Math.min(...bundles.map((bundle) => statSync(bundle).mtimeMs));
  const sources = Math.max(0, ...paths.filter((path) => existsSync(path)).map(newestChange));
  return sources > built ? 'the controls changed since their bundles were built' : null;
}

/**
 * Builds the bundles (`npm run build -w pcf-control`, one to four minutes) when they are out of date; returns
 * whether it did. A failed build with older bundles in place starts the stack with those, saying so; without any,
 * it stops.
 */
export function ensureControlBundle() {
  const reason = bundleOutOfDate();
  if (reason === null) return false;
  console.log(`Building the controls (${reason}): npm run build -w pcf-control`);
  const builtAt = (bundle) => (existsSync(bundle) ? statSync(bundle).mtimeMs : 0);
  const before = BUNDLES.map(builtAt);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const build = spawnSync(npm, ['run', 'build', '-w', 'pcf-control'], { cwd: ROOT, stdio: 'inherit' });
  // The build fails when this run wrote no bundle (pcf-scripts alone exits 0 on a failed compile).
  if (build.status === 0 && BUNDLES.every((bundle, index) => builtAt(bundle) > (before[index] ?? 0)))
    return true;
  const missing = BUNDLES.filter((bundle) => !existsSync(bundle));
  if (missing.length > 0) {
    throw new Error(
      `Building the controls failed (npm run build -w pcf-control); the form host needs ${missing.map((bundle) => relative(CONTROL, bundle)).join(', ')}.`,
    );
  }
  const oldest = new Date(Math.min(...BUNDLES.map(builtAt))).toISOString();
  console.warn(
    `The controls did not build (see above): the form host serves bundles built at ${oldest} or later.`,
  );
  return false;
}
