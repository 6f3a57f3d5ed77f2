import Big from 'big.js';

/**
 * Oneflow amounts as exact decimals (big.js). Oneflow sends and stores amounts as decimal strings; doing
 * the price maths in binary floats would make the simulator disagree with Oneflow by a cent now and then,
 * which is exactly the kind of difference that hides rounding bugs in clients. This module adds what Oneflow
 * means by an amount: which inputs are amounts, how they round, and how they are written.
 */

/** big.js rounding mode 1: to nearest, half away from zero (how money is rounded in a price table). */
const ROUND_HALF_UP = 1;

/** `"12.50"`, `"-3"`, `"+1"`, `".5"`, `"5."`, `7`, `0.25`; null for anything else (exponents, NaN, ""). */
export function parseDecimal(value: string | number): Big | null {
  const text = typeof value === 'number' ? numberText(value) : value.trim();
  if (text === null) return null;
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match) return null;
  const [, sign = '', whole = '', fraction = ''] = match;
  if (whole === '' && fraction === '') return null;
  return new Big(`${sign === '-' ? '-' : ''}${whole || '0'}.${fraction || '0'}`);
}

/** Rounded half away from zero to `places` decimals. */
export function roundDecimal(value: Big, places: number): Big {
  return value.round(places, ROUND_HALF_UP);
}

/** The decimal string Oneflow shows, with exactly `places` decimals: 12.5 at 2 places is `"12.50"`. */
export function formatDecimal(value: Big, places: number): string {
  // Rounded first: big.js writes a negative value that rounds to zero as "-0.00", a rounded zero as "0.00".
  return roundDecimal(value, places).toFixed(places);
}

/** The amount as a JSON number, at `places` decimals. */
export function decimalNumber(value: Big, places: number): number {
  return Number(formatDecimal(value, places));
}

function numberText(value: number): string | null {
  if (!Number.isFinite(value)) return null;
  const text = String(value);
  // 1e-7 and 1e21 print with exponents; no realistic amount needs them.
  return text.includes('e') ? null : text;
}
