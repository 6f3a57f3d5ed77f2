import { createTranslate } from '../../strings/strings';
import { fakePlatform } from '../../testing/fakePlatform';
import { LINE_GONE, LINE_NEW, LINE_SUPPORT, LINE_WIDGET, pushPreview, syncResult } from './dialogTestKit';
import { changeCount, lineLabel, previewDiffers, previewRows } from './previewRows';
import { displayValue, fieldLabel, summaryLine } from './words';

const platform = fakePlatform();
const t = createTranslate((key) => platform.getString(key));

describe('plan → preview rows', () => {
  const plan = pushPreview().plan;
  const rows = previewRows(plan, { [LINE_WIDGET]: 'Widget', [LINE_SUPPORT]: 'Support Plan' });

  it('lists every field change with its line, from → to and the side written', () => {
    expect(rows.changes.filter((row) => row.kind === 'update')).toEqual([
      expect.objectContaining({
        lineName: 'Widget',
        field: 'quantity',
        from: '10',
        to: '12',
        side: 'oneflow',
      }),
      expect.objectContaining({
        lineName: 'Widget',
        field: 'price_1.base_amount',
        from: '25.00',
        to: '27.50',
      }),
    ]);
  });

  it('flags a write that overwrites the other side’s edit, and only that one', () => {
    const flagged = rows.changes.filter((row) => row.overwrites !== null);
    expect(flagged.map((row) => [row.field, row.overwrites])).toEqual([['price_1.base_amount', 'oneflow']]);
    const replaces = syncResult({
      action: 'fetch',
      operations: [
        {
          kind: 'update_line',
          rule: 'F3',
          reason: 'Update',
          notes: [],
          lineId: LINE_WIDGET,
          productId: 1,
          etag: 'W/"1"',
          values: { quantity: 13 },
          changes: [
            {
              oneflowField: 'quantity',
              dynamicsField: 'quantity',
              side: 'dynamics',
              old: 12,
              new: 13,
              replacesEdit: true,
            },
          ],
        },
      ],
    });
    expect(previewRows(replaces.plan).changes[0]).toMatchObject({ side: 'dynamics', overwrites: 'dynamics' });
  });

  it('shows a product added and one removed as rows of their own, named from the plan when no name is given', () => {
    expect(rows.changes.filter((row) => row.kind === 'create')).toEqual([
      expect.objectContaining({ lineId: LINE_NEW, lineName: 'Setup', field: 'name', to: 'Setup' }),
      expect.objectContaining({ lineId: LINE_NEW, lineName: 'Setup', field: 'quantity', to: '1' }),
    ]);
    expect(rows.changes.filter((row) => row.kind === 'delete')).toEqual([
      expect.objectContaining({
        lineId: LINE_GONE,
        lineName: LINE_GONE.slice(0, 8),
        field: null,
        side: 'oneflow',
      }),
    ]);
  });

  it('lists every skip with its reason: the notes of a skip speak for it', () => {
    expect(rows.skips).toEqual([
      {
        lineId: LINE_SUPPORT,
        lineName: 'Support Plan',
        field: 'quantity',
        kind: 'held_for_review',
        reason: expect.stringContaining('held for you to choose') as unknown,
      },
      {
        lineId: LINE_SUPPORT,
        lineName: 'Support Plan',
        field: 'price_1.base_amount',
        kind: 'catalog_price',
        reason: 'Price per unit comes from the price list on catalog lines',
      },
    ]);
    const bare = syncResult({
      operations: [
        {
          kind: 'skip',
          rule: 'OFF',
          reason: 'Product sync is turned off',
          notes: [],
          lineId: null,
          productId: null,
        },
      ],
      outcome: 'refused',
    });
    expect(previewRows(bare.plan).skips).toEqual([
      { lineId: null, lineName: null, field: null, kind: 'skip', reason: 'Product sync is turned off' },
    ]);
  });

  it('keeps explanations (info notes) with the change they explain, not among the skips', () => {
    const explained = syncResult({
      action: 'fetch',
      operations: [
        {
          kind: 'update_line',
          rule: 'F3',
          reason: 'Update',
          lineId: LINE_WIDGET,
          productId: 1,
          etag: 'W/"1"',
          values: { manualdiscountamount: 30 },
          changes: [
            {
              oneflowField: 'price_1.discount_amount',
              dynamicsField: 'manualdiscountamount',
              side: 'dynamics',
              old: 25,
              new: 30,
            },
          ],
          notes: [
            {
              kind: 'info',
              rule: 'F3',
              oneflowField: 'price_1.discount_amount',
              dynamicsField: 'manualdiscountamount',
              reason: 'The line now has 12 × 2.50 off.',
            },
          ],
        },
      ],
    });
    const result = previewRows(explained.plan);
    expect(result.changes[0]?.notes).toEqual(['The line now has 12 × 2.50 off.']);
    expect(result.skips).toEqual([]);
  });

  it('counts one change per row written, as the server counts fields written and products removed', () => {
    const preview = pushPreview();
    expect(changeCount(preview.plan)).toBe(5);
    expect(changeCount(preview.plan)).toBe(preview.summary.fieldsWritten + preview.summary.productsDeleted);
    expect(changeCount(syncResult({ outcome: 'nothing_to_do' }).plan)).toBe(0);
  });

  it('names a line without a name by the start of its id', () => {
    expect(lineLabel(LINE_WIDGET, {})).toBe('2c3d0000');
    expect(lineLabel(LINE_WIDGET, { [LINE_WIDGET]: 'Widget' })).toBe('Widget');
  });
});

