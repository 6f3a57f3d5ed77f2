/** The product lines of an Opportunity or a Quote as the form's subgrid reads and writes them. */
export interface LineTable {
  entityType: 'opportunityproduct' | 'quotedetail';
  key: 'opportunityproductid' | 'quotedetailid';
  parentLookup: '_opportunityid_value' | '_quoteid_value';
  parentBind: 'opportunityid@odata.bind' | 'quoteid@odata.bind';
  parentSet: 'opportunities' | 'quotes';
}

export const LINE_TABLES: Readonly<Record<'opportunity' | 'quote', LineTable>> = {
  opportunity: {
    entityType: 'opportunityproduct',
    key: 'opportunityproductid',
    parentLookup: '_opportunityid_value',
    parentBind: 'opportunityid@odata.bind',
    parentSet: 'opportunities',
  },
  quote: {
    entityType: 'quotedetail',
    key: 'quotedetailid',
    parentLookup: '_quoteid_value',
    parentBind: 'quoteid@odata.bind',
    parentSet: 'quotes',
  },
};

export interface ProductLine {
  id: string;
  name: string;
  /** A write-in line names itself (`productdescription`); a catalog line shows its product's name. */
  writeIn: boolean;
  pricePerUnit: number | null;
  quantity: number | null;
  manualDiscount: number | null;
  extendedAmount: number | null;
}

/** The editable values of a line as typed. */
export interface LineDraft {
  name: string;
  pricePerUnit: string;
  quantity: string;
  manualDiscount: string;
}

const FIELD_LABELS: Readonly<Record<keyof LineDraft, string>> = {
  name: 'Name',
  pricePerUnit: 'Price per unit',
  quantity: 'Quantity',
  manualDiscount: 'Manual discount',
};

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}

export function readLine(table: LineTable, row: ComponentFramework.WebApi.Entity): ProductLine {
  const record = row as Record<string, unknown>;
  const product = record.productid as { name?: unknown } | null | undefined;
  const writeIn = record.isproductoverridden === true;
  const name = writeIn ? record.productdescription : product?.name;
  return {
    id: String(record[table.key]),
    name: typeof name === 'string' ? name : '',
    writeIn,
    pricePerUnit: numberOrNull(record.priceperunit),
    quantity: numberOrNull(record.quantity),
    manualDiscount: numberOrNull(record.manualdiscountamount),
    extendedAmount: numberOrNull(record.extendedamount),
  };
}

export function lineQuery(table: LineTable, parentId: string): string {
  return (
    `?$select=${table.key},isproductoverridden,productdescription,priceperunit,quantity,manualdiscountamount,extendedamount` +
    `&$filter=${table.parentLookup} eq ${parentId}&$expand=productid($select=name)`
  );
}

export function draftOf(line: ProductLine): LineDraft {
  const text = (value: number | null) => (value === null ? '' : String(value));
  return {
    name: line.name,
    pricePerUnit: text(line.pricePerUnit),
    quantity: text(line.quantity),
    manualDiscount: text(line.manualDiscount),
  };
}

type Checked = { ok: true; value: number | null } | { ok: false; problem: string };

function checkNumber(field: keyof LineDraft, text: string, required: boolean): Checked {
  const trimmed = text.trim();
  if (trimmed === '') {
    return required
      ? { ok: false, problem: `${FIELD_LABELS[field]} is required` }
      : { ok: true, value: null };
  }
  const value = Number(trimmed);
  if (!Number.isFinite(value) || value < 0) {
    return {
      ok: false,
      problem: `${FIELD_LABELS[field]} must be a number of zero or more, not "${trimmed}"`,
    };
  }
  return { ok: true, value };
}

/**
 * The columns to write for a draft, only those that changed; a wrong value is named and nothing is written.
 * A new catalog price marks the line's price as overridden, as Dynamics' own grid does.
 */
export function changesOf(
  line: ProductLine | null,
  draft: LineDraft,
): { ok: true; data: Record<string, unknown> } | { ok: false; problem: string } {
  const writeIn = line === null || line.writeIn;
  if (writeIn && draft.name.trim() === '') return { ok: false, problem: 'Name is required' };
  const price = checkNumber('pricePerUnit', draft.pricePerUnit, writeIn);
  const quantity = checkNumber('quantity', draft.quantity, true);
  const discount = checkNumber('manualDiscount', draft.manualDiscount, false);
  if (!price.ok) return price;
  if (!quantity.ok) return quantity;
  if (!discount.ok) return discount;
  const data: Record<string, unknown> = {};
  if (writeIn && draft.name.trim() !== line?.name) data.productdescription = draft.name.trim();
  if (price.value !== (line?.pricePerUnit ?? null)) {
    data.priceperunit = price.value;
    if (line !== null && !line.writeIn) data.ispriceoverridden = true;
  }
  if (quantity.value !== (line?.quantity ?? null)) data.quantity = quantity.value;
  if (discount.value !== (line?.manualDiscount ?? null)) data.manualdiscountamount = discount.value ?? 0;
  if (line === null) data.isproductoverridden = true;
  return { ok: true, data };
}
