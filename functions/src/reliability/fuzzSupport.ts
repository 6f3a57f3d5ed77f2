/**
 * Generated requests for every route of the API and the webhook receiver: hostile path segments, query values
 * and headers, malformed, mistyped, huge, deeply nested and unicode bodies, `__proto__` keys, wrong methods and
 * content types. Each route has a shape here (what its address holds, which query parameters it reads, the body
 * schema it checks); a route without one fails the suite, so a new route is fuzzed from the day it is added.
 */
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import type { z } from 'zod';
import {
  CreateContractBodySchema,
  EntitySettingsSchema,
  LinkPatchBodySchema,
  ResolveConflictsBodySchema,
  WebhookNotificationSchema,
} from '@oneflow-sync/shared';
import type { HttpMethod } from '../http/route';
import type { ApiAnswer } from '../testing/stack';
import { isValidSignature, webhookSignature } from '../webhooks/signature';

/** What exists in the seeded stack, so generated addresses sometimes reach deep into a handler. */
export interface FuzzWorld {
  /** Contoso's synced contracts. */
  contractIds: number[];
  /** Lines of those contracts (linked). */
  lineIds: string[];
  /** A record that has a contract, by entity. */
  recordIds: string[];
  /** `l` of real continuation tokens (links and activity listings), to forge tokens that look like ours. */
  listings: string[];
  /** The valid body each body-reading route starts from before it is broken. */
  settings: unknown;
  templateId: number;
  signKeys: string[];
}

/** One generated request. */
export interface FuzzInput {
  route: string;
  method: string;
  /** Below `/api/`: path and query, percent-encoded where HTTP demands it, hostile bytes kept where it allows. */
  target: string;
  headers: Record<string, string>;
  body: string | null;
  /** How the body's text becomes bytes: UTF-8, or another encoding than the content type says (invalid UTF-8). */
  encoding?: 'utf8' | 'latin1' | 'utf16le';
  /** `seller` (no admin role) or `admin`. */
  caller: 'admin' | 'seller';
  /** The whole request target instead of `/api/` + target (addresses outside the API, absolute forms). */
  rawTarget?: string;
  /** What kind of input this is (the figures count inputs by kind). */
  kind: string;
  /** A write route's input made invalid on purpose: it must be refused. */
  mustRefuse: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Hostile values

/** Injection fragments: OData, Table Storage filters, paths, encodings. */
const FRAGMENTS = [
  "' or 1 eq 1",
  "' or ''='",
  "1' or '1' eq '1",
  '$filter=',
  '$filter=PartitionKey eq ',
  "PartitionKey eq 'x'",
  "RowKey ge ''",
  ')',
  '(',
  "')",
  '%27',
  '%2527',
  "'",
  '"',
  '..',
  '.',
  '../..',
  '..%2F..',
  '%2F',
  '%2f',
  '%00',
  '%0A',
  '%0D%0A',
  '%',
  '%ZZ',
  '%E0%A4%A',
  '%ED%A0%80',
  '%C0%AF',
  '%20',
  '+',
  '*',
  '~',
  '$',
  '$batch',
  '$metadata',
  '@',
  ';',
  ',',
  '&',
  '=',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'null',
  'undefined',
  'NaN',
  'true',
  '[]',
  '{}',
] as const;

/** Numbers as they should never address a contract. */
const ODD_NUMBERS = [
  '0',
  '-1',
  '-0',
  '1e3',
  '1E3',
  '1.0',
  '1.5',
  '01001',
  '0x3e9',
  '0b1',
  '+1001',
  ' 1001',
  '1001 ',
  'Infinity',
  '-Infinity',
  '9007199254740992',
  '9007199254740993',
  '99999999999999999999999999999999',
  '1'.repeat(400),
  '١٠٠١',
  '１００１',
] as const;

/** Characters that break naive handling: NUL and controls, bidi marks, lone surrogates, emoji, combining marks. */
const ODD_UNICODE = [
  '\u0000',
  '\u0001',
  '\u0007',
  '\u001b[31m',
  '\t',
  '\n',
  '\r\n',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u200b',
  '\u200e',
  '\u200f',
  '\u202e',
  '\u2066',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\ufffd',
  '\uffff',
  '\ud800',
  '\udfff',
  '\udc00\ud800',
  '😀',
  '👩🏽‍💻',
  '🏳️‍🌈',
  'e\u0301\u0301\u0301',
  'Z̵̡̢̛̗̘̙̜̝̞̟̠̊̋̌̍̎̏̐̑̒̓̔',
  'ﷺ',
  'İ',
  'ß',
  '𝔘𝔫𝔦',
  '中文',
] as const;

/** Any string with hostile pieces in it. */
const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...FRAGMENTS),
  fc.constantFrom(...ODD_NUMBERS),
  fc.constantFrom(...ODD_UNICODE),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc
    .tuple(
      fc.constantFrom(...FRAGMENTS, ...ODD_UNICODE, ...ODD_NUMBERS),
      fc.constantFrom(...FRAGMENTS, ...ODD_UNICODE, 'opportunity', '1001'),
    )
    .map(([a, b]) => a + b),
  fc.integer({ min: 200, max: 3000 }).map((length) => 'a'.repeat(length)),
);

/** A path segment or query value as it goes on the wire: percent-encoded, or raw where HTTP lets it be. */
function onTheWire(value: string, raw: boolean): string {
  // The request line takes bytes 0x21-0xff only; anything else must be encoded.
  return raw && /^[\u0021-\u007e]*$/.test(value) ? value : percentEncoded(value);
}

