/**
 * `npm run bench`: the backend against the simulators with a fixed latency per remote request and Azurite behind
 * counting, delaying proxies; times, request counts and sequential rounds of every action, the webhook receiver and
 * bursts, one reconciliation run over many stored contracts, and the packaged entry's cold start. Writes results.json and results.md (bench/results/latest.* unless
 * `--out` or `--smoke` says otherwise).
 *
 *   npx tsx bench/run.ts [--runs 5] [--remote-latency 40] [--storage-latency 10] [--lines 10,50,150]
 *                        [--sections actions,receiver,bursts,reconcile,coldstart] [--out <folder>] [--smoke]
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import {
  benchActions,
  recordsNeeded,
  type ActionName,
  type ActionPlan,
  type ActionResult,
  type ContractState,
} from './actions';
import { benchColdStart, type ColdStartResult } from './coldStart';
import { startBench } from './harness';
import { loadBenchRecords, type BenchRecord } from './records';
import { benchReconcile, type ReconcileResult } from './reconcile';
import { renderMarkdown } from './report';
import { round } from './stats';
import { checkTargets, type TargetCheck } from './targets';
import { benchBurst, benchReceiver, type BurstResult, type ReceiverResult } from './webhooks';

const SECTIONS = ['actions', 'receiver', 'bursts', 'reconcile', 'coldstart'] as const;
type Section = (typeof SECTIONS)[number];
const ALL_ACTIONS: readonly ActionName[] = [
  'create',
  'push-all',
  'push-one',
  'push-none',
  'fetch-all',
  'fetch-none',
  'compare',
];

export interface BenchOptions {
  runs: number;
  remoteLatencyMs: number;
  storageLatencyMs: number;
  lines: number[];
  sections: Section[];
  smoke: boolean;
  out: string;
}

export interface BenchResults {
  date: string;
  command: string;
  machine: {
    cpuModel: string;
    cpus: number;
    totalMemoryMb: number;
    node: string;
    platform: string;
    /** The 1-minute load average when the run began and when it ended: other work on the machine skews times. */
    loadAverage: { start: number; end: number };
  };
  options: BenchOptions;
  actions: ActionResult[];
  receiver: ReceiverResult[];
  bursts: { oneContract: BurstResult | null; manyContracts: BurstResult | null };
  reconcile: ReconcileResult | null;
  coldStart: ColdStartResult | null;
  /** Time spent (not measured) waiting for the product's own Oneflow request budget between actions (ms). */
  oneflowBudgetWaitMs: number;
  /** Peak resident set of the bench's own process, which runs the backend (MiB). */
  backendPeakRssMb: number;
  targets: TargetCheck[];
  /** Problems met on the way (a section that failed); the other figures stand. */
  problems: string[];
}

class UsageError extends Error {}

function whole(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min)
    throw new UsageError(`--${name} must be a whole number ≥ ${String(min)}, got "${text}"`);
  return value;
}

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string' },
      'remote-latency': { type: 'string' },
      'storage-latency': { type: 'string' },
      lines: { type: 'string' },
      sections: { type: 'string' },
      out: { type: 'string' },
      smoke: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const smoke = values.smoke;
  const sections = (values.sections ?? SECTIONS.join(',')).split(',').map((name) => {
    if (!(SECTIONS as readonly string[]).includes(name)) {
      throw new UsageError(`--sections takes ${SECTIONS.join(', ')}; got "${name}"`);
    }
    return name as Section;
  });
  const lines = (values.lines ?? (smoke ? '10' : '10,50,150')).split(',').map((text) => {
    const count = whole('lines', text, 1);
    if (count > 150)
      throw new UsageError(`--lines: Oneflow takes at most 150 products per contract, got ${text}`);
    return count;
  });
  return {
    runs: whole('runs', values.runs ?? (smoke ? '1' : '5'), 1),
    remoteLatencyMs: whole('remote-latency', values['remote-latency'] ?? '40', 0),
    storageLatencyMs: whole('storage-latency', values['storage-latency'] ?? '10', 0),
    lines,
    sections,
    smoke,
    out: resolve(
      values.out ?? (smoke ? mkdtempSync(join(tmpdir(), 'bench-smoke-')) : join(__dirname, 'results')),
    ),
  };
}

const errorText = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).slice(0, 1000);

