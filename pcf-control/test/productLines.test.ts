import { changesOf, draftOf, type ProductLine } from '../host/page/productLines';

const catalogLine: ProductLine = {
  id: '2c3d0000-0000-4000-8000-000000000001',
  name: 'Widget',
  writeIn: false,
  pricePerUnit: 25,
  quantity: 10,
  manualDiscount: 25,
  extendedAmount: 225,
};
const writeInLine: ProductLine = {
  ...catalogLine,
  name: 'Custom integration',
  writeIn: true,
  manualDiscount: null,
};

describe("the form grid's writes", () => {
  it('writes nothing for a line as it was read', () => {
    expect(changesOf(catalogLine, draftOf(catalogLine))).toEqual({ ok: true, data: {} });
  });

  it('writes only the changed quantity', () => {
    expect(changesOf(catalogLine, { ...draftOf(catalogLine), quantity: '7' })).toEqual({
      ok: true,
      data: { quantity: 7 },
    });
  });

  it("overrides a catalog line's price when its price changes, as Dynamics' grid does", () => {
    expect(changesOf(catalogLine, { ...draftOf(catalogLine), pricePerUnit: '22.5' })).toEqual({
      ok: true,
      data: { priceperunit: 22.5, ispriceoverridden: true },
    });
  });

  it('clears a discount to zero', () => {
    expect(changesOf(catalogLine, { ...draftOf(catalogLine), manualDiscount: ' ' })).toEqual({
      ok: true,
      data: { manualdiscountamount: 0 },
    });
  });

  it("renames a write-in line; a catalog line's name is its product's", () => {
    expect(changesOf(writeInLine, { ...draftOf(writeInLine), name: 'Integration' })).toEqual({
      ok: true,
      data: { productdescription: 'Integration' },
    });
    expect(changesOf(catalogLine, { ...draftOf(catalogLine), name: 'Gadget' })).toEqual({
      ok: true,
      data: {},
    });
  });

  it('creates a write-in line with its name, price and quantity', () => {
    expect(
      changesOf(null, { name: ' Training ', pricePerUnit: '700', quantity: '2', manualDiscount: '' }),
    ).toEqual({
      ok: true,
      data: { productdescription: 'Training', priceperunit: 700, quantity: 2, isproductoverridden: true },
    });
  });

  it.each([
    [{ quantity: 'abc' }, 'Quantity must be a number of zero or more, not "abc"'],
    [{ quantity: '' }, 'Quantity is required'],
    [{ pricePerUnit: '-1' }, 'Price per unit must be a number of zero or more, not "-1"'],
    [{ manualDiscount: '1,5' }, 'Manual discount must be a number of zero or more, not "1,5"'],
  ])('refuses %j, naming the field', (change, problem) => {
    expect(changesOf(catalogLine, { ...draftOf(catalogLine), ...change })).toEqual({ ok: false, problem });
  });

  it('refuses a new line without a name or a price', () => {
    expect(changesOf(null, { name: '', pricePerUnit: '1', quantity: '1', manualDiscount: '' })).toEqual({
      ok: false,
      problem: 'Name is required',
    });
    expect(
      changesOf(null, { name: 'Training', pricePerUnit: '', quantity: '1', manualDiscount: '' }),
    ).toEqual({
      ok: false,
      problem: 'Price per unit is required',
    });
  });
});