/** Every byte of the UTF-8 form but letters, digits and `-_.~` as `%XX` (a lone surrogate goes as U+FFFD). */
function percentEncoded(value: string): string {
  return [...Buffer.from(value, 'utf8')]
    .map((byte) => {
      const char = String.fromCharCode(byte);
      return /^[A-Za-z0-9\-_.~]$/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

interface Segment {
  wire: string;
  /** The segment names something that exists (a write there would do something). */
  existing: boolean;
}

const hostileSegment: fc.Arbitrary<Segment> = fc
  .tuple(hostileText, fc.boolean())
  .map(([value, raw]) => ({ wire: onTheWire(value, raw), existing: false }));

const uuid = fc.uuid({ version: 4 });

/** The segment as the router decodes it. */
function decoded(wire: string): string {
  try {
    return decodeURIComponent(wire);
  } catch {
    return wire;
  }
}

function paramSegments(world: FuzzWorld): Record<string, fc.Arbitrary<Segment>> {
  const exists = (values: readonly string[]) =>
    fc.constantFrom(...values).map((wire) => ({ wire, existing: true }));
  const missing = (values: fc.Arbitrary<string>) => values.map((wire) => ({ wire, existing: false }));
  /** A hostile segment that happens to name something that exists counts as existing. */
  const hostile = (existing: readonly string[]) =>
    hostileSegment.map((segment) => ({
      wire: segment.wire,
      existing: existing.some((value) => value.toLowerCase() === decoded(segment.wire).trim().toLowerCase()),
    }));
  const contractIds = world.contractIds.map(String);
  const contract = fc.oneof(
    exists(contractIds),
    missing(
      fc
        .integer({ min: 2, max: 2 ** 40 })
        .map(String)
        .filter((id) => !contractIds.includes(id)),
    ),
    hostile(contractIds),
  );
  return {
    id: contract,
    contractId: contract,
    lineId: fc.oneof(
      exists(world.lineIds),
      exists(world.lineIds.map((id) => id.toUpperCase())),
      missing(uuid),
      hostile(world.lineIds),
    ),
    // Writes to the built-in entities (or an admin's saved ones) would do something; `account` has neither.
    entity: fc.oneof(
      exists(['opportunity', 'quote']),
      missing(fc.constantFrom('account', 'zz_custom', 'a'.repeat(100))),
      hostile(['opportunity', 'quote']),
    ),
    orgKey: fc.oneof(
      exists(['contoso', 'fabrikam']),
      missing(fc.constantFrom('unknown-org', 'c0', 'constructor', 'hasownproperty')),
      hostile(['contoso', 'fabrikam']),
    ),
  };
}

/** Values of the query parameters routes read: valid ones (reads go deep) and hostile ones. */
function queryValues(world: FuzzWorld, name: string): fc.Arbitrary<string> {
  const valid: Record<string, fc.Arbitrary<string>> = {
    entity: fc.constantFrom('opportunity', 'quote', 'opportunityproduct', 'product'),
    recordId: fc.constantFrom(...world.recordIds),
    contractId: fc.constantFrom(...world.contractIds.map(String)),
    action: fc.constantFrom('push', 'fetch'),
    dryRun: fc.constantFrom('true', 'false'),
    limit: fc.constantFrom('1', '2', '50', '200', '1000'),
    outcome: fc.constantFrom('applied', 'failed', 'refused', 'nothing_to_do', 'interrupted'),
    q: fc.constantFrom('2c3d', 'widget', world.lineIds[0] ?? 'x'),
    continuationToken: forgedToken(world),
  };
  return fc.oneof(valid[name] ?? hostileText, hostileText, forgedToken(world));
}

/**
 * A continuation token in our own format (`{l, t, s}` base64url) with a real listing's fingerprint and a table
 * token of the attacker's making: the part a client could forge after reading one real token.
 */
function forgedToken(world: FuzzWorld): fc.Arbitrary<string> {
  const tableToken = fc.oneof(
    fc
      .record(
        {
          nextPartitionKey: fc.oneof(hostileText, fc.constantFrom('', 'x', "'")),
          nextRowKey: fc.oneof(hostileText, fc.constant(undefined)),
        },
        { requiredKeys: ['nextPartitionKey'] },
      )
      .map((token) => Buffer.from(JSON.stringify(token)).toString('base64')),
    hostileText,
    fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value)).toString('base64')),
  );
  return fc
    .record({
      l: fc.oneof(fc.constantFrom(...world.listings), hostileText),
      t: fc.option(tableToken, { nil: undefined }),
      s: fc.option(fc.oneof(fc.integer({ min: -2, max: 12 }), fc.double()), { nil: undefined }),
    })
    .map((token) => Buffer.from(JSON.stringify(token)).toString('base64url'));
}

// ---------------------------------------------------------------------------------------------------------------
// Bodies

/** JSON texts that are not JSON. */
const MALFORMED_JSON = [
  '{',
  '}',
  '[',
  '{"a":}',
  '{"a":1,}',
  '[1,]',
  "{'a':1}",
  '{a:1}',
  '{"a":NaN}',
  '{"a":Infinity}',
  '{"a":undefined}',
  '{"a":01}',
  '{"a":0x1}',
  '{"a":1} {"b":2}',
  '{"a":1}garbage',
  '// comment\n{}',
  '{"a":"\u0000"}',
  '{"a":"\\u12"}',
  '{"a":"\\x41"}',
  '\ufeff{}',
  '"unterminated',
  'nul',
  'tru',
  '-',
  '1e',
  '\u0000',
  '<xml/>',
  'entity=opportunity&recordId=x',
  '--boundary\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--boundary--',
] as const;

