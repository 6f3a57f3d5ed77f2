// `npm run docs:examples`: starts a stack of its own (the simulators and Azurite as processes, the Function app's
// routes over HTTP), runs the story of functions/src/e2e/apiExamples.ts against it and rewrites the example
// regions of docs/api.md (between `<!-- example: name -->` and `<!-- /example -->`) with the real answers, ids
// and times made stable. Prose outside the regions is never touched. `npm test` fails while docs/api.md differs.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const run = spawnSync(
  process.execPath,
  ['--import', 'tsx', join('functions', 'src', 'e2e', 'writeApiExamples.ts')],
  {
    cwd: ROOT,
    stdio: 'inherit',
  },
);
process.exit(run.status ?? 1);
