import {
  multiplyAmount,
  priceLine,
  roundDecimal,
  sumAmounts,
  usesListPrice,
  type LinePricingInput,
} from './pricing';

const catalogLine: LinePricingInput = {
  isProductOverridden: false,
  isPriceOverridden: false,
  requestedPricePerUnit: null,
  listPrice: 100,
  quantity: 2,
  manualDiscountAmount: null,
  tax: null,
  precision: 2,
};

describe('pricing', () => {
  it('a catalog line takes its price from the price list, whatever price was written', () => {
    expect(priceLine({ ...catalogLine, requestedPricePerUnit: 5 }).priceperunit).toBe(100);
    expect(usesListPrice(catalogLine)).toBe(true);
  });

  it('a catalog line with ispriceoverridden keeps the written price', () => {
    const amounts = priceLine({ ...catalogLine, isPriceOverridden: true, requestedPricePerUnit: 80 });
    expect(amounts.priceperunit).toBe(80);
    expect(amounts.baseamount).toBe(160);
  });

  it('a write-in line keeps its price and ignores the price list', () => {
    const amounts = priceLine({
      ...catalogLine,
      isProductOverridden: true,
      requestedPricePerUnit: 12.5,
      listPrice: null,
    });
    expect(amounts.priceperunit).toBe(12.5);
    expect(amounts.baseamount).toBe(25);
  });

  it('extended amount = base amount - manual discount + tax', () => {
    const amounts = priceLine({ ...catalogLine, quantity: 3, manualDiscountAmount: 15, tax: 7.16 });
    expect(amounts.baseamount).toBe(300);
    expect(amounts.extendedamount).toBe(292.16);
    expect(amounts.volumediscountamount).toBe(0);
  });

  it('computes in decimals, not binary floats', () => {
    expect(multiplyAmount(19.99, 3, 2)).toBe(59.97);
    expect(priceLine({ ...catalogLine, listPrice: 0.1, quantity: 3 }).baseamount).toBe(0.3);
    expect(sumAmounts([0.1, 0.2], 2)).toBe(0.3);
  });

  it('rounds half away from zero to the currency precision', () => {
    expect(roundDecimal(1.005, 2)).toBe(1.01);
    expect(roundDecimal(-1.005, 2)).toBe(-1.01);
    expect(multiplyAmount(10, 0.33333, 2)).toBe(3.33);
    expect(multiplyAmount(0.5, 0.01, 2)).toBe(0.01);
  });

  it('treats a missing quantity as zero', () => {
    expect(priceLine({ ...catalogLine, quantity: null }).baseamount).toBe(0);
  });
});
