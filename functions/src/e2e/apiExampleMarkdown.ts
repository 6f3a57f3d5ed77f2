import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The documented API examples as data: answers made JSON-safe, their run-to-run values (ids the services make
 * up, times, storage etags) replaced by stable placeholders, long answers shortened the way the documents show
 * them, and the regions of docs/api.md they live in (between `<!-- example: name -->` and `<!-- /example -->`).
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** An answer body as JSON; anything JSON cannot carry is a mistake in the example, said at once. */
export function toJson(value: unknown): Json {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toJson(item)]));
  }
  throw new Error(`not JSON: a ${typeof value}`);
}

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asObject(value: Json | undefined, what: string): JsonObject {
  if (!isObject(value)) throw new Error(`${what} is not an object`);
  return value;
}

export function asArray(value: Json | undefined, what: string): Json[] {
  if (!Array.isArray(value)) throw new Error(`${what} is not a list`);
  return value;
}

export const ELLIPSIS = '…';

/** The named keys, in the object's order; the rest stands as `"…": "…"`. */
export function keep(value: Json | undefined, keys: readonly string[]): JsonObject {
  const object = asObject(value, `an object with ${keys.join(', ')}`);
  const kept: JsonObject = {};
  for (const [key, item] of Object.entries(object)) if (keys.includes(key)) kept[key] = item;
  if (Object.keys(object).some((key) => !keys.includes(key))) kept[ELLIPSIS] = ELLIPSIS;
  return kept;
}

/** The first `count` items; the rest stands as one `"…"` (or as the text given). */
export function first(value: Json | undefined, count: number, rest: string = ELLIPSIS): Json[] {
  const items = asArray(value, 'a list');
  return items.length > count ? [...items.slice(0, count), rest] : items;
}

/** An object with some of its members replaced (a shortened member, usually). */
export function patch(value: Json | undefined, members: Record<string, Json>): JsonObject {
  const object = asObject(value, 'an object');
  const patched: JsonObject = {};
  for (const [key, item] of Object.entries(object))
    patched[key] = key in members ? (members[key] ?? null) : item;
  return patched;
}

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const ISO_TIME = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})/g;
/** Azurite's etags carry their row's time, URL-encoded: W/"datetime'2026-11-24T10%3A18%3A27.3929334Z'". */
const ETAG_TIME = /datetime'([^']+)'/g;

/** Where placeholder times start: the documents' example morning. */
const TIME_ORIGIN = Date.UTC(2026, 10, 24, 10, 0, 0);

/**
 * Stable stand-ins for the values a run makes up. A GUID the story knows (the fixtures' tenant, records, lines,
 * users) stays; any other becomes `f0000000-0000-4000-8000-00000000000N`, N in order of first appearance across
 * all examples, so one id reads the same wherever it appears. Times become the example morning plus N seconds,
 * N in order of first appearance of the time under its field's name: the same time in the same field (a plan's
 * `syncedAt` on every link) reads the same, and two fields whose times happen to fall in the same millisecond in
 * one run and not in another cannot shift every later placeholder.
 */
export class Placeholders {
  private readonly guids = new Map<string, string>();
  private readonly times = new Map<string, number>();

  constructor(private readonly knownGuids: ReadonlySet<string>) {}

  /** A text found under the field `field` (its name decides which times are the same time). */
  text(value: string, field = ''): string {
    return value
      .replace(
        ETAG_TIME,
        (_, encoded: string) =>
          `datetime'${encodeURIComponent(this.time(decodeURIComponent(encoded), 'etag'))}'`,
      )
      .replace(ISO_TIME, (time) => this.time(time, field))
      .replace(GUID, (guid) => this.guid(guid));
  }

