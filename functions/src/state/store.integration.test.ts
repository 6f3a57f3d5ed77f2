import { randomUUID } from 'node:crypto';
import { defaultSettings, type EntitySettings, type Link } from '@oneflow-sync/shared';
import { startAzurite, type RunningAzurite } from '../testing/azurite';
import {
  CorruptStateError,
  isPreconditionFailedError,
  StateInputError,
  type PreconditionFailedError,
} from './errors';
import { escapeKey } from './keys';
import { createStateStore, tableNames } from './store';
import { queryRows, tableClient } from './tables';
import type { ActivityChange, ActivityEntry, ContractRecord, RunRecord, StateStore } from './types';

let azurite: RunningAzurite;
let prefixCounter = 0;

beforeAll(async () => {
  azurite = await startAzurite();
});

afterAll(async () => {
  await azurite.stop();
});

/** A store on fresh tables: tests never see each other's rows. */
async function freshStore(): Promise<{ store: StateStore; prefix: string }> {
  prefixCounter += 1;
  const prefix = `s${prefixCounter}`;
  return { store: await createStateStore(azurite.connectionString, { tablePrefix: prefix }), prefix };
}

const TENANT_A = '11111111-1111-4111-8111-111111111111';
const TENANT_B = '22222222-2222-4222-8222-222222222222';

function settingsFor(mainEntity = 'opportunity'): EntitySettings {
  const settings = defaultSettings(mainEntity);
  if (settings === null) throw new Error(`no default settings for ${mainEntity}`);
  return settings;
}

async function preconditionOf(promise: Promise<unknown>): Promise<PreconditionFailedError> {
  try {
    await promise;
  } catch (error) {
    if (isPreconditionFailedError(error)) return error;
    throw error;
  }
  throw new Error('expected PreconditionFailedError');
}

const EVERY_ROW = "RowKey ne ''";

function makeLink(contractId: number, index: number, overrides: Partial<Link> = {}): Link {
  return {
    contractId,
    lineId: `${String(index).padStart(8, '0')}-aaaa-4bbb-8ccc-${String(contractId).padStart(12, '0')}`,
    productId: contractId * 1000 + index,
    state: 'active',
    base: {
      name: { dynamics: `Line ${index}`, oneflow: `Line ${index}` },
      quantity: { dynamics: String(index), oneflow: String(index) },
    },
    syncedAt: '2026-11-24T09:00:00.000Z',
    ...overrides,
  };
}

function makeContract(tenantId: string, contractId: number, recordId: string): ContractRecord {
  return {
    tenantId,
    contractId,
    mainEntity: 'opportunity',
    recordId,
    recordName: `Deal ${contractId}`,
    createdAt: '2026-11-24T09:00:00.000Z',
    createdBy: 'user-1',
    lastSyncAt: null,
    lastAction: null,
    lastFetchStartedAt: null,
    deletedInOneflowAt: null,
    oneflowState: null,
  };
}

function makeChanges(count: number, text = ''): ActivityChange[] {
  const fields = [
    'name',
    'description',
    'quantity',
    'price_1.base_amount',
    'price_1.discount_percent',
    'price_2.base_amount',
  ];
  return Array.from({ length: count }, (_, index) => ({
    lineId: `line-${Math.floor(index / fields.length)}`,
    productId: 5000 + Math.floor(index / fields.length),
    dynamicsField: `field_${index % fields.length}`,
    oneflowField: fields[index % fields.length] ?? null,
    side: index % 2 === 0 ? 'oneflow' : 'dynamics',
    old: index % 3 === 0 ? null : `old ${index}${text}`,
    new: index % 5 === 0 ? index : `new ${index} ✓${text}`,
    rule: 'P2',
    ...(index % 7 === 0 ? { note: 'overwrote an edit' } : {}),
  }));
}

function makeEntry(tenantId: string, overrides: Partial<ActivityEntry> = {}): ActivityEntry {
  return {
    id: randomUUID(),
    tenantId,
    contractId: 101,
    mainEntity: 'opportunity',
    recordId: 'rec-1',
    action: 'push',
    outcome: 'applied',
    actor: { kind: 'user', id: 'user-1', name: 'Alex Seller' },
    at: '2026-11-24T09:00:00.000Z',
    message: 'Pushed 2 products',
    summary: {
      productsCreated: 1,
      productsUpdated: 1,
      productsDeleted: 0,
      linesUpdated: 0,
      fieldsWritten: 4,
      conflictsOverwritten: 0,
      held: 0,
      untouchedProducts: 0,
      skipped: 0,
      errors: 0,
    },
    changes: makeChanges(3),
    ...overrides,
  };
}

