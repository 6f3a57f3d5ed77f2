/**
 * `npm start` as a person runs it: scripts/start.mjs as its own process, with every port left to the OS and a
 * given state folder, so it never meets an `npm start` running on this machine. Everything it prints (its own
 * lines and its children's, which it forwards) is kept.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { join } from 'node:path';
import axios from 'axios';
import { isAlive } from './processes';
import { FIXTURE } from './stack';

const REPO = join(__dirname, '..', '..', '..');
const EVERY_PORT_FROM_THE_OS = {
  FUNCTIONS_PORT: '0',
  SIM_DATAVERSE_PORT: '0',
  SIM_ONEFLOW_PORT: '0',
  SIM_IDENTITY_PORT: '0',
  AZURITE_BLOB_PORT: '0',
  AZURITE_QUEUE_PORT: '0',
  AZURITE_TABLE_PORT: '0',
  FORM_HOST_PORT: '0',
};

export interface LocalStack {
  child: ChildProcessWithoutNullStreams;
  /** Everything printed so far, stdout and stderr as they came. */
  output: () => string;
  api: string;
  oneflow: string;
  dataverse: string;
  identity: string;
  certificate: string;
  ports: number[];
  /** start.mjs and every process under it, read from /proc while the stack runs. */
  pids: number[];
}

/** The environment `npm start` gets: this process's, every port from the OS, the state folder, and `extra`. */
export function localStartEnvironment(folder: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...EVERY_PORT_FROM_THE_OS, LOCAL_STATE_DIR: folder, ...extra };
}

/** Every process below `root` (children, their children…), from the parent ids in /proc. */
function processTree(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // "pid (command) state ppid …": the command may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
  }
  const tree = [root];
  for (let index = 0; index < tree.length; index++) {
    tree.push(...(parents.get(tree[index] ?? -1) ?? []));
  }
  return tree;
}

function commandOf(pid: number): string {
  try {
    return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')}`;
  } catch {
    return `${pid} (gone)`;
  }
}

function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else
      child.once('exit', (code) => {
        resolve(code);
      });
  });
}

/**
 * Starts `npm start` (scripts/start.mjs) on `folder` and waits until it says it is ready: 150 s unless told, which
 * includes building the controls' bundles when their sources changed since the last build.
 */
export async function startLocalStack(
  folder: string,
  options: { args?: string[]; env?: Record<string, string>; readyTimeoutMs?: number } = {},
): Promise<LocalStack> {
  const child = spawn(process.execPath, [join('scripts', 'start.mjs'), ...(options.args ?? [])], {
    cwd: REPO,
    env: localStartEnvironment(folder, options.env),
    // A process group of its own, as in a terminal: Ctrl-C (SIGINT below) reaches every process in it at once.
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const readyTimeoutMs = options.readyTimeoutMs ?? 150_000;
  const deadline = Date.now() + readyTimeoutMs;
  while (!output.includes('Ctrl-C stops everything')) {
    if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) {
      // Stopped as Ctrl-C would, so nothing it started outlives the test.
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGINT');
      throw new Error(`npm start was not ready in ${String(readyTimeoutMs / 1000)} s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const find = (pattern: RegExp): string => {
    const found = pattern.exec(output)?.[1];
    if (found === undefined) throw new Error(`${String(pattern)} is not in the output:\n${output}`);
    return found;
  };
  const api = find(/Function app\s+(http:\/\/127\.0\.0\.1:\d+\/api)/);
  const oneflow = find(/Oneflow simulator\s+(http:\/\/127\.0\.0\.1:\d+)\//);
  const dataverse = find(/Dataverse simulator\s+(http:\/\/127\.0\.0\.1:\d+)\//);
  const identity = find(/Identity provider\s+(https:\/\/127\.0\.0\.1:\d+)/);
  const certificate = find(/Identity provider .*TLS certificate (\S+)\)/);
  const azurite =
    /Azurite\s+blobs (\d+), queues (\d+), tables (\d+)/.exec(output)?.slice(1).map(Number) ?? [];
  const forms = find(/Form host ready: (http:\/\/127\.0\.0\.1:\d+)\//);
  const ports = [api, oneflow, dataverse, identity, forms].map((url) => Number(new URL(url).port));
  if (child.pid === undefined) throw new Error('npm start has no pid');
  return {
    child,
    output: () => output,
    api,
    oneflow,
    dataverse,
    identity,
    certificate,
    ports: [...ports, ...azurite],
    pids: processTree(child.pid),
  };
}

/**
 * Stops the stack: SIGINT as Ctrl-C sends it, to the whole group; SIGTERM as a service manager sends it, to the
 * script alone. Resolves with start.mjs's exit code.
 */
export function stopLocalStack(stack: LocalStack, signal: NodeJS.Signals): Promise<number | null> {
  const done = exited(stack.child);
  const pid = stack.child.pid;
  if (signal === 'SIGINT' && pid !== undefined) process.kill(-pid, signal);
  else stack.child.kill(signal);
  return done;
}

/**
 * After a stop: the processes of the stack still running (their command lines), once those about to leave have
 * left: esbuild's service (tsx's compiler) leaves when it sees its parent gone, a moment after.
 */
export async function processesLeft(stack: LocalStack): Promise<string[]> {
  const deadline = Date.now() + 5000;
  while (stack.pids.some(isAlive) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return stack.pids.filter(isAlive).map(commandOf);
}

const client = axios.create({ validateStatus: () => true, responseType: 'json' });

/** A token minted by the stack's identity provider for a fixture user (Alex unless told), for `audience`. */
export async function localUserToken(
  stack: LocalStack,
  audience: string,
  user: keyof typeof FIXTURE.users = 'alex',
): Promise<string> {
  const answer = await client.post<{ access_token: string }>(
    `${stack.identity}/_sim/tokens`,
    { ...FIXTURE.users[user], aud: audience },
    { httpsAgent: new Agent({ ca: readFileSync(stack.certificate, 'utf8') }) },
  );
  if (answer.status !== 200) throw new Error(`token for ${user}: ${String(answer.status)}`);
  return answer.data.access_token;
}
