import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { exited } from './processes';
import type { SimulatorProcess } from './simulatorProcess';
import { stackAppSettings } from './stack';

const REPO = join(__dirname, '..', '..', '..');

/** The Function app as its own process (the local runner, as `npm start` runs it), so that it can really die. */
export interface HostProcess {
  process: ChildProcess;
  /** Where it listens, without `/api`. */
  url: string;
  /** Every line it wrote to stdout and stderr so far (and until it exits). */
  lines: string[];
  /** SIGKILL, resolved once the process is gone; nothing runs after it, not even an exit handler. */
  kill(): Promise<void>;
}

/**
 * The local runner (functions/src/host/main.ts) as its own process, configured like the test stack: the same
 * tenants, Azurite and simulators, on a port the OS picks; `env` is laid over those settings.
 */
export async function startHostProcess(parts: {
  simulators: SimulatorProcess;
  storage: string;
  env?: Record<string, string>;
}): Promise<HostProcess> {
  // One process (tsx as a loader, not its CLI, which would run the app in a child of its own): the kill is real.
  const child = spawn(process.execPath, ['--import', 'tsx', 'functions/src/host/main.ts'], {
    cwd: REPO,
    env: {
      ...process.env,
      ...stackAppSettings(parts.simulators, parts.storage),
      FUNCTIONS_PORT: '0',
      ...parts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const partial = { stdout: '', stderr: '' };
  const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
    const text = partial[stream] + chunk.toString();
    const complete = text.split('\n');
    partial[stream] = complete.pop() ?? '';
    lines.push(...complete);
  };
  child.stdout.on('data', collect('stdout'));
  child.stderr.on('data', collect('stderr'));
  child.once('exit', () => {
    for (const rest of [partial.stdout, partial.stderr]) if (rest !== '') lines.push(rest);
  });
  const kill = async (): Promise<void> => {
    const gone = exited(child);
    child.kill('SIGKILL');
    await gone;
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      void kill().then(() => {
        reject(new Error(`the Function app did not start in 60 s:\n${lines.join('\n')}`));
      });
    }, 60_000);
    const onData = (): void => {
      const found = /Functions: (http:\/\/127\.0\.0\.1:\d+)\/api/.exec(lines.join('\n'))?.[1];
      if (found) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        resolve(found);
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the Function app exited (${String(code)}) before starting:\n${lines.join('\n')}`));
    });
  });
  return { process: child, url, lines, kill };
}