/** A value of any JSON type (small). */
const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -1, 1e308, -1e308, 2 ** 53 + 1, 0.1, -0.5),
  hostileText,
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(hostileText, fc.integer(), { maxKeys: 3 }),
);

/** `levels` of nesting around `inner`, as JSON text (thousands of levels: no recursion to build it). */
function nestedJson(levels: number, kind: 'array' | 'object', inner = '1'): string {
  return kind === 'array'
    ? `${'['.repeat(levels)}${inner}${']'.repeat(levels)}`
    : `${'{"a":'.repeat(levels)}${inner}${'}'.repeat(levels)}`;
}

/** Every path to a value in `value` (objects' keys and arrays' indexes), the root excluded. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => [[...prefix, index], ...pathsOf(item, [...prefix, index])]);
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => [
      [...prefix, key],
      ...pathsOf(item, [...prefix, key]),
    ]);
  }
  return [];
}

/** A copy of `value` with the value at `path` replaced (`replacement` undefined: removed). */
function replaced(value: unknown, path: readonly (string | number)[], replacement: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return replacement;
  if (Array.isArray(value)) {
    const copy: unknown[] = [...(value as unknown[])];
    const index = Number(head);
    if (replacement === undefined && rest.length === 0) copy.splice(index, 1);
    else copy[index] = replaced(copy[index], rest, replacement);
    return copy;
  }
  if (value !== null && typeof value === 'object') {
    const key = String(head);
    const entries = Object.entries(value).filter(
      ([name]) => name !== key || rest.length > 0 || replacement !== undefined,
    );
    const copy = Object.fromEntries(entries);
    // defineProperty: a `__proto__` key stays an own key, as JSON.parse makes it.
    if (replacement !== undefined || rest.length > 0) {
      Object.defineProperty(copy, key, {
        value: replaced(Object.getOwnPropertyDescriptor(copy, key)?.value, rest, replacement),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return copy;
  }
  return value;
}

/** JSON text of `value` with a raw JSON text standing at `path` (for nesting and sizes JSON.stringify would not take). */
function withRawAt(value: unknown, path: readonly (string | number)[], raw: string): string {
  const marker = `\u0000raw-${Math.random().toString(36).slice(2)}\u0000`;
  const text = JSON.stringify(replaced(value, path, marker));
  return text.replace(JSON.stringify(marker), raw);
}

/** `value` with own keys `__proto__`, `constructor` or `prototype` (as JSON.parse would make them), as JSON text. */
function withPrototypeKeys(
  value: unknown,
  key: string,
  inner: unknown,
  path: readonly (string | number)[],
): string {
  const host = path.length === 0 ? value : pathValue(value, path);
  if (host === null || typeof host !== 'object' || Array.isArray(host)) {
    return `{${JSON.stringify(key)}:${JSON.stringify(inner)},"rest":${JSON.stringify(value)}}`;
  }
  const entries = Object.entries(host).map(
    ([name, item]) => `${JSON.stringify(name)}:${JSON.stringify(item)}`,
  );
  const object = `{${JSON.stringify(key)}:${JSON.stringify(inner)}${entries.length > 0 ? ',' : ''}${entries.join(',')}}`;
  return path.length === 0 ? object : withRawAt(value, path, object);
}

function pathValue(value: unknown, path: readonly (string | number)[]): unknown {
  let current: unknown = value;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[String(part)];
  }
  return current;
}

interface BodyShape {
  /** What the route checks its body against. */
  schema: z.ZodType;
  /** A body that passes (it is broken before it is sent). */
  valid: unknown;
  /** True when a body passing the schema could still be refused for another reason the generator controls. */
  accepts?(parsed: unknown): boolean;
}

interface BodyLimits {
  /** Largest single value of a huge body (characters or array items). */
  hugeChars: number;
  /** Deepest nesting. */
  depth: number;
}

/** The body's JSON text; null when it cannot be read back (too deep for this process, or not JSON). */
function parsedBody(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** True when the text would pass the route's body check (such a body is never sent to a write route). */
function wouldPass(shape: BodyShape, text: string): boolean {
  const parsed = parsedBody(text);
  if (!parsed.ok) return false;
  try {
    return shape.schema.safeParse(parsed.value).success && (shape.accepts?.(parsed.value) ?? true);
  } catch {
    // Too deep for the schema to walk here: the route must refuse it all the same.
    return false;
  }
}

/** Bodies that break `shape`, by kind; `mustFail` keeps only bodies the schema refuses. */
function brokenBodies(
  shape: BodyShape,
  limits: BodyLimits,
  mustFail: boolean,
): fc.Arbitrary<{ kind: string; text: string }> {
  const paths = pathsOf(shape.valid);
  const somePath = paths.length > 0 ? fc.constantFrom(...paths) : fc.constant<(string | number)[]>([]);
  const anyPath = fc.oneof(fc.constant<(string | number)[]>([]), somePath);
  const kinds: fc.Arbitrary<{ kind: string; text: string }>[] = [
    fc
      .oneof(
        fc.constantFrom(...MALFORMED_JSON),
        fc
          .integer({ min: 1, max: 200 })
          .map((cut) =>
            JSON.stringify(shape.valid).slice(0, Math.max(1, JSON.stringify(shape.valid).length - cut)),
          ),
        fc.string({ unit: 'binary', maxLength: 60 }),
      )
      .map((text) => ({ kind: 'malformed JSON', text })),
    fc.tuple(somePath, anyJson).map(([path, value]) => ({
      kind: 'wrong type',
      text: JSON.stringify(replaced(shape.valid, path, value)),
    })),
    fc.tuple(somePath).map(([path]) => ({
      kind: 'missing field',
      text: JSON.stringify(replaced(shape.valid, path, undefined)),
    })),
    fc.tuple(anyPath, hostileText, anyJson, somePath, anyJson).map(([path, key, value, broken, wrong]) => ({
      kind: 'extra field',
      text: JSON.stringify(replaced(replaced(shape.valid, broken, wrong), [...path, key], value)),
    })),
    anyJson.map((value) => ({ kind: 'top-level type', text: JSON.stringify(value) })),
    fc
      .tuple(
        anyPath,
        fc.integer({ min: 1_000, max: limits.hugeChars }),
        fc.constantFrom('string', 'array', 'keys'),
      )
      .map(([path, size, form]) => ({
        kind: 'huge',
        text: withRawAt(
          shape.valid,
          path,
          form === 'string'
            ? JSON.stringify('x'.repeat(size))
            : form === 'array'
              ? `[${'1,'.repeat(Math.floor(size / 2))}1]`
              : `{${Array.from({ length: Math.floor(size / 12) }, (_, i) => `"k${i}":1`).join(',')}}`,
        ),
      })),
    fc
      .tuple(
        anyPath,
        fc.integer({ min: 100, max: limits.depth }),
        fc.constantFrom<'array' | 'object'>('array', 'object'),
      )
      .map(([path, depth, form]) => ({
        kind: 'deeply nested',
        text:
          path.length === 0 ? nestedJson(depth, form) : withRawAt(shape.valid, path, nestedJson(depth, form)),
      })),
    fc
      .tuple(somePath, fc.array(fc.constantFrom(...ODD_UNICODE), { minLength: 1, maxLength: 4 }), hostileText)
      .map(([path, pieces, text]) => ({
        kind: 'unicode',
        text: JSON.stringify(replaced(shape.valid, path, `${pieces.join('')}${text}`)),
      })),
    fc
      .tuple(fc.constantFrom('__proto__', 'constructor', 'prototype'), anyJson, anyPath, fc.boolean())
      .map(([key, inner, path, withValid]) => ({
        kind: 'prototype keys',
        text: withPrototypeKeys(shape.valid, key, withValid ? shape.valid : inner, path),
      })),
  ];
  const bodies = fc.oneof(...kinds);
  return mustFail ? bodies.filter((body) => !wouldPass(shape, body.text)) : bodies;
}

// ---------------------------------------------------------------------------------------------------------------
// Routes

/** What a route reads from a request: the generators follow it. */
export interface RouteShape {
  /** Query parameters it reads. */
  query: readonly string[];
  /** Its body, when it reads one. */
  body?: BodyShape;
  /** A POST that writes nothing even when valid (a preview): its bodies may pass the schema and go deeper. */
  preview?: true;
}

/** Every route's shape, by name. A route of the registry missing here fails the suite. */
export function routeShapes(world: FuzzWorld): Record<string, RouteShape> {
  const settings: BodyShape = { schema: EntitySettingsSchema, valid: world.settings };
  return {
    health: { query: [] },
    settingsGet: { query: [] },
    settingsPut: { query: [], body: settings },
    settingsReset: { query: [] },
    settingsImpact: { query: [], body: settings, preview: true },
    metadataMainEntities: { query: [] },
    metadataProductSources: { query: ['entity'] },
    metadataFields: { query: ['entity'] },
    templatesList: { query: [] },
    contractsCreate: {
      query: ['dryRun'],
      body: {
        schema: CreateContractBodySchema,
        valid: { entity: 'opportunity', recordId: world.recordIds[0], templateId: world.templateId },
      },
    },
    contractsGet: { query: ['entity', 'recordId'] },
    contractPlan: { query: ['action'] },
    contractCompare: { query: [] },
    contractPush: { query: [] },
    contractFetch: { query: [] },
    contractUnlink: { query: [] },
    conflictsResolve: {
      query: [],
      body: {
        schema: ResolveConflictsBodySchema,
        valid: { resolutions: [{ lineId: world.lineIds[0], oneflowField: 'quantity', keep: 'dynamics' }] },
      },
    },
    linksExport: { query: ['contractId', 'q'] },
    linksList: { query: ['contractId', 'q', 'limit', 'continuationToken'] },
    linkUpdate: {
      query: [],
      body: { schema: LinkPatchBodySchema, valid: { productId: 424242, state: 'active' } },
    },
    linkDelete: { query: [] },
    activityList: { query: ['contractId', 'recordId', 'outcome', 'limit', 'continuationToken'] },
    webhookReceive: {
      query: [],
      body: {
        schema: WebhookNotificationSchema,
        valid: {
          contract: { id: world.contractIds[0] },
          callback_id: 'fuzz-callback-1',
          events: [{ type: 'contract:content_update' }],
          signature: 'f'.repeat(40),
        },
        // Signed with an org's key it is a real notification (queued): never generated.
        accepts: (parsed) => {
          const notification = WebhookNotificationSchema.safeParse(parsed);
          return (
            notification.success &&
            world.signKeys.some((key) =>
              isValidSignature(notification.data.callback_id, key, notification.data.signature),
            )
          );
        },
      },
    },
  };
}

/** Names of query parameters no route reads, and injection attempts in their place. */
const UNKNOWN_QUERY = [
  '$filter',
  '$select',
  '$top',
  '$expand',
  'PartitionKey',
  'RowKey',
  '__proto__',
  'constructor',
  'api-version',
  'tenantId',
  'code',
];

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'text/plain',
  'text/html',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=boundary',
  'application/octet-stream',
  '*/*',
  'application/json, text/plain',
  'garbage',
  '',
  ';;;',
] as const;

/** Header values as HTTP carries them (Latin-1 without line breaks). */
const headerValue: fc.Arbitrary<string> = hostileText
  .map((value) => value.replace(/[^\t\u0020-\u007e\u0080-\u00ff]/g, '?'))
  .filter((value) => value.length < 4000);

export interface RequestLimits extends BodyLimits {
  /** Whether some bodies go over the app's 4 MB limit (each such input sends 4 MB). */
  oversized: boolean;
}

/** Requests for one route with its own methods, every part open to hostile values. */
export function routeRequests(
  route: { name: string; route: string; methods: readonly HttpMethod[]; access: string },
  shape: RouteShape,
  world: FuzzWorld,
  limits: RequestLimits,
): fc.Arbitrary<FuzzInput> {
  const segments = paramSegments(world);
  const template = route.route.split('/');
  const pathParts = template.map((part) => {
    const name = /^\{(\w+)\}$/.exec(part)?.[1];
    if (name === undefined) return fc.constant<Segment>({ wire: part, existing: true });
    const segment = segments[name];
    if (segment === undefined)
      throw new Error(`No generator for the path parameter {${name}} of ${route.name}`);
    return segment;
  });
  const writes = shape.preview !== true && route.methods.some((method) => method !== 'GET');
  type Pair = readonly [string, string];
  const query: fc.Arbitrary<Pair[]> = fc.array(
    fc.oneof(
      ...(shape.query.length > 0
        ? [
            fc
              .constantFrom(...shape.query)
              .chain((name) => queryValues(world, name).map((value) => [name, value] as const)),
          ]
        : []),
      fc.tuple(fc.oneof(fc.constantFrom(...UNKNOWN_QUERY), hostileText), hostileText),
    ),
    { maxLength: 4 },
  );
  const knownQuery: fc.Arbitrary<Pair[]> = fc.array(
    shape.query.length > 0
      ? fc
          .constantFrom(...shape.query)
          .chain((name) => queryValues(world, name).map((value) => [name, value] as const))
      : fc.constant(['x', 'y'] as const),
    { maxLength: 3 },
  );
  const body: fc.Arbitrary<{ kind: string; text: string } | null> = shape.body
    ? brokenBodies(shape.body, limits, writes)
    : fc.option(
        fc.oneof(
          fc.constantFrom(...MALFORMED_JSON).map((text) => ({ kind: 'ignored body', text })),
          anyJson.map((value) => ({ kind: 'ignored body', text: JSON.stringify(value) })),
        ),
        { nil: null, freq: 2 },
      );
  const headers = fc.record(
    {
      'content-type': fc.oneof(fc.constantFrom(...CONTENT_TYPES), headerValue),
      'if-match': fc.oneof(fc.constantFrom('*', '"x"', 'W/"1"', ''), headerValue),
      'x-ms-client-request-id': headerValue,
      accept: fc.constantFrom('application/json', 'text/csv', '*/*', 'text/html'),
    },
    { requiredKeys: [] },
  );
  // One input in 80 sends a body over the limit (4 MB each).
  const oversized = limits.oversized
    ? fc.oneof(
        { arbitrary: fc.constant(null), weight: 79 },
        { arbitrary: fc.integer({ min: 4 * 1024 * 1024 + 1, max: 4 * 1024 * 1024 + 70_000 }), weight: 1 },
      )
    : fc.constant(null);
  return fc
    .record({
      parts: fc.tuple(...pathParts),
      rawQuery: fc.oneof<fc.Arbitrary<Pair[]>[]>(query, knownQuery),
      queryRaw: fc.boolean(),
      body,
      oversized,
      headers,
      method: fc.constantFrom(...route.methods),
      encoding: fc.constantFrom<('utf8' | 'latin1' | 'utf16le')[]>(
        'utf8',
        'utf8',
        'utf8',
        'utf8',
        'latin1',
        'utf16le',
      ),
      caller:
        route.access === 'user'
          ? fc.constantFrom<'admin' | 'seller'>('admin', 'seller')
          : fc.constant('admin' as const),
    })
    .filter(({ parts }) => !writes || !parts.every((part) => part.existing) || shape.body !== undefined)
    .map(
      ({
        parts,
        rawQuery,
        queryRaw,
        body: chosen,
        oversized: size,
        headers: chosenHeaders,
        method,
        encoding,
        caller,
      }) => {
        const search = rawQuery
          .map(([name, value]) => `${onTheWire(name, queryRaw)}=${onTheWire(value, queryRaw)}`)
          .join('&');
        const target = `${parts.map((part) => part.wire).join('/')}${search === '' ? '' : `?${search}`}`;
        const text = size === null ? (chosen?.text ?? null) : `{"a":"${'x'.repeat(size)}"}`;
        // Counted by what the route reads first: the body it checks, its address, its query.
        const kind =
          size !== null
            ? 'over 4 MB'
            : chosen !== null && shape.body !== undefined
              ? chosen.kind
              : parts.some((part) => !part.existing)
                ? 'odd path'
                : rawQuery.length > 0
                  ? 'odd query'
                  : chosen !== null
                    ? chosen.kind
                    : 'headers';
        return describedInput({
          route: route.name,
          method,
          target,
          headers: chosenHeaders,
          body: text,
          ...(encoding === 'utf8' || text === null ? {} : { encoding }),
          caller,
          kind,
          mustRefuse: writes,
        });
      },
    );
}

/** A request of a method the route does not take (404 or 405, never a 5xx), with or without a body. */
export function wrongMethodRequests(
  route: { name: string; route: string; methods: readonly HttpMethod[] },
  world: FuzzWorld,
): fc.Arbitrary<FuzzInput> | null {
  const others = (['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const).filter(
    (method) => !route.methods.includes(method),
  );
  if (others.length === 0) return null;
  const segments = paramSegments(world);
  const pathParts = route.route.split('/').map((part) => {
    const name = /^\{(\w+)\}$/.exec(part)?.[1];
    return name === undefined
      ? fc.constant<Segment>({ wire: part, existing: true })
      : (segments[name] ?? fc.constant<Segment>({ wire: 'x', existing: false }));
  });
  return (
    fc
      .record({
        method: fc.constantFrom(...others),
        parts: fc.tuple(...pathParts),
        body: fc.option(
          fc.oneof(
            fc.constantFrom(...MALFORMED_JSON),
            anyJson.map((value) => JSON.stringify(value)),
          ),
          { nil: null },
        ),
        contentType: fc.constantFrom(...CONTENT_TYPES),
      })
      // Another route's method on an address of existing things would be a valid request of that route.
      .filter(({ parts }) => !parts.every((part) => part.existing) || !route.route.includes('{'))
      .map(({ method, parts, body, contentType }) =>
        describedInput({
          route: route.name,
          method,
          target: parts.map((part) => part.wire).join('/'),
          headers: { 'content-type': contentType },
          body,
          caller: 'admin',
          kind: 'wrong method',
          mustRefuse: true,
        }),
      )
  );
}

/** Logical names of every kind: real entities, lines, activities, system tables, made-up ones, the longest. */
const logicalName: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'opportunity',
    'quote',
    'opportunityproduct',
    'quotedetail',
    'product',
    'account',
    'contact',
    'systemuser',
    'task',
    'salesorder',
    'invoice',
    'annotation',
    'entity',
    'attribute',
    'relationship',
    'z'.repeat(128),
  ),
  fc.stringMatching(/^[a-z][a-z0-9_]{0,40}$/),
);

/** A value of the same kind as `value` (string for string, number for number) with odd contents. */
function oddOfSameKind(value: unknown): fc.Arbitrary<unknown> {
  if (typeof value === 'string') return fc.oneof(logicalName, hostileText);
  if (typeof value === 'number')
    return fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
  if (typeof value === 'boolean') return fc.boolean();
  return anyJson;
}

/**
 * Requests of the right shape with odd values, on routes that write nothing even when they succeed: Create
 * contract's dry run, settings impact, the record's contract, the metadata reads, plans and activity. They pass
 * the schemas and reach Dynamics, Oneflow and the tables.
 */
export function wellShapedRequests(world: FuzzWorld): fc.Arbitrary<FuzzInput> {
  const recordId = fc.oneof(
    fc.constantFrom(...world.recordIds, ...world.recordIds.map((id) => id.toUpperCase())),
    uuid,
    fc.constantFrom('00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff'),
  );
  const contractId = fc.oneof(
    fc.constantFrom(...world.contractIds),
    fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  );
  const settingsPaths = pathsOf(world.settings).filter((path) => {
    const value = pathValue(world.settings, path);
    return value === null || typeof value !== 'object';
  });
  const request = (method: string, target: string, body: unknown): FuzzInput => ({
    route: 'well-shaped',
    method,
    target,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
    caller: 'admin',
    kind: 'well-shaped',
    mustRefuse: false,
  });
  const q = (value: string) => percentEncoded(value);
  return fc
    .oneof(
      fc
        .record({
          entity: logicalName,
          recordId,
          templateId: fc.option(
            fc.oneof(
              fc.constant(world.templateId),
              fc.integer({ min: 1, max: 2 ** 31 }),
              fc.constant(2 ** 53 - 1),
            ),
            { nil: undefined },
          ),
        })
        .map((body) => ({ ...request('POST', 'contracts?dryRun=true', body), route: 'contractsCreate' })),
      fc
        .tuple(fc.constantFrom(...settingsPaths), fc.constantFrom(...settingsPaths))
        .chain(([first, second]) =>
          fc
            .tuple(
              oddOfSameKind(pathValue(world.settings, first)),
              oddOfSameKind(pathValue(world.settings, second)),
            )
            .map(([a, b]) => replaced(replaced(world.settings, first, a), second, b)),
        )
        .map((body) => ({
          ...request('POST', 'settings/opportunity/impact', body),
          route: 'settingsImpact',
        })),
      fc.tuple(logicalName, recordId).map(([entity, id]) => ({
        ...request('GET', `contracts?entity=${q(entity)}&recordId=${q(id)}`, undefined),
        route: 'contractsGet',
      })),
      fc
        .tuple(fc.constantFrom('metadata/fields', 'metadata/product-sources'), logicalName)
        .map(([path, entity]) => ({
          ...request('GET', `${path}?entity=${q(entity)}`, undefined),
          route: path === 'metadata/fields' ? 'metadataFields' : 'metadataProductSources',
        })),
      fc.tuple(logicalName).map(([entity]) => ({
        ...request('GET', `settings/${q(entity)}`, undefined),
        route: 'settingsGet',
      })),
      fc
        .tuple(contractId, fc.constantFrom('plan?action=push', 'plan?action=fetch', 'compare'))
        .map(([id, tail]) => ({
          ...request('GET', `contracts/${String(id)}/${tail}`, undefined),
          route: tail === 'compare' ? 'contractCompare' : 'contractPlan',
        })),
      fc
        .record({
          by: fc.oneof(
            contractId.map((id) => `contractId=${String(id)}`),
            recordId.map((id) => `recordId=${q(id)}`),
          ),
          outcome: fc.option(
            fc.constantFrom('applied', 'failed', 'refused', 'nothing_to_do', 'interrupted'),
            {
              nil: undefined,
            },
          ),
          limit: fc.integer({ min: 1, max: 200 }),
        })
        .map(({ by, outcome, limit }) => ({
          ...request(
            'GET',
            `activity?${by}&limit=${String(limit)}${outcome === undefined ? '' : `&outcome=${outcome}`}`,
            undefined,
          ),
          route: 'activityList',
        })),
      fc
        .record({
          contractId: fc.option(contractId, { nil: undefined }),
          q: fc.option(fc.oneof(hostileText, fc.constantFrom(...world.lineIds)), { nil: undefined }),
          limit: fc.integer({ min: 1, max: 1000 }),
        })
        .map(({ contractId: id, q: search, limit }) => ({
          ...request(
            'GET',
            `links?limit=${String(limit)}${id === undefined ? '' : `&contractId=${String(id)}`}${search === undefined ? '' : `&q=${q(search)}`}`,
            undefined,
          ),
          route: 'linksList',
        })),
      // Writes that must be refused although well-shaped: unlinking a contract Oneflow still has, editing or
      // dropping the link of a line the contract does not have (under the contract's lease, left as found).
      fc.constantFrom(...world.contractIds).map((id) => ({
        ...request('POST', `contracts/${String(id)}/unlink`, undefined),
        route: 'contractUnlink',
        mustRefuse: true,
      })),
      fc
        .record({
          id: fc.constantFrom(...world.contractIds),
          line: uuid.filter((line) => !world.lineIds.includes(line)),
          method: fc.constantFrom('PATCH', 'DELETE'),
          body: fc.constantFrom({ state: 'active' }, { state: 'deleted_in_oneflow' }, { productId: 1 }),
        })
        .map(({ id, line, method, body }) => ({
          ...request(method, `links/${String(id)}/${line}`, method === 'PATCH' ? body : undefined),
          route: method === 'PATCH' ? 'linkUpdate' : 'linkDelete',
          mustRefuse: true,
        })),
    )
    .map((input) => describedInput(input));
}

/** Callback ids as Oneflow might send them: any characters, up to 200 of them as Oneflow counts (emoji are one). */
const callbackId: fc.Arbitrary<string> = fc.oneof(
  hostileText.filter((id) => id.length > 0),
  fc.constantFrom(
    'a/b',
    'a#b',
    'a?b',
    'a\\b',
    '..',
    '%2F',
    "' or ''='",
    'PartitionKey eq',
    '\u0000',
    '\ud800',
  ),
  fc.constant('😀'.repeat(200)),
  fc.constant('x'.repeat(200)),
  fc.uuid(),
);

/**
 * Notifications signed with the org's own key, of odd callback ids, events and contract ids: the receiver takes
 * them (200, queued) and the queue processor must get through them. `synced`: about Contoso's synced contracts
 * (a fetch follows); otherwise about contracts not synced here (dropped, nothing written).
 */
export function signedNotifications(world: FuzzWorld, synced: boolean): fc.Arbitrary<FuzzInput> {
  const keys: Record<string, string | undefined> = {
    contoso: world.signKeys[0],
    fabrikam: world.signKeys[1],
  };
  const contractIds = world.contractIds;
  return fc
    .record({
      orgKey: synced ? fc.constant('contoso') : fc.constantFrom('contoso', 'fabrikam'),
      contractId: synced
        ? fc.constantFrom(...contractIds)
        : fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }).filter((id) => !contractIds.includes(id)),
      callbackId,
      events: fc.array(
        fc.record({
          type: fc.oneof(
            hostileText.filter((type) => type.length > 0),
            fc.constantFrom('contract:content_update', 'contract:publish'),
          ),
        }),
        { maxLength: 4 },
      ),
      extra: fc.dictionary(fc.oneof(hostileText, fc.constantFrom('__proto__', 'constructor')), anyJson, {
        maxKeys: 2,
      }),
      upperCase: fc.boolean(),
    })
    .map(({ orgKey, contractId, callbackId: id, events, extra, upperCase }) => {
      const signature = webhookSignature(id, keys[orgKey] ?? '');
      const body = {
        ...extra,
        contract: { id: contractId },
        callback_id: id,
        events,
        signature: upperCase ? signature.toUpperCase() : signature,
      };
      return describedInput({
        route: 'webhookReceive',
        method: 'POST',
        target: `webhooks/oneflow/${orgKey}`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        caller: 'admin',
        kind: synced ? 'signed notification (synced contract)' : 'signed notification',
        mustRefuse: false,
      });
    });
}