export async function runBench(options: BenchOptions, command: string): Promise<BenchResults> {
  const cpu = cpus();
  const results: BenchResults = {
    date: new Date().toISOString(),
    command,
    machine: {
      cpuModel: cpu[0]?.model ?? 'unknown',
      cpus: cpu.length,
      totalMemoryMb: Math.round(totalmem() / 1024 / 1024),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      loadAverage: { start: round(loadavg()[0] ?? 0, 2), end: 0 },
    },
    options,
    actions: [],
    receiver: [],
    bursts: { oneContract: null, manyContracts: null },
    reconcile: null,
    coldStart: null,
    oneflowBudgetWaitMs: 0,
    backendPeakRssMb: 0,
    targets: [],
    problems: [],
  };
  const want = (section: Section): boolean => options.sections.includes(section);
  const log = (message: string): void => {
    process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
  };
  const plans: ActionPlan[] = options.lines.map((lines) => ({
    lines,
    runs: options.runs,
    actions: options.smoke ? ['create', 'push-all'] : ALL_ACTIONS,
    states: (options.smoke ? ['draft'] : ['draft', 'sent']) satisfies ContractState[],
  }));
  const manyContracts = options.smoke ? 0 : 50;
  const burstRecords = want('bursts') ? 1 + manyContracts : 0;

  if (want('actions') || want('receiver') || want('bursts') || want('reconcile')) {
    log('starting the stack');
    const bench = await startBench({
      remoteMs: options.remoteLatencyMs,
      storageMs: options.storageLatencyMs,
    });
    try {
      const lineCounts = [
        ...(want('actions')
          ? plans.flatMap((plan) => Array<number>(recordsNeeded(plan)).fill(plan.lines))
          : []),
        ...Array<number>(burstRecords).fill(3),
      ];
      // First: the other sections' contracts would lengthen the contract list it pages through.
      if (want('reconcile')) {
        const contracts = options.smoke ? 100 : 2000;
        log(`reconciliation of ${String(contracts)} stored contracts of which 20 changed`);
        try {
          results.reconcile = await benchReconcile(bench, { contracts, changed: 20, quotaSharePercent: 10 });
        } catch (error) {
          results.problems.push(`reconciliation: ${errorText(error)}`);
        }
      }
      const records = await loadBenchRecords(bench.stack, lineCounts);
      let next = 0;
      const take = (count: number): BenchRecord[] => records.slice(next, (next += count));
      if (want('actions')) {
        for (const plan of plans) {
          log(`actions at ${String(plan.lines)} lines`);
          const mine = take(recordsNeeded(plan));
          try {
            const measured = await benchActions(bench, plan, mine);
            results.actions.push(...measured.results);
            results.problems.push(...measured.problems);
          } catch (error) {
            results.problems.push(`actions at ${String(plan.lines)} lines: ${errorText(error)}`);
          }
        }
      }
      if (want('receiver')) {
        log('webhook receiver');
        const levels = options.smoke
          ? [{ concurrency: 16, notifications: 20 }]
          : [
              { concurrency: 1, notifications: 200 },
              { concurrency: 16, notifications: 1000 },
              { concurrency: 64, notifications: 2000 },
            ];
        try {
          results.receiver = await benchReceiver(bench, levels);
        } catch (error) {
          results.problems.push(`receiver: ${errorText(error)}`);
        }
      }
      if (want('bursts')) {
        const one = take(1);
        log(`burst of ${options.smoke ? '20' : '200'} notifications on one contract`);
        try {
          results.bursts.oneContract = await benchBurst(bench, one, {
            perContract: options.smoke ? 20 : 200,
            concurrency: 16,
            timeLimitMs: 120_000,
          });
        } catch (error) {
          results.problems.push(`burst on one contract: ${errorText(error)}`);
        }
        if (manyContracts > 0) {
          log(`burst of 2000 notifications on ${String(manyContracts)} contracts`);
          try {
            results.bursts.manyContracts = await benchBurst(bench, take(manyContracts), {
              perContract: 2000 / manyContracts,
              concurrency: 64,
              timeLimitMs: 300_000,
            });
          } catch (error) {
            results.problems.push(`burst on ${String(manyContracts)} contracts: ${errorText(error)}`);
          }
        }
      }
    } finally {
      results.backendPeakRssMb = round(process.resourceUsage().maxRSS / 1024);
      results.oneflowBudgetWaitMs = bench.budgetWaitMs();
      log('stopping the stack');
      try {
        await bench.close();
      } catch (error) {
        results.problems.push(`stack close: ${errorText(error)}`);
      }
    }
  }
  if (want('coldstart')) {
    log('cold start of the packaged entry');
    try {
      results.coldStart = await benchColdStart(options.runs);
    } catch (error) {
      results.problems.push(`cold start: ${errorText(error)}`);
    }
  }
  results.machine.loadAverage.end = round(loadavg()[0] ?? 0, 2);
  results.targets = checkTargets(results);
  return results;
}

/** Writes latest.json and latest.md, formatted as the repository's Prettier settings say (they are committed). */
export async function writeResults(results: BenchResults): Promise<{ json: string; markdown: string }> {
  mkdirSync(results.options.out, { recursive: true });
  const json = join(results.options.out, 'latest.json');
  const markdown = join(results.options.out, 'latest.md');
  const formatted = async (file: string, text: string): Promise<string> =>
    format(text, { ...(await resolveConfig(file)), filepath: file });
  writeFileSync(json, await formatted(json, JSON.stringify(results)));
  writeFileSync(markdown, await formatted(markdown, renderMarkdown(results)));
  return { json, markdown };
}

async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${errorText(error)}\n`);
    process.exit(2);
  }
  const command = ['npm run bench --', ...process.argv.slice(2)].join(' ').replace(/ --$/, '');
  const results = await runBench(options, command);
  const written = await writeResults(results);
  process.stdout.write(`${written.markdown}\n${written.json}\n`);
  for (const problem of results.problems) process.stderr.write(`problem: ${problem}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
