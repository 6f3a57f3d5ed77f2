import { startAzurite, type RunningAzurite } from '../testing/azurite';
import { createStateStore } from './store';
import type { StateStore } from './types';

/**
 * The pending-fetch row against Azurite: every write is conditional on the row as read, so of many messages
 * asking at once exactly one asks (and schedules the follow-up), and a fetch beginning clears what was asked
 * before it, never what was asked after.
 */

const TENANT = '22222222-2222-4222-8222-222222222222';
let azurite: RunningAzurite;
let store: StateStore;
let contract = 500;

beforeAll(async () => {
  azurite = await startAzurite();
  store = await createStateStore(azurite.connectionString, { tablePrefix: 'pf' });
});

afterAll(async () => {
  await azurite.stop();
});

test('twenty messages asking at once, each from its own read: exactly one asks, the others see its pending fetch', async () => {
  const contractId = ++contract;
  const read = await store.pendingFetches.read(TENANT, contractId);
  expect(read).toEqual({ etag: null, fetchBegunAt: null, pending: null });
  const since = new Date().toISOString();
  const asked = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      store.pendingFetches.want(TENANT, contractId, read, { since, owner: `message-${String(i)}` }),
    ),
  );
  expect(asked.filter(Boolean)).toHaveLength(1);
  const winner = asked.indexOf(true);
  expect((await store.pendingFetches.read(TENANT, contractId)).pending).toEqual({
    since,
    owner: `message-${String(winner)}`,
  });
});

test('a fetch beginning clears the pending fetch it read; one asked for after that read makes it read again', async () => {
  const contractId = ++contract;
  const empty = await store.pendingFetches.read(TENANT, contractId);
  expect(await store.pendingFetches.want(TENANT, contractId, empty, { since: 'a', owner: 'first' })).toBe(
    true,
  );
  const withFirst = await store.pendingFetches.read(TENANT, contractId);

  // A fetch that read the row before `first` asked cannot begin on that read.
  expect(await store.pendingFetches.beginFetch(TENANT, contractId, empty, '2026-01-01T00:00:00.000Z')).toBe(
    false,
  );
  // On the row as it is now, it begins, and the pending fetch it covers is gone.
  expect(
    await store.pendingFetches.beginFetch(TENANT, contractId, withFirst, '2026-01-01T00:00:01.000Z'),
  ).toBe(true);
  const begun = await store.pendingFetches.read(TENANT, contractId);
  expect({ fetchBegunAt: begun.fetchBegunAt, pending: begun.pending }).toEqual({
    fetchBegunAt: '2026-01-01T00:00:01.000Z',
    pending: null,
  });
  // A message that decided on the row before the fetch began must read again: it may be covered now.
  expect(await store.pendingFetches.want(TENANT, contractId, withFirst, { since: 'b', owner: 'late' })).toBe(
    false,
  );
  expect(await store.pendingFetches.want(TENANT, contractId, begun, { since: 'b', owner: 'late' })).toBe(
    true,
  );
  expect((await store.pendingFetches.read(TENANT, contractId)).fetchBegunAt).toBe('2026-01-01T00:00:01.000Z');
});

test('drop clears the pending fetch only for its owner (or for anyone when no owner is named)', async () => {
  const contractId = ++contract;
  const empty = await store.pendingFetches.read(TENANT, contractId);
  expect(await store.pendingFetches.want(TENANT, contractId, empty, { since: 'a', owner: 'mine' })).toBe(
    true,
  );
  await store.pendingFetches.drop(TENANT, contractId, 'someone-else');
  expect((await store.pendingFetches.read(TENANT, contractId)).pending?.owner).toBe('mine');
  await store.pendingFetches.drop(TENANT, contractId, 'mine');
  expect((await store.pendingFetches.read(TENANT, contractId)).pending).toBeNull();
  const again = await store.pendingFetches.read(TENANT, contractId);
  expect(await store.pendingFetches.want(TENANT, contractId, again, { since: 'b', owner: 'other' })).toBe(
    true,
  );
  await store.pendingFetches.drop(TENANT, contractId, null);
  expect((await store.pendingFetches.read(TENANT, contractId)).pending).toBeNull();
});
