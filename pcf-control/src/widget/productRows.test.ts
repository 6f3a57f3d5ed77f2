import { compareAnswer, compareField, compareLine } from '../testing/fakeClient';
import { productRows } from './productRows';

const LINE_1 = '2c3d0000-0000-4000-8000-000000000001';
const LINE_2 = '2c3d0000-0000-4000-8000-000000000002';
const LINE_3 = '2c3d0000-0000-4000-8000-000000000003';

const compare = compareAnswer({
  lines: [
    compareLine({
      lineId: LINE_1,
      name: 'Widget',
      fields: [
        compareField({ oneflowField: 'quantity', dynamics: '10', oneflow: '12', status: 'will_fetch' }),
        compareField({
          oneflowField: 'price_1.discount_amount',
          dynamics: '25.00',
          oneflow: '2.50',
          reason: 'The Manual Discount of 25.00 is for the whole line',
        }),
        compareField({ oneflowField: 'name', dynamics: 'Widget', oneflow: 'Widget' }),
      ],
    }),
    compareLine({
      lineId: LINE_2,
      name: 'Support Plan',
      notes: ['Oneflow refuses a discount above the price'],
      fields: [
        compareField({ oneflowField: 'quantity', dynamics: '12', oneflow: '12' }),
        compareField({
          oneflowField: 'price_1.base_amount',
          dynamics: '99.00',
          oneflow: null,
          status: 'conflict_held',
          conflict: true,
        }),
      ],
    }),
    compareLine({
      lineId: LINE_3,
      name: null,
      productId: null,
      state: 'not_linked',
      push: 'Push adds this line to Oneflow',
      fields: [compareField({ oneflowField: 'quantity', oneflow: null, base: null, status: 'not_linked' })],
    }),
  ],
  addedInOneflow: [
    {
      productId: 300099,
      name: 'Setup fee',
      values: [{ oneflowField: 'price_1.base_amount', label: 'price_1.base_amount', value: '500.00' }],
    },
  ],
  deletedInDynamics: [
    {
      lineId: '2c3d0000-0000-4000-8000-000000000009',
      productId: 300020,
      name: 'Training',
      reason: 'Its line was deleted in Dynamics: Push removes it from Oneflow',
    },
  ],
});

describe('the product table rows', () => {
  it('are grouped by line in the record order, the line named on its first row only', () => {
    const rows = productRows(compare, { changesOnly: false });
    expect(rows.map((row) => [row.groupStart ? row.lineName : '', row.oneflowField, row.status])).toEqual([
      ['Widget', 'quantity', 'will_fetch'],
      ['', 'price_1.discount_amount', 'in_sync'],
      ['', 'name', 'in_sync'],
      ['Support Plan', 'quantity', 'in_sync'],
      ['', 'price_1.base_amount', 'conflict_held'],
      [null, 'quantity', 'not_linked'],
      ['Setup fee', 'price_1.base_amount', 'added_in_oneflow'],
      ['Training', null, 'deleted_in_dynamics'],
    ]);
    expect(new Set(rows.map((row) => row.key)).size).toBe(rows.length);
  });

  it("label Dynamics' manual discount as the line's total and Oneflow's discount as per unit", () => {
    const discount = productRows(compare, { changesOnly: false })[1];
    expect(discount?.dynamics).toEqual({ value: '25.00', decimals: 2, unit: 'line' });
    expect(discount?.oneflow).toEqual({ value: '2.50', decimals: 2, unit: 'unit' });
  });

  it('keep numbers with their own decimals, text as text, and an empty value as empty', () => {
    const rows = productRows(compare, { changesOnly: false });
    expect(rows[0]?.dynamics).toEqual({ value: '10', decimals: 0, unit: null });
    expect(rows[2]?.dynamics).toEqual({ value: 'Widget', decimals: null, unit: null });
    expect(rows[4]?.oneflow).toEqual({ value: null, decimals: null, unit: null });
  });

  it("carry the field's reason, and the line's own reasons on its first row", () => {
    const rows = productRows(compare, { changesOnly: false });
    expect(rows[1]?.reasons).toEqual(['The Manual Discount of 25.00 is for the whole line']);
    expect(rows[3]?.reasons).toEqual(['Oneflow refuses a discount above the price']);
    expect(rows[4]?.reasons).toEqual([]);
    expect(rows[5]?.reasons).toEqual(['Push adds this line to Oneflow']);
    expect(rows[7]?.reasons).toEqual(['Its line was deleted in Dynamics: Push removes it from Oneflow']);
    expect(rows[6]?.lineKind).toBe('added_in_oneflow');
  });

  it('with "changes only", leave out the fields in sync and name the line on its first remaining row', () => {
    const rows = productRows(compare, { changesOnly: true });
    expect(rows.map((row) => [row.groupStart, row.lineName, row.oneflowField, row.status])).toEqual([
      [true, 'Widget', 'quantity', 'will_fetch'],
      [true, 'Support Plan', 'price_1.base_amount', 'conflict_held'],
      [true, null, 'quantity', 'not_linked'],
      [true, 'Setup fee', 'price_1.base_amount', 'added_in_oneflow'],
      [true, 'Training', null, 'deleted_in_dynamics'],
    ]);
    expect(rows[1]?.reasons).toEqual(['Oneflow refuses a discount above the price']);
  });

  it('are empty with "changes only" when every field is in sync', () => {
    expect(productRows(compareAnswer(), { changesOnly: true })).toEqual([]);
    expect(productRows(compareAnswer(), { changesOnly: false })).toHaveLength(2);
  });

  it('stand for a whole line whose product was deleted in Oneflow when it has no mapped fields', () => {
    const rows = productRows(
      compareAnswer({
        lines: [
          compareLine({
            lineId: LINE_1,
            state: 'deleted_in_oneflow',
            push: 'Push adds it again',
            fields: [],
          }),
        ],
      }),
      { changesOnly: true },
    );
    expect(rows).toEqual([
      expect.objectContaining({
        oneflowField: null,
        status: 'deleted_in_oneflow',
        groupStart: true,
        reasons: ['Push adds it again'],
      }),
    ]);
  });
});
