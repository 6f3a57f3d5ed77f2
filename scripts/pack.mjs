// `npm run pack`: the Dataverse solution zips (solution/out/OneflowProductSync.zip and …_managed.zip) from the
// controls' production build, which is built first when it is missing or older than its sources. A solution is
// never packed from bundles older than the code: a failed build stops here.
import { spawnSync } from 'node:child_process';
import { bundleOutOfDate, ensureControlBundle } from './controlBundle.mjs';
import { ROOT } from './localState.mjs';

ensureControlBundle();
const stale = bundleOutOfDate();
if (stale !== null) {
  console.error(`npm run pack: ${stale}, and the build did not renew them; nothing was packed.`);
  process.exit(1);
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const pack = spawnSync(npm, ['run', 'pack', '-w', 'solution'], { cwd: ROOT, stdio: 'inherit' });
process.exit(pack.status ?? 1);