describe('settings', () => {
  test('etag flow: create, refuse a second create, refuse a stale etag, accept the current one', async () => {
    const { store } = await freshStore();
    expect(await store.settings.get(TENANT_A, 'opportunity')).toBeNull();

    const created = await store.settings.put(TENANT_A, 'opportunity', settingsFor(), null, 'admin-1');
    expect(created.etag).toEqual(expect.any(String));
    expect(created.updatedBy).toBe('admin-1');
    expect(await store.settings.get(TENANT_A, 'opportunity')).toEqual(created);

    expect(
      (await preconditionOf(store.settings.put(TENANT_A, 'opportunity', settingsFor(), null, 'admin-2')))
        .reason,
    ).toBe('exists');

    const changed = { ...settingsFor(), productsEnabled: false };
    const updated = await store.settings.put(TENANT_A, 'opportunity', changed, created.etag, 'admin-2');
    expect(updated.etag).not.toBe(created.etag);
    expect(updated.settings.productsEnabled).toBe(false);

    // The first admin still holds the old etag.
    const stale = await preconditionOf(
      store.settings.put(TENANT_A, 'opportunity', settingsFor(), created.etag, 'admin-1'),
    );
    expect(stale.reason).toBe('changed');

    const read = await store.settings.get(TENANT_A, 'opportunity');
    expect(read).toEqual(updated);
    expect(read?.updatedBy).toBe('admin-2');
  });

  test('listForTenant reads every entity of one tenant, as get reads each', async () => {
    const { store } = await freshStore();
    expect(await store.settings.listForTenant(TENANT_A)).toEqual(new Map());
    const opportunity = await store.settings.put(TENANT_A, 'opportunity', settingsFor(), null, 'admin');
    const quote = await store.settings.put(TENANT_A, 'quote', settingsFor('quote'), null, 'admin');
    await store.settings.put(TENANT_B, 'opportunity', settingsFor(), null, 'admin');
    expect(await store.settings.listForTenant(TENANT_A)).toEqual(
      new Map([
        ['opportunity', opportunity],
        ['quote', quote],
      ]),
    );
    expect([...(await store.settings.listForTenant(TENANT_B)).keys()]).toEqual(['opportunity']);
  });

  test('delete needs the current etag', async () => {
    const { store } = await freshStore();
    const first = await store.settings.put(TENANT_A, 'quote', settingsFor('quote'), null, 'admin');
    const second = await store.settings.put(TENANT_A, 'quote', settingsFor('quote'), first.etag, 'admin');
    expect((await preconditionOf(store.settings.delete(TENANT_A, 'quote', first.etag))).reason).toBe(
      'changed',
    );
    await store.settings.delete(TENANT_A, 'quote', second.etag);
    expect(await store.settings.get(TENANT_A, 'quote')).toBeNull();
    expect((await preconditionOf(store.settings.delete(TENANT_A, 'quote', second.etag))).reason).toBe(
      'missing',
    );
    expect(
      (await preconditionOf(store.settings.put(TENANT_A, 'quote', settingsFor('quote'), second.etag, 'a')))
        .reason,
    ).toBe('missing');
  });

  test('refuses settings of another entity, invalid settings and the * etag', async () => {
    const { store } = await freshStore();
    await expect(
      store.settings.put(TENANT_A, 'quote', settingsFor('opportunity'), null, 'a'),
    ).rejects.toThrow(StateInputError);
    const invalid = { ...settingsFor(), mainEntity: 'Not A Logical Name' };
    await expect(store.settings.put(TENANT_A, 'Not A Logical Name', invalid, null, 'a')).rejects.toThrow(
      StateInputError,
    );
    await expect(store.settings.put(TENANT_A, 'opportunity', settingsFor(), '*', 'a')).rejects.toThrow(
      StateInputError,
    );
  });

  test('a corrupt row is reported, not returned', async () => {
    const { store, prefix } = await freshStore();
    const raw = tableClient(azurite.connectionString, tableNames(prefix).settings);
    await raw.createEntity({
      partitionKey: escapeKey(TENANT_A),
      rowKey: 'opportunity',
      settings: JSON.stringify({ mainEntity: 'opportunity', productsEnabled: 'yes' }),
      settingsPieces: 1,
      updatedAt: '2026-11-24T09:00:00.000Z',
      updatedBy: 'x',
    });
    await expect(store.settings.get(TENANT_A, 'opportunity')).rejects.toThrow(
      /Corrupt row in table s\d+Settings.*productsEnabled/,
    );
  });
});

/** A contract row as a version before `field` existed wrote it, straight into the table. */
async function writeOlderRow(
  prefix: string,
  record: ContractRecord,
  field: keyof ContractRecord,
): Promise<void> {
  const old = Object.fromEntries(Object.entries(record).filter(([name]) => name !== field));
  await tableClient(azurite.connectionString, tableNames(prefix).contracts).createEntity({
    partitionKey: escapeKey(record.tenantId),
    rowKey: `c|${String(record.contractId)}`,
    data: JSON.stringify(old),
    dataPieces: 1,
  });
}