  json(value: Json, field = ''): Json {
    if (typeof value === 'string') return this.text(value, field);
    if (Array.isArray(value)) return value.map((item) => this.json(item, field));
    if (isObject(value)) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.json(item, key)]));
    }
    return value;
  }

  private guid(guid: string): string {
    const lower = guid.toLowerCase();
    if (this.knownGuids.has(lower)) return guid;
    let placeholder = this.guids.get(lower);
    if (!placeholder) {
      placeholder = `f0000000-0000-4000-8000-${String(this.guids.size + 1).padStart(12, '0')}`;
      this.guids.set(lower, placeholder);
    }
    return placeholder;
  }

  private time(time: string, field: string): string {
    const key = `${field}|${time}`;
    let index = this.times.get(key);
    if (index === undefined) {
      index = this.times.size + 1;
      this.times.set(key, index);
    }
    const iso = new Date(TIME_ORIGIN + index * 1000).toISOString(); // 2026-11-24T10:00:01.000Z
    const fraction = /\.(\d+)/.exec(time)?.[1];
    const zone = /(Z|[+-]\d{2}:?\d{2})$/.exec(time)?.[1] ?? 'Z';
    return `${iso.slice(0, 19)}${fraction === undefined ? '' : `.${'0'.repeat(fraction.length)}`}${zone}`;
  }
}

/** The GUIDs a text holds, lower case: the fixtures' ids, which are the same in every run. */
export function guidsIn(text: string): Set<string> {
  return new Set(Array.from(text.matchAll(GUID), (match) => match[0].toLowerCase()));
}

/**
 * Markdown laid out by the repository's own formatter (its settings, its layout of JSON code blocks), run as its
 * command line: the formatter's library loads itself with a dynamic import, which jest's module loader refuses.
 */
function formatMarkdown(markdown: string, path: string): string {
  const run = spawnSync(
    process.execPath,
    [require.resolve('prettier/bin/prettier.cjs'), '--stdin-filepath', path],
    {
      input: markdown,
      encoding: 'utf8',
      cwd: join(__dirname, '..', '..', '..'),
    },
  );
  if (run.status !== 0) throw new Error(`prettier could not format ${path}: ${run.stderr}`);
  return run.stdout;
}

export function fence(language: string, text: string): string {
  return `\`\`\`${language}\n${text.replace(/\n+$/, '')}\n\`\`\``;
}

/**
 * A JSON code block, on one line: {@link withExamples} lays it out as the documents' formatter does, which keeps
 * an object on one line when it fits and when it was on one line before.
 */
export function jsonBlock(value: Json): string {
  return fence('json', JSON.stringify(value));
}

export const startMarker = (name: string): string => `<!-- example: ${name} -->`;
export const END_MARKER = '<!-- /example -->';
const REGION = /<!-- example: ([a-z0-9-]+) -->\n([\s\S]*?)<!-- \/example -->/g;

/** The example regions of a document, by name: the code blocks between the markers, trimmed. */
export function exampleRegions(markdown: string): Map<string, string> {
  const regions = new Map<string, string>();
  for (const match of markdown.matchAll(REGION)) {
    const [, name = '', body = ''] = match;
    if (regions.has(name)) throw new Error(`the example ${name} appears twice`);
    regions.set(name, body.trim());
  }
  return regions;
}

/**
 * The document with every marked region's content replaced by its generated example, formatted as the
 * repository formats markdown. Regions without an example, and examples without a region, are errors: a
 * renamed example must not leave an old answer behind.
 */
export function withExamples(
  markdown: string,
  examples: ReadonlyMap<string, string>,
  path = 'docs/api.md',
): string {
  const present = exampleRegions(markdown);
  const missing = [...examples.keys()].filter((name) => !present.has(name));
  const unknown = [...present.keys()].filter((name) => !examples.has(name));
  if (missing.length > 0 || unknown.length > 0) {
    throw new Error(
      [
        missing.length > 0 ? `no region in the document for: ${missing.join(', ')}` : '',
        unknown.length > 0 ? `no example generated for the region(s): ${unknown.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; '),
    );
  }
  const replaced = markdown.replace(
    REGION,
    (_, name: string) => `${startMarker(name)}\n\n${examples.get(name) ?? ''}\n\n${END_MARKER}`,
  );
  return formatMarkdown(replaced, path);
}
