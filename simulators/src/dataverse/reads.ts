import { requirePrivilege } from './access';
import { emptyResponse, etagOf, jsonResponse, type OperationContext, type ServiceResponse } from './context';
import { checkOrderBy, filterSchema, recordMatches, resolveProjection, sortRecords } from './entityQuery';
import { notModeled, queryError, recordNotFound } from './errors';
import { checkFilter } from './odataFilter';
import type { QueryOptions } from './odataQuery';
import { MAX_PAGE_SIZE } from './prefer';
import type { EntityDefinition } from './schema';
import { contextUrl, serializeRecord } from './serialize';
import type { StoredRecord } from './store';

/**
 * Retrieve and RetrieveMultiple. Paging follows Dataverse: `Prefer: odata.maxpagesize` (at most 5000, the
 * default too), `$top` ignored when a page size is asked for, and `@odata.nextLink` carrying a paging cookie in
 * `$skiptoken` (`<cookie pagenumber="2" pagingcookie="…" istracking="False" />`) that names the last record of
 * the page, so the next page starts after it even if records were added in between.
 */

export interface CollectionScope {
  /** Only records whose lookup `attribute` names `id` (a related collection such as product_opportunities). */
  attribute: string;
  id: string;
}

interface PagingCookie {
  pageNumber: number;
  lastId: string | null;
}

function writePagingCookie(
  entity: EntityDefinition,
  pageNumber: number,
  first: string,
  last: string,
): string {
  const inner = `<cookie page="${pageNumber - 1}"><${entity.primaryIdAttribute} last="{${last.toUpperCase()}}" first="{${first.toUpperCase()}}" /></cookie>`;
  // Dataverse percent-encodes the inner cookie with lower-case hex digits.
  const encodedInner = encodeURIComponent(inner).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
  return `<cookie pagenumber="${pageNumber}" pagingcookie="${encodedInner}" istracking="False" />`;
}