describe('preview vs applied', () => {
  it('is the same when the applied writes are the previewed ones, in any order', () => {
    const preview = pushPreview().plan;
    const applied = { ...preview, operations: [...preview.operations].reverse() };
    expect(previewDiffers(preview, applied)).toBe(false);
  });

  it('differs when a value, a write or a line differs', () => {
    expect(previewDiffers(pushPreview(12).plan, pushPreview(13).plan)).toBe(true);
    const fewer = { ...pushPreview().plan, operations: pushPreview().plan.operations.slice(1) };
    expect(previewDiffers(pushPreview().plan, fewer)).toBe(true);
    expect(previewDiffers(pushPreview().plan, syncResult().plan)).toBe(true);
  });
});

describe('the words of a preview', () => {
  it('builds the summary line from the counts, singular and plural', () => {
    expect(summaryLine(t, pushPreview().summary)).toBe(
      '1 product added to Oneflow · 1 product updated in Oneflow · 1 product removed from Oneflow · ' +
        '1 change made on the other side overwritten · 1 value held for review',
    );
    expect(
      summaryLine(t, { ...pushPreview().summary, productsUpdated: 2, held: 0, productsCreated: 0 }),
    ).toBe(
      '2 products updated in Oneflow · 1 product removed from Oneflow · 1 change made on the other side overwritten',
    );
    expect(summaryLine(t, syncResult().summary)).toBe('');
  });

  it('names every Oneflow field, and formats decimals in the user’s format', () => {
    expect(fieldLabel(t, 'quantity')).toBe('Quantity');
    expect(fieldLabel(t, 'price_1.base_amount')).toBe('Price per unit');
    expect(fieldLabel(t, null)).toBe('Whole product');
    expect(fieldLabel(t, 'custom_field')).toBe('custom_field');
    const german = {
      formatDecimal: (value: number, places: number) => value.toFixed(places).replace('.', ','),
    };
    expect(displayValue('1234.50', german)).toBe('1234,50');
    expect(displayValue(13, german)).toBe('13');
    expect(displayValue('Widget 2.0 Pro', german)).toBe('Widget 2.0 Pro');
    expect(displayValue(null, german)).toBe('—');
  });
});
