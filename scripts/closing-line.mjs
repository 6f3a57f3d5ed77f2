// Prints "N passed, M failed" from jest's JSON results; fails when jest never wrote them
// (lint or typecheck stopped `npm test` first) or when no test ran.
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'reports/jest-results.json';
if (!existsSync(file)) {
  console.log(`no test results at ${file}: lint or typecheck failed before the tests ran`);
  process.exit(1);
}
const results = JSON.parse(readFileSync(file, 'utf8'));
const { numPassedTests, numFailedTests, numPendingTests, numRuntimeErrorTestSuites } = results;
if (numRuntimeErrorTestSuites > 0) console.log(`${numRuntimeErrorTestSuites} test file(s) failed to run`);
const skipped = numPendingTests > 0 ? `, ${numPendingTests} skipped` : '';
console.log(`${numPassedTests} passed, ${numFailedTests + numRuntimeErrorTestSuites} failed${skipped}`);
if (numPassedTests + numFailedTests === 0) process.exit(1);
