import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TableClient } from '@azure/data-tables';
import { QueueServiceClient } from '@azure/storage-queue';
import { acceptsConnections } from '@oneflow-sync/simulators/src/common/listen';
import { startAzurite } from './azurite';
import { isAlive } from './processes';

async function roundTrips(connectionString: string, table: string): Promise<void> {
  const tables = TableClient.fromConnectionString(connectionString, table, { allowInsecureConnection: true });
  await tables.createTable();
  await tables.createEntity({ partitionKey: 'p', rowKey: 'r', value: 'hello' });
  const entity = await tables.getEntity<{ value: string }>('p', 'r');
  expect(entity.value).toBe('hello');

  const queue = QueueServiceClient.fromConnectionString(connectionString).getQueueClient(
    `q${table.toLowerCase()}`,
  );
  await queue.create();
  await queue.sendMessage('ping');
  const received = await queue.receiveMessages();
  expect(received.receivedMessageItems.map((item) => item.messageText)).toEqual(['ping']);
}

test('starts on OS-chosen ports on 127.0.0.1, serves tables and queues, stops by pid', async () => {
  const azurite = await startAzurite();
  try {
    expect(azurite.connectionString).toContain(
      `TableEndpoint=http://127.0.0.1:${azurite.tablePort}/devstoreaccount1`,
    );
    expect(azurite.connectionString).toContain(
      `QueueEndpoint=http://127.0.0.1:${azurite.queuePort}/devstoreaccount1`,
    );
    expect(azurite.connectionString).toContain(
      `BlobEndpoint=http://127.0.0.1:${azurite.blobPort}/devstoreaccount1`,
    );
    expect(new Set([azurite.tablePort, azurite.queuePort, azurite.blobPort]).size).toBe(3);
    await roundTrips(azurite.connectionString, 'roundtrip');
  } finally {
    await azurite.stop();
  }
  expect(await acceptsConnections(azurite.tablePort)).toBe(false);
  expect(await acceptsConnections(azurite.queuePort)).toBe(false);
  expect(isAlive(azurite.pid)).toBe(false);
  await azurite.stop(); // idempotent
});

test('persists to a location when not in memory', async () => {
  const location = mkdtempSync(path.join(tmpdir(), 'azurite-test-'));
  try {
    const first = await startAzurite({ inMemory: false, location });
    try {
      await roundTrips(first.connectionString, 'persisted');
    } finally {
      await first.stop();
    }
    const second = await startAzurite({ location });
    try {
      const tables = TableClient.fromConnectionString(second.connectionString, 'persisted', {
        allowInsecureConnection: true,
      });
      expect((await tables.getEntity<{ value: string }>('p', 'r')).value).toBe('hello');
    } finally {
      await second.stop();
    }
    expect(isAlive(second.pid)).toBe(false);
  } finally {
    rmSync(location, { recursive: true, force: true });
  }
});

test('inMemory false without a location is refused', async () => {
  await expect(startAzurite({ inMemory: false })).rejects.toThrow(/location/);
});

test('a start that does not finish in time fails with the process output and leaves nothing running', async () => {
  await expect(startAzurite({ startTimeoutMs: 1 })).rejects.toThrow(
    /not listening after 1 ms[\s\S]*azurite stderr/,
  );
});
