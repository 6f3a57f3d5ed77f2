import type { OneflowProduct, OneflowProductGroup } from '@oneflow-sync/shared';
import { createOperation, deleteOperation, updateOperation } from '../testing/productWrites';
import {
  createdIdsOf,
  GroupWriteMismatchError,
  groupWriteRows,
  writesOf,
  type GroupWrite,
} from './groupWrite';

const product = (id: number, name: string, customId: string | null): OneflowProduct => ({
  id,
  name,
  description: `${name} description`,
  counterparty_lock: false,
  _private_ownerside: customId === null ? {} : { custom_id: customId },
  price_1: { base_amount: { amount: '10.00' }, discount_amount: { amount: null }, discount_percent: '5.00' },
  price_2: { base_amount: { amount: '0.00' }, discount_amount: { amount: null }, discount_percent: null },
  quantity: { type: 'quantity', amount: 2 },
});

/** A table with two linked products, one added by hand in Oneflow, and a template product Oneflow lists by id. */
const table: OneflowProductGroup = {
  id: 7,
  configuration: { price_precision: 2, quantity_precision: 0 },
  products: [
    product(101, 'Desk', 'line-a'),
    product(102, 'Chair', 'line-b'),
    product(103, 'Added by hand', null),
    product(104, 'Lamp', null),
  ],
};

const update = updateOperation;
const remove = deleteOperation;
const create = (lineId: string, name: string) => createOperation(lineId, { name, quantity: '3' }, 7);

const write = (changes: Partial<Omit<GroupWrite, 'group'>>): GroupWrite => ({
  group: table,
  deletes: [],
  creates: [],
  updates: [],
  ...changes,
});

// The lamp's link says which line it belongs to (Oneflow's answer did not show its custom_id).
const customIdOf = (read: OneflowProduct) =>
  read._private_ownerside?.custom_id ?? (read.id === 104 ? 'line-d' : null);

describe('groupWriteRows (the whole table in one bulk write)', () => {
  const rows = groupWriteRows(
    write({
      updates: [update(101, 'line-a', { quantity: '9', 'price_1.discount_percent': '7.00' })],
      deletes: [remove(102, 'line-b')],
      creates: [create('line-e', 'Whiteboard'), create('line-f', 'Marker')],
    }),
    customIdOf,
  );

  it('lists every product read except those the plan deletes, so a product added by hand is kept', () => {
    expect(rows.map((row) => row.id)).toEqual([101, 103, 104, undefined, undefined]);
  });

  it('sends a kept product whole, as read, with the custom_id its link knows', () => {
    expect(rows[1]).toEqual({
      id: 103,
      name: 'Added by hand',
      description: 'Added by hand description',
      counterparty_lock: false,
      price_1: {
        base_amount: { amount: '10.00' },
        discount_amount: { amount: null },
        discount_percent: '5.00',
      },
      price_2: { base_amount: { amount: '0.00' }, discount_amount: { amount: null }, discount_percent: null },
      quantity: { type: 'quantity', amount: 2 },
    });
    expect(rows[2]).toMatchObject({ id: 104, name: 'Lamp', _private_ownerside: { custom_id: 'line-d' } });
  });

  it("sends an updated product whole, the plan's values over the ones read", () => {
    expect(rows[0]).toEqual({
      id: 101,
      name: 'Desk',
      description: 'Desk description',
      counterparty_lock: false,
      _private_ownerside: { custom_id: 'line-a' },
      price_1: {
        base_amount: { amount: '10.00' },
        discount_amount: { amount: null },
        discount_percent: '7.00',
      },
      price_2: { base_amount: { amount: '0.00' }, discount_amount: { amount: null }, discount_percent: null },
      quantity: { type: 'quantity', amount: 9 },
    });
  });

  it("appends the new products last, in the plan's order, each with its line's custom_id", () => {
    expect(rows.slice(3)).toEqual([
      {
        name: 'Whiteboard',
        quantity: { type: 'quantity', amount: 3 },
        _private_ownerside: { custom_id: 'line-e' },
      },
      {
        name: 'Marker',
        quantity: { type: 'quantity', amount: 3 },
        _private_ownerside: { custom_id: 'line-f' },
      },
    ]);
  });

  it('counts the requests the writes take one by one', () => {
    expect(writesOf(write({ updates: [update(101, 'line-a', {})], deletes: [remove(102, 'line-b')] }))).toBe(
      2,
    );
  });
});

describe("createdIdsOf (Oneflow's answer checked against the write)", () => {
  const twoNew = write({
    deletes: [remove(102, 'line-b')],
    creates: [create('line-e', 'W'), create('line-f', 'M')],
  });
  const answer = (products: OneflowProduct[]): OneflowProductGroup => ({ ...table, products });
  const kept = [table.products[0], table.products[2], table.products[3]].filter(
    (read): read is OneflowProduct => read !== undefined,
  );

  it('learns the new ids by custom_id when every new product echoes one, whatever their order', () => {
    const ids = createdIdsOf(
      twoNew,
      answer([...kept, product(201, 'M', 'line-f'), product(200, 'W', 'line-e')]),
    );
    expect([...ids]).toEqual([
      ['line-e', 200],
      ['line-f', 201],
    ]);
  });

  it('learns the new ids from their order when Oneflow does not echo custom_id', () => {
    const ids = createdIdsOf(twoNew, answer([...kept, product(300, 'W', null), product(301, 'M', null)]));
    expect([...ids]).toEqual([
      ['line-e', 300],
      ['line-f', 301],
    ]);
  });

  it('refuses an answer that lacks a product the write kept, naming it', () => {
    const [, ...withoutDesk] = kept;
    expect(() =>
      createdIdsOf(twoNew, answer([...withoutDesk, product(300, 'W', null), product(301, 'M', null)])),
    ).toThrow(new GroupWriteMismatchError(7, 'lacks product 101 "Desk", which the write kept'));
  });

  it('refuses an answer that still has a deleted product', () => {
    const chair = table.products[1];
    if (!chair) throw new Error('fixture');
    expect(() =>
      createdIdsOf(twoNew, answer([...kept, chair, product(300, 'W', null), product(301, 'M', null)])),
    ).toThrow(/still has product 102, which the write deleted/);
  });

  it('refuses an answer with more or fewer new products than creates', () => {
    expect(() => createdIdsOf(twoNew, answer([...kept, product(300, 'W', null)]))).toThrow(
      /has 1 new products for 2 lines/,
    );
  });

  it('refuses an answer whose new products echo custom_ids that do not match the creates', () => {
    expect(() =>
      createdIdsOf(twoNew, answer([...kept, product(300, 'W', 'line-x'), product(301, 'M', null)])),
    ).toThrow(/does not show which new product was made for line line-e/);
    expect(() =>
      createdIdsOf(twoNew, answer([...kept, product(300, 'W', 'line-e'), product(301, 'M', 'line-x')])),
    ).toThrow(/does not show which new product was made for line line-f/);
  });
});
