import { Decimal } from './decimal';

const parse = (text: string | number): Decimal => {
  const value = Decimal.parse(text);
  if (value === null) throw new Error(`not a decimal: ${text}`);
  return value;
};

describe('Decimal (exact amounts)', () => {
  it('parses decimal strings and plain numbers, and refuses anything else', () => {
    expect(parse('12.50').toFixed(2)).toBe('12.50');
    expect(parse('-3').toFixed(1)).toBe('-3.0');
    expect(parse('.5').toFixed(2)).toBe('0.50');
    expect(parse(0.1).plus(parse(0.2)).toFixed(20)).toBe('0.30000000000000000000');
    for (const bad of ['', '.', 'ten', '1e3', '1,5', '--1']) expect(Decimal.parse(bad)).toBeNull();
    expect(Decimal.parse(Number.NaN)).toBeNull();
  });

  it('rounds half away from zero at the given places', () => {
    expect(parse('1.005').toFixed(2)).toBe('1.01');
    expect(parse('-1.005').toFixed(2)).toBe('-1.01');
    expect(parse('2.5').toFixed(0)).toBe('3');
    expect(parse('16.9915').toFixed(2)).toBe('16.99');
    expect(parse('0.0004').toFixed(3)).toBe('0.000');
  });

  it('computes exactly: 19.99 × (100 − 15) / 100 = 16.9915', () => {
    const result = parse('19.99')
      .times(parse('100').minus(parse('15')))
      .dividedBy(parse('100'));
    expect(result.toFixed(4)).toBe('16.9915');
    expect(result.compare(parse('16.9915'))).toBe(0);
  });
});