/** Request targets as a client may write them: empty authorities, absolute forms, dot segments, doubled slashes. */
const TARGET_PREFIXES = [
  '//',
  '///',
  '//api/health',
  '///api/health',
  '//[',
  '//%',
  '//a:b@',
  '//:99999/api/health',
  'http://[/api/health',
  'http://127.0.0.1/api/health',
  'http://evil.example/api/settings/opportunity',
  'https://127.0.0.1:1/api/health',
  '*',
  '/',
  '/api',
  '/api/',
  '/API/HEALTH',
  '/api//health',
  '/api/./health',
  '/api/../api/health',
  '/api/%2e%2e/api/health',
  '/api/health/',
  '/api/health#fragment',
  '/api/health?',
  '/api/health?%',
  '/api/health?&&&==',
  '/api/contracts//push',
  '/api/settings/',
  '/api/links/export.csv/',
  '/api/webhooks/oneflow/',
  '/%2Fapi/health',
  '/api%2Fhealth',
] as const;

/** Whole request targets, of known prefixes and hostile tails, sent as they are. */
export function requestTargets(): fc.Arbitrary<FuzzInput> {
  return fc
    .record({
      prefix: fc.constantFrom(...TARGET_PREFIXES),
      tail: fc.oneof(
        fc.constant(''),
        fc.constantFrom(...FRAGMENTS).map((value) => onTheWire(value, true)),
        hostileText.map((value) => onTheWire(value, false)),
      ),
      method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'),
    })
    .map(({ prefix, tail, method }) =>
      describedInput({
        route: 'request target',
        method,
        target: '',
        rawTarget: `${prefix}${tail}`,
        headers: { 'content-type': 'application/json' },
        body: method === 'GET' || method === 'HEAD' || method === 'OPTIONS' ? null : '{}',
        caller: 'admin',
        kind: 'request target',
        mustRefuse: false,
      }),
    );
}

