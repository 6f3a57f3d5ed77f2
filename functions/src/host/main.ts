// `npm run host`: the Function app on http://127.0.0.1:7071/api without the Functions host. Settings come from
// the environment, then functions/local.settings.json (as `func start` reads it), else the example file, which
// points at the simulators of `npm run sim`. Without AzureWebJobsStorage, or with UseDevelopmentStorage=true
// (what `func start` needs: Azurite on its usual ports), it starts Azurite itself, on 10000-10002 with its data
// in .local/azurite (AZURITE_*_PORT and AZURITE_LOCATION move them).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { servicesFor } from '../bootstrap';
import { ConfigError, loadConfig } from '../config/config';
import type { StorageConfig } from '../config/storage';
import { startAzurite, type RunningAzurite } from '../testing/azurite';
import { consoleLogger, DEFAULT_PROCESSING_VISIBILITY_SECONDS, startLocalHost } from './localHost';

const FUNCTIONS_DIR = join(__dirname, '..', '..');

/** local.settings.json's `Values`, under whatever the environment already sets. */
export function localEnvironment(environment: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const file = ['local.settings.json', 'local.settings.json.example']
    .map((name) => join(FUNCTIONS_DIR, name))
    .find((path) => existsSync(path));
  const values = file
    ? ((JSON.parse(readFileSync(file, 'utf8')) as { Values?: Record<string, string> }).Values ?? {})
    : {};
  // ENTRA_CA_CERTIFICATE_FILE is read by the app's own configuration, as under `func start`.
  return { ...values, ...environment };
}

/** `UseDevelopmentStorage=true`: the storage emulator on its usual ports, which this runner starts itself. */
const DEVELOPMENT_STORAGE = /^\s*UseDevelopmentStorage=true\s*;?\s*$/i;

/**
 * The connection string the runner uses; undefined: it starts its own Azurite. Identity-based storage is Azure's
 * (a managed identity exists only there): the runner refuses it rather than reach for a token it cannot get.
 */
export function localStorageConnection(storage: StorageConfig | undefined): string | undefined {
  if (storage === undefined) return undefined;
  if (storage.kind === 'identity') {
    throw new ConfigError([
      'AzureWebJobsStorage__* (identity-based storage) is for Azure: locally set AzureWebJobsStorage to a connection string, to UseDevelopmentStorage=true or leave it empty (the runner starts Azurite)',
    ]);
  }
  return DEVELOPMENT_STORAGE.test(storage.connectionString) ? undefined : storage.connectionString;
}

/** Azurite's usual ports, which the local stack keeps (DESIGN: the default stack is on these). */
export const DEFAULT_AZURITE_PORTS = { blob: 10000, queue: 10001, table: 10002 } as const;
export const DEFAULT_FUNCTIONS_PORT = 7071;

/** Plain decimal digits, as the start script checks them: `1e3`, `0x50` or ` 80` are not ports. */
const PortSchema = z
  .string()
  .regex(/^[0-9]{1,5}$/)
  .transform(Number)
  .pipe(z.number().max(65535));

function portFrom(environment: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = environment[name];
  if (value === undefined || value === '') return fallback;
  const parsed = PortSchema.safeParse(value);
  if (!parsed.success) throw new ConfigError([`${name} must be a port number (0-65535), got "${value}"`]);
  return parsed.data;
}

export interface LocalPorts {
  functions: number;
  azurite: { blob: number; queue: number; table: number };
}

/** FUNCTIONS_PORT and AZURITE_{BLOB,QUEUE,TABLE}_PORT, the defaults otherwise; a bad value names its variable. */
export function localPorts(environment: NodeJS.ProcessEnv): LocalPorts {
  return {
    functions: portFrom(environment, 'FUNCTIONS_PORT', DEFAULT_FUNCTIONS_PORT),
    azurite: {
      blob: portFrom(environment, 'AZURITE_BLOB_PORT', DEFAULT_AZURITE_PORTS.blob),
      queue: portFrom(environment, 'AZURITE_QUEUE_PORT', DEFAULT_AZURITE_PORTS.queue),
      table: portFrom(environment, 'AZURITE_TABLE_PORT', DEFAULT_AZURITE_PORTS.table),
    },
  };
}

/**
 * QUEUE_VISIBILITY_SECONDS: how long a queue message being processed stays invisible (1-600, default 60); after a
 * crash the message comes back after that.
 */
export function localQueueVisibility(environment: NodeJS.ProcessEnv): number {
  const value = environment.QUEUE_VISIBILITY_SECONDS;
  if (value === undefined || value === '') return DEFAULT_PROCESSING_VISIBILITY_SECONDS;
  const seconds = /^[0-9]{1,3}$/.test(value) ? Number(value) : Number.NaN;
  if (!(seconds >= 1 && seconds <= 600)) {
    throw new ConfigError([`QUEUE_VISIBILITY_SECONDS must be a number of seconds (1-600), got "${value}"`]);
  }
  return seconds;
}

async function startLocalAzurite(environment: NodeJS.ProcessEnv, ports: LocalPorts['azurite']) {
  const location = environment.AZURITE_LOCATION || join(FUNCTIONS_DIR, '..', '.local', 'azurite');
  try {
    const azurite = await startAzurite({ inMemory: false, location, ports });
    console.log(
      `Azurite: blobs ${azurite.blobPort}, queues ${azurite.queuePort}, tables ${azurite.tablePort} (data in ${location}), pid ${azurite.pid}`,
    );
    return azurite;
  } catch (error) {
    if (error instanceof Error && error.message.includes('EADDRINUSE')) {
      throw new Error(
        `Azurite could not listen on ${ports.blob}, ${ports.queue} and ${ports.table}: one is in use (another Azurite or \`npm start\`?). Stop it, or set AZURITE_BLOB_PORT, AZURITE_QUEUE_PORT and AZURITE_TABLE_PORT.`,
      );
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const environment = localEnvironment(process.env);
  const config = loadConfig(environment);
  const ports = localPorts(environment);
  const processingVisibilitySeconds = localQueueVisibility(environment);
  let azurite: RunningAzurite | undefined;
  let storage = localStorageConnection(config.storage);
  if (storage === undefined) {
    azurite = await startLocalAzurite(environment, ports.azurite);
    storage = azurite.connectionString;
  }
  let host;
  try {
    const services = await servicesFor(config, storage);
    host = await startLocalHost({
      services,
      storageConnection: storage,
      port: ports.functions,
      processingVisibilitySeconds,
      timers: { reconcileTimer: 15 * 60 * 1000, cleanupTimer: 24 * 60 * 60 * 1000 },
    });
  } catch (error) {
    await azurite?.stop();
    throw error;
  }
  console.log(`Functions: ${host.url}/api (health: ${host.url}/api/health)`);
  const running = host;
  let stopping = false;
  // Idempotent: Ctrl-C reaches every process of the terminal's group, and `npm start` forwards it once more.
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void (async () => {
      await running.close();
      await azurite?.stop();
      consoleLogger.info('stopped');
      process.exit(0);
    })();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
