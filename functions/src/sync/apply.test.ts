import type { OneflowProduct, OneflowProductGroup } from '@oneflow-sync/shared';
import { createOperation, deleteOperation, updateOperation } from '../testing/productWrites';
import { splitWrites, type ProductWrites } from './apply';

const product = (id: number, name: string, customId: string | null): OneflowProduct => ({
  id,
  name,
  _private_ownerside: customId === null ? {} : { custom_id: customId },
});

const configuration = { price_precision: 2, quantity_precision: 0 };
/** Two tables: a linked desk and chair, a product added by hand; a second table with a linked lamp. */
const main: OneflowProductGroup = {
  id: 7,
  configuration,
  products: [product(101, 'Desk', 'line-a'), product(102, 'Chair', 'line-b'), product(103, 'Kit', null)],
};
const extras: OneflowProductGroup = { id: 8, configuration, products: [product(201, 'Lamp', 'line-c')] };
const owned = new Set([101, 102, 201]);

const update = (productId: number, lineId: string) => updateOperation(productId, lineId, { quantity: '4' });
const remove = deleteOperation;
const create = (lineId: string, name: string, groupId = 7) => createOperation(lineId, { name }, groupId);

/** Two updates and a create in the main table, one update in the extras table. */
const writes: ProductWrites = {
  deletes: [],
  creates: [create('line-e', 'Whiteboard')],
  updates: [update(101, 'line-a'), update(102, 'line-b'), update(201, 'line-c')],
};

const draft = {
  contractState: 'draft',
  freshContract: false,
  bulkDraftWrites: true,
  productGroups: [main, extras],
} as const;

const tablesOf = (split: ReturnType<typeof splitWrites>) => split.tables.map((write) => write.group.id);
const singleOf = (split: ReturnType<typeof splitWrites>) => ({
  deletes: split.single.deletes.map((operation) => operation.productId),
  creates: split.single.creates.map((operation) => operation.lineId),
  updates: split.single.updates.map((operation) => operation.productId),
});

describe('splitWrites: which product writes go in one bulk write of their table', () => {
  it('on a draft whose org allows it: a table with more than one write in bulk, a table with one alone', () => {
    const split = splitWrites(writes, draft, owned);
    expect(tablesOf(split)).toEqual([7]);
    expect(split.tables[0]).toMatchObject({
      creates: [{ lineId: 'line-e' }],
      updates: [{ productId: 101 }, { productId: 102 }],
    });
    expect(singleOf(split)).toEqual({ deletes: [], creates: [], updates: [201] });
  });

  it.each(['pending', 'overdue'] as const)(
    'on a sent (%s) contract: every write alone, as a counterparty may be editing',
    (contractState) => {
      const split = splitWrites(writes, { ...draft, contractState, freshContract: true }, owned);
      expect(tablesOf(split)).toEqual([]);
      expect(singleOf(split)).toEqual({ deletes: [], creates: ['line-e'], updates: [101, 102, 201] });
    },
  );

  it('on a draft of an org that turned bulk writes off: every write alone', () => {
    const split = splitWrites(writes, { ...draft, bulkDraftWrites: false }, owned);
    expect(tablesOf(split)).toEqual([]);
  });

  it('on a contract created in the same request: in bulk even when the org turned bulk writes off', () => {
    const split = splitWrites(writes, { ...draft, bulkDraftWrites: false, freshContract: true }, owned);
    expect(tablesOf(split)).toEqual([7]);
  });

  it('a delete of a product in no table read goes alone; one in a table counts toward its bulk write', () => {
    const split = splitWrites(
      {
        deletes: [remove(999, 'line-x'), remove(102, 'line-b')],
        creates: [],
        updates: [update(101, 'line-a')],
      },
      draft,
      owned,
    );
    expect(tablesOf(split)).toEqual([7]);
    expect(split.tables[0]?.deletes.map((operation) => operation.productId)).toEqual([102]);
    expect(singleOf(split).deletes).toEqual([999]);
  });

  it("keeps a table's writes alone when a new line's product may exist from a lost earlier attempt", () => {
    // "Kit" is owned by no line and shows no custom_id: it may be the product an earlier create made for line-k.
    const split = splitWrites(
      { deletes: [], creates: [create('line-k', 'Kit')], updates: [update(101, 'line-a')] },
      draft,
      owned,
    );
    expect(tablesOf(split)).toEqual([]);
    expect(singleOf(split)).toEqual({ deletes: [], creates: ['line-k'], updates: [101] });
  });
});
