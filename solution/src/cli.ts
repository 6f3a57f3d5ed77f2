// `npm run pack -w solution` (the root's `npm run pack` builds the controls first): writes
// solution/out/OneflowProductSync.zip and solution/out/OneflowProductSync_managed.zip.
import { join, relative } from 'node:path';
import { packSolution, SolutionInputError } from './pack';

const SOLUTION_ROOT = join(__dirname, '..');
const ROOT = join(SOLUTION_ROOT, '..');

try {
  const packed = packSolution({
    pcfOut: join(ROOT, 'pcf-control', 'out'),
    packageJson: join(SOLUTION_ROOT, 'package.json'),
    outDir: join(SOLUTION_ROOT, 'out'),
  });
  for (const zip of packed) {
    console.log(
      `${relative(ROOT, zip.path)}: ${(zip.bytes / 1024).toFixed(1)} KB, ${zip.entries.length} entries` +
        (zip.managed ? ' (managed)' : ' (unmanaged)'),
    );
  }
} catch (error) {
  if (!(error instanceof SolutionInputError)) throw error;
  console.error(`solution: ${error.message}`);
  process.exitCode = 1;
}
