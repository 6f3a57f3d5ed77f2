import { ConfigError, loadConfig, type AppConfig } from './config/config';
import { createQueueClient, createServices, type ServiceOverrides, type Services } from './services';
import { createStateStore } from './state/store';

/** Builds the services from a checked configuration: tables and the queue are created if missing. */
export async function servicesFor(
  config: AppConfig,
  storageConnection: string,
  overrides: ServiceOverrides = {},
): Promise<Services> {
  const store = await createStateStore(storageConnection);
  const queue = createQueueClient(storageConnection, config.webhookQueue);
  await queue.createIfNotExists();
  return createServices(config, store, queue, overrides);
}

/**
 * The app settings, checked: every missing or malformed one is named (never its value). The Functions entry runs
 * this when the app starts, so a bad setting stops the start instead of failing each request later.
 */
export function configFromEnvironment(): AppConfig & { storageConnection: string } {
  const config = loadConfig(process.env);
  const { storageConnection } = config;
  if (!storageConnection) {
    throw new ConfigError([
      'AzureWebJobsStorage is required in Azure (the local runner starts Azurite without it)',
    ]);
  }
  return { ...config, storageConnection };
}

let cached: Promise<Services> | undefined;

/** The process's services, from the app settings; built once, on first use. */
export function servicesFromEnvironment(): Promise<Services> {
  // A failed start is not kept: the next invocation reads the (perhaps corrected) settings again.
  cached ??= (async () => {
    const config = configFromEnvironment();
    return servicesFor(config, config.storageConnection);
  })().catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}
