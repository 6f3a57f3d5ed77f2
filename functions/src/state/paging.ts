import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { z } from 'zod';
import type { Row } from './tables';

/** One page of a listing: its items, where the next one starts (null at the end), and a total when it is cheap. */
export interface Page<T> {
  items: T[];
  continuationToken: string | null;
  /** Null when counting would mean reading every row of the listing. */
  total: number | null;
}

export interface PageRequest {
  /** A token from the previous page of the same listing; the first page without one. */
  continuationToken?: string;
  limit: number;
}

/** A continuation token that is not one this store handed out for this listing. */
export class InvalidContinuationTokenError extends Error {
  constructor(reason: string) {
    super(`The continuation token is not valid: ${reason}`);
    this.name = 'InvalidContinuationTokenError';
  }
}

/** Table Storage answers at most this many rows per request. */
export const MAX_TABLE_PAGE = 1000;

/**
 * Our token: base64url of `{l, t, s}`: `l` a fingerprint of the listing it belongs to (tenant, filter), `t` the
 * table service's own token (opaque: the service encodes its next keys) and `s` the listing's segment (a search
 * over two key ranges goes through them in turn).
 */
const OurTokenSchema = z.strictObject({
  l: z.string().min(1),
  t: z.string().min(1).optional(),
  s: z.number().int().min(0).max(9).optional(),
});
/** What the SDK itself decodes from `t` (it would throw a bare SyntaxError on anything else). */
const TableTokenSchema = z.object({ nextPartitionKey: z.string().min(1), nextRowKey: z.string().optional() });

export interface Position {
  /** The table's token; undefined at the start of the segment. */
  tableToken: string | undefined;
  segment: number;
}

export const START: Position = { tableToken: undefined, segment: 0 };

/** Names a listing: the tenant and everything that narrows it, so a token resumes only the listing it came from. */
export function listingOf(...parts: (string | number | undefined)[]): string {
  return createHash('sha256')
    .update(JSON.stringify(parts.map((part) => part ?? null)))
    .digest('base64url')
    .slice(0, 22);
}

export function encodeToken(position: Position, listing: string): string {
  return Buffer.from(
    JSON.stringify({
      l: listing,
      ...(position.tableToken === undefined ? {} : { t: position.tableToken }),
      ...(position.segment === 0 ? {} : { s: position.segment }),
    }),
  ).toString('base64url');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvalidContinuationTokenError('it does not decode');
  }
}

/**
 * The position a client's token stands for, in the listing named by `listing` (see listingOf): a token of another
 * listing (another contract, another filter, another tenant) is refused rather than read from. `segments` is how
 * many segments the listing has.
 */
export function decodeToken(token: string | undefined, listing: string, segments = 1): Position {
  if (token === undefined) return START;
  const bytes = Buffer.from(token, 'base64url');
  // Node skips characters outside the alphabet; a token that does not survive the round trip was not ours.
  if (token.length === 0 || bytes.toString('base64url') !== token) {
    throw new InvalidContinuationTokenError('it is not base64url');
  }
  const ours = OurTokenSchema.safeParse(parseJson(bytes.toString('utf8')));
  if (!ours.success) throw new InvalidContinuationTokenError('it does not decode');
  if (ours.data.l !== listing) throw new InvalidContinuationTokenError('it belongs to another listing');
  const segment = ours.data.s ?? 0;
  if (segment >= segments) throw new InvalidContinuationTokenError('it does not decode');
  if (ours.data.t === undefined) return { tableToken: undefined, segment };
  const table = TableTokenSchema.safeParse(parseJson(Buffer.from(ours.data.t, 'base64').toString('utf8')));
  if (!table.success) throw new InvalidContinuationTokenError('it does not decode');
  return { tableToken: ours.data.t, segment };
}

/** One request's worth of rows from `position`, at most `max`; `next` is undefined at the end of the filter. */
async function readRows(
  client: TableClient,
  filter: string,
  tableToken: string | undefined,
  max: number,
): Promise<{ rows: Row[]; next: string | undefined }> {
  const pages = client
    .listEntities({ queryOptions: { filter } })
    .byPage({ ...(tableToken === undefined ? {} : { continuationToken: tableToken }), maxPageSize: max });
  const first = await pages.next();
  if (first.done === true) return { rows: [], next: undefined };
  return { rows: [...first.value], next: first.value.continuationToken };
}

/**
 * Fills a page from one or more filters (segments, read in turn) through `toItems` (which may drop rows: stale
 * index entries, a search's misses). Every request asks for no more rows than the page still needs, so every row
 * read is either answered or behind the token: nothing is skipped or repeated between pages.
 */
export async function collectPage<T>(
  client: TableClient,
  segments: readonly string[],
  position: Position,
  limit: number,
  toItems: (rows: Row[]) => Promise<T[]>,
): Promise<{ items: T[]; next: Position | null }> {
  const items: T[] = [];
  let { tableToken, segment } = position;
  while (items.length < limit) {
    const filter = segments[segment];
    if (filter === undefined) return { items, next: null };
    const { rows, next } = await readRows(
      client,
      filter,
      tableToken,
      Math.min(MAX_TABLE_PAGE, limit - items.length),
    );
    items.push(...(await toItems(rows)));
    if (next === undefined) {
      segment += 1;
      tableToken = undefined;
    } else {
      tableToken = next;
    }
  }
  return { items, next: segments[segment] === undefined ? null : { tableToken, segment } };
}
