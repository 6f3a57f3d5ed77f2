// `npm run host`: the Function app on http://127.0.0.1:7071/api without the Functions host. Settings come from
// the environment, then functions/local.settings.json (as `func start` reads it), else the example file, which
// points at the simulators of `npm run sim`. Without AzureWebJobsStorage it starts Azurite itself.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { servicesFor } from '../bootstrap';
import { ConfigError, loadConfig } from '../config/config';
import { startAzurite, type RunningAzurite } from '../testing/azurite';
import { consoleLogger, startLocalHost } from './localHost';

const FUNCTIONS_DIR = join(__dirname, '..', '..');

/** local.settings.json's `Values`, under whatever the environment already sets. */
export function localEnvironment(environment: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const file = ['local.settings.json', 'local.settings.json.example']
    .map((name) => join(FUNCTIONS_DIR, name))
    .find((path) => existsSync(path));
  const values = file
    ? ((JSON.parse(readFileSync(file, 'utf8')) as { Values?: Record<string, string> }).Values ?? {})
    : {};
  const merged: NodeJS.ProcessEnv = { ...values, ...environment };
  const caFile = merged.ENTRA_CA_CERTIFICATE_FILE;
  if (!merged.ENTRA_CA_CERTIFICATE_PEM && caFile) {
    if (!existsSync(caFile)) {
      throw new ConfigError([
        `ENTRA_CA_CERTIFICATE_FILE ${caFile} does not exist (is \`npm run sim\` running?)`,
      ]);
    }
    merged.ENTRA_CA_CERTIFICATE_PEM = readFileSync(caFile, 'utf8');
  }
  return merged;
}

async function main(): Promise<void> {
  const environment = localEnvironment(process.env);
  const config = loadConfig(environment);
  let azurite: RunningAzurite | undefined;
  let storage = config.storageConnection;
  if (!storage) {
    azurite = await startAzurite({
      inMemory: false,
      location: join(FUNCTIONS_DIR, '..', '.local', 'azurite'),
    });
    storage = azurite.connectionString;
    console.log(
      `Azurite (tables ${azurite.tablePort}, queues ${azurite.queuePort}) started, pid ${azurite.pid}`,
    );
  }
  const services = await servicesFor(config, storage);
  const host = await startLocalHost({
    services,
    storageConnection: storage,
    port: Number(environment.FUNCTIONS_PORT ?? 7071),
    timers: { reconcileTimer: 15 * 60 * 1000, cleanupTimer: 24 * 60 * 60 * 1000 },
  });
  console.log(`Functions: ${host.url}/api (health: ${host.url}/api/health)`);
  const stop = (): void => {
    void (async () => {
      await host.close();
      await azurite?.stop();
      consoleLogger.info('stopped');
      process.exit(0);
    })();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
