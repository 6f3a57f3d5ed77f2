/**
 * Table Storage requests on the path of an action: every request the backend sends to Table Storage passes a
 * counting proxy in front of Azurite, which also counts sequential rounds (a request sent while no other storage
 * request is in flight starts a new round). The counts are printed as the measurement they are; a no-op action is
 * held to the rounds the design promises: the look-up of the contract, the lease and the settings at once, the
 * stored state read beside the remote reads, the after-writes at once, then the lease's release.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createStateStore, type StateStore } from '../state/store';
import { runSync } from '../sync/syncService';
import { FIXTURE, startStack, type Stack } from '../testing/stack';
import {
  createContract,
  dynamicsSide,
  expectStatus,
  linksOf,
  loadRecords,
  restoreDefaultSettings,
  runAction,
  saveOpportunitySettings,
} from './syncE2eSupport';

const LINES = 150;

interface StorageCount {
  requests: number;
  rounds: number;
  /** `METHOD table` → how many requests; `batch METHOD table` → how many operations inside transactions. */
  byKind: Record<string, number>;
}

/** An operation inside a transaction's body: `PUT http://host/account/table(PartitionKey=…)`. */
const BATCH_OPERATION = /^(PUT|POST|PATCH|MERGE|DELETE) https?:\/\/[^/\s]+\/[^/\s]+\/([A-Za-z0-9]+)/gm;

/** A plain HTTP proxy to Azurite's table endpoint that counts requests and rounds. */
interface CountingProxy {
  url: string;
  reset(): void;
  count(): StorageCount;
  close(): Promise<void>;
}

async function startCountingProxy(target: URL): Promise<CountingProxy> {
  let inFlight = 0;
  let counted: StorageCount = { requests: 0, rounds: 0, byKind: {} };
  const server: Server = createServer((incoming, answer) => {
    if (inFlight === 0) counted.rounds += 1;
    inFlight += 1;
    counted.requests += 1;
    const table = (incoming.url ?? '').split('?')[0]?.split('/')[2]?.replace(/\(.*$/, '') ?? '?';
    const kind = `${incoming.method ?? '?'} ${table}`;
    counted.byKind[kind] = (counted.byKind[kind] ?? 0) + 1;
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        inFlight -= 1;
      }
    };
    const forwarded = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, host: target.host },
      },
      (response) => {
        answer.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(answer);
        response.on('end', finish);
        response.on('error', finish);
      },
    );
    forwarded.on('error', () => {
      finish();
      answer.destroy();
    });
    answer.on('close', finish);
    if ((incoming.url ?? '').includes('$batch')) {
      const body: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => body.push(chunk));
      incoming.on('end', () => {
        for (const [, method, name] of Buffer.concat(body).toString('utf8').matchAll(BATCH_OPERATION)) {
          const operation = `batch ${method ?? '?'} ${name ?? '?'}`;
          counted.byKind[operation] = (counted.byKind[operation] ?? 0) + 1;
        }
      });
    }
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    reset() {
      counted = { requests: 0, rounds: 0, byKind: {} };
    },
    count: () => counted,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

let stack: Stack;
let proxy: CountingProxy;

beforeAll(async () => {
  stack = await startStack();
  const connection = stack.azurite.connectionString;
  const endpoint = /TableEndpoint=(https?:\/\/[^/;]+)/.exec(connection)?.[1];
  if (!endpoint) throw new Error('Azurite connection string has no TableEndpoint');
  proxy = await startCountingProxy(new URL(endpoint));
  // The app's own store object, its tables now reached through the proxy: every handler sees the change.
  Object.assign(stack.services.store, await createStateStore(connection.replace(endpoint, proxy.url)));
}, 60_000);

afterAll(async () => {
  await proxy.close();
  await stack.close();
});

async function measure(label: string, action: () => Promise<unknown>): Promise<StorageCount> {
  proxy.reset();
  await action();
  const counted = proxy.count();
  console.log(
    `${label}: ${counted.requests} Table Storage requests in ${counted.rounds} sequential rounds ${JSON.stringify(
      counted.byKind,
    )}`,
  );
  return counted;
}

