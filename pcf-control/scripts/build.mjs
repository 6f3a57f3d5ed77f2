// `npm run build -w pcf-control`: the controls' production build with pcf-scripts, then each bundle's size, raw
// and gzipped. pcf-scripts reports a failed compile and still exits 0, so a bundle not written by this run fails
// the build here: nothing downstream (tests, npm start) ever runs an older bundle believing it is new.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

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

const sizes = {};
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
for (const control of CONTROLS) {
  const bundle = join(OUT, control, 'bundle.js');
  if (!existsSync(bundle) || statSync(bundle).mtimeMs < started) {
    console.error(`pcf-control: ${control}/bundle.js was not built by this run (see the errors above).`);
    process.exit(1);
  }
  const raw = readFileSync(bundle);
  sizes[control] = { raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length };
  console.log(`${control}/bundle.js: ${kb(sizes[control].raw)} raw, ${kb(sizes[control].gzip)} gzipped`);
}
writeFileSync(join(PROJECT, 'out', 'bundle-sizes.json'), `${JSON.stringify(sizes, null, 2)}\n`);
