import { loadConfig, type AppConfig } from './config/config';
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

let cached: Promise<Services> | undefined;

/** The process's services, from the app settings; built once, on first use. */
export function servicesFromEnvironment(): Promise<Services> {
  // A failed start is not kept: the next invocation reads the (perhaps corrected) settings again.
  cached ??= (async () => {
    const config = loadConfig(process.env);
    if (!config.storageConnection) {
      throw new Error(
        'AzureWebJobsStorage is required in Azure (the local runner starts Azurite without it)',
      );
    }
    return servicesFor(config, config.storageConnection);
  })().catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}
