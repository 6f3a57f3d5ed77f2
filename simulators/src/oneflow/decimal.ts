/**
 * Exact decimal arithmetic for Oneflow amounts. Oneflow sends and stores amounts as decimal strings; doing the
 * price maths in binary floats would make the simulator disagree with Oneflow by a cent now and then, which is
 * exactly the kind of difference that hides rounding bugs in clients. A value is a fraction of two bigints.
 */
export class Decimal {
  private constructor(
    readonly numerator: bigint,
    /** Always positive. */
    readonly denominator: bigint,
  ) {}

  static readonly ZERO = new Decimal(0n, 1n);

  static of(numerator: bigint, denominator = 1n): Decimal {
    if (denominator === 0n) throw new RangeError('division by zero');
    return denominator < 0n ? new Decimal(-numerator, -denominator) : new Decimal(numerator, denominator);
  }

  /** `"12.50"`, `"-3"`, `".5"`, `7`, `0.25`; null for anything else (exponents, NaN, empty text). */
  static parse(value: string | number): Decimal | null {
    const text = typeof value === 'number' ? numberText(value) : value.trim();
    if (text === null) return null;
    const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
    if (!match) return null;
    const [, sign = '', whole = '', fraction = ''] = match;
    if (whole === '' && fraction === '') return null;
    const digits = BigInt(`${whole}${fraction}` || '0');
    return Decimal.of(sign === '-' ? -digits : digits, 10n ** BigInt(fraction.length));
  }

  plus(other: Decimal): Decimal {
    return Decimal.of(
      this.numerator * other.denominator + other.numerator * this.denominator,
      this.denominator * other.denominator,
    );
  }

  minus(other: Decimal): Decimal {
    return this.plus(other.negated());
  }

  times(other: Decimal): Decimal {
    return Decimal.of(this.numerator * other.numerator, this.denominator * other.denominator);
  }

  dividedBy(other: Decimal): Decimal {
    return Decimal.of(this.numerator * other.denominator, this.denominator * other.numerator);
  }

  negated(): Decimal {
    return Decimal.of(-this.numerator, this.denominator);
  }

  compare(other: Decimal): -1 | 0 | 1 {
    const difference = this.numerator * other.denominator - other.numerator * this.denominator;
    return difference === 0n ? 0 : difference < 0n ? -1 : 1;
  }

  isZero(): boolean {
    return this.numerator === 0n;
  }

  isNegative(): boolean {
    return this.numerator < 0n;
  }

  /** Rounded half away from zero to `places` decimals (how money is rounded in a price table). */
  rounded(places: number): Decimal {
    const scale = 10n ** BigInt(places);
    const scaled = this.numerator * scale;
    const magnitude = scaled < 0n ? -scaled : scaled;
    const quotient = magnitude / this.denominator;
    const remainder = magnitude % this.denominator;
    const roundedMagnitude = remainder * 2n >= this.denominator ? quotient + 1n : quotient;
    return Decimal.of(scaled < 0n ? -roundedMagnitude : roundedMagnitude, scale);
  }

  /** The decimal string Oneflow shows, with exactly `places` decimals: `toFixed(2)` of 12.5 is `"12.50"`. */
  toFixed(places: number): string {
    const rounded = this.rounded(places);
    const scale = 10n ** BigInt(places);
    // rounded.denominator divides scale, so this is exact.
    const units = rounded.numerator * (scale / rounded.denominator);
    const negative = units < 0n;
    const digits = (negative ? -units : units).toString().padStart(places + 1, '0');
    const whole = digits.slice(0, digits.length - places);
    const fraction = digits.slice(digits.length - places);
    return `${negative ? '-' : ''}${whole}${places > 0 ? `.${fraction}` : ''}`;
  }

  toNumber(places: number): number {
    return Number(this.toFixed(places));
  }
}

function numberText(value: number): string | null {
  if (!Number.isFinite(value)) return null;
  const text = String(value);
  // 1e-7 and 1e21 print with exponents; no realistic amount needs them.
  return text.includes('e') ? null : text;
}
