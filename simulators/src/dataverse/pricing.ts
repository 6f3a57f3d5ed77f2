/**
 * Dataverse's system pricing for opportunity and quote lines, as pure functions. Amounts are computed in
 * scaled integers (BigInt), never binary floats, and rounded half away from zero to the currency precision, as
 * Dataverse rounds money: 19.99 × 3 is 59.97, not 59.970000000000006.
 */

export interface LinePricingInput {
  /** `isproductoverridden`: a write-in line keeps the price it is given. */
  isProductOverridden: boolean;
  /** `ispriceoverridden`: a catalog line whose price was set by hand. */
  isPriceOverridden: boolean;
  /** The price the line would have after this write (written now or kept from before). */
  requestedPricePerUnit: number | null;
  /** The price list amount for the line's product and unit; null when not needed or not found. */
  listPrice: number | null;
  quantity: number | null;
  manualDiscountAmount: number | null;
  tax: number | null;
  /** Decimal places of the transaction currency. */
  precision: number;
}

export interface LineAmounts {
  priceperunit: number;
  baseamount: number;
  extendedamount: number;
  volumediscountamount: number;
}

/** True when Dataverse takes the line's price from the price list, whatever price was written. */
export function usesListPrice(line: { isProductOverridden: boolean; isPriceOverridden: boolean }): boolean {
  return !line.isProductOverridden && !line.isPriceOverridden;
}

function toScaled(value: number, places: number): bigint {
  const [whole = '0', fraction = ''] = Math.abs(value).toFixed(places).split('.');
  const magnitude = BigInt(whole + fraction.padEnd(places, '0'));
  return value < 0 ? -magnitude : magnitude;
}

function rescale(value: bigint, fromPlaces: number, toPlaces: number): bigint {
  if (toPlaces >= fromPlaces) return value * 10n ** BigInt(toPlaces - fromPlaces);
  const divisor = 10n ** BigInt(fromPlaces - toPlaces);
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const rounded = (magnitude + divisor / 2n) / divisor;
  return negative ? -rounded : rounded;
}

function fromScaled(value: bigint, places: number): number {
  return Number(value) / 10 ** places;
}

/** Rounds half away from zero to `places` decimals (1.005 → 1.01). */
export function roundDecimal(value: number, places: number): number {
  // toFixed(places + 6) keeps the digits a double really holds before rounding once, so 1.005 stays 1.005.
  const extra = places + 6;
  return fromScaled(rescale(toScaled(value, extra), extra, places), places);
}

/** price × quantity, rounded to the currency precision. */
export function multiplyAmount(price: number, quantity: number, precision: number): number {
  const priceScaled = toScaled(price, 4);
  const quantityScaled = toScaled(quantity, 5);
  return fromScaled(rescale(priceScaled * quantityScaled, 9, precision), precision);
}

/**
 * The amounts Dataverse stores on a line after any write: the price per unit (from the price list unless the
 * line is a write-in or its price is overridden), base amount = price × quantity, extended amount =
 * base − manual discount + tax. Volume discounts (discount lists) are not modeled and stay zero.
 */
export function priceLine(input: LinePricingInput): LineAmounts {
  const price = usesListPrice(input) ? (input.listPrice ?? 0) : (input.requestedPricePerUnit ?? 0);
  const pricePerUnit = roundDecimal(price, input.precision);
  const baseAmount = multiplyAmount(pricePerUnit, input.quantity ?? 0, input.precision);
  const scale = input.precision;
  const extended =
    toScaled(baseAmount, scale) -
    toScaled(roundDecimal(input.manualDiscountAmount ?? 0, scale), scale) +
    toScaled(roundDecimal(input.tax ?? 0, scale), scale);
  return {
    priceperunit: pricePerUnit,
    baseamount: baseAmount,
    extendedamount: fromScaled(extended, scale),
    volumediscountamount: 0,
  };
}

/** The sum of line amounts, exact to the currency precision (the parent's total detail amount). */
export function sumAmounts(amounts: readonly number[], precision: number): number {
  const total = amounts.reduce((sum, amount) => sum + toScaled(amount, precision), 0n);
  return fromScaled(total, precision);
}
