import {
  builtInSalesLineAttributes,
  dynamicsColumn,
  type DynamicsAttribute,
  type DynamicsLine,
} from '../dynamics';
import type { OneflowFieldKey } from '../fieldCatalog';
import type { OneflowProduct, ProductGroupConfiguration } from '../oneflow';
import type { Direction, FieldMapping } from '../settings';
import { makeCodec, type FieldCodec } from './codec';

const PRICE_2_QUANTITY_0: ProductGroupConfiguration = { price_precision: 2, quantity_precision: 0 };
const PRICE_4_QUANTITY_2: ProductGroupConfiguration = { price_precision: 4, quantity_precision: 2 };
const PRICE_0_QUANTITY_0: ProductGroupConfiguration = { price_precision: 0, quantity_precision: 0 };

const BUILT_IN = 'opportunityproduct';
const BUILT_IN_ATTRIBUTES = builtInSalesLineAttributes(BUILT_IN);

const CUSTOM = 'new_contractline';
const CUSTOM_ATTRIBUTES: DynamicsAttribute[] = [
  attribute('new_name', 'Line Name', 'String', 10),
  attribute('new_notes', 'Notes', 'Memo'),
  attribute('new_count', 'Count', 'Integer'),
  attribute('new_qty', 'Qty', 'Decimal'),
  attribute('manualdiscountamount', 'Manual Discount', 'Money'),
  attribute('quantity', 'Quantity', 'Decimal'),
];

function attribute(
  logicalName: string,
  displayName: string,
  attributeType: string,
  maxLength?: number,
): DynamicsAttribute {
  return dynamicsColumn(
    logicalName,
    displayName,
    attributeType,
    maxLength === undefined ? {} : { maxLength },
  );
}

function mapping(
  dynamicsField: string,
  oneflowField: OneflowFieldKey,
  direction: Direction = 'two_way',
): FieldMapping {
  return { dynamicsField, oneflowField, direction, writeCondition: 'always', conflictPolicy: 'by_action' };
}

function codec(
  entity: string,
  dynamicsField: string,
  oneflowField: OneflowFieldKey,
  group: ProductGroupConfiguration = PRICE_2_QUANTITY_0,
): FieldCodec {
  const attributes = entity === BUILT_IN ? BUILT_IN_ATTRIBUTES : CUSTOM_ATTRIBUTES;
  return makeCodec(
    entity,
    mapping(dynamicsField, oneflowField),
    attributes.find((candidate) => candidate.logicalName === dynamicsField),
    group,
  );
}

function line(values: DynamicsLine['values'], isWriteIn = false): DynamicsLine {
  return {
    id: '00000000-0000-0000-0000-00000000000a',
    values,
    isWriteIn,
    modifiedOn: '2024-05-01T10:00:00Z',
    etag: 'W/"7"',
  };
}

function product(fields: Omit<OneflowProduct, 'id' | 'name'> & { name?: string }): OneflowProduct {
  return { id: 42, name: 'Widget', ...fields };
}