describe('contracts', () => {
  test('found by record and by id; a record moved to a new contract no longer resolves by the old id', async () => {
    const { store } = await freshStore();
    const record = makeContract(TENANT_A, 101, 'rec-1');
    await store.contracts.put(record);
    expect(await store.contracts.getByRecord(TENANT_A, 'opportunity', 'rec-1')).toEqual(record);
    expect(await store.contracts.getById(TENANT_A, 101)).toEqual(record);

    const synced: ContractRecord = { ...record, lastSyncAt: '2026-11-24T10:00:00.000Z', lastAction: 'push' };
    await store.contracts.put(synced);
    expect(await store.contracts.getById(TENANT_A, 101)).toEqual(synced);

    const moved = { ...synced, contractId: 202 };
    await store.contracts.put(moved);
    expect(await store.contracts.getById(TENANT_A, 101)).toBeNull();
    expect(await store.contracts.getById(TENANT_A, 202)).toEqual(moved);
    expect(await store.contracts.getByRecord(TENANT_A, 'opportunity', 'rec-1')).toEqual(moved);

    // The contract id now given to another record: the first record no longer resolves to it.
    const reassigned = makeContract(TENANT_A, 202, 'rec-2');
    await store.contracts.put(reassigned);
    expect(await store.contracts.getByRecord(TENANT_A, 'opportunity', 'rec-1')).toBeNull();
    expect(await store.contracts.getById(TENANT_A, 202)).toEqual(reassigned);

    await store.contracts.put(makeContract(TENANT_A, 303, 'rec/odd#id?'));
    expect((await store.contracts.listAll(TENANT_A)).map((c) => c.contractId).sort()).toEqual([202, 303]);
  });

  test('put given the row read under the lease keeps both lookups, and one of another identity still tidies up', async () => {
    const { store } = await freshStore();
    const record = makeContract(TENANT_A, 101, 'rec-1');
    await store.contracts.put(record);
    const read = await store.contracts.getById(TENANT_A, 101);
    if (!read) throw new Error('not stored');
    const synced: ContractRecord = { ...read, lastSyncAt: '2026-11-24T10:00:00.000Z', lastAction: 'fetch' };
    await store.contracts.put(synced, { previous: read });
    expect(await store.contracts.getById(TENANT_A, 101)).toEqual(synced);
    expect(await store.contracts.getByRecord(TENANT_A, 'opportunity', 'rec-1')).toEqual(synced);

    // A `previous` naming another contract is no proof of anything: the rows are read, the old id let go.
    const moved = { ...synced, contractId: 202 };
    await store.contracts.put(moved, { previous: synced });
    expect(await store.contracts.getById(TENANT_A, 101)).toBeNull();
    expect(await store.contracts.getByRecord(TENANT_A, 'opportunity', 'rec-1')).toEqual(moved);
  });

  test('a claim takes only a contract no record has: one already linked, or linked between the read and the write, is refused and left as it was', async () => {
    const { store } = await freshStore();
    const first = makeContract(TENANT_A, 505, 'rec-5');
    await store.contracts.put(first, { claim: true });
    expect(await store.contracts.getById(TENANT_A, 505)).toEqual(first);

    const second = makeContract(TENANT_A, 505, 'rec-6');
    const refused = await store.contracts.put(second, { claim: true }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(isPreconditionFailedError(refused) && refused.reason).toBe('exists');
    // Linked meanwhile: the row appears after the claim's read (`previous` spares the read), and the insert fails.
    const third = makeContract(TENANT_A, 505, 'rec-7');
    const raced = await store.contracts.put(third, { claim: true, previous: third }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(isPreconditionFailedError(raced) && raced.reason).toBe('exists');
    expect(await store.contracts.getById(TENANT_A, 505)).toEqual(first);
    expect(await store.contracts.getByRecord(TENANT_A, 'opportunity', 'rec-6')).toBeNull();
    expect(await store.contracts.getByRecord(TENANT_A, 'opportunity', 'rec-7')).toBeNull();
  });

  test('a row written before lastFetchStartedAt existed reads with null', async () => {
    const { store, prefix } = await freshStore();
    await writeOlderRow(prefix, makeContract(TENANT_A, 404, 'rec-4'), 'lastFetchStartedAt');
    expect((await store.contracts.getById(TENANT_A, 404))?.lastFetchStartedAt).toBeNull();
  });
});

describe('contracts deleted in Oneflow and unlinked', () => {
  test('a row written before deletedInOneflowAt existed reads with null; a marked contract keeps its mark', async () => {
    const { store, prefix } = await freshStore();
    await writeOlderRow(prefix, makeContract(TENANT_A, 505, 'rec-5'), 'deletedInOneflowAt');
    expect((await store.contracts.getById(TENANT_A, 505))?.deletedInOneflowAt).toBeNull();

    const marked = {
      ...makeContract(TENANT_A, 606, 'rec-6'),
      deletedInOneflowAt: '2026-11-24T10:00:00.000Z',
    };
    await store.contracts.put(marked);
    expect(await store.contracts.getByRecord(TENANT_A, 'opportunity', 'rec-6')).toEqual(marked);
  });

  test('delete forgets the contract by id and by record, and only in its own tenant', async () => {
    const { store } = await freshStore();
    await store.contracts.put(makeContract(TENANT_A, 707, 'rec-7'));
    await store.contracts.put(makeContract(TENANT_B, 707, 'rec-7'));
    expect(await store.contracts.delete(TENANT_A, 707)).toBe(true);
    expect(await store.contracts.getById(TENANT_A, 707)).toBeNull();
    expect(await store.contracts.getByRecord(TENANT_A, 'opportunity', 'rec-7')).toBeNull();
    expect(await store.contracts.delete(TENANT_A, 707)).toBe(false);
    expect(await store.contracts.getById(TENANT_B, 707)).not.toBeNull();
    // The record gets a new contract afterwards.
    await store.contracts.put(makeContract(TENANT_A, 808, 'rec-7'));
    expect((await store.contracts.getByRecord(TENANT_A, 'opportunity', 'rec-7'))?.contractId).toBe(808);
  });

  test('deleting an old contract id leaves the record with its new contract', async () => {
    const { store } = await freshStore();
    await store.contracts.put(makeContract(TENANT_A, 909, 'rec-9'));
    await store.contracts.put(makeContract(TENANT_A, 910, 'rec-9'));
    expect(await store.contracts.delete(TENANT_A, 909)).toBe(false); // moved on already: no row by that id
    expect((await store.contracts.getByRecord(TENANT_A, 'opportunity', 'rec-9'))?.contractId).toBe(910);
  });
});

describe('runs in progress', () => {
  const run = (overrides: Partial<RunRecord> = {}): RunRecord => ({
    runId: randomUUID(),
    tenantId: TENANT_A,
    contractId: 101,
    mainEntity: 'opportunity',
    recordId: 'rec-1',
    action: 'push',
    actor: { kind: 'user', id: 'user-1', name: 'Alex Seller' },
    startedAt: '2026-11-24T09:00:00.000Z',
    holder: 'host/1/holder',
    planned: ['line-1', 'line-2', 'line-3'],
    written: [],
    ...overrides,
  });

  test('start, progress, get, list by record and finish', async () => {
    const { store } = await freshStore();
    const first = run();
    const other = run({ contractId: 202, recordId: 'rec-2' });
    await store.runs.start(first);
    await store.runs.start(other);
    await store.runs.progress(TENANT_A, 101, first.runId, ['line-1']);
    await store.runs.progress(TENANT_A, 101, first.runId, ['line-1', 'line-3']);
    expect(await store.runs.get(TENANT_A, 101)).toEqual({ ...first, written: ['line-1', 'line-3'] });
    expect((await store.runs.listByRecord(TENANT_A, 'rec-1')).map((r) => r.runId)).toEqual([first.runId]);
    expect(await store.runs.listByRecord(TENANT_B, 'rec-1')).toEqual([]);
    expect(await store.runs.get(TENANT_B, 101)).toBeNull();

    await store.runs.finish(TENANT_A, 101, first.runId);
    expect(await store.runs.get(TENANT_A, 101)).toBeNull();
    expect(await store.runs.get(TENANT_A, 202)).not.toBeNull();
  });

  test('progress and finish of another run leave the row alone; progress after finish writes nothing', async () => {
    const { store } = await freshStore();
    const dead = run();
    await store.runs.start(dead);
    const next = run({ holder: 'host/2/holder' });
    await store.runs.start(next); // the next run of the contract replaces the row
    await store.runs.progress(TENANT_A, 101, dead.runId, ['line-1']);
    await store.runs.finish(TENANT_A, 101, dead.runId);
    expect(await store.runs.get(TENANT_A, 101)).toEqual(next);
    await store.runs.finish(TENANT_A, 101, next.runId);
    await store.runs.progress(TENANT_A, 101, next.runId, ['line-2']);
    expect(await store.runs.get(TENANT_A, 101)).toBeNull();
  });

  test('a run whose row another instance replaced or removed writes nothing more to it', async () => {
    const { store, prefix } = await freshStore();
    const other = await createStateStore(azurite.connectionString, { tablePrefix: prefix });
    const dead = run();
    await store.runs.start(dead);
    await store.runs.progress(TENANT_A, 101, dead.runId, ['line-1']);
    // The next holder, on another instance, starts its own run of the contract.
    const next = run({ holder: 'host/2/holder' });
    await other.runs.start(next);
    await store.runs.progress(TENANT_A, 101, dead.runId, ['line-1', 'line-2']);
    await store.runs.finish(TENANT_A, 101, dead.runId);
    expect(await store.runs.get(TENANT_A, 101)).toEqual(next);
    // Settled there as interrupted: a late progress write of the first instance does not bring the row back.
    await other.runs.finish(TENANT_A, 101, next.runId);
    await other.runs.start(dead);
    await other.runs.finish(TENANT_A, 101, dead.runId);
    await store.runs.progress(TENANT_A, 101, dead.runId, ['line-1', 'line-2', 'line-3']);
    expect(await store.runs.get(TENANT_A, 101)).toBeNull();
  });

  test('refuses a run that does not fit its schema', async () => {
    const { store } = await freshStore();
    await expect(store.runs.start(run({ startedAt: 'now' }))).rejects.toThrow(StateInputError);
  });
});

describe('tenant isolation', () => {
  test('a tenant sees none of another tenant’s settings, contracts, links or activity', async () => {
    const { store } = await freshStore();
    // 'x' and 'x|t' would collide in a naive `<tenant>|t` partition key.
    const tenants = [TENANT_A, TENANT_B, 'x', 'x|t'] as const;
    const [a, ...others] = tenants;
    await store.settings.put(a, 'opportunity', settingsFor(), null, 'admin');
    await store.contracts.put(makeContract(a, 101, 'rec-1'));
    await store.links.replaceAll(a, 101, [makeLink(101, 1), makeLink(101, 2)]);
    await store.activity.record(makeEntry(a));

    for (const other of others) {
      expect(await store.settings.get(other, 'opportunity')).toBeNull();
      expect(await store.contracts.getById(other, 101)).toBeNull();
      expect(await store.contracts.getByRecord(other, 'opportunity', 'rec-1')).toBeNull();
      expect(await store.contracts.listAll(other)).toEqual([]);
      expect(await store.links.list(other, 101)).toEqual([]);
      expect(await store.links.get(other, 101, makeLink(101, 1).lineId)).toBeNull();
      expect(await store.links.search(other, {})).toEqual([]);
      expect(await store.links.search(other, { q: makeLink(101, 1).lineId.slice(0, 4) })).toEqual([]);
      expect(await store.links.search(other, { q: String(makeLink(101, 1).productId) })).toEqual([]);
      expect(await store.activity.list(other, {})).toEqual([]);
      expect(await store.activity.list(other, { contractId: 101 })).toEqual([]);
      expect(await store.activity.list(other, { recordId: 'rec-1' })).toEqual([]);
    }
    expect(await store.links.search(a, {})).toHaveLength(2);
    expect(await store.activity.list(a, {})).toHaveLength(1);
    expect((await store.contracts.listAll()).map((c) => c.tenantId)).toEqual([a]);
  });
});

describe('links', () => {
  test('replaceAll with 250 links, then a subset: the rest are removed, changed ones rewritten', async () => {
    const { store } = await freshStore();
    const all = Array.from({ length: 250 }, (_, index) => makeLink(777, index));
    await store.links.replaceAll(TENANT_A, 777, all);
    const listed = await store.links.list(TENANT_A, 777);
    expect(listed).toHaveLength(250);
    expect(new Set(listed.map((l) => l.lineId))).toEqual(new Set(all.map((l) => l.lineId)));
    expect(listed.find((l) => l.lineId === all[42]?.lineId)).toEqual(all[42]);

    const subset = all
      .filter((_, index) => index % 3 === 0)
      .map((link, index) =>
        index === 0 ? { ...link, productId: 999_999, state: 'deleted_in_oneflow' as const } : link,
      );
    await store.links.replaceAll(TENANT_A, 777, subset);
    const after = await store.links.list(TENANT_A, 777);
    expect(after).toHaveLength(subset.length);
    expect(new Set(after.map((l) => l.lineId))).toEqual(new Set(subset.map((l) => l.lineId)));
    expect(await store.links.get(TENANT_A, 777, all[1]?.lineId ?? '')).toBeNull();
    expect(await store.links.get(TENANT_A, 777, all[0]?.lineId ?? '')).toEqual(subset[0]);

    // The index follows: a removed link and an old product id are no longer found.
    expect(await store.links.search(TENANT_A, { q: String(all[1]?.productId) })).toEqual([]);
    expect(await store.links.search(TENANT_A, { q: String(all[0]?.productId) })).toEqual([]);
    expect(await store.links.search(TENANT_A, { q: '999999' })).toEqual([subset[0]]);

    await store.links.replaceAll(TENANT_A, 777, []);
    expect(await store.links.list(TENANT_A, 777)).toEqual([]);
    expect(await store.links.search(TENANT_A, {})).toEqual([]);
  });

  test('replaceAll given the links read writes only changed rows, and the index only for lines that come or go', async () => {
    const { store, prefix } = await freshStore();
    const index = tableClient(azurite.connectionString, tableNames(prefix).linkIndex);
    const linksTable = tableClient(azurite.connectionString, tableNames(prefix).links);
    const stamps = async (table: typeof index) =>
      new Map(
        (await queryRows(table, EVERY_ROW)).map((row) => [
          `${row.partitionKey ?? ''}/${row.rowKey ?? ''}`,
          row.etag,
        ]),
      );
    const all = Array.from({ length: 120 }, (_, n) => makeLink(31, n));
    await store.links.replaceAll(TENANT_A, 31, all);
    const read = await store.links.list(TENANT_A, 31);
    const [indexBefore, rowsBefore] = await Promise.all([stamps(index), stamps(linksTable)]);

    // Same lines and products, one base changed: one row rewritten, the index left as it was.
    const changed = read.map((link, n) =>
      n === 7 ? { ...link, base: { quantity: { dynamics: '77', oneflow: '77' } } } : link,
    );
    await store.links.replaceAll(TENANT_A, 31, changed, read);
    expect(await stamps(index)).toEqual(indexBefore);
    const rowsAfter = await stamps(linksTable);
    const rewritten = [...rowsAfter].filter(([rowKey, stamp]) => rowsBefore.get(rowKey) !== stamp);
    expect(rewritten).toHaveLength(1);
    expect(rewritten[0]?.[0].endsWith(`/${escapeKey(read[7]?.lineId ?? '')}`)).toBe(true);
    expect(await store.links.list(TENANT_A, 31)).toEqual(changed);

    // A line goes, one comes, one product id changes: the index follows.
    const next = [
      ...changed.slice(1).map((link, n) => (n === 0 ? { ...link, productId: 123_456 } : link)),
      makeLink(31, 500),
    ];
    await store.links.replaceAll(TENANT_A, 31, next, changed);
    expect(new Set((await store.links.list(TENANT_A, 31)).map((link) => link.lineId))).toEqual(
      new Set(next.map((link) => link.lineId)),
    );
    expect(await store.links.search(TENANT_A, { q: String(changed[0]?.productId) })).toEqual([]);
    expect(await store.links.search(TENANT_A, { q: String(changed[1]?.productId) })).toEqual([]);
    expect(await store.links.search(TENANT_A, { q: '123456' })).toEqual([next[0]]);
    expect(await store.links.search(TENANT_A, { q: makeLink(31, 500).lineId })).toEqual([makeLink(31, 500)]);
    expect(await queryRows(index, EVERY_ROW)).toHaveLength(2 * next.length);

    // Links read before someone else removed one: the delete misses, the links are read again and it still ends right.
    await store.links.delete(TENANT_A, 31, next[5]?.lineId ?? '');
    await store.links.replaceAll(TENANT_A, 31, next.slice(10), next);
    expect(await store.links.list(TENANT_A, 31)).toEqual(
      next.slice(10).sort((a, b) => a.lineId.localeCompare(b.lineId)),
    );
  });

  test('search by line id (case-insensitive exact or prefix) and by product id (exact)', async () => {
    const { store } = await freshStore();
    const first = [
      makeLink(1, 1, { lineId: 'AB12cd34-0000-4000-8000-000000000001', productId: 501 }),
      makeLink(1, 2, { lineId: 'ab12ff00-0000-4000-8000-000000000002', productId: 502 }),
      makeLink(1, 3, { lineId: 'cd000000-0000-4000-8000-000000000003', productId: 5010 }),
    ];
    const second = [makeLink(2, 1, { lineId: 'ab99/odd#line?', productId: 601 })];
    await store.links.replaceAll(TENANT_A, 1, first);
    await store.links.replaceAll(TENANT_A, 2, second);

    const ids = (links: Link[]) => links.map((l) => l.lineId);
    expect(ids(await store.links.search(TENANT_A, { q: 'ab' }))).toEqual([
      first[0]?.lineId,
      first[1]?.lineId,
      second[0]?.lineId,
    ]);
    expect(ids(await store.links.search(TENANT_A, { q: 'AB12' }))).toEqual([
      first[0]?.lineId,
      first[1]?.lineId,
    ]);
    expect(ids(await store.links.search(TENANT_A, { q: 'ab12CD34-0000-4000-8000-000000000001' }))).toEqual([
      first[0]?.lineId,
    ]);
    expect(ids(await store.links.search(TENANT_A, { q: 'ab99/odd#' }))).toEqual([second[0]?.lineId]);
    expect(ids(await store.links.search(TENANT_A, { q: '501' }))).toEqual([first[0]?.lineId]); // not 5010
    expect(ids(await store.links.search(TENANT_A, { q: '5010' }))).toEqual([first[2]?.lineId]);
    expect(ids(await store.links.search(TENANT_A, { q: '50' }))).toEqual([]);
    expect(ids(await store.links.search(TENANT_A, { contractId: 1, q: 'ab' }))).toEqual([
      first[0]?.lineId,
      first[1]?.lineId,
    ]);
    expect(ids(await store.links.search(TENANT_A, { contractId: 2 }))).toEqual([second[0]?.lineId]);
    expect(await store.links.search(TENANT_A, {})).toHaveLength(4);
    expect(await store.links.search(TENANT_A, { q: 'ab', limit: 2 })).toHaveLength(2);
    expect(await store.links.search(TENANT_A, { q: 'zz' })).toEqual([]);
  });

  test('put, get and delete one link keep the index in step', async () => {
    const { store } = await freshStore();
    const link = makeLink(5, 1, { lineId: 'Line ü/1' });
    await store.links.put(TENANT_A, link);
    expect(await store.links.get(TENANT_A, 5, 'Line ü/1')).toEqual(link);
    await store.links.put(TENANT_A, { ...link, productId: 77 });
    expect(await store.links.search(TENANT_A, { q: String(link.productId) })).toEqual([]);
    expect(await store.links.search(TENANT_A, { q: '77' })).toEqual([{ ...link, productId: 77 }]);
    expect(await store.links.search(TENANT_A, { q: 'line Ü' })).toEqual([{ ...link, productId: 77 }]);
    expect(await store.links.delete(TENANT_A, 5, 'Line ü/1')).toBe(true);
    expect(await store.links.delete(TENANT_A, 5, 'Line ü/1')).toBe(false);
    expect(await store.links.get(TENANT_A, 5, 'Line ü/1')).toBeNull();
    expect(await store.links.search(TENANT_A, { q: '77' })).toEqual([]);
  });

  test('refuses links of another contract, duplicates and invalid links', async () => {
    const { store } = await freshStore();
    await expect(store.links.replaceAll(TENANT_A, 1, [makeLink(2, 1)])).rejects.toThrow(StateInputError);
    await expect(store.links.replaceAll(TENANT_A, 1, [makeLink(1, 1), makeLink(1, 1)])).rejects.toThrow(
      StateInputError,
    );
    await expect(store.links.put(TENANT_A, { ...makeLink(1, 1), syncedAt: 'yesterday' })).rejects.toThrow(
      StateInputError,
    );
  });

  test('a corrupt link row is reported', async () => {
    const { store, prefix } = await freshStore();
    await store.links.replaceAll(TENANT_A, 9, [makeLink(9, 1)]);
    const raw = tableClient(azurite.connectionString, tableNames(prefix).links);
    await raw.updateEntity(
      {
        partitionKey: `${escapeKey(TENANT_A)}|9`,
        rowKey: escapeKey(makeLink(9, 1).lineId),
        base: '{"name":',
        basePieces: 1,
      },
      'Merge',
    );
    await expect(store.links.list(TENANT_A, 9)).rejects.toThrow(CorruptStateError);
    // A corrupt row can still be replaced.
    await store.links.replaceAll(TENANT_A, 9, [makeLink(9, 2)]);
    expect(await store.links.list(TENANT_A, 9)).toEqual([makeLink(9, 2)]);
  });
});

describe('activity', () => {
  test('an entry with 900 field changes round-trips', async () => {
    const { store } = await freshStore();
    const entry = makeEntry(TENANT_A, { changes: makeChanges(900) });
    await store.activity.record(entry);
    expect(await store.activity.list(TENANT_A, { recordId: 'rec-1' })).toEqual([entry]);
    expect(await store.activity.list(TENANT_A, { contractId: 101 })).toEqual([entry]);
    expect(await store.activity.list(TENANT_A, {})).toEqual([entry]);
  });

  test('an entry whose changes need several rows (long texts) round-trips', async () => {
    const { store } = await freshStore();
    const entry = makeEntry(TENANT_A, { changes: makeChanges(900, ' lorem ipsum ü'.repeat(80)) });
    expect(JSON.stringify(entry.changes).length).toBeGreaterThan(8 * 30_000);
    await store.activity.record(entry);
    expect(await store.activity.list(TENANT_A, { recordId: 'rec-1' })).toEqual([entry]);
  });

  test('an entry recorded after something else is listed only once that is done, and not at all if it fails', async () => {
    const { store, prefix } = await freshStore();
    const changeRows = tableClient(azurite.connectionString, tableNames(prefix).activityChanges);
    const big = makeEntry(TENANT_A, { changes: makeChanges(900, ' lorem ipsum'.repeat(10)) });
    let done: () => void = () => undefined;
    const before = new Promise<void>((resolve) => {
      done = resolve;
    });
    const recorded = store.activity.record(big, { listedAfter: before });
    // Its change rows are written meanwhile; the entry itself is not listed yet.
    while ((await queryRows(changeRows, EVERY_ROW)).length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await store.activity.list(TENANT_A, {})).toEqual([]);
    done();
    await recorded;
    expect(await store.activity.list(TENANT_A, {})).toEqual([big]);

    const refused = makeEntry(TENANT_A, { changes: makeChanges(900), recordId: 'rec-9' });
    const notWritten = Promise.reject(new Error('row not written'));
    notWritten.catch(() => undefined); // awaited by record, after its change rows
    await expect(store.activity.record(refused, { listedAfter: notWritten })).rejects.toThrow(
      'row not written',
    );
    expect(await store.activity.list(TENANT_A, { recordId: 'rec-9' })).toEqual([]);
  });

  test('lists newest first, filtered by record or contract, limited', async () => {
    const { store } = await freshStore();
    const t = (hour: number) => `2026-11-24T${String(hour).padStart(2, '0')}:00:00.000Z`;
    const entries = [
      makeEntry(TENANT_A, { at: t(9), recordId: 'rec-1', contractId: 101 }),
      makeEntry(TENANT_A, { at: t(12), recordId: 'rec-2', contractId: 202 }),
      makeEntry(TENANT_A, { at: t(10), recordId: 'rec-1', contractId: 101, action: 'fetch' }),
      makeEntry(TENANT_A, {
        at: t(11),
        recordId: 'rec-1',
        contractId: 101,
        action: 'webhook',
        summary: null,
        changes: [],
      }),
    ];
    for (const entry of entries) await store.activity.record(entry);
    const hours = (list: ActivityEntry[]) => list.map((e) => e.at.slice(11, 13));
    expect(hours(await store.activity.list(TENANT_A, {}))).toEqual(['12', '11', '10', '09']);
    expect(hours(await store.activity.list(TENANT_A, { recordId: 'rec-1' }))).toEqual(['11', '10', '09']);
    expect(hours(await store.activity.list(TENANT_A, { recordId: 'rec-1', limit: 2 }))).toEqual(['11', '10']);
    expect(hours(await store.activity.list(TENANT_A, { contractId: 202 }))).toEqual(['12']);
    expect(hours(await store.activity.list(TENANT_A, { recordId: 'rec-1', contractId: 202 }))).toEqual([]);
    expect(await store.activity.list(TENANT_A, { recordId: 'rec-1', limit: 1 })).toEqual([entries[3]]);
  });

  test('deleteOlderThan removes older entries of every tenant, with their change rows', async () => {
    const { store, prefix } = await freshStore();
    const old = makeEntry(TENANT_A, { at: '2026-01-01T00:00:00.000Z', changes: makeChanges(900) });
    const oldOther = makeEntry(TENANT_B, { at: '2026-01-02T00:00:00.000Z' });
    const recent = makeEntry(TENANT_A, { at: '2026-11-24T09:00:00.000Z' });
    for (const entry of [old, oldOther, recent]) await store.activity.record(entry);

    const changeRows = tableClient(azurite.connectionString, tableNames(prefix).activityChanges);
    const allRows = () => queryRows(changeRows, "PartitionKey ne ''");
    expect((await allRows()).length).toBeGreaterThan(0);

    expect(await store.activity.deleteOlderThan(new Date('2026-06-01T00:00:00.000Z'))).toBe(2);
    expect(await store.activity.list(TENANT_A, {})).toEqual([recent]);
    expect(await store.activity.list(TENANT_B, {})).toEqual([]);
    expect(await allRows()).toEqual([]);
    expect(await store.activity.deleteOlderThan(new Date('2026-06-01T00:00:00.000Z'))).toBe(0);
  });

  test('get reads one entry; recording the same id and time again replaces it in every listing', async () => {
    const { store } = await freshStore();
    const running = makeEntry(TENANT_A, { outcome: 'running', changes: makeChanges(900) });
    await store.activity.record(running);
    expect(await store.activity.get(TENANT_A, 101, running.at, running.id)).toEqual(running);
    const final = { ...running, outcome: 'applied' as const, message: 'done', changes: makeChanges(2) };
    await store.activity.record(final);
    expect(await store.activity.get(TENANT_A, 101, running.at, running.id)).toEqual(final);
    expect(await store.activity.list(TENANT_A, { recordId: 'rec-1' })).toEqual([final]);
    expect(await store.activity.list(TENANT_A, {})).toEqual([final]);
    expect(await store.activity.get(TENANT_A, 202, running.at, running.id)).toBeNull();
    expect(await store.activity.get(TENANT_B, 101, running.at, running.id)).toBeNull();
  });

  test('refuses an invalid entry', async () => {
    const { store } = await freshStore();
    await expect(store.activity.record(makeEntry(TENANT_A, { at: 'today' }))).rejects.toThrow(
      StateInputError,
    );
  });
});