test(`storage requests and rounds of push and fetch on a ${LINES}-line contract`, async () => {
  const alex = await stack.token('alex');
  const { records, bulk } = await loadRecords(stack, { standard: 1, bulkLines: LINES });
  const small = records[0];
  if (!bulk || !small) throw new Error('records not loaded');

  let contractId = 0;
  await measure(`create contract (${LINES} lines)`, async () => {
    contractId = (await createContract(stack, alex, bulk.id)).contract.contractId;
  });
  expect(await linksOf(stack, contractId)).toHaveLength(LINES);

  let outcome: string | undefined;
  const noOpPush = await measure(`push, nothing changed (${LINES} lines)`, async () => {
    outcome = (await runAction(stack, alex, contractId, 'push')).outcome;
  });
  expect(outcome).toBe('nothing_to_do');

  const noOpFetch = await measure(`fetch, nothing changed (${LINES} lines)`, async () => {
    outcome = (await runAction(stack, alex, contractId, 'fetch')).outcome;
  });
  expect(outcome).toBe('nothing_to_do');

  await dynamicsSide(stack).updateMany(
    bulk.lineIds.map((id, index) => ({ id, values: { quantity: 20 + (index % 7) } })),
  );
  await measure(`push, every line changed (${LINES} lines)`, async () => {
    outcome = (await runAction(stack, alex, contractId, 'push')).outcome;
  });
  expect(outcome).toBe('applied');

  const smallId = (await createContract(stack, alex, small.id)).contract.contractId;
  const smallNoOp = await measure('push, nothing changed (3 lines)', async () => {
    outcome = (await runAction(stack, alex, smallId, 'push')).outcome;
  });
  expect(outcome).toBe('nothing_to_do');

  // Nothing to write: the contract's look-up, the lease and the tenant's settings at once; the contract row, run
  // row and links read beside the remote reads; the links, entry and contract row written at once; the release.
  for (const counted of [noOpPush, noOpFetch, smallNoOp]) {
    expect(counted.rounds).toBeLessThanOrEqual(4);
  }
  for (const counted of [noOpPush, noOpFetch]) {
    // One insert takes the lease and one delete releases it; the contract row is looked up beside the lease and
    // read once under it, and written without being read again.
    expect(counted.byKind['POST ofsyncLeases']).toBe(1);
    expect(counted.byKind['DELETE ofsyncLeases']).toBe(1);
    expect(counted.byKind['GET ofsyncLeases']).toBeUndefined();
    expect(counted.byKind['GET ofsyncContracts']).toBe(2);
    // Every link row is rewritten (its syncedAt moves with each run); the link index is left alone.
    expect(counted.byKind['batch PUT ofsyncLinks']).toBe(LINES);
    expect(Object.keys(counted.byKind).filter((kind) => kind.includes('LinkIndex'))).toEqual([]);
    expect(counted.requests).toBeLessThanOrEqual(13);
  }
  expect(smallNoOp.requests).toBeLessThanOrEqual(12);

  const activity = await stack.api('GET', `activity?contractId=${contractId}`, { token: alex });
  expectStatus(activity, 200);
}, 120_000);

test('settings read while the lease is taken are read again when the lease had to be waited for', async () => {
  const alex = await stack.token('alex');
  const { records } = await loadRecords(stack, { standard: 3 });
  const record = records[2];
  if (!record) throw new Error('records not loaded');
  const contractId = (await createContract(stack, alex, record.id)).contract.contractId;
  const { store } = stack.services;
  const contract = await store.contracts.getById(FIXTURE.contoso, contractId);
  if (!contract) throw new Error('no contract row');

  // Another run holds the contract; this push waits for it, having read the settings as they are now.
  expect(await store.leases.acquire(FIXTURE.contoso, contractId, 'another-run', 20_000)).toBe(true);
  const settingsRead: Promise<unknown>[] = [];
  const watched: StateStore = {
    ...store,
    settings: {
      ...store.settings,
      get: (...args) => {
        const read = store.settings.get(...args);
        settingsRead.push(read);
        return read;
      },
    },
  };
  try {
    const pushed = runSync(
      {
        tenant: stack.services.tenant(FIXTURE.contoso),
        store: watched,
        clock: () => new Date(),
        lease: { waitMs: 15_000, pollMs: 50 },
      },
      {
        record: contract,
        action: 'push',
        actor: { kind: 'user', id: FIXTURE.users.alex.oid, name: 'Alex' },
        dryRun: false,
      },
    );
    await Promise.all(settingsRead);
    expect(settingsRead).toHaveLength(1);
    // Meanwhile an admin turns product sync off: the push, once it holds the lease, must see that.
    await saveOpportunitySettings(stack, (settings) => ({ ...settings, productsEnabled: false }));
    await store.leases.release(FIXTURE.contoso, contractId, 'another-run');
    const result = await pushed;
    expect(result.outcome).toBe('refused');
    expect(result.plan.operations[0]).toMatchObject({ kind: 'skip', rule: 'OFF' });
    expect(settingsRead).toHaveLength(2);
  } finally {
    await store.leases.release(FIXTURE.contoso, contractId, 'another-run');
    await restoreDefaultSettings(stack);
  }
}, 60_000);

test('links that fail to store beside a stored entry: the run fails, and its one entry says so', async () => {
  const alex = await stack.token('alex');
  const { records } = await loadRecords(stack, { standard: 4 });
  const record = records[3];
  if (!record) throw new Error('records not loaded');
  const contractId = (await createContract(stack, alex, record.id)).contract.contractId;
  const { store } = stack.services;
  const contract = await store.contracts.getById(FIXTURE.contoso, contractId);
  if (!contract) throw new Error('no contract row');
  const linksBefore = await linksOf(stack, contractId);
  const failing: StateStore = {
    ...store,
    links: {
      ...store.links,
      replaceAll: () => Promise.reject(new Error('Table Storage answered 503')),
    },
  };

  // Nothing to do, so no journal: the entry is written beside the links, and lands before their failure counts.
  await expect(
    runSync(
      { tenant: stack.services.tenant(FIXTURE.contoso), store: failing, clock: () => new Date() },
      {
        record: contract,
        action: 'fetch',
        actor: { kind: 'user', id: FIXTURE.users.alex.oid, name: 'Alex' },
        dryRun: false,
      },
    ),
  ).rejects.toThrow('Table Storage answered 503');

  const entries = await store.activity.list(FIXTURE.contoso, { contractId });
  expect(entries.map((entry) => [entry.action, entry.outcome])).toEqual([
    ['fetch', 'failed'],
    ['initial_transfer', 'applied'],
  ]);
  expect(entries[0]?.message).toContain('503');
  expect(await linksOf(stack, contractId)).toEqual(linksBefore);
  // The lease is free again.
  expect(await store.leases.holding(FIXTURE.contoso, contractId)).toBeNull();
}, 60_000);
