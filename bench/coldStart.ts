import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { unzipSync } from 'fflate';
import { completeSettings } from '../functions/src/testing/settings';
import { spread, type Spread } from './stats';

const ROOT = resolve(__dirname, '..');
const PACKER = join(ROOT, 'functions', 'scripts', 'package.mjs');
const WORKER = join(ROOT, 'functions', 'src', 'testing', 'functionsWorker.mjs');
/** Printed by the child on exit: its own peak resident set (KiB). */
const REPORT_PEAK = `data:text/javascript,process.on('exit',()=>{process.stderr.write('maxRSS='+process.resourceUsage().maxRSS+'\\n')})`;

export interface ColdStartResult {
  runs: number;
  /** From spawning a fresh Node to its exit, the packaged entry loaded and its start hooks run (ms). */
  loadAndStartMs: Spread;
  /** The same for a Node that loads nothing: what of the above is Node's own start. */
  bareNodeMs: Spread;
  /** Peak resident set of the child that loaded the entry (MiB). */
  childPeakRssMb: Spread;
  functionsRegistered: number;
  packageBytes: number;
}

interface ChildRun {
  ms: number;
  stdout: string;
  peakKb: number;
}

function runChild(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<ChildRun> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) {
        reject(new Error(`${args.join(' ')} exited with ${String(code)}: ${stderr.slice(-2000)}`));
        return;
      }
      resolvePromise({ ms, stdout, peakKb: Number(/maxRSS=(\d+)/.exec(stderr)?.[1] ?? Number.NaN) });
    });
  });
}

/**
 * The deployment package as Azure runs it: built by `functions/scripts/package.mjs` into a temporary folder,
 * unpacked, its one external package (`@azure/functions`) taken from this repository's node_modules, and loaded
 * by the Functions worker's stand-in (functions/src/testing/functionsWorker.mjs) in a fresh Node each run.
 */
export async function benchColdStart(runs: number): Promise<ColdStartResult> {
  const work = mkdtempSync(join(tmpdir(), 'bench-coldstart-'));
  try {
    const zip = join(work, 'functionapp.zip');
    await runChild([PACKER, '--out', zip], ROOT, process.env);
    const zipBytes = readFileSync(zip);
    const app = join(work, 'app');
    for (const [name, data] of Object.entries(unzipSync(zipBytes))) {
      mkdirSync(dirname(join(app, name)), { recursive: true });
      writeFileSync(join(app, name), data);
    }
    mkdirSync(join(app, 'node_modules', '@azure'), { recursive: true });
    symlinkSync(
      join(ROOT, 'node_modules', '@azure', 'functions'),
      join(app, 'node_modules', '@azure', 'functions'),
      'dir',
    );
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      ...completeSettings({ AzureWebJobsStorage: 'UseDevelopmentStorage=true' }),
    };
    const loads: ChildRun[] = [];
    const bare: ChildRun[] = [];
    for (let run = 0; run < runs; run++) {
      loads.push(await runChild(['--import', REPORT_PEAK, WORKER, '--start'], app, env));
      bare.push(await runChild(['-e', '0'], app, env));
    }
    const report = JSON.parse(loads[0]?.stdout ?? '{}') as {
      functions?: unknown[];
      start?: { ok: boolean; error?: string };
    };
    if (report.start?.ok !== true)
      throw new Error(`the packaged entry did not start: ${report.start?.error ?? 'no report'}`);
    return {
      runs,
      loadAndStartMs: spread(loads.map((load) => load.ms)),
      bareNodeMs: spread(bare.map((load) => load.ms)),
      childPeakRssMb: spread(loads.map((load) => load.peakKb / 1024)),
      functionsRegistered: report.functions?.length ?? 0,
      packageBytes: zipBytes.length,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
