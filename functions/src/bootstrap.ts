import { managedIdentityCredential } from './auth/managedIdentity';
import { ConfigError, loadConfig, type AppConfig } from './config/config';
import type { StorageConfig } from './config/storage';
import {
  createQueueClient,
  createServices,
  type QueueConnection,
  type ServiceOverrides,
  type Services,
} from './services';
import { createStateStore } from './state/store';
import type { TableConnection } from './state/tables';

/**
 * The tables' and the queue's connections: the connection string, or the service URLs with the managed identity.
 * The CA of a local identity provider is trusted for the identity endpoint too (the simulator serves both).
 */
export function storageConnections(
  storage: StorageConfig | string,
  caCertificatePem: string | undefined,
): { tables: TableConnection; queue: QueueConnection } {
  if (typeof storage === 'string') return { tables: storage, queue: storage };
  if (storage.kind === 'connectionString') {
    return { tables: storage.connectionString, queue: storage.connectionString };
  }
  const credential = managedIdentityCredential({ clientId: storage.clientId, caCertificatePem });
  return {
    tables: { url: storage.tableUrl, credential },
    queue: { url: storage.queueUrl, credential },
  };
}

/**
 * Builds the services from a checked configuration: tables and the queue are created if missing. `storage` is
 * the configured storage, or a connection string (the local runner's own Azurite).
 */
export async function servicesFor(
  config: AppConfig,
  storage: StorageConfig | string,
  overrides: ServiceOverrides = {},
): Promise<Services> {
  const connections = storageConnections(storage, config.auth.authorityCaPem);
  const store = await createStateStore(connections.tables);
  const queue = createQueueClient(connections.queue, config.webhookQueue);
  await queue.createIfNotExists();
  return createServices(config, store, queue, overrides);
}

/**
 * The app settings, checked: every missing or malformed one is named (never its value). The Functions entry runs
 * this when the app starts, so a bad setting stops the start instead of failing each request later.
 */
export function configFromEnvironment(): AppConfig & { storage: StorageConfig } {
  const config = loadConfig(process.env);
  const { storage } = config;
  if (!storage) {
    throw new ConfigError([
      'AzureWebJobsStorage is required in Azure: a connection string, or instead AzureWebJobsStorage__accountName to reach the account with the managed identity (the local runner starts Azurite without either)',
    ]);
  }
  return { ...config, storage };
}

let cached: Promise<Services> | undefined;

/** The process's services, from the app settings; built once, on first use. */
export function servicesFromEnvironment(): Promise<Services> {
  // A failed start is not kept: the next invocation reads the (perhaps corrected) settings again.
  cached ??= (async () => {
    const config = configFromEnvironment();
    return servicesFor(config, config.storage);
  })().catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}