/** The input, printed short when fast-check reports it (a 4 MB body is shown by its size and start). */
export function describedInput(input: FuzzInput): FuzzInput {
  const body =
    input.body === null
      ? null
      : input.body.length > 300
        ? `${JSON.stringify(input.body.slice(0, 200))}… (${input.body.length} chars)`
        : JSON.stringify(input.body);
  const short = (text: string) =>
    text.length > 120 ? `${text.slice(0, 100)}… (${text.length} chars)` : text;
  const headers = Object.fromEntries(
    Object.entries(input.headers).map(([name, value]) => [name, short(value)]),
  );
  const whole = input.rawTarget ?? `/api/${input.target}`;
  const target = whole.length > 300 ? `${whole.slice(0, 300)}… (${whole.length} chars)` : whole;
  const shown = `${input.method} ${target} as ${input.caller} [${input.kind}] headers ${JSON.stringify(headers)} body ${String(body)}${input.encoding === undefined ? '' : ` in ${input.encoding}`}`;
  return Object.assign(input, { [fc.toStringMethod]: () => shown });
}

// ---------------------------------------------------------------------------------------------------------------
// Sending

/**
 * Sends the request exactly as generated (no client normalising `..`, encoding or JSON): the path and query as
 * given, the body's bytes as given. A connection the server closes answers status 0.
 */
