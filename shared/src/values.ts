import Big from 'big.js';
import { decodeHTML } from 'entities';
import { fail, ok, type Result } from './result';

/**
 * The canonical form of a mapped field's value, the only form values are compared in:
 * trimmed text, a decimal string with exactly the field's precision, or null when empty.
 */
export type Canonical = string | null;

const ROUND_HALF_UP = 1;

function toBig(raw: unknown): Big | null | undefined {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'number') return Number.isFinite(raw) ? new Big(raw) : undefined;
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  if (text === '') return null;
  try {
    return new Big(text);
  } catch {
    return undefined;
  }
}

function fixed(value: Big, precision: number): string {
  const text = value.round(precision, ROUND_HALF_UP).toFixed(precision);
  // Rounding a tiny negative number gives "-0.00"; zero has one form.
  return /^-0(\.0+)?$/.test(text) ? text.slice(1) : text;
}

/** A number (or decimal string) at `precision` places, rounded half up; empty input is null. */
export function normalizeDecimal(raw: unknown, precision: number): Result<Canonical> {
  const value = toBig(raw);
  if (value === undefined) return fail(`"${String(raw)}" is not a number`);
  return ok(value === null ? null : fixed(value, precision));
}

/** Trimmed text; empty or blank text is null so that "" and a missing value compare equal. */
export function normalizeText(raw: unknown): Result<Canonical> {
  if (raw === null || raw === undefined) return ok(null);
  if (typeof raw !== 'string') return fail(`${JSON.stringify(raw)} is not text`);
  const text = raw.trim();
  return ok(text === '' ? null : text);
}

/** A value that opens with a block element is rich text as an editor stores it (`<p>…</p>`, `<div>`, lists). */
const RICH_TEXT_OPENING = /^\s*<(?:p|div|ul|ol|li|h[1-6]|blockquote|pre|br)\b[^>]*>/i;
/** Tags that end a line of text in a rendered page. */
const LINE_ENDING_TAGS = /<\s*(?:br\b|\/(?:p|div|li|h[1-6]|blockquote|pre)\b)[^>]*>/gi;
const ANY_TAG = /<[^>]*>/g;

/**
 * Text a rich-text round trip cannot change: Oneflow stores a product description as rich text, and may give it
 * back wrapped in a paragraph, entity-escaped or with its whitespace changed. Rich text (a value opening with a
 * block element) is read for its text, line breaks kept; entities are decoded; runs of whitespace inside a line
 * become one space; blank lines go; empty text is null. The same function reads both sides, so a plain-text
 * value and the rich text an editor makes of it compare equal.
 */
export function normalizeRichText(raw: unknown): Result<Canonical> {
  if (raw === null || raw === undefined) return ok(null);
  if (typeof raw !== 'string') return fail(`${JSON.stringify(raw)} is not text`);
  const text = RICH_TEXT_OPENING.test(raw) ? raw.replace(LINE_ENDING_TAGS, '\n').replace(ANY_TAG, '') : raw;
  const lines = decodeHTML(text)
    .split(/\r\n|\r|\n/)
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter((line) => line !== '');
  return ok(lines.length === 0 ? null : lines.join('\n'));
}

/** Length limits are errors for the user to fix; text is never cut silently. */
export function checkTextLength(
  value: Canonical,
  limits: { min?: number; max?: number; units?: 'code_points' | 'utf16' },
  label: string,
): Result<Canonical> {
  // Oneflow counts characters (an emoji is one); Dataverse's MaxLength counts .NET UTF-16 units (an emoji is two).
  const length = value === null ? 0 : limits.units === 'utf16' ? value.length : Array.from(value).length;
  if (limits.min !== undefined && length < limits.min) {
    return fail(
      limits.min === 1 ? `${label} is empty; it needs at least 1 character` : `${label} is too short`,
    );
  }
  if (limits.max !== undefined && length > limits.max) {
    return fail(`${label} has ${length} characters; the limit is ${limits.max}`);
  }
  return ok(value);
}

/** -1, 0 or 1; null counts as zero. */
export function compareDecimals(a: Canonical, b: Canonical): number {
  return new Big(a ?? 0).cmp(new Big(b ?? 0));
}

export function isZero(value: Canonical): boolean {
  return value === null || new Big(value).eq(0);
}

/**
 * Dynamics' `manualdiscountamount` is a discount on the whole line; Oneflow's discount amount is per unit.
 * Per unit = line total / quantity, at the price precision.
 */
export function lineDiscountToPerUnit(
  lineTotal: Canonical,
  quantity: Canonical,
  precision: number,
): Result<Canonical> {
  if (isZero(lineTotal)) return ok(fixed(new Big(0), precision));
  if (isZero(quantity)) {
    return fail(
      `the line has a discount of ${lineTotal ?? '0'} but no quantity; Oneflow's discount is per unit, so it needs a quantity`,
    );
  }
  return ok(fixed(new Big(lineTotal ?? 0).div(new Big(quantity ?? 0)), precision));
}

/** The inverse of {@link lineDiscountToPerUnit}: line total = per-unit discount × quantity. */
export function perUnitDiscountToLine(perUnit: Canonical, quantity: Canonical, precision: number): Canonical {
  return fixed(new Big(perUnit ?? 0).times(new Big(quantity ?? 0)), precision);
}
