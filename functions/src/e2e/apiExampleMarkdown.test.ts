import {
  ELLIPSIS,
  END_MARKER,
  exampleRegions,
  first,
  guidsIn,
  jsonBlock,
  keep,
  Placeholders,
  startMarker,
  toJson,
  withExamples,
} from './apiExampleMarkdown';

const KNOWN = '0a1b0000-0000-4000-8000-000000000001';

describe('placeholders for what a run makes up', () => {
  test('a GUID the fixtures hold stays; any other reads the same wherever it appears, numbered as first seen', () => {
    const placeholders = new Placeholders(new Set([KNOWN]));
    const a = 'd7a31bbd-f95a-459b-a608-09601375e636';
    const b = '41dd291e-c381-4bfd-a66c-bd50455b4aa4';
    expect(
      placeholders.json({ recordId: KNOWN, activityId: a, note: `No link for line ${b}`, again: a }),
    ).toEqual({
      recordId: KNOWN,
      activityId: 'f0000000-0000-4000-8000-000000000001',
      note: 'No link for line f0000000-0000-4000-8000-000000000002',
      again: 'f0000000-0000-4000-8000-000000000001',
    });
  });

  test('times keep their format and order; the same time under the same field name reads the same', () => {
    const placeholders = new Placeholders(new Set());
    const plannedAt = '2026-12-01T08:30:00.123Z';
    expect(
      placeholders.json({
        plannedAt,
        links: [{ syncedAt: plannedAt }, { syncedAt: plannedAt }],
        updated_time: '2026-12-01T08:30:01+0000',
      }),
    ).toEqual({
      plannedAt: '2026-11-24T10:00:01.000Z',
      links: [{ syncedAt: '2026-11-24T10:00:02.000Z' }, { syncedAt: '2026-11-24T10:00:02.000Z' }],
      updated_time: '2026-11-24T10:00:03+0000',
    });
  });

  test("Azurite's etags hide a time, which gets a placeholder too", () => {
    const placeholders = new Placeholders(new Set());
    const etag = `W/"datetime'2026-12-01T08%3A30%3A00.4559938Z'"`;
    expect(placeholders.text(etag, 'etag')).toBe(`W/"datetime'2026-11-24T10%3A00%3A01.0000000Z'"`);
    expect(placeholders.json({ etag }, '')).toEqual({
      etag: `W/"datetime'2026-11-24T10%3A00%3A01.0000000Z'"`,
    });
  });

  test('finds the GUIDs of a text, lower case', () => {
    expect(guidsIn(`{"id":"${KNOWN.toUpperCase()}"}`)).toEqual(new Set([KNOWN]));
  });
});

describe('shortening an answer the way the documents do', () => {
  test('keep names the members shown and stands the rest as "…": "…"', () => {
    expect(keep({ a: 1, b: 2, c: 3 }, ['a', 'c'])).toEqual({ a: 1, c: 3, [ELLIPSIS]: ELLIPSIS });
    expect(keep({ a: 1 }, ['a'])).toEqual({ a: 1 });
  });

  test('first keeps the first items and stands the rest as one "…"', () => {
    expect(first([1, 2, 3], 2)).toEqual([1, 2, ELLIPSIS]);
    expect(first([1, 2], 2)).toEqual([1, 2]);
    expect(() => first({ a: 1 }, 1)).toThrow('a list is not a list');
  });

  test('only JSON goes into an example', () => {
    expect(toJson({ a: [1, 'x', null, true] })).toEqual({ a: [1, 'x', null, true] });
    expect(() => toJson({ a: undefined })).toThrow('not JSON: a undefined');
    expect(() => toJson(Number.NaN)).toThrow('not JSON');
  });

  test('a JSON block in a document is laid out as the repository formats markdown', () => {
    const block = jsonBlock({ status: 'ok', tenants: 2 });
    expect(block).toBe('```json\n{"status":"ok","tenants":2}\n```');
    const region = `${startMarker('health')}\n\n${block}\n\n${END_MARKER}\n`;
    expect(withExamples(region, new Map([['health', block]]))).toBe(
      `${startMarker('health')}\n\n\`\`\`json\n{ "status": "ok", "tenants": 2 }\n\`\`\`\n\n${END_MARKER}\n`,
    );
  });
});

describe('example regions of a document', () => {
  const doc = (health: string) =>
    [
      '# API',
      '',
      'Prose that stays.',
      '',
      startMarker('health'),
      '',
      health,
      '',
      END_MARKER,
      '',
      'More prose.',
      '',
    ].join('\n');

  test('are read by name, and rewritten without touching the prose around them', async () => {
    const before = doc('```json\n{ "status": "old" }\n```');
    expect(exampleRegions(before)).toEqual(new Map([['health', '```json\n{ "status": "old" }\n```']]));
    const after = withExamples(before, new Map([['health', '```json\n{ "status": "ok" }\n```']]));
    expect(after).toBe(doc('```json\n{ "status": "ok" }\n```'));
  });

  test('an example without a region, or a region without an example, is an error naming it', () => {
    const before = doc('```json\n{}\n```');
    expect(() => withExamples(before, new Map([['other', '']]))).toThrow(
      'no region in the document for: other; no example generated for the region(s): health',
    );
  });

  test('a region named twice is an error', () => {
    expect(() => exampleRegions(`${doc('a')}\n${doc('b')}`)).toThrow('the example health appears twice');
  });
});
