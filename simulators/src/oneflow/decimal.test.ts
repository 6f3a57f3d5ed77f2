import type Big from 'big.js';
import { decimalNumber, formatDecimal, parseDecimal } from './decimal';

const parse = (text: string | number): Big => {
  const value = parseDecimal(text);
  if (value === null) throw new Error(`not a decimal: ${text}`);
  return value;
};

describe('Oneflow decimals (exact amounts)', () => {
  it('parses decimal strings and plain numbers, and refuses anything else', () => {
    expect(formatDecimal(parse('12.50'), 2)).toBe('12.50');
    expect(formatDecimal(parse('-3'), 1)).toBe('-3.0');
    expect(formatDecimal(parse('.5'), 2)).toBe('0.50');
    expect(formatDecimal(parse('+5.'), 1)).toBe('5.0');
    expect(formatDecimal(parse(0.1).plus(parse(0.2)), 20)).toBe('0.30000000000000000000');
    for (const bad of ['', '.', 'ten', '1e3', '1,5', '--1']) expect(parseDecimal(bad)).toBeNull();
    expect(parseDecimal(Number.NaN)).toBeNull();
  });

  it('rounds half away from zero at the given places', () => {
    expect(formatDecimal(parse('1.005'), 2)).toBe('1.01');
    expect(formatDecimal(parse('-1.005'), 2)).toBe('-1.01');
    expect(formatDecimal(parse('2.5'), 0)).toBe('3');
    expect(formatDecimal(parse('16.9915'), 2)).toBe('16.99');
    expect(formatDecimal(parse('0.0004'), 3)).toBe('0.000');
    expect(formatDecimal(parse('-0.0004'), 3)).toBe('0.000');
    expect(decimalNumber(parse('2.5'), 0)).toBe(3);
  });

  it('computes exactly: 19.99 × (100 − 15) / 100 = 16.9915', () => {
    const result = parse('19.99')
      .times(parse('100').minus(parse('15')))
      .div(parse('100'));
    expect(formatDecimal(result, 4)).toBe('16.9915');
    expect(result.cmp(parse('16.9915'))).toBe(0);
  });
});