export function sendRaw(baseUrl: string, token: string, input: FuzzInput): Promise<ApiAnswer> {
  const url = new URL(baseUrl);
  const body = input.body === null ? null : Buffer.from(input.body, input.encoding ?? 'utf8');
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: input.method,
        path: input.rawTarget ?? `/api/${input.target}`,
        headers: {
          authorization: `Bearer ${token}`,
          ...input.headers,
          ...(body === null ? {} : { 'content-length': String(body.length) }),
        },
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = null;
          try {
            parsed = text === '' ? null : (JSON.parse(text) as unknown);
          } catch {
            parsed = null;
          }
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers)) {
            if (typeof value === 'string') headers[name.toLowerCase()] = value;
          }
          resolve({ status: response.statusCode ?? 0, headers, body: parsed, text });
        });
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => {
      // The server answered (413) and closed before the whole body was sent: the answer was read, or it was not.
      if (error.code === 'EPIPE' || error.code === 'ECONNRESET') {
        resolve({ status: 0, headers: {}, body: null, text: error.code });
      } else reject(error);
    });
    request.end(body ?? undefined);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Figures

/** Inputs counted by route, status and kind, and every 5xx seen. */
export class FuzzTally {
  readonly byRoute: Record<string, number> = {};
  readonly byStatus: Record<string, number> = {};
  readonly byKind: Record<string, number> = {};
  readonly serverErrors: string[] = [];
  /** Inputs the route's own handler answered (not the host: no route, too large, URL too long). */
  readonly reachedHandler: Record<string, number> = {};
  total = 0;
  /** What the fuzzed inputs made the app ask of Oneflow and Dataverse (reads only: writes fail the suite). */
  oneflowRequests = 0;
  dataverseRequests = 0;

  count(input: FuzzInput, answer: ApiAnswer): void {
    const { status } = answer;
    this.total += 1;
    const byHost = [0, 413, 414, 431].includes(status) || /"message":"No such route"/.test(answer.text);
    if (!byHost) this.reachedHandler[input.route] = (this.reachedHandler[input.route] ?? 0) + 1;
    this.byRoute[input.route] = (this.byRoute[input.route] ?? 0) + 1;
    this.byStatus[String(status)] = (this.byStatus[String(status)] ?? 0) + 1;
    this.byKind[input.kind] = (this.byKind[input.kind] ?? 0) + 1;
    if (status >= 500) this.serverErrors.push(`${status} ${fc.stringify(input)}`.slice(0, 600));
  }
}
