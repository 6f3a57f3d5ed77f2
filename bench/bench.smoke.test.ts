import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { BenchResults } from './run';

/**
 * `npm run bench -- --smoke` end to end, as a person runs it: one run, 10 lines, a create and a draft push, the
 * receiver at one concurrency, a 20-notification burst, a reconciliation of 100 stored contracts and the packaged entry's cold start. Times vary with the
 * machine; what is checked is that every section produced figures, and that they add up.
 */

const run = promisify(execFile);
const root = resolve(__dirname, '..');
let out: string;
let results: BenchResults;
let markdown: string;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'bench-smoke-test-'));
  await run(
    process.execPath,
    [require.resolve('tsx/cli'), join(root, 'bench', 'run.ts'), '--smoke', '--out', out],
    {
      cwd: root,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  results = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as BenchResults;
  markdown = readFileSync(join(out, 'latest.md'), 'utf8');
}, 240_000);

afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});

test('the smoke run finishes every section without a problem, and names the machine and the command', () => {
  expect(results.problems).toEqual([]);
  expect(results.command).toBe(`npm run bench -- --smoke --out ${out}`);
  expect(results.machine.cpus).toBeGreaterThan(0);
  expect(results.machine.cpuModel).not.toBe('');
  expect(results.machine.node).toMatch(/^v\d+\./);
  expect(Number.isNaN(Date.parse(results.date))).toBe(false);
});

test('create and push are measured with requests and rounds per service, and a finite ratio to their bound', () => {
  expect(
    results.actions.map((result) => `${result.action} ${result.contract} ${String(result.lines)}`),
  ).toEqual(['create draft 10', 'push-all draft 10']);
  for (const result of results.actions) {
    expect(result.runs).toBe(1);
    expect(result.outcomes).toHaveLength(1);
    expect(result.outcomes[0]).toMatch(/^applied /);
    expect(result.oneflow.requests.median).toBeGreaterThan(0);
    expect(result.dataverse.requests.median).toBeGreaterThan(0);
    expect(result.table.requests.median).toBeGreaterThan(0);
    // A chain cannot be longer than the requests in it, and every request is in one.
    expect(result.oneflow.rounds.median).toBeGreaterThanOrEqual(1);
    expect(result.oneflow.rounds.median).toBeLessThanOrEqual(result.oneflow.requests.median);
    expect(result.table.rounds.median).toBeLessThanOrEqual(result.table.requests.median);
    expect(result.remote.requests.median).toBe(
      result.oneflow.requests.median + result.dataverse.requests.median,
    );
    expect(result.bound.ms).toBe(result.bound.remoteRounds * 40 + result.bound.storageRounds * 10);
    expect(result.localMs.median).toBeGreaterThan(0);
    expect(Number.isFinite(result.ratio)).toBe(true);
    expect(result.ratio).toBeGreaterThan(0);
  }
  // The push wrote the ten changed lines as products.
  expect(results.actions[1]?.outcomes[0]).toContain('"productsUpdated":10');
});

test('the receiver acknowledged every notification, and the burst converged with nothing poisoned', () => {
  expect(results.receiver).toHaveLength(1);
  const [level] = results.receiver;
  expect(level?.refused).toBe(0);
  expect(level?.acksPerSecond).toBeGreaterThan(0);
  expect(level?.p99Ms).toBeGreaterThanOrEqual(level?.p50Ms ?? Number.POSITIVE_INFINITY);
  const burst = results.bursts.oneContract;
  expect(burst).toMatchObject({
    notifications: 20,
    contracts: 1,
    converged: true,
    allFetched: true,
    poisoned: 0,
  });
  expect(burst?.fetchRunsPerContract.max).toBeGreaterThanOrEqual(1);
  expect(results.bursts.manyContracts).toBeNull();
});

test('reconciliation queues exactly the changed contracts under the kind reading, and the contract-level ones at once under the unkind one', () => {
  const result = results.reconcile;
  expect(result?.contracts).toBe(100);
  expect(result?.kind).toMatchObject({ queued: 20, found: 20, exactlyChanged: true, stopped: null });
  expect(result?.kind.oneflowRequests).toBeLessThanOrEqual(30);
  expect(Object.values(result?.kind.byRoute ?? {}).reduce((sum, count) => sum + count, 0)).toBe(
    result?.kind.oneflowRequests,
  );
  const unkind = result?.unkind;
  expect(unkind?.found).toBeGreaterThanOrEqual(unkind?.changed.contract ?? Number.POSITIVE_INFINITY);
  expect(unkind?.oneflowRequests).toBeLessThanOrEqual(unkind?.allowance ?? 0);
  expect(results.targets.map((check) => check.target)).toContain(
    'reconciliation of 100 stored contracts of which 20 changed, kind reading: ≤ 30 Oneflow requests, exactly the changed ones queued',
  );
});

test('the cold start loads the packaged entry, and memory peaks are reported', () => {
  expect(results.coldStart?.functionsRegistered).toBeGreaterThan(0);
  expect(results.coldStart?.loadAndStartMs.median).toBeGreaterThan(0);
  expect(results.coldStart?.childPeakRssMb.median).toBeGreaterThan(0);
  expect(results.backendPeakRssMb).toBeGreaterThan(0);
});

test('the markdown has a table per section and every target beside its measurement as met or missed', () => {
  for (const heading of [
    '## Targets',
    '## Actions',
    '## Webhook receiver',
    '## Webhook bursts',
    '## Reconciliation',
    '## Cold start and memory',
  ]) {
    expect(markdown).toContain(heading);
  }
  expect(results.targets.length).toBeGreaterThan(0);
  const rows = markdown.split('\n').map((line) => line.split('|').map((cell) => cell.trim()));
  for (const check of results.targets) {
    expect(rows).toContainEqual(['', check.target, check.measured, check.met ? 'met' : 'missed', '']);
  }
});