/** The $skiptoken as it appears in Dataverse's nextLink: only % < > space and " are escaped. */
function encodeSkipToken(cookie: string): string {
  return cookie.replace(/[%<> "]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

function readPagingCookie(token: string): PagingCookie {
  const pageNumber = /pagenumber="(\d+)"/.exec(token)?.[1];
  const pagingCookie = /pagingcookie="([^"]*)"/.exec(token)?.[1];
  if (!pageNumber) throw queryError(`The $skiptoken '${token}' is not a valid paging cookie.`);
  let lastId: string | null = null;
  try {
    const inner = decodeURIComponent(pagingCookie ?? '');
    lastId = /last="\{([0-9A-Fa-f-]{36})\}"/.exec(inner)?.[1]?.toLowerCase() ?? null;
  } catch {
    throw queryError(`The $skiptoken '${token}' is not a valid paging cookie.`);
  }
  return { pageNumber: Number(pageNumber), lastId };
}

/** The next page's URL: the request's own query with the new $skiptoken, nothing else changed. */
function nextLink(context: OperationContext, path: string, rawQuery: string, cookie: string): string {
  const kept = rawQuery
    .split('&')
    .filter(
      (part) =>
        part !== '' &&
        !part.toLowerCase().startsWith('$skiptoken=') &&
        !part.toLowerCase().startsWith('%24skiptoken='),
    );
  kept.push(`$skiptoken=${encodeSkipToken(cookie)}`);
  return `${context.serviceRoot}${path}?${kept.join('&')}`;
}

function preferenceApplied(context: OperationContext, pageSize: number | undefined): Record<string, string> {
  const applied: string[] = [];
  if (pageSize !== undefined) applied.push(`odata.maxpagesize=${pageSize}`);
  if (context.preferences.includeAnnotations !== undefined) {
    applied.push(`odata.include-annotations="${context.preferences.includeAnnotations}"`);
  }
  return applied.length > 0 ? { 'Preference-Applied': applied.join(',') } : {};
}

function startOfPage(records: readonly StoredRecord[], cookie: PagingCookie, pageSize: number): number {
  if (cookie.lastId) {
    const index = records.findIndex((record) => record.id === cookie.lastId);
    if (index !== -1) return index + 1;
  }
  return (cookie.pageNumber - 1) * pageSize;
}

/**
 * `GET <entity set>/$count`: how many rows the caller may read (after `$filter`), as plain text, at most 5000 as
 * Dataverse counts them. Other query options are refused: they do not change a count.
 */
export function countCollection(
  context: OperationContext,
  entity: EntityDefinition,
  options: QueryOptions,
): ServiceResponse {
  requirePrivilege(context.state, context.principal, entity, 'read');
  if (
    options.select ||
    options.expand.length > 0 ||
    options.orderBy.length > 0 ||
    options.top !== undefined ||
    options.count ||
    options.skipToken !== undefined
  ) {
    throw queryError('Only $filter can be applied to a $count request.');
  }
  if (options.filter) checkFilter(options.filter, filterSchema(entity));
  const count = context.state.store
    .all(entity.logicalName)
    .filter((record) => recordMatches(entity, options.filter, record)).length;
  return {
    status: 200,
    headers: { 'Content-Type': 'text/plain', 'OData-Version': '4.0' },
    body: String(Math.min(count, MAX_PAGE_SIZE)),
  };
}

export function readCollection(
  context: OperationContext,
  entity: EntityDefinition,
  options: QueryOptions,
  path: string,
  rawQuery: string,
  scope?: CollectionScope,
): ServiceResponse {
  requirePrivilege(context.state, context.principal, entity, 'read');
  // Answering without @odata.deltaLink would hide a client's reliance on change tracking (and its rules).
  if (context.preferences.trackChanges) {
    throw notModeled('Change tracking (Prefer: odata.track-changes, @odata.deltaLink)');
  }
  const projection = resolveProjection(context, entity, options.select, options.expand);
  if (options.filter) checkFilter(options.filter, filterSchema(entity));
  checkOrderBy(entity, options.orderBy);
  const matching = context.state.store
    .all(entity.logicalName)
    .filter((record) => !scope || record.values[scope.attribute] === scope.id)
    .filter((record) => recordMatches(entity, options.filter, record));
  const sorted = sortRecords(entity, matching, options.orderBy);
  const requestedPageSize = context.preferences.maxPageSize;
  // Microsoft: "Don't use $top with Prefer: odata.maxpagesize. If you include both, $top is ignored."
  const limited =
    requestedPageSize === undefined && options.top !== undefined ? sorted.slice(0, options.top) : sorted;
  const pageSize = requestedPageSize ?? MAX_PAGE_SIZE;
  const cookie = options.skipToken ? readPagingCookie(options.skipToken) : { pageNumber: 1, lastId: null };
  const start = options.skipToken ? startOfPage(limited, cookie, pageSize) : 0;
  const page = limited.slice(start, start + pageSize);
  const body: Record<string, unknown> = {
    '@odata.context': contextUrl(context, entity.entitySetName, projection, false),
  };
  if (options.count) body['@odata.count'] = Math.min(limited.length, MAX_PAGE_SIZE);
  body.value = page.map((record) => serializeRecord(context, entity, record, projection));
  const first = page[0];
  const last = page[page.length - 1];
  if (first && last && start + pageSize < limited.length) {
    body['@odata.nextLink'] = nextLink(
      context,
      path,
      rawQuery,
      writePagingCookie(entity, cookie.pageNumber + 1, first.id, last.id),
    );
  }
  return jsonResponse(200, body, preferenceApplied(context, requestedPageSize));
}

export function readRecord(
  context: OperationContext,
  entity: EntityDefinition,
  id: string,
  options: QueryOptions,
): ServiceResponse {
  requirePrivilege(context.state, context.principal, entity, 'read');
  const collectionOptions =
    options.filter || options.orderBy.length > 0 || options.top !== undefined || options.count;
  if (collectionOptions || options.skipToken !== undefined) {
    throw queryError('Only $select and $expand apply when retrieving a single record.');
  }
  const projection = resolveProjection(context, entity, options.select, options.expand);
  const record = context.state.store.get(entity.logicalName, id);
  if (!record) throw recordNotFound(entity.logicalName, id);
  const etag = etagOf(record.version);
  // Conditional retrieval: never 304 with $expand or annotations, whose data the etag does not cover.
  const unchanged = context.headers['if-none-match'] === etag;
  if (unchanged && options.expand.length === 0 && context.preferences.includeAnnotations === undefined) {
    return emptyResponse(304, { ETag: etag });
  }
  const body = {
    '@odata.context': contextUrl(context, entity.entitySetName, projection, true),
    ...serializeRecord(context, entity, record, projection),
  };
  return jsonResponse(200, body, { ETag: etag, ...preferenceApplied(context, undefined) });
}