describe('makeCodec', () => {
  it('exposes the mapping and the Oneflow field spec it was made for', () => {
    const made = codec(BUILT_IN, 'priceperunit', 'price_1.base_amount');
    expect(made.mapping).toEqual(mapping('priceperunit', 'price_1.base_amount'));
    expect(made.spec).toMatchObject({ key: 'price_1.base_amount', kind: 'decimal', precision: 'price' });
  });

  describe("a built-in line's manual discount is a line total; Oneflow's discount amount is per unit", () => {
    const discount = codec(BUILT_IN, 'manualdiscountamount', 'price_1.discount_amount');

    it("divides the line total by the line's quantity on the way to Oneflow", () => {
      expect(discount.toOneflow('100.00', line({ quantity: 4, manualdiscountamount: 100 }))).toEqual({
        ok: true,
        value: '25.00',
      });
    });

    it("multiplies the per-unit discount by the line's quantity on the way to Dynamics", () => {
      expect(discount.toDynamics('25.00', line({ quantity: 4 }))).toEqual({ ok: true, value: 100 });
    });

    it('reads the quantity whether Dataverse sent it as a number or a decimal string', () => {
      expect(discount.toOneflow('90.00', line({ quantity: '3.00000' }))).toEqual({
        ok: true,
        value: '30.00',
      });
      expect(discount.toDynamics('30.00', line({ quantity: '3.00000' }))).toEqual({ ok: true, value: 90 });
    });

    it('reads a fractional quantity at full precision, not at the Oneflow quantity precision', () => {
      // Quantity precision 0 would round 2.5 to 3; the conversion must divide by 2.5.
      expect(discount.toOneflow('10.00', line({ quantity: 2.5 }))).toEqual({ ok: true, value: '4.00' });
      expect(discount.toDynamics('4.00', line({ quantity: 2.5 }))).toEqual({ ok: true, value: 10 });
    });

    it('rounds the per-unit discount half up at the price precision', () => {
      expect(discount.toOneflow('10.00', line({ quantity: 3 }))).toEqual({ ok: true, value: '3.33' });
      expect(discount.toOneflow('20.00', line({ quantity: 3 }))).toEqual({ ok: true, value: '6.67' });
    });

    it('goes to Oneflow and back to the same line total when the total divides evenly', () => {
      const onLine = line({ quantity: 8, manualdiscountamount: 36 });
      const read = discount.readDynamics(onLine);
      if (!read.ok) throw new Error(read.error);
      const perUnit = discount.toOneflow(read.value, onLine);
      if (!perUnit.ok) throw new Error(perUnit.error);
      expect(perUnit.value).toBe('4.50');
      expect(discount.toDynamics(perUnit.value, onLine)).toEqual({ ok: true, value: 36 });
    });

    it('agrees when the line total converts to the per-unit discount', () => {
      expect(discount.lineDiscount).toBe(true);
      expect(discount.agrees('25.00', '2.50', line({ quantity: 10 }))).toBe(true);
      expect(discount.agrees('25.00', '2.50', line({ quantity: 14 }))).toBe(false);
    });

    it('agrees within rounding below one unit, where cents cannot hold the exact share', () => {
      // 6.67 × 0.5 rounds to 3.34, but 3.34 ÷ 0.5 is 6.68.
      expect(discount.agrees('3.34', '6.67', line({ quantity: 0.5 }))).toBe(false);
      expect(discount.agreesWithinRounding('3.34', '6.67', line({ quantity: 0.5 }))).toBe(true);
      expect(discount.agreesWithinRounding('3.34', '6.60', line({ quantity: 0.5 }))).toBe(false);
    });

    it('never agrees within rounding at a quantity of 0, where every per-unit discount makes 0', () => {
      expect(discount.agreesWithinRounding('0.00', '5.00', line({ quantity: 0 }))).toBe(false);
    });

    it("reads Dynamics' value as the line total, unconverted", () => {
      expect(discount.readDynamics(line({ quantity: 4, manualdiscountamount: 100 }))).toEqual({
        ok: true,
        value: '100.00',
      });
      expect(discount.normalizeDynamics(100)).toEqual({ ok: true, value: '100.00' });
    });

    it("reads Oneflow's value as the per-unit discount, unconverted", () => {
      expect(discount.readOneflow(product({ price_1: { discount_amount: { amount: '25' } } }))).toEqual({
        ok: true,
        value: '25.00',
      });
    });

    it('refuses a discount on a line with quantity zero, naming the Oneflow field', () => {
      expect(discount.toOneflow('10.00', line({ quantity: 0 }))).toEqual({
        ok: false,
        error:
          "Oneflow's Price 1: discount amount: the line has a discount of 10.00 but no quantity; Oneflow's discount is per unit, so it needs a quantity",
      });
    });

    it('refuses a discount on a line with no quantity', () => {
      const result = discount.toOneflow('10.00', line({}));
      if (result.ok) throw new Error('expected a line without quantity to be refused');
      expect(result.error).toContain("Oneflow's Price 1: discount amount");
      expect(result.error).toContain('no quantity');
    });

    it('sends no discount as zero, even on a line with quantity zero', () => {
      expect(discount.toOneflow(null, line({ quantity: 0 }))).toEqual({ ok: true, value: '0.00' });
    });

    it('converts the discount amount of Price 2 the same way', () => {
      const price2 = codec(BUILT_IN, 'manualdiscountamount', 'price_2.discount_amount');
      expect(price2.toOneflow('100.00', line({ quantity: 4 }))).toEqual({ ok: true, value: '25.00' });
      expect(price2.toDynamics('25.00', line({ quantity: 4 }))).toEqual({ ok: true, value: 100 });
    });

    it('converts on the other built-in sales lines too', () => {
      const quote = makeCodec(
        'quotedetail',
        mapping('manualdiscountamount', 'price_1.discount_amount'),
        builtInSalesLineAttributes('quotedetail').find(
          (column) => column.logicalName === 'manualdiscountamount',
        ),
        PRICE_2_QUANTITY_0,
      );
      expect(quote.toOneflow('50.00', line({ quantity: 5 }))).toEqual({ ok: true, value: '10.00' });
    });
  });

  describe('on a custom entity the same field names are not converted', () => {
    const discount = codec(CUSTOM, 'manualdiscountamount', 'price_1.discount_amount');

    it('sends the value to Oneflow as it is, whatever the quantity', () => {
      expect(discount.toOneflow('100.00', line({ quantity: 4 }))).toEqual({ ok: true, value: '100.00' });
    });

    it('writes the value to Dynamics as it is, whatever the quantity', () => {
      expect(discount.toDynamics('25.00', line({ quantity: 4 }))).toEqual({ ok: true, value: 25 });
    });

    it('does not need a quantity', () => {
      expect(discount.toOneflow('10.00', line({ quantity: 0 }))).toEqual({ ok: true, value: '10.00' });
    });

    it('is not a line discount, so rounding never stands in for agreement', () => {
      expect(discount.lineDiscount).toBe(false);
      expect(discount.agreesWithinRounding('5.00', '5.00', line({ quantity: 1 }))).toBe(false);
    });
  });

  describe('a built-in column other than the manual discount is not converted', () => {
    it('sends tax mapped to a discount amount as it is', () => {
      const tax = codec(BUILT_IN, 'tax', 'price_1.discount_amount');
      expect(tax.toOneflow('100.00', line({ quantity: 4 }))).toEqual({ ok: true, value: '100.00' });
    });
  });

  describe("Oneflow's Name takes 1 to 80 characters and is never truncated", () => {
    const name = codec(BUILT_IN, 'productidname', 'name');

    it('accepts a name of exactly 80 characters', () => {
      const text = 'n'.repeat(80);
      expect(name.toOneflow(text, line({}))).toEqual({ ok: true, value: text });
    });

    it("refuses a name longer than 80 characters, naming Oneflow's Name", () => {
      expect(name.toOneflow('n'.repeat(81), line({}))).toEqual({
        ok: false,
        error: "Oneflow's Name has 81 characters; the limit is 80",
      });
    });

    it('counts an emoji as one character', () => {
      const text = '📦'.repeat(80);
      expect(name.toOneflow(text, line({}))).toEqual({ ok: true, value: text });
    });

    it('refuses an empty name', () => {
      expect(name.toOneflow(null, line({}))).toEqual({
        ok: false,
        error: "Oneflow's Name is empty; it needs at least 1 character",
      });
    });

    it('reads a write-in line’s name from its write-in product, trimmed', () => {
      const writeIn = line({ productidname: 'Catalog', productdescription: '  Custom widget ' }, true);
      expect(name.readDynamics(writeIn)).toEqual({ ok: true, value: 'Custom widget' });
    });

    it('reads a catalog line’s name from its product', () => {
      const catalog = line({ productidname: 'Catalog', productdescription: 'ignored' });
      expect(name.readDynamics(catalog)).toEqual({ ok: true, value: 'Catalog' });
    });

    it("reads Oneflow's name trimmed, and a blank name as null", () => {
      expect(name.readOneflow(product({ name: ' Widget ' }))).toEqual({ ok: true, value: 'Widget' });
      expect(name.readOneflow(product({ name: '   ' }))).toEqual({ ok: true, value: null });
    });
  });

  describe("Oneflow's Description takes up to 3000 characters", () => {
    const description = codec(BUILT_IN, 'description', 'description');

    it('accepts 3000 characters', () => {
      const text = 'd'.repeat(3000);
      expect(description.toOneflow(text, line({}))).toEqual({ ok: true, value: text });
    });

    it('refuses 3001 characters, naming the field', () => {
      expect(description.toOneflow('d'.repeat(3001), line({}))).toEqual({
        ok: false,
        error: "Oneflow's Description has 3001 characters; the limit is 3000",
      });
    });

    it('accepts no description', () => {
      expect(description.toOneflow(null, line({}))).toEqual({ ok: true, value: null });
    });
  });

  describe("text into Dynamics must fit the column's maxLength", () => {
    it('refuses text longer than the column takes, naming the column', () => {
      const name = codec(CUSTOM, 'new_name', 'name');
      expect(name.toDynamics('eleven char', line({}))).toEqual({
        ok: false,
        error: 'Line Name has 11 characters; the limit is 10',
      });
    });

    it('accepts text exactly at the column limit', () => {
      const name = codec(CUSTOM, 'new_name', 'name');
      expect(name.toDynamics('ten chars!', line({}))).toEqual({ ok: true, value: 'ten chars!' });
    });

    it("refuses a built-in description over its 2000 characters that Oneflow's 3000 would allow", () => {
      const description = codec(BUILT_IN, 'description', 'description');
      expect(description.toDynamics('d'.repeat(2001), line({}))).toEqual({
        ok: false,
        error: 'Description has 2001 characters; the limit is 2000',
      });
    });

    it('accepts any length into a column without a maxLength', () => {
      const notes = codec(CUSTOM, 'new_notes', 'description');
      const text = 'x'.repeat(2500);
      expect(notes.toDynamics(text, line({}))).toEqual({ ok: true, value: text });
    });

    it('writes no text as null', () => {
      expect(codec(CUSTOM, 'new_name', 'name').toDynamics(null, line({}))).toEqual({ ok: true, value: null });
    });
  });

  describe('an Integer column takes whole numbers only', () => {
    const count = codec(CUSTOM, 'new_count', 'quantity', PRICE_4_QUANTITY_2);

    it('refuses a fractional Oneflow quantity, naming the column and the value', () => {
      expect(count.toDynamics('2.50', line({}))).toEqual({
        ok: false,
        error: 'Count takes whole numbers; Oneflow has 2.50',
      });
    });

    it('accepts a whole Oneflow quantity written with decimals', () => {
      expect(count.toDynamics('3.00', line({}))).toEqual({ ok: true, value: 3 });
    });

    it('lets a Decimal column take the fraction', () => {
      const qty = codec(CUSTOM, 'new_qty', 'quantity', PRICE_4_QUANTITY_2);
      expect(qty.toDynamics('2.50', line({}))).toEqual({ ok: true, value: 2.5 });
    });
  });

  describe("Oneflow's discount percent is between 0 and 100", () => {
    const percent = codec(BUILT_IN, 'tax', 'price_1.discount_percent');

    it('refuses a percent over 100, naming the field, the value and the limit', () => {
      expect(percent.toOneflow('100.01', line({}))).toEqual({
        ok: false,
        error: "Oneflow's Price 1: discount percent is 100.01; the most it takes is 100",
      });
      expect(percent.toOneflow('250', line({}))).toEqual({
        ok: false,
        error: "Oneflow's Price 1: discount percent is 250.00; the most it takes is 100",
      });
    });

    it('refuses a negative percent, naming the field, the value and the limit', () => {
      expect(percent.toOneflow('-5', line({}))).toEqual({
        ok: false,
        error: "Oneflow's Price 1: discount percent is -5.00; the least it takes is 0",
      });
    });

    it('accepts exactly 100', () => {
      expect(percent.toOneflow('100', line({}))).toEqual({ ok: true, value: '100.00' });
    });

    it('checks the limit after rounding to two places', () => {
      expect(percent.toOneflow('100.004', line({}))).toEqual({ ok: true, value: '100.00' });
      expect(percent.toOneflow('100.005', line({}))).toEqual({
        ok: false,
        error: "Oneflow's Price 1: discount percent is 100.01; the most it takes is 100",
      });
    });

    it('keeps two decimals whatever the price precision (12.5 % stays 12.5 %)', () => {
      const atPrice0 = codec(BUILT_IN, 'tax', 'price_2.discount_percent', PRICE_0_QUANTITY_0);
      expect(atPrice0.toOneflow('12.5', line({}))).toEqual({ ok: true, value: '12.50' });
      expect(atPrice0.readDynamics(line({ tax: 12.345 }))).toEqual({ ok: true, value: '12.35' });
      expect(atPrice0.readOneflow(product({ price_2: { discount_percent: '7.5' } }))).toEqual({
        ok: true,
        value: '7.50',
      });
    });
  });

  describe("numbers are normalized at the product group's precision", () => {
    it('reads a price at the price precision, rounding half up', () => {
      const at2 = codec(BUILT_IN, 'priceperunit', 'price_1.base_amount', PRICE_2_QUANTITY_0);
      const at4 = codec(BUILT_IN, 'priceperunit', 'price_1.base_amount', PRICE_4_QUANTITY_2);
      const at0 = codec(BUILT_IN, 'priceperunit', 'price_1.base_amount', PRICE_0_QUANTITY_0);
      const priced = line({ priceperunit: 19.995 });
      expect(at2.readDynamics(priced)).toEqual({ ok: true, value: '20.00' });
      expect(at4.readDynamics(priced)).toEqual({ ok: true, value: '19.9950' });
      expect(at0.readDynamics(priced)).toEqual({ ok: true, value: '20' });
    });

    it('reads a quantity at the quantity precision, not the price precision', () => {
      const at0 = codec(BUILT_IN, 'quantity', 'quantity', PRICE_2_QUANTITY_0);
      const at2 = codec(BUILT_IN, 'quantity', 'quantity', PRICE_4_QUANTITY_2);
      expect(at0.readDynamics(line({ quantity: 2.5 }))).toEqual({ ok: true, value: '3' });
      expect(at2.readDynamics(line({ quantity: 2.5 }))).toEqual({ ok: true, value: '2.50' });
    });

    it("reads Oneflow's amounts at the same precision, so equal values compare equal", () => {
      const price = codec(BUILT_IN, 'priceperunit', 'price_1.base_amount', PRICE_4_QUANTITY_2);
      const quantity = codec(BUILT_IN, 'quantity', 'quantity', PRICE_4_QUANTITY_2);
      const oneflow = product({
        price_1: { base_amount: { amount: '10.5' } },
        quantity: { type: 'quantity', amount: 3 },
      });
      expect(price.readOneflow(oneflow)).toEqual({ ok: true, value: '10.5000' });
      expect(price.readDynamics(line({ priceperunit: '10.50' }))).toEqual({ ok: true, value: '10.5000' });
      expect(quantity.readOneflow(oneflow)).toEqual({ ok: true, value: '3.00' });
    });

    it('normalizes what it sends to Oneflow at the group precision', () => {
      const price = codec(BUILT_IN, 'priceperunit', 'price_1.base_amount', PRICE_2_QUANTITY_0);
      const quantity = codec(BUILT_IN, 'quantity', 'quantity', PRICE_2_QUANTITY_0);
      expect(price.toOneflow('1.005', line({}))).toEqual({ ok: true, value: '1.01' });
      expect(quantity.toOneflow('2.5', line({}))).toEqual({ ok: true, value: '3' });
    });

    it('sends a blank number to Oneflow as zero at the group precision', () => {
      const price = codec(BUILT_IN, 'priceperunit', 'price_1.base_amount', PRICE_4_QUANTITY_2);
      expect(price.toOneflow(null, line({}))).toEqual({ ok: true, value: '0.0000' });
    });

    it('reads a missing Oneflow price or quantity as zero, as Oneflow has no empty amounts', () => {
      const price = codec(BUILT_IN, 'priceperunit', 'price_1.base_amount');
      const quantity = codec(BUILT_IN, 'quantity', 'quantity');
      expect(price.readOneflow(product({}))).toEqual({ ok: true, value: '0.00' });
      expect(quantity.readOneflow(product({}))).toEqual({ ok: true, value: '0' });
    });

    it('writes numbers into Dynamics as numbers, and a blank as null', () => {
      const price = codec(BUILT_IN, 'priceperunit', 'price_1.base_amount');
      expect(price.toDynamics('12.50', line({}))).toEqual({ ok: true, value: 12.5 });
      expect(price.toDynamics(null, line({}))).toEqual({ ok: true, value: null });
    });
  });

  describe('values that cannot be read name their side and field', () => {
    it('prefixes a Dynamics read error with the column label', () => {
      const price = codec(BUILT_IN, 'priceperunit', 'price_1.base_amount');
      expect(price.readDynamics(line({ priceperunit: 'lots' }))).toEqual({
        ok: false,
        error: 'Price Per Unit: "lots" is not a number',
      });
    });

    it('prefixes an Oneflow read error with the Oneflow field label', () => {
      const price = codec(BUILT_IN, 'priceperunit', 'price_1.base_amount');
      expect(price.readOneflow(product({ price_1: { base_amount: { amount: '1,50' } } }))).toEqual({
        ok: false,
        error: 'Oneflow\'s Price 1: base amount: "1,50" is not a number',
      });
    });

    it('refuses a number where text is expected', () => {
      const name = codec(CUSTOM, 'new_name', 'name');
      expect(name.readDynamics(line({ new_name: 12 }))).toEqual({
        ok: false,
        error: 'Line Name: 12 is not text',
      });
    });

    it('names the column by its logical name when its metadata is missing', () => {
      const orphan = makeCodec(
        CUSTOM,
        mapping('new_gone', 'price_1.base_amount'),
        undefined,
        PRICE_2_QUANTITY_0,
      );
      expect(orphan.readDynamics(line({ new_gone: true }))).toEqual({
        ok: false,
        error: 'new_gone: "true" is not a number',
      });
    });
  });
});
