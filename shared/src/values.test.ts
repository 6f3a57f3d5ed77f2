import fc from 'fast-check';
import {
  checkTextLength,
  compareDecimals,
  isZero,
  lineDiscountToPerUnit,
  normalizeDecimal,
  normalizeRichText,
  normalizeText,
  perUnitDiscountToLine,
} from './values';

describe('normalizeDecimal', () => {
  describe('numbers', () => {
    it('writes an integer with exactly the requested number of decimals', () => {
      expect(normalizeDecimal(12, 2)).toEqual({ ok: true, value: '12.00' });
      expect(normalizeDecimal(12, 0)).toEqual({ ok: true, value: '12' });
      expect(normalizeDecimal(12, 4)).toEqual({ ok: true, value: '12.0000' });
    });

    it('pads a fraction shorter than the precision with zeros', () => {
      expect(normalizeDecimal(1.5, 3)).toEqual({ ok: true, value: '1.500' });
    });

    it('keeps zero as zero at any precision', () => {
      expect(normalizeDecimal(0, 0)).toEqual({ ok: true, value: '0' });
      expect(normalizeDecimal(0, 2)).toEqual({ ok: true, value: '0.00' });
    });

    it('keeps the sign of negative numbers', () => {
      expect(normalizeDecimal(-7.25, 2)).toEqual({ ok: true, value: '-7.25' });
    });

    it('hides binary floating point noise (0.1 + 0.2 is 0.30)', () => {
      expect(normalizeDecimal(0.1 + 0.2, 2)).toEqual({ ok: true, value: '0.30' });
    });

    it('refuses NaN and the infinities', () => {
      expect(normalizeDecimal(Number.NaN, 2)).toEqual({ ok: false, error: '"NaN" is not a number' });
      expect(normalizeDecimal(Number.POSITIVE_INFINITY, 2)).toEqual({
        ok: false,
        error: '"Infinity" is not a number',
      });
      expect(normalizeDecimal(Number.NEGATIVE_INFINITY, 2)).toEqual({
        ok: false,
        error: '"-Infinity" is not a number',
      });
    });
  });

  describe('decimal strings', () => {
    it('reads a plain decimal string', () => {
      expect(normalizeDecimal('19.99', 2)).toEqual({ ok: true, value: '19.99' });
    });

    it('trims surrounding whitespace before reading', () => {
      expect(normalizeDecimal('  3 ', 2)).toEqual({ ok: true, value: '3.00' });
      expect(normalizeDecimal('\t4.5\n', 1)).toEqual({ ok: true, value: '4.5' });
    });

    it('treats strings that differ only in trailing zeros as the same value', () => {
      expect(normalizeDecimal('1.1', 2)).toEqual(normalizeDecimal('1.10000', 2));
      expect(normalizeDecimal('1.10', 2)).toEqual(normalizeDecimal(1.1, 2));
    });

    it('reads a leading-dot and a trailing-dot decimal', () => {
      expect(normalizeDecimal('.5', 2)).toEqual({ ok: true, value: '0.50' });
      expect(normalizeDecimal('5.', 2)).toEqual({ ok: true, value: '5.00' });
    });

    it('reads negative decimal strings', () => {
      expect(normalizeDecimal('-0.5', 1)).toEqual({ ok: true, value: '-0.5' });
    });

    it('keeps digits beyond what a JavaScript number can hold exactly', () => {
      expect(normalizeDecimal('12345678901234567890.12', 2)).toEqual({
        ok: true,
        value: '12345678901234567890.12',
      });
    });
  });

  describe('exponent forms', () => {
    it('expands a positive exponent in a string', () => {
      expect(normalizeDecimal('1e3', 2)).toEqual({ ok: true, value: '1000.00' });
      expect(normalizeDecimal('2.5E+2', 0)).toEqual({ ok: true, value: '250' });
    });

    it('expands a negative exponent in a string', () => {
      expect(normalizeDecimal('1E-2', 2)).toEqual({ ok: true, value: '0.01' });
      expect(normalizeDecimal('1.5e-3', 3)).toEqual({ ok: true, value: '0.002' });
    });

    it('writes numbers JavaScript prints in exponent form as plain decimals', () => {
      expect(normalizeDecimal(1e21, 2)).toEqual({ ok: true, value: '1000000000000000000000.00' });
      expect(normalizeDecimal(1e-7, 2)).toEqual({ ok: true, value: '0.00' });
      expect(normalizeDecimal(1.5e-7, 7)).toEqual({ ok: true, value: '0.0000002' });
    });
  });

  describe('blanks', () => {
    it('gives null for null and undefined', () => {
      expect(normalizeDecimal(null, 2)).toEqual({ ok: true, value: null });
      expect(normalizeDecimal(undefined, 2)).toEqual({ ok: true, value: null });
    });

    it('gives null for an empty or whitespace-only string', () => {
      expect(normalizeDecimal('', 2)).toEqual({ ok: true, value: null });
      expect(normalizeDecimal('   ', 2)).toEqual({ ok: true, value: null });
      expect(normalizeDecimal('\n\t', 2)).toEqual({ ok: true, value: null });
    });
  });

  describe('invalid input', () => {
    it.each(['abc', '1,5', '12 34', '1.2.3', '$5', 'NaN', 'Infinity', '0x10', '--1'])(
      'refuses the text %j and quotes it in the error',
      (text) => {
        expect(normalizeDecimal(text, 2)).toEqual({ ok: false, error: `"${text}" is not a number` });
      },
    );

    it('refuses values that are neither numbers nor strings', () => {
      expect(normalizeDecimal(true, 2)).toEqual({ ok: false, error: '"true" is not a number' });
      expect(normalizeDecimal({}, 2)).toEqual({ ok: false, error: '"[object Object]" is not a number' });
      expect(normalizeDecimal([1], 2)).toEqual({ ok: false, error: '"1" is not a number' });
    });
  });

  describe('rounding half up', () => {
    it('rounds 1.005 up to 1.01 at 2 places, from a number and from a string', () => {
      // 1.005 is 1.00499999999999989… in binary; the decimal the user typed must win.
      expect(normalizeDecimal(1.005, 2)).toEqual({ ok: true, value: '1.01' });
      expect(normalizeDecimal('1.005', 2)).toEqual({ ok: true, value: '1.01' });
    });

    it('rounds an exact half up, not to even', () => {
      expect(normalizeDecimal('2.5', 0)).toEqual({ ok: true, value: '3' });
      expect(normalizeDecimal('0.125', 2)).toEqual({ ok: true, value: '0.13' });
      expect(normalizeDecimal('0.135', 2)).toEqual({ ok: true, value: '0.14' });
    });

    it('rounds below half down', () => {
      expect(normalizeDecimal('1.00499', 2)).toEqual({ ok: true, value: '1.00' });
      expect(normalizeDecimal('2.4999', 0)).toEqual({ ok: true, value: '2' });
    });

    it('rounds a negative half away from zero', () => {
      expect(normalizeDecimal(-2.5, 0)).toEqual({ ok: true, value: '-3' });
      expect(normalizeDecimal('-1.005', 2)).toEqual({ ok: true, value: '-1.01' });
    });

    it('carries rounding into the integer part', () => {
      expect(normalizeDecimal('9.995', 2)).toEqual({ ok: true, value: '10.00' });
      expect(normalizeDecimal('99.5', 0)).toEqual({ ok: true, value: '100' });
    });
  });

  describe('negative zero', () => {
    it('writes -0 as 0', () => {
      expect(normalizeDecimal(-0, 2)).toEqual({ ok: true, value: '0.00' });
      expect(normalizeDecimal('-0', 0)).toEqual({ ok: true, value: '0' });
      expect(normalizeDecimal('-0.00', 2)).toEqual({ ok: true, value: '0.00' });
    });

    it('writes a tiny negative number that rounds to zero as 0, without a minus sign', () => {
      expect(normalizeDecimal('-0.001', 2)).toEqual({ ok: true, value: '0.00' });
      expect(normalizeDecimal(-0.4, 0)).toEqual({ ok: true, value: '0' });
    });

    it('keeps the minus sign of a small negative number that does not round to zero', () => {
      expect(normalizeDecimal('-0.005', 2)).toEqual({ ok: true, value: '-0.01' });
    });
  });
});

