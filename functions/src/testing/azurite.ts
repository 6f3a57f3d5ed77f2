import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/**
 * Azurite (tables, queues, blobs) as a child process on ports the OS picks, bound to 127.0.0.1. Used by the
 * integration tests and by the local runner, so it is not test-only code. Azurite accepts port 0 and prints the
 * port it actually bound ("… successfully listening at http://127.0.0.1:<port>"), so there is no window in which
 * a probed free port could be taken by someone else.
 */

export interface AzuriteOptions {
  /** Keep everything in memory (the default unless `location` is given); nothing is written to disk. */
  inMemory?: boolean;
  /** Folder for Azurite's data when not in memory (created if missing). */
  location?: string;
  /** How long to wait for the services to listen and accept connections; 20 s by default. */
  startTimeoutMs?: number;
  /** Fixed ports (the local stack uses Azurite's usual 10000-10002); 0 or absent: the OS picks. */
  ports?: { blob?: number; queue?: number; table?: number };
  /**
   * Serve https with this certificate and key (PEM files), and with `oauth` accept bearer tokens as Azure Storage
   * does (Azurite's `--oauth basic`: issuer, audience and lifetime are checked, not the signature).
   */
  https?: { certificateFile: string; keyFile: string; oauth?: boolean };
}

export interface RunningAzurite {
  connectionString: string;
  tablePort: number;
  queuePort: number;
  blobPort: number;
  pid: number;
  /** SIGTERM, SIGKILL after 3 s; resolves once the process has exited. Safe to call more than once. */
  stop(): Promise<void>;
}

/** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
const AZURITE_ACCOUNT_NAME = 'devstoreaccount1';
export const AZURITE_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

const HOST = '127.0.0.1';
const KILL_AFTER_MS = 3000;
const OUTPUT_TAIL_CHARS = 4000;

const AzuritePackageSchema = z.object({ bin: z.object({ azurite: z.string().min(1) }) });

/** The azurite entry script from node_modules (run with the current node). */
function azuriteBinPath(): string {
  const packageJson = require.resolve('azurite/package.json');
  const parsed = AzuritePackageSchema.parse(JSON.parse(readFileSync(packageJson, 'utf8')));
  return path.resolve(path.dirname(packageJson), parsed.bin.azurite);
}

function azuriteConnectionString(
  ports: { blobPort: number; queuePort: number; tablePort: number },
  scheme: 'http' | 'https',
): string {
  const endpoint = (port: number) => `${scheme}://${HOST}:${port}/${AZURITE_ACCOUNT_NAME}`;
  return [
    `DefaultEndpointsProtocol=${scheme}`,
    `AccountName=${AZURITE_ACCOUNT_NAME}`,
    `AccountKey=${AZURITE_ACCOUNT_KEY}`,
    `BlobEndpoint=${endpoint(ports.blobPort)}`,
    `QueueEndpoint=${endpoint(ports.queuePort)}`,
    `TableEndpoint=${endpoint(ports.tablePort)}`,
  ].join(';');
}

const LISTENING = /Azurite (Blob|Queue|Table) service is successfully listening at https?:\/\/[^:\s]+:(\d+)/g;

function tail(text: string): string {
  return text.length > OUTPUT_TAIL_CHARS ? text.slice(-OUTPUT_TAIL_CHARS) : text;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const inMemory = options.inMemory ?? options.location === undefined;
  if (!inMemory && options.location === undefined) {
    throw new Error('startAzurite: `location` is required when inMemory is false');
  }
  const location = inMemory ? undefined : path.resolve(options.location ?? '.');
  if (location !== undefined) mkdirSync(location, { recursive: true });
  const timeoutMs = options.startTimeoutMs ?? 20_000;

  const args = [
    azuriteBinPath(),
    '--blobHost',
    HOST,
    '--queueHost',
    HOST,
    '--tableHost',
    HOST,
    '--blobPort',
    String(options.ports?.blob ?? 0),
    '--queuePort',
    String(options.ports?.queue ?? 0),
    '--tablePort',
    String(options.ports?.table ?? 0),
    '--skipApiVersionCheck',
    '--disableTelemetry',
    ...(location === undefined ? ['--inMemoryPersistence'] : ['--location', location]),
    ...(options.https === undefined
      ? []
      : [
          '--cert',
          options.https.certificateFile,
          '--key',
          options.https.keyFile,
          ...(options.https.oauth === true ? ['--oauth', 'basic'] : []),
        ]),
  ];
  const child = spawn(process.execPath, args, {
    // Its own process group: a Ctrl-C in the terminal reaches the runner, which stops Azurite itself once its own
    // clients are done. Signalled together with them, Azurite could exit before saving what was just written.
    detached: true,
    cwd: location ?? tmpdir(),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const pid = child.pid;
  if (pid === undefined) {
    throw new Error('startAzurite: the azurite process could not be spawned');
  }

  let stdout = '';
  let stderr = '';
  const ports = new Map<string, number>();
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  // Keep draining both pipes for the life of the process so Azurite never blocks on a full pipe.
  child.stdout.on('data', (chunk: string) => {
    stdout = tail(stdout + chunk);
    for (const match of stdout.matchAll(LISTENING)) {
      const [, service, port] = match;
      if (service !== undefined && port !== undefined) ports.set(service, Number(port));
    }
  });
  child.stderr.on('data', (chunk: string) => {
    stderr = tail(stderr + chunk);
  });

  let exited = child.exitCode !== null || child.signalCode !== null;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });

  // If the parent goes away without stop(), do not leave Azurite behind.
  const killOnExit = () => {
    if (!exited) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  process.once('exit', killOnExit);

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (!exited) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // already gone
        }
        const force = setTimeout(() => {
          if (!exited) {
            try {
              process.kill(pid, 'SIGKILL');
            } catch {
              // already gone
            }
          }
        }, KILL_AFTER_MS);
        await exitPromise;
        clearTimeout(force);
      }
      process.removeListener('exit', killOnExit);
    })();
    return stopping;
  };

  const failure = (reason: string) =>
    new Error(
      `startAzurite: ${reason}\n--- azurite stderr ---\n${stderr || '(empty)'}\n--- azurite stdout ---\n${stdout || '(empty)'}`,
    );

  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (exited) throw failure(`azurite exited during start-up (code ${String(child.exitCode)})`);
      const tablePort = ports.get('Table');
      const queuePort = ports.get('Queue');
      const blobPort = ports.get('Blob');
      if (tablePort !== undefined && queuePort !== undefined && blobPort !== undefined) {
        const [tableUp, queueUp] = await Promise.all([canConnect(tablePort), canConnect(queuePort)]);
        if (tableUp && queueUp) {
          return {
            connectionString: azuriteConnectionString(
              { blobPort, queuePort, tablePort },
              options.https === undefined ? 'http' : 'https',
            ),
            tablePort,
            queuePort,
            blobPort,
            pid,
            stop,
          };
        }
      }
      if (Date.now() >= deadline) throw failure(`not listening after ${timeoutMs} ms`);
      await delay(50);
    }
  } catch (error) {
    await stop();
    throw error;
  }
}
