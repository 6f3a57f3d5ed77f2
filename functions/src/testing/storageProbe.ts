// Runs the app's start-up against whatever storage the environment names, writes and reads a table row through the
// state store and enqueues a webhook message, then prints what it saw as one JSON line. Started as its own process
// by the identity-storage tests so that Node trusts Azurite's and the identity provider's certificates the standard
// way (NODE_EXTRA_CA_CERTS): the storage SDKs take no CA, and the app's code stays as it runs in Azure.
import { configFromEnvironment, servicesFor, storageConnections } from '../bootstrap';
import { createQueueClient, type ContractChangedMessage } from '../services';

async function main(): Promise<void> {
  const config = configFromEnvironment();
  const services = await servicesFor(config, config.storage);
  const callbackId = `probe-${Date.now()}`;
  const firstSeen = await services.store.callbacks.markSeen('contoso', callbackId, 4711);
  const secondSeen = await services.store.callbacks.markSeen('contoso', callbackId, 4711);
  const message: ContractChangedMessage = {
    tenantId: config.tenants[0]?.tenantId ?? '',
    contractId: 4711,
    source: { kind: 'reconcile' },
    receivedAt: new Date().toISOString(),
  };
  await services.enqueue(message);
  const queue = createQueueClient(
    storageConnections(config.storage, config.auth.authorityCaPem).queue,
    config.webhookQueue,
  );
  const peeked = await queue.peekMessages({ numberOfMessages: 32 });
  const messages: unknown[] = peeked.peekedMessageItems.map(
    (item) => JSON.parse(Buffer.from(item.messageText, 'base64').toString('utf8')) as unknown,
  );
  const forgotten = await services.store.callbacks.deleteOlderThan(new Date(Date.now() + 60_000));
  process.stdout.write(`${JSON.stringify({ firstSeen, secondSeen, messages, forgotten })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