describe('normalizeText', () => {
  it('trims surrounding whitespace', () => {
    expect(normalizeText('  Widget \n')).toEqual({ ok: true, value: 'Widget' });
  });

  it('keeps whitespace inside the text', () => {
    expect(normalizeText(' Blue  widget ')).toEqual({ ok: true, value: 'Blue  widget' });
  });

  it('gives null for null, undefined, empty and blank text so they compare equal', () => {
    expect(normalizeText(null)).toEqual({ ok: true, value: null });
    expect(normalizeText(undefined)).toEqual({ ok: true, value: null });
    expect(normalizeText('')).toEqual({ ok: true, value: null });
    expect(normalizeText(' \t\n ')).toEqual({ ok: true, value: null });
  });

  it('refuses numbers, booleans and objects instead of converting them', () => {
    expect(normalizeText(5)).toEqual({ ok: false, error: '5 is not text' });
    expect(normalizeText(true)).toEqual({ ok: false, error: 'true is not text' });
    expect(normalizeText({ a: 1 })).toEqual({ ok: false, error: '{"a":1} is not text' });
  });

  it('keeps non-Latin text and emoji as they are', () => {
    expect(normalizeText(' Åsa 👍 ')).toEqual({ ok: true, value: 'Åsa 👍' });
  });
});

