import { createHash } from 'node:crypto';
import { StateInputError } from './errors';

/**
 * Partition and row keys. Table keys may not contain / \ # ? or control characters, so every id we do not
 * control is escaped: ASCII letters, digits and '-' stay, every other character becomes '~' followed by its UTF-8
 * bytes in upper-case hex ('_' → '~5F', '|' → '~7C', 'é' → '~C3~A9'). The escaped alphabet never contains
 * `SEP` ('|'), so joining escaped parts with '|' is unambiguous: tenant 'a' can never produce a key that starts
 * like tenant 'a|b'. Escaping works character by character, so it preserves prefixes (escape(p) is a prefix of
 * escape(s) whenever p is a prefix of s), which the line-id prefix search relies on.
 */

export const SEP = '|';

/** Azure allows 1 KiB per key; keys are UTF-16 on the service, so stay within 512 characters. */
export const MAX_KEY_LENGTH = 512;

const PLAIN = /^[A-Za-z0-9-]$/;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function escapeKey(value: string): string {
  let out = '';
  for (const char of value) {
    if (PLAIN.test(char)) {
      out += char;
    } else {
      for (const byte of encoder.encode(char)) out += `~${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

export function unescapeKey(escaped: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < escaped.length;) {
    const char = escaped.charAt(i);
    if (char === '~') {
      const hex = escaped.slice(i + 1, i + 3);
      if (!/^[0-9A-F]{2}$/.test(hex)) throw new StateInputError(`Not an escaped key: '${escaped}'`);
      bytes.push(parseInt(hex, 16));
      i += 3;
    } else {
      bytes.push(char.charCodeAt(0));
      i += 1;
    }
  }
  return decoder.decode(new Uint8Array(bytes));
}

/** Joins already-escaped parts; throws when the key would be longer than Azure allows. */
export function key(...parts: string[]): string {
  const joined = parts.join(SEP);
  if (joined.length > MAX_KEY_LENGTH) {
    throw new StateInputError(
      `Key too long (${joined.length} > ${MAX_KEY_LENGTH} characters) for '${joined.slice(0, 60)}…'`,
    );
  }
  return joined;
}

/** Non-empty id that is escaped into a key. */
export function requireId(name: string, value: string): string {
  if (value.length === 0) throw new StateInputError(`${name} must not be empty`);
  return escapeKey(value);
}

/**
 * A fixed-length key (64 hex digits, SHA-256) for an id whose escaped form could pass the key limit: escaping
 * turns one character into up to 12 ('é' → '~C3~A9', an emoji → four bytes), so 200 characters can need 2,400.
 * Only for ids that are looked up whole, never by prefix; the original id is kept in a column beside it.
 */
export function hashedId(name: string, value: string): string {
  if (value.length === 0) throw new StateInputError(`${name} must not be empty`);
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

export function requireContractId(contractId: number): string {
  if (!Number.isSafeInteger(contractId))
    throw new StateInputError(`contractId must be an integer, got ${contractId}`);
  return String(contractId);
}

/** The smallest string greater than every string that starts with `prefix`: [prefix, upper) is a prefix range. */
export function prefixUpperBound(prefix: string): string {
  if (prefix.length === 0) throw new StateInputError('prefix must not be empty');
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

const TIME_SPAN = 10 ** 13;
const TIME_DIGITS = 13;

/** 13 digits that sort newest first: 10^13 − 1 − epoch ms (valid until the year 2286). */
export function invertedTime(epochMs: number): string {
  if (!Number.isSafeInteger(epochMs) || epochMs < 0 || epochMs >= TIME_SPAN) {
    throw new StateInputError(`Time out of range for an inverted key: ${epochMs}`);
  }
  return String(TIME_SPAN - 1 - epochMs).padStart(TIME_DIGITS, '0');
}

/** Row keys (prefixed by inverted time) of everything strictly older than `cutoff` are ≥ this bound. */
export function olderThanBound(cutoff: Date): string {
  return invertedTime(cutoff.getTime() - 1);
}
