import { startAzurite, type RunningAzurite } from '../testing/azurite';
import { LeaseBusyError } from './errors';
import { escapeKey } from './keys';
import { LEASE_TTL_MS, withContractLease } from './lease';
import { createStateStore, tableNames } from './store';
import { getRow, tableClient } from './tables';
import type { LeaseStore, StateStore } from './types';

let azurite: RunningAzurite;
let prefixCounter = 0;

beforeAll(async () => {
  azurite = await startAzurite();
});

afterAll(async () => {
  await azurite.stop();
});

async function freshStore(): Promise<{ store: StateStore; prefix: string }> {
  prefixCounter += 1;
  const prefix = `l${prefixCounter}`;
  return { store: await createStateStore(azurite.connectionString, { tablePrefix: prefix }), prefix };
}

const TENANT = '11111111-1111-4111-8111-111111111111';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('callbacks', () => {
  test('markSeen is true the first time and false after, per org key; the same claim is let through again', async () => {
    const { store } = await freshStore();
    expect(await store.callbacks.markSeen('org-1', 'cb/1#x', 101)).toBe(true);
    expect(await store.callbacks.markSeen('org-1', 'cb/1#x', 101)).toBe(false);
    expect(await store.callbacks.markSeen('org-2', 'cb/1#x', 101)).toBe(true); // another org key
    expect(await store.callbacks.markSeen('org-3', 'cb/2', 101, 'message-a')).toBe(true);
    expect(await store.callbacks.markSeen('org-3', 'cb/2', 101, 'message-a')).toBe(true); // its own retry
    expect(await store.callbacks.markSeen('org-3', 'cb/2', 101, 'message-b')).toBe(false); // another copy
  });

  test('ten concurrent markSeen of one callback id: exactly one wins', async () => {
    const { store } = await freshStore();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => store.callbacks.markSeen('org-1', 'cb-9', 9)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  test('deleteOlderThan removes the callbacks seen before the cutoff', async () => {
    const { store } = await freshStore();
    await store.callbacks.markSeen('org-1', 'old-1', 1);
    await store.callbacks.markSeen('org-2', 'old-2', 2);
    await sleep(20);
    const cutoff = new Date();
    await sleep(20);
    await store.callbacks.markSeen('org-1', 'new-1', 1);
    expect(await store.callbacks.deleteOlderThan(cutoff)).toBe(2);
    expect(await store.callbacks.markSeen('org-1', 'old-1', 1)).toBe(true);
    expect(await store.callbacks.markSeen('org-1', 'new-1', 1)).toBe(false);
  });
});

describe('leases', () => {
  test('a second holder is refused while held, and takes over after expiry', async () => {
    const { store } = await freshStore();
    expect(await store.leases.acquire(TENANT, 101, 'a', 300)).toBe(true);
    expect(await store.leases.acquire(TENANT, 101, 'b', 300)).toBe(false);
    expect(await store.leases.acquire(TENANT, 102, 'b', 300)).toBe(true); // another contract
    expect(await store.leases.acquire('other-tenant', 101, 'b', 300)).toBe(true); // another tenant
    await sleep(350);
    expect(await store.leases.acquire(TENANT, 101, 'b', 10_000)).toBe(true);
    expect(await store.leases.acquire(TENANT, 101, 'a', 10_000)).toBe(false);
  });

  test('re-entrant for the same holder: acquiring again extends the lease', async () => {
    const { store } = await freshStore();
    expect(await store.leases.acquire(TENANT, 101, 'a', 300)).toBe(true);
    await sleep(200);
    expect(await store.leases.acquire(TENANT, 101, 'a', 300)).toBe(true);
    await sleep(200); // 400 ms after the first acquire: only held thanks to the extension
    expect(await store.leases.acquire(TENANT, 101, 'b', 300)).toBe(false);
  });

  test('release by a non-holder is ignored; release by the holder frees it', async () => {
    const { store } = await freshStore();
    expect(await store.leases.acquire(TENANT, 101, 'a', 10_000)).toBe(true);
    await store.leases.release(TENANT, 101, 'b');
    expect(await store.leases.acquire(TENANT, 101, 'b', 10_000)).toBe(false);
    await store.leases.release(TENANT, 101, 'a');
    expect(await store.leases.acquire(TENANT, 101, 'b', 10_000)).toBe(true);
    await store.leases.release(TENANT, 999, 'a'); // nothing there: no error
  });

  test('a holder whose expired lease another instance took neither renews nor releases it', async () => {
    const { store, prefix } = await freshStore();
    const other = await createStateStore(azurite.connectionString, { tablePrefix: prefix });
    expect(await store.leases.acquire(TENANT, 101, 'a', 200)).toBe(true);
    await sleep(250);
    expect(await other.leases.acquire(TENANT, 101, 'b', 10_000)).toBe(true);
    // The first instance still remembers the row as it wrote it: its release must not delete b's lease.
    await store.leases.release(TENANT, 101, 'a');
    expect(await store.leases.holding(TENANT, 101)).toMatchObject({ holder: 'b' });
    expect(await store.leases.acquire(TENANT, 101, 'a', 10_000)).toBe(false);
    // The holder's own instance releases with the etag it wrote; another instance's holder reads first.
    await store.leases.release(TENANT, 101, 'b');
    expect(await store.leases.holding(TENANT, 101)).toBeNull();
    expect(await other.leases.acquire(TENANT, 101, 'b', 10_000)).toBe(true);
    await other.leases.release(TENANT, 101, 'b');
    expect(await other.leases.holding(TENANT, 101)).toBeNull();
  });

  test('re-taking a lease released by another instance of the same holder starts afresh', async () => {
    const { store, prefix } = await freshStore();
    const other = await createStateStore(azurite.connectionString, { tablePrefix: prefix });
    expect(await store.leases.acquire(TENANT, 101, 'a', 10_000)).toBe(true);
    await other.leases.release(TENANT, 101, 'a');
    // The etag this instance wrote names a row that is gone: a renewal creates it again.
    expect(await store.leases.acquire(TENANT, 101, 'a', 10_000)).toBe(true);
    expect(await other.leases.acquire(TENANT, 101, 'b', 10_000)).toBe(false);
  });

  test('concurrent acquires of a free lease: exactly one wins', async () => {
    const { store } = await freshStore();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, index) => store.leases.acquire(TENANT, 101, `holder-${index}`, 10_000)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});

describe('lease timing: a dead holder frees the contract in seconds, a busy answer comes at once', () => {
  test('holding names the holder and its expiry; null when free', async () => {
    const { store } = await freshStore();
    expect(await store.leases.holding(TENANT, 101)).toBeNull();
    const before = Date.now();
    expect(await store.leases.acquire(TENANT, 101, 'a', 10_000)).toBe(true);
    const holding = await store.leases.holding(TENANT, 101);
    expect(holding?.holder).toBe('a');
    const left = Date.parse(holding?.expiresAt ?? '') - before;
    expect(left).toBeGreaterThanOrEqual(9_000);
    expect(left).toBeLessThanOrEqual(11_000);
    await store.leases.release(TENANT, 101, 'a');
    expect(await store.leases.holding(TENANT, 101)).toBeNull();
  });

  test(`by default a lease lives ${LEASE_TTL_MS} ms (seconds, not minutes) and is renewed while the run goes on`, async () => {
    const { store } = await freshStore();
    expect(LEASE_TTL_MS).toBeLessThanOrEqual(15_000);
    const expiries = await withContractLease(store.leases, TENANT, 101, async () => {
      const first = await store.leases.holding(TENANT, 101);
      // A renewal is due after a third of the lease; the margin is for a loaded machine.
      await sleep(LEASE_TTL_MS / 3 + 3_000);
      const renewed = await store.leases.holding(TENANT, 101);
      return [first?.expiresAt ?? '', renewed?.expiresAt ?? ''].map((at) => Date.parse(at));
    });
    const [first = 0, renewed = 0] = expiries;
    expect(first - Date.now()).toBeLessThanOrEqual(LEASE_TTL_MS);
    expect(renewed).toBeGreaterThan(first);
  }, 20_000);

  test('by default a busy lease is refused at once, with the holder’s time left', async () => {
    const { store } = await freshStore();
    expect(await store.leases.acquire(TENANT, 101, 'crashed-run', 12_000)).toBe(true);
    const started = Date.now();
    const error: unknown = await withContractLease(store.leases, TENANT, 101, async () => 'ran').catch(
      (caught: unknown) => caught,
    );
    // At once: the old behaviour waited 30 s. The margins are for a loaded machine, not for speed.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error).toBeInstanceOf(LeaseBusyError);
    const { retryAfterMs } = error as LeaseBusyError;
    expect(retryAfterMs).toBeGreaterThan(12_000 - (Date.now() - started) - 1_000);
    expect(retryAfterMs).toBeLessThanOrEqual(12_000);
    expect((error as Error).message).toContain(`${String(Math.ceil(retryAfterMs / 1000))} s`);
  });
});

describe('withContractLease', () => {
  test('serialises concurrent runs on one contract', async () => {
    const { store } = await freshStore();
    const events: string[] = [];
    const run = (name: string) =>
      withContractLease(
        store.leases,
        TENANT,
        101,
        async () => {
          events.push(`${name}:start`);
          await sleep(150);
          events.push(`${name}:end`);
          return name;
        },
        { pollMs: 20, waitMs: 5000 },
      );
    const results = await Promise.all([run('one'), run('two'), run('three')]);
    expect(results).toEqual(['one', 'two', 'three']);
    expect(events).toHaveLength(6);
    for (let i = 0; i < events.length; i += 2) {
      const name = events[i]?.split(':')[0] ?? '';
      expect([events[i], events[i + 1]]).toEqual([`${name}:start`, `${name}:end`]);
    }
  });

  test('LeaseBusyError after waitMs while another holder keeps it', async () => {
    const { store } = await freshStore();
    expect(await store.leases.acquire(TENANT, 101, 'someone-else', 10_000)).toBe(true);
    const started = Date.now();
    let ran = false;
    const attempt = withContractLease(
      store.leases,
      TENANT,
      101,
      async () => {
        ran = true;
      },
      { waitMs: 300, pollMs: 50 },
    );
    await expect(attempt).rejects.toThrow(LeaseBusyError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(ran).toBe(false);
  });

  test('renews while a long run holds it, releases after, and stops renewing', async () => {
    const { store, prefix } = await freshStore();
    const leaseRow = () =>
      getRow(tableClient(azurite.connectionString, tableNames(prefix).leases), escapeKey(TENANT), '101');
    let signalAborted = true;
    const run = withContractLease(
      store.leases,
      TENANT,
      101,
      async ({ signal }) => {
        // Three ttls long: without renewal a contender would take it over.
        await sleep(900);
        expect(await store.leases.acquire(TENANT, 101, 'contender', 600)).toBe(false);
        await sleep(900);
        expect(await store.leases.acquire(TENANT, 101, 'contender', 600)).toBe(false);
        signalAborted = signal.aborted;
      },
      { ttlMs: 600 },
    );
    await run;
    expect(signalAborted).toBe(false);
    expect(await leaseRow()).toBeNull();
    await sleep(450); // renewals would have re-created the row by now
    expect(await leaseRow()).toBeNull();
  });

  test('releases when fn throws, and passes the error on', async () => {
    const { store } = await freshStore();
    await expect(
      withContractLease(store.leases, TENANT, 101, () => Promise.reject(new Error('boom')), { pollMs: 10 }),
    ).rejects.toThrow('boom');
    expect(await store.leases.acquire(TENANT, 101, 'next', 10_000)).toBe(true);
  });

  test('the signal aborts when the lease is taken over', async () => {
    const { store, prefix } = await freshStore();
    const leases = tableClient(azurite.connectionString, tableNames(prefix).leases);
    const aborted = await withContractLease(
      store.leases,
      TENANT,
      101,
      async ({ signal }) => {
        // Someone forcibly takes the lease (as if ours had expired while this instance stalled).
        await leases.updateEntity(
          {
            partitionKey: TENANT,
            rowKey: '101',
            holder: 'thief',
            expiresAt: new Date(Date.now() + 60_000).toISOString(),
          },
          'Merge',
        );
        await sleep(250);
        return signal.aborted;
      },
      { ttlMs: 300 },
    );
    expect(aborted).toBe(true);
    expect(await store.leases.acquire(TENANT, 101, 'someone', 10_000)).toBe(false); // still the thief's
  });

  test('the signal aborts when no renewal lands before the lease runs out, even if one lands later', async () => {
    const { store } = await freshStore();
    let calls = 0;
    // Takes the lease at once; every renewal then takes longer than the lease lives.
    const slow: LeaseStore = {
      ...store.leases,
      async acquire(...args) {
        calls += 1;
        if (calls > 1) await sleep(400);
        return store.leases.acquire(...args);
      },
    };
    const reason = await withContractLease(
      slow,
      TENANT,
      101,
      async ({ signal }) => {
        await sleep(600);
        return signal.aborted ? String(signal.reason) : 'still held';
      },
      { ttlMs: 300 },
    );
    expect(reason).toMatch(/ran out before it was renewed/);
  });
});
