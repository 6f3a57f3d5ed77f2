import {
  escapeKey,
  hashedId,
  invertedTime,
  key,
  MAX_KEY_LENGTH,
  olderThanBound,
  prefixUpperBound,
  unescapeKey,
} from './keys';

// eslint-disable-next-line no-control-regex -- control characters are exactly what keys must not contain
const FORBIDDEN = /[/\\#?\u0000-\u001f\u007f-\u009f]/;

describe('escapeKey', () => {
  const samples = [
    'b3f1c2d4-0000-4000-8000-0123456789ab',
    'opportunityproduct',
    'new_custom_entity',
    'a/b\\c#d?e',
    'tab\there\nnewline\u0000nul\u007fdel\u0085nel',
    'pipes|and~tildes',
    'ünïcødé 😀',
    "quote's",
    '',
  ];

  test.each(samples)('round-trips %j without forbidden characters or the separator', (value) => {
    const escaped = escapeKey(value);
    expect(escaped).not.toMatch(FORBIDDEN);
    expect(escaped).not.toContain('|');
    expect(unescapeKey(escaped)).toBe(value);
  });

  test('leaves letters, digits and dashes alone', () => {
    expect(escapeKey('Abc-123')).toBe('Abc-123');
    expect(escapeKey('a_b')).toBe('a~5Fb');
  });

  test('preserves prefixes, so a prefix search on escaped keys finds the same ids', () => {
    const id = 'Line/ü-42_x';
    for (let length = 0; length <= id.length; length++) {
      expect(escapeKey(id).startsWith(escapeKey(id.slice(0, length)))).toBe(true);
    }
  });

  test('different tenants never share a key prefix ending in the separator', () => {
    const a = key(escapeKey('contoso'), 't');
    const b = key(escapeKey('contoso|t'), 't');
    expect(a).not.toBe(b);
    expect(b.startsWith(`${escapeKey('contoso')}|`)).toBe(false);
  });

  test('refuses keys longer than the service allows', () => {
    expect(() => key('x'.repeat(600))).toThrow(/Key too long/);
  });
});

describe('prefixUpperBound', () => {
  test('bounds exactly the strings with the prefix', () => {
    const upper = prefixUpperBound('l|abc');
    expect(upper).toBe('l|abd');
    for (const inside of ['l|abc', 'l|abc|1', 'l|abc~FF', 'l|abcz']) {
      expect(inside >= 'l|abc' && inside < upper).toBe(true);
    }
    for (const outside of ['l|abd', 'l|ab', 'l|abdx', 'l|ABC']) {
      expect(outside >= 'l|abc' && outside < upper).toBe(false);
    }
  });
});

describe('invertedTime', () => {
  test('has a fixed width and sorts newest first', () => {
    const times = [0, 1, Date.parse('2026-11-24T09:00:00.000Z'), Date.parse('2286-11-20T17:46:39.999Z')];
    const keys = times.map(invertedTime);
    for (const k of keys) expect(k).toMatch(/^\d{13}$/);
    expect([...keys].sort()).toEqual([...keys].reverse());
  });

  test('olderThanBound selects exactly the entries before the cutoff', () => {
    const cutoff = new Date('2026-11-24T09:00:00.000Z');
    const bound = olderThanBound(cutoff);
    const rowKey = (ms: number) => `${invertedTime(ms)}|id`;
    expect(rowKey(cutoff.getTime() - 1) >= bound).toBe(true);
    expect(rowKey(cutoff.getTime()) >= bound).toBe(false);
    expect(rowKey(cutoff.getTime() + 1) >= bound).toBe(false);
  });

  test('refuses times it cannot represent', () => {
    expect(() => invertedTime(-1)).toThrow();
    expect(() => invertedTime(Number.NaN)).toThrow();
    expect(() => invertedTime(10 ** 13)).toThrow();
  });
});

describe('hashedId', () => {
  test('is 64 hex digits whatever the id, so any callback id fits a key', () => {
    for (const id of ['cb-1', '_'.repeat(200), 'é'.repeat(200), '😀'.repeat(200), 'a/b\\c#d?e\u0000']) {
      const hashed = hashedId('callbackId', id);
      expect(hashed).toMatch(/^[0-9a-f]{64}$/);
      expect(key(escapeKey('contoso'), hashed).length).toBeLessThan(MAX_KEY_LENGTH);
    }
  });

  test('tells ids apart and gives one id one key', () => {
    expect(hashedId('callbackId', 'éa')).not.toBe(hashedId('callbackId', 'éb'));
    expect(hashedId('callbackId', 'é')).toBe(hashedId('callbackId', 'é'));
  });

  test('refuses an empty id', () => {
    expect(() => hashedId('callbackId', '')).toThrow('callbackId must not be empty');
  });
});
