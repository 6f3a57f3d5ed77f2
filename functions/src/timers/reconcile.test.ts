import type { Link } from '@oneflow-sync/shared';
import type { OneflowContract } from '../oneflow/oneflowClient';
import { changedSince } from './reconcile';

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
