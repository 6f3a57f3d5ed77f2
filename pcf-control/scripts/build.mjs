// `npm run build -w pcf-control`: the controls' production build with pcf-scripts, then the settings page's
// web-resource build (scripts/webResource.mjs), then each bundle's size, raw and gzipped. pcf-scripts reports a
// failed compile and still exits 0, so a bundle not written by this run fails the build here: nothing downstream
// (tests, npm start) ever runs an older bundle believing it is new.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildWebResource, WEB_RESOURCE_FILES, WEB_RESOURCE_FOLDER } from './webResource.mjs';

const PROJECT = join(import.meta.dirname, '..');
const OUT = join(PROJECT, 'out', 'controls');
const CONTROLS = readdirSync(PROJECT).filter((name) =>
  existsSync(join(PROJECT, name, 'ControlManifest.Input.xml')),
);

const started = Date.now();
const pcfScripts = join(
  PROJECT,
  'node_modules',
  '.bin',
  process.platform === 'win32' ? 'pcf-scripts.cmd' : 'pcf-scripts',
);
const build = spawnSync(
  existsSync(pcfScripts) ? pcfScripts : 'pcf-scripts',
  ['build', '--buildMode', 'production'],
  {
    cwd: PROJECT,
    stdio: 'inherit',
  },
);
if (build.status !== 0) process.exit(build.status ?? 1);

try {
  await buildWebResource();
} catch (error) {
  // esbuild has printed each problem with its file and line.
  console.error(`pcf-control: the settings web resource did not build: ${error.message}`);
  process.exit(1);
}

const sizes = {};
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const measure = (name, file) => {
  if (!existsSync(file) || statSync(file).mtimeMs < started) {
    console.error(`pcf-control: ${name} was not built by this run (see the errors above).`);
    process.exit(1);
  }
  const raw = readFileSync(file);
  sizes[name] = { raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length };
  console.log(`${name}: ${kb(sizes[name].raw)} raw, ${kb(sizes[name].gzip)} gzipped`);
};
for (const control of CONTROLS) measure(control, join(OUT, control, 'bundle.js'));
// React and Fluent are bundled in this one: it is a web resource, which has no platform libraries.
measure('webresources/oneflowsync_/settings', join(WEB_RESOURCE_FOLDER, WEB_RESOURCE_FILES.script));
writeFileSync(join(PROJECT, 'out', 'bundle-sizes.json'), `${JSON.stringify(sizes, null, 2)}\n`);
