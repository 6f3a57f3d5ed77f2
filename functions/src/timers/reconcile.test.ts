import type { Link } from '@oneflow-sync/shared';
import fc from 'fast-check';
import type { OneflowContract } from '../oneflow/oneflowClient';
import {
  changedSince,
  idBatches,
  listedVerdict,
  lookupByListing,
  needsAsking,
  rotationOrder,
  runAllowance,
} from './reconcilePlan';

const SYNCED = '2026-03-02T10:00:05.000Z';
const BEFORE = '2026-03-02T10:00:00+0000';
const AFTER = '2026-03-02T10:07:00+0000';

function contract(times: {
  contract?: string;
  group?: string;
  products?: [number, string][];
}): OneflowContract {
  return {
    id: 1001,
    state: 'draft',
    updated_time: times.contract ?? BEFORE,
    product_groups: [
      {
        id: 20001,
        _private_ownerside: { updated_time: times.group ?? BEFORE },
        configuration: { price_precision: 2, quantity_precision: 0 },
        products: (times.products ?? [[300001, BEFORE]]).map(([id, updated]) => ({
          id,
          name: `Product ${id}`,
          _private_ownerside: { updated_time: updated },
        })),
      },
    ],
  };
}

const link = (productId: number, state: Link['state'] = 'active'): Link => ({
  contractId: 1001,
  lineId: `line-${productId}`,
  productId,
  state,
  base: {},
  syncedAt: SYNCED,
});

describe('reconcile: has Oneflow changed since the last sync?', () => {
  it('not when every time in the contract is before the sync and every linked product is there', () => {
    expect(changedSince(contract({}), [link(300001)], SYNCED)).toBe(false);
  });

  it("yes when the contract's updated_time moved", () => {
    expect(changedSince(contract({ contract: AFTER }), [link(300001)], SYNCED)).toBe(true);
  });

  it("yes when only a product's updated_time moved: Oneflow may not move the contract's on a product edit", () => {
    const edited = contract({ products: [[300001, AFTER]] });
    expect(changedSince(edited, [link(300001)], SYNCED)).toBe(true);
  });

  it("yes when only a product table's updated_time moved (a product added or deleted there)", () => {
    expect(changedSince(contract({ group: AFTER }), [link(300001)], SYNCED)).toBe(true);
  });

  it('yes when a linked product is gone, though no time moved: a delete leaves none behind', () => {
    expect(changedSince(contract({ products: [] }), [link(300001)], SYNCED)).toBe(true);
    // Already known as deleted in Oneflow: nothing new to fetch.
    expect(changedSince(contract({ products: [] }), [link(300001, 'deleted_in_oneflow')], SYNCED)).toBe(
      false,
    );
  });

  it('a time in the second of the sync counts as after it (Oneflow stamps whole seconds)', () => {
    expect(
      changedSince(contract({ contract: '2026-03-02T10:00:05+0000' }), [], '2026-03-02T10:00:05.900Z'),
    ).toBe(true);
  });

  it('a contract never synced has changed; one with no times at all has not', () => {
    expect(changedSince(contract({}), [], null)).toBe(true);
    expect(changedSince({ id: 1001, state: 'draft' }, [], SYNCED)).toBe(false);
  });
});

describe('reconcile: which stored contracts are asked about', () => {
  const record = (fields: Partial<Parameters<typeof needsAsking>[0]>) => ({
    deletedInOneflowAt: null,
    oneflowState: 'draft' as const,
    ...fields,
  });

  it('rule: a signed or declined contract can no longer change, so Oneflow is not asked about it', () => {
    expect(needsAsking(record({ oneflowState: 'signed' }))).toBe(false);
    expect(needsAsking(record({ oneflowState: 'declined' }))).toBe(false);
  });

  it('rule: a contract marked deleted in Oneflow is not asked about', () => {
    expect(needsAsking(record({ deletedInOneflowAt: SYNCED }))).toBe(false);
  });

  it('open contracts, and those whose state no run has read yet, are asked about', () => {
    for (const state of ['draft', 'pending', 'overdue', null] as const) {
      expect(needsAsking(record({ oneflowState: state }))).toBe(true);
    }
  });
});

