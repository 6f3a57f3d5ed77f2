import type { Platform } from '../platform/Platform';

const DECIMAL = /^-?\d+(?:\.(\d+))?$/;

/**
 * A value as people read it: decimals in the user's format with the places the value has (the API sends exact
 * decimal strings; they are never compared once formatted), text as it is, nothing as a dash.
 */
export function displayValue(
  value: string | number | boolean | null,
  platform: Pick<Platform, 'formatDecimal'>,
): string {
  if (value === null || value === '') return '—';
  if (typeof value === 'boolean') return String(value);
  const text = String(value);
  const match = DECIMAL.exec(text);
  if (match === null) return text;
  return platform.formatDecimal(Number(text), match[1]?.length ?? 0);
}