describe('normalizeRichText', () => {
  const text = (raw: unknown) => normalizeRichText(raw);

  it('reads the text of a paragraph an editor wrapped it in, entities decoded', () => {
    expect(text('<p>Blue &amp; white &lt;matte&gt;</p>')).toEqual({
      ok: true,
      value: 'Blue & white <matte>',
    });
    expect(text('<div class="x">Caf&eacute; &#8364;5 &#x263A;</div>')).toEqual({
      ok: true,
      value: 'Café €5 ☺',
    });
  });

  it('keeps line breaks: paragraphs, <br> and newlines are lines; blank lines and runs of spaces go', () => {
    const expected = { ok: true, value: 'One\nTwo\nThree' };
    expect(text('One\r\n\r\n  Two \nThree')).toEqual(expected);
    expect(text('<p>One</p><p>Two<br/>Three</p>')).toEqual(expected);
    expect(text('<p>One</p>\n<p></p><p>Two<BR>Three&nbsp;</p>')).toEqual(expected);
  });

  it('leaves angle brackets in plain text alone: only a value opening with a block element is rich text', () => {
    expect(text('Use a <b> tag')).toEqual({ ok: true, value: 'Use a <b> tag' });
    expect(text('<p>Use a &lt;b&gt; tag</p>')).toEqual({ ok: true, value: 'Use a <b> tag' });
  });

  it('is null for nothing, blank text and an empty paragraph; refuses what is not text', () => {
    for (const empty of [null, undefined, '', '  \n ', '<p></p>', '<p>&nbsp;</p>']) {
      expect(text(empty)).toEqual({ ok: true, value: null });
    }
    expect(text(12)).toEqual({ ok: false, error: '12 is not text' });
  });

  it('a rich-text round trip cannot change it: wrapped, escaped, re-spaced text reads as the text it came from', () => {
    // What an editor makes of plain text: every special character escaped, lines as paragraphs or <br>.
    const escape = (line: string) =>
      line.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    // Plain text typing a literal entity (`&amp;`) or opening with a block tag (`<p>`) reads as rich text: the
    // one kind of text the comparison cannot tell apart, so the alphabet cannot spell either.
    const plainLine = fc.string({
      unit: fc.constantFrom('a', 'Z', '1', ' ', '\t', '<', '>', '"', "'", 'é', '€', '😀', '.'),
    });
    fc.assert(
      fc.property(
        fc.array(plainLine, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        (lines, asParagraphs) => {
          const plain = lines.join('\n');
          const rich = asParagraphs
            ? lines.map((line) => `<p>${escape(line)}</p>`).join('')
            : `<p>${lines.map(escape).join('<br>')}</p>`;
          expect(text(`  ${rich}\n`)).toEqual(text(plain));
          expect(text(escape(plain))).toEqual(text(plain));
        },
      ),
    );
  });
});

describe('checkTextLength', () => {
  it('passes text within the limits through unchanged', () => {
    expect(checkTextLength('abc', { min: 1, max: 3 }, 'Name')).toEqual({ ok: true, value: 'abc' });
  });

  it('passes anything when there are no limits', () => {
    expect(checkTextLength('x'.repeat(10_000), {}, 'Name')).toEqual({ ok: true, value: 'x'.repeat(10_000) });
    expect(checkTextLength(null, {}, 'Name')).toEqual({ ok: true, value: null });
  });

  it('refuses text over the maximum, naming the field, the length and the limit', () => {
    expect(checkTextLength('abcd', { max: 3 }, 'Name')).toEqual({
      ok: false,
      error: 'Name has 4 characters; the limit is 3',
    });
  });

  it('never shortens text that is too long', () => {
    const result = checkTextLength('abcd', { max: 3 }, 'Name');
    expect(result.ok).toBe(false);
    expect(result).not.toHaveProperty('value');
  });

  it('counts an emoji as one character, not two UTF-16 units', () => {
    expect('👍'.length).toBe(2);
    expect(checkTextLength('👍', { max: 1 }, 'Name')).toEqual({ ok: true, value: '👍' });
    expect(checkTextLength('ab👍', { max: 2 }, 'Name')).toEqual({
      ok: false,
      error: 'Name has 3 characters; the limit is 2',
    });
  });

  it('accepts 80 emoji at a limit of 80 although they are 160 UTF-16 units', () => {
    const text = '😀'.repeat(80);
    expect(checkTextLength(text, { max: 80 }, 'Name')).toEqual({ ok: true, value: text });
    expect(checkTextLength(`${text}😀`, { max: 80 }, 'Name')).toEqual({
      ok: false,
      error: 'Name has 81 characters; the limit is 80',
    });
  });

  it('says a required field is empty when the value is null and the minimum is 1', () => {
    expect(checkTextLength(null, { min: 1 }, "Oneflow's Name")).toEqual({
      ok: false,
      error: "Oneflow's Name is empty; it needs at least 1 character",
    });
  });

  it('says text is too short when a minimum above 1 is not met', () => {
    expect(checkTextLength('a', { min: 2 }, 'Code')).toEqual({ ok: false, error: 'Code is too short' });
    expect(checkTextLength('ab', { min: 2 }, 'Code')).toEqual({ ok: true, value: 'ab' });
  });

  it('accepts text exactly at the maximum', () => {
    expect(checkTextLength('abc', { max: 3 }, 'Name')).toEqual({ ok: true, value: 'abc' });
  });
});

describe('lineDiscountToPerUnit', () => {
  it('divides the line total by the quantity', () => {
    expect(lineDiscountToPerUnit('100.00', '4', 2)).toEqual({ ok: true, value: '25.00' });
  });

  it('rounds the per-unit discount half up at the price precision', () => {
    expect(lineDiscountToPerUnit('10', '3', 2)).toEqual({ ok: true, value: '3.33' });
    expect(lineDiscountToPerUnit('20', '3', 2)).toEqual({ ok: true, value: '6.67' });
    expect(lineDiscountToPerUnit('1', '8', 2)).toEqual({ ok: true, value: '0.13' });
    expect(lineDiscountToPerUnit('10', '4', 0)).toEqual({ ok: true, value: '3' });
  });

  it('divides by a fractional quantity', () => {
    expect(lineDiscountToPerUnit('5', '2.5', 2)).toEqual({ ok: true, value: '2.00' });
  });

  it('gives a zero discount for a zero or missing line total, whatever the quantity', () => {
    expect(lineDiscountToPerUnit(null, '3', 2)).toEqual({ ok: true, value: '0.00' });
    expect(lineDiscountToPerUnit('0.00', '3', 2)).toEqual({ ok: true, value: '0.00' });
    expect(lineDiscountToPerUnit(null, '0', 2)).toEqual({ ok: true, value: '0.00' });
    expect(lineDiscountToPerUnit('0', null, 2)).toEqual({ ok: true, value: '0.00' });
  });

  it('refuses a discount on a line with quantity zero, quoting the discount', () => {
    expect(lineDiscountToPerUnit('10', '0', 2)).toEqual({
      ok: false,
      error:
        "the line has a discount of 10 but no quantity; Oneflow's discount is per unit, so it needs a quantity",
    });
  });

  it('refuses a discount on a line with no quantity at all', () => {
    const result = lineDiscountToPerUnit('10.00', null, 2);
    if (result.ok) throw new Error('expected a missing quantity to be refused');
    expect(result.error).toContain('discount of 10.00 but no quantity');
  });
});

describe('perUnitDiscountToLine', () => {
  it('multiplies the per-unit discount by the quantity', () => {
    expect(perUnitDiscountToLine('25.00', '4', 2)).toBe('100.00');
  });

  it('rounds the line total half up at the precision', () => {
    expect(perUnitDiscountToLine('0.125', '1', 2)).toBe('0.13');
    expect(perUnitDiscountToLine('1.5', '2.5', 0)).toBe('4');
  });

  it('treats a missing per-unit discount or quantity as zero', () => {
    expect(perUnitDiscountToLine(null, '4', 2)).toBe('0.00');
    expect(perUnitDiscountToLine('25', null, 2)).toBe('0.00');
  });

  it('gives zero, not an error, for quantity zero', () => {
    expect(perUnitDiscountToLine('25', '0', 2)).toBe('0.00');
  });
});

describe('line discount round trip', () => {
  it.each([
    ['100.00', '4'],
    ['7.50', '3'],
    ['12.34', '1'],
    ['0.00', '9'],
    ['60.00', '2.5'],
  ])('a line total of %s over quantity %s comes back unchanged when it divides evenly', (total, quantity) => {
    const perUnit = lineDiscountToPerUnit(total, quantity, 2);
    if (!perUnit.ok) throw new Error(perUnit.error);
    expect(perUnitDiscountToLine(perUnit.value, quantity, 2)).toBe(total);
  });

  it('a per-unit discount survives the trip to a line total and back', () => {
    const line = perUnitDiscountToLine('3.33', '3', 2);
    expect(line).toBe('9.99');
    expect(lineDiscountToPerUnit(line, '3', 2)).toEqual({ ok: true, value: '3.33' });
  });

  it('a line total that does not divide evenly comes back off by the rounding (10 / 3 → 3.33 → 9.99)', () => {
    const perUnit = lineDiscountToPerUnit('10.00', '3', 2);
    expect(perUnit).toEqual({ ok: true, value: '3.33' });
    expect(perUnitDiscountToLine('3.33', '3', 2)).toBe('9.99');
  });
});

describe('compareDecimals', () => {
  it('compares by value, not by text', () => {
    expect(compareDecimals('10', '9')).toBe(1);
    expect(compareDecimals('9', '10')).toBe(-1);
    expect(compareDecimals('1.10', '1.1')).toBe(0);
    expect(compareDecimals('-2', '-10')).toBe(1);
  });

  it('treats null as zero', () => {
    expect(compareDecimals(null, '0.00')).toBe(0);
    expect(compareDecimals(null, null)).toBe(0);
    expect(compareDecimals('-1', null)).toBe(-1);
    expect(compareDecimals(null, '0.01')).toBe(-1);
    expect(compareDecimals('0.01', null)).toBe(1);
  });

  it('compares values beyond a double exactly', () => {
    expect(compareDecimals('100.01', '100')).toBe(1);
    expect(compareDecimals('9007199254740993', '9007199254740992')).toBe(1);
  });
});

describe('isZero', () => {
  it('is true for null and every spelling of zero', () => {
    expect(isZero(null)).toBe(true);
    expect(isZero('0')).toBe(true);
    expect(isZero('0.00')).toBe(true);
    expect(isZero('-0')).toBe(true);
  });

  it('is false for any non-zero value, however small', () => {
    expect(isZero('0.01')).toBe(false);
    expect(isZero('-0.0001')).toBe(false);
    expect(isZero('5')).toBe(false);
  });
});

describe('checkTextLength counts what each service counts', () => {
  it("Dataverse's MaxLength counts UTF-16 units: an emoji takes two", () => {
    expect(checkTextLength('ab😀', { max: 3, units: 'utf16' }, 'Notes')).toEqual({
      ok: false,
      error: 'Notes has 4 characters; the limit is 3',
    });
    expect(checkTextLength('ab😀', { max: 3 }, 'Name')).toEqual({ ok: true, value: 'ab😀' });
  });
});