describe('reconcile: what a list item tells', () => {
  const stored = { lastSyncAt: SYNCED, oneflowState: 'draft' as const };
  const bare = (fields: Partial<OneflowContract> = {}): OneflowContract => ({
    id: 1001,
    state: 'draft',
    updated_time: BEFORE,
    ...fields,
  });

  it('changed: its state is not the one the last run read (a contract sent, signed or declined since)', () => {
    expect(listedVerdict(bare({ state: 'signed' }), stored)).toBe('changed');
  });

  it("changed: the contract's updated_time moved since the last sync", () => {
    expect(listedVerdict(bare({ updated_time: AFTER }), stored)).toBe('changed');
  });

  it("changed: a product's time moved, when the item carries the product tables", () => {
    expect(listedVerdict(contract({ products: [[300001, AFTER]] }), stored)).toBe('changed');
  });

  it('complete: nothing moved and the item has the product tables (only links are left to compare)', () => {
    expect(listedVerdict(contract({}), stored)).toBe('complete');
  });

  it('partial: nothing moved as far as an item without product tables shows; a product edit may hide there', () => {
    expect(listedVerdict(bare(), stored)).toBe('partial');
    // Without updated_time the item says nothing about edits at all.
    expect(listedVerdict({ id: 1001, state: 'draft', product_groups: [] }, stored)).toBe('partial');
  });

  it('a state never read before is no change by itself', () => {
    expect(listedVerdict(bare({ state: 'pending' }), { ...stored, oneflowState: null })).toBe('partial');
  });
});

describe('reconcile: asking Oneflow for many contracts per request', () => {
  it('rule: filter[ids] holds at most 200 characters; batches keep every id once, in order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 99_999_999 }), { maxLength: 400 }), (ids) => {
        const batches = idBatches(ids, 200);
        expect(batches.flat()).toEqual(ids);
        for (const batch of batches) {
          expect(batch.length).toBeGreaterThan(0);
          expect(batch.join(',').length).toBeLessThanOrEqual(200);
        }
      }),
    );
  });

  it('fills a batch as far as 200 characters allow: 2000 seven-digit ids take 80 requests', () => {
    const ids = Array.from({ length: 2000 }, (_, index) => 1_000_000 + index);
    const batches = idBatches(ids, 200);
    expect(batches).toHaveLength(80);
    expect(batches[0]?.join(',')).toHaveLength(199);
  });

  it('lists the open contracts when that takes no more requests than asking by id', () => {
    // 2000 open contracts: 19 more pages after the first, against 80 batches by id.
    expect(lookupByListing(2000, 80)).toBe(true);
    // 30 000 open contracts of which 100 are stored: 4 batches by id beat 299 pages.
    expect(lookupByListing(30_000, 4)).toBe(false);
    expect(lookupByListing(500, 4)).toBe(true);
    expect(lookupByListing(600, 4)).toBe(false);
  });

  it('rule: Oneflow pages no further than offset 19900, so a longer listing is asked for by id', () => {
    expect(lookupByListing(20_000, 1000)).toBe(true);
    expect(lookupByListing(20_001, 1000)).toBe(false);
  });
});

describe('reconcile: the rotation of full reads and the allowance', () => {
  const entry = (contractId: number, lastSyncAt: string | null) => ({ contractId, lastSyncAt });

  it('oldest-known first: never synced nor read, then by the later of the last sync and the last full read', () => {
    const records = [
      entry(1, '2026-03-02T10:00:00.000Z'),
      entry(2, '2026-03-01T10:00:00.000Z'),
      entry(3, null),
      entry(4, '2026-03-01T09:00:00.000Z'),
    ];
    // Contract 4 was read in full after every other was last known.
    const checks = new Map([[4, '2026-03-03T00:00:00.000Z']]);
    expect(rotationOrder(records, checks).map((record) => record.contractId)).toEqual([3, 2, 1, 4]);
  });

  it('equal times keep id order, so a run continues where the last one stopped', () => {
    const records = [entry(9, null), entry(2, null), entry(5, null)];
    expect(rotationOrder(records, new Map()).map((record) => record.contractId)).toEqual([2, 5, 9]);
  });

  it("rule: a run spends at most its share of the org's budget, and never more than is left of it now", () => {
    expect(runAllowance(10, 1800, 1800)).toBe(180);
    expect(runAllowance(10, 1800, 50)).toBe(50);
    expect(runAllowance(100, 2000, 2000)).toBe(2000);
    expect(runAllowance(10, 1800, 0)).toBe(0);
  });
});
