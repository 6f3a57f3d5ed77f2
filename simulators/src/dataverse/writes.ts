import { randomUUID } from 'node:crypto';
import { requirePrivilege } from './access';
import { emptyResponse, etagOf, jsonResponse, type OperationContext, type ServiceResponse } from './context';
import { resolveProjection } from './entityQuery';
import { PRICED_LINE_PARENTS } from './entities';
import { DataverseError, duplicateRecord, invalidArgument, recordNotFound, versionMismatch } from './errors';
import type { QueryOptions } from './odataQuery';
import { convertPayload, parseBody, type ConvertedPayload } from './payload';
import { completeRecord, refreshParentTotals } from './rules';
import type { EntityDefinition } from './schema';
import { contextUrl, serializeRecord } from './serialize';
import type { RecordValues, StoredRecord } from './store';
import { dataverseTimestamp } from './util';

/**
 * Create, update (with upsert and optimistic concurrency) and delete. The payload is read by payload.ts; then
 * the platform's rules run on the resulting record (pricing, draft-only quotes, totals) before it is stored.
 */

function notDraftQuote(): DataverseError {
  return invalidArgument(
    'The quote is not in Draft state, so it and its products cannot be changed. Revise the quote (ReviseQuote) to get an editable draft.',
  );
}

/** Quotes are editable only while Draft (statecode 0); their lines likewise. */
function assertQuoteEditable(
  context: OperationContext,
  entity: EntityDefinition,
  previous: RecordValues | undefined,
  next: RecordValues | undefined,
  written: ReadonlySet<string>,
): void {
  if (entity.logicalName === 'quotedetail') {
    const quoteId = next?.quoteid ?? previous?.quoteid;
    const quote = typeof quoteId === 'string' ? context.state.store.get('quote', quoteId) : undefined;
    if (quote && quote.values.statecode !== 0) throw notDraftQuote();
  }
  if (entity.logicalName === 'quote' && previous && previous.statecode !== 0) {
    const onlyState = [...written].every((name) => name === 'statecode' || name === 'statuscode');
    if (!onlyState) throw notDraftQuote();
    if (next?.statecode === 0) {
      throw invalidArgument('A quote cannot be set back to Draft by an update: revise it with ReviseQuote.');
    }
  }
}

function auditColumns(context: OperationContext, creating: boolean): RecordValues {
  const { principal } = context;
  const timestamp = dataverseTimestamp(context.now);
  const onBehalfOf = principal.impersonating ? principal.callerId : null;
  return {
    ...(creating ? { createdon: timestamp, createdby: principal.userId, createdonbehalfby: onBehalfOf } : {}),
    modifiedon: timestamp,
    modifiedby: principal.userId,
    modifiedonbehalfby: onBehalfOf,
  };
}

function requireBindPrivileges(
  context: OperationContext,
  entity: EntityDefinition,
  converted: ConvertedPayload,
): void {
  for (const { lookup, targetId } of converted.bound) {
    const target = lookup.lookup ? context.state.catalog.entity(lookup.lookup.target) : undefined;
    if (targetId === null || !target) continue;
    requirePrivilege(context.state, context.principal, entity, 'append');
    requirePrivilege(context.state, context.principal, target, 'appendTo');
  }
}

/** Opportunity and quote totals follow their lines, on the old parent and the new one. */
function refreshTotalsAfterLineChange(
  context: OperationContext,
  entity: EntityDefinition,
  ...records: (RecordValues | undefined)[]
): void {
  const parentAttribute = PRICED_LINE_PARENTS[entity.logicalName];
  if (!parentAttribute) return;
  const parents = new Set(
    records.map((values) => values?.[parentAttribute]).filter((id) => typeof id === 'string'),
  );
  for (const parentId of parents) {
    refreshParentTotals(context.state, entity.logicalName, parentId, dataverseTimestamp(context.now));
  }
}

function entityUrl(context: OperationContext, entity: EntityDefinition, id: string): string {
  return `${context.serviceRoot}${entity.entitySetName}(${id})`;
}

function writeResponse(
  context: OperationContext,
  entity: EntityDefinition,
  record: StoredRecord,
  options: QueryOptions,
  created: boolean,
): ServiceResponse {
  const entityId = { 'OData-EntityId': entityUrl(context, entity, record.id) };
  if (!context.preferences.returnRepresentation) return emptyResponse(204, entityId);
  const projection = resolveProjection(context, entity, options.select, options.expand);
  const body = {
    '@odata.context': contextUrl(context, entity.entitySetName, projection, true),
    ...serializeRecord(context, entity, record, projection),
  };
  return jsonResponse(created ? 201 : 200, body, {
    ...entityId,
    ETag: etagOf(record.version),
    'Preference-Applied': 'return=representation',
  });
}

function etagMatches(header: string, version: number): boolean {
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed === etagOf(version) || trimmed === `"${version}"`;
  });
}

export function createRecord(
  context: OperationContext,
  entity: EntityDefinition,
  body: string,
  options: QueryOptions,
  upsertId?: string,
): ServiceResponse {
  const { state } = context;
  requirePrivilege(state, context.principal, entity, 'create');
  const converted = convertPayload(context, entity, parseBody(entity, body), undefined);
  const bodyId = converted.changes[entity.primaryIdAttribute];
  if (upsertId !== undefined && typeof bodyId === 'string' && bodyId !== upsertId.toLowerCase()) {
    throw invalidArgument(`The ${entity.primaryIdAttribute} in the body does not match the id in the URL.`);
  }
  const id = (upsertId ?? (typeof bodyId === 'string' ? bodyId : randomUUID())).toLowerCase();
  if (state.store.get(entity.logicalName, id)) throw duplicateRecord();
  const values: RecordValues = {
    ...converted.changes,
    [entity.primaryIdAttribute]: id,
    ...auditColumns(context, true),
  };
  assertQuoteEditable(context, entity, undefined, values, converted.written);
  completeRecord(state, entity, values, undefined, converted.written);
  requireBindPrivileges(context, entity, converted);
  const record = state.store.put(entity.logicalName, id, values);
  refreshTotalsAfterLineChange(context, entity, values);
  return writeResponse(context, entity, record, options, true);
}

/** PATCH: update, or create when the record is missing (upsert) unless If-Match forbids it. */
export function updateRecord(
  context: OperationContext,
  entity: EntityDefinition,
  id: string,
  body: string,
  options: QueryOptions,
): ServiceResponse {
  const { state } = context;
  const existing = state.store.get(entity.logicalName, id);
  const ifMatch = context.headers['if-match'];
  if (ifMatch !== undefined) {
    if (!existing) throw recordNotFound(entity.logicalName, id);
    if (!etagMatches(ifMatch, existing.version)) throw versionMismatch();
  }
  if (context.headers['if-none-match'] === '*' && existing) throw duplicateRecord();
  if (!existing) return createRecord(context, entity, body, options, id);
  requirePrivilege(state, context.principal, entity, 'write');
  const converted = convertPayload(context, entity, parseBody(entity, body), existing.values);
  const bodyId = converted.changes[entity.primaryIdAttribute];
  if (bodyId !== undefined && bodyId !== existing.id) {
    throw invalidArgument(`The ${entity.primaryIdAttribute} in the body does not match the id in the URL.`);
  }
  const values: RecordValues = { ...existing.values, ...converted.changes, ...auditColumns(context, false) };
  assertQuoteEditable(context, entity, existing.values, values, converted.written);
  completeRecord(state, entity, values, existing.values, converted.written);
  requireBindPrivileges(context, entity, converted);
  const record = state.store.put(entity.logicalName, existing.id, values);
  refreshTotalsAfterLineChange(context, entity, existing.values, values);
  return writeResponse(context, entity, record, options, false);
}

/** Deletes a record and applies its relationships' cascade: delete children, clear links, or refuse. */
function deleteWithCascade(context: OperationContext, entity: EntityDefinition, record: StoredRecord): void {
  const { state } = context;
  for (const relationship of state.catalog.oneToMany(entity.logicalName)) {
    const child = state.catalog.entity(relationship.referencingEntity);
    if (!child || !state.catalog.hasData(child.logicalName)) continue;
    const children = state.store
      .all(child.logicalName)
      .filter((candidate) => candidate.values[relationship.referencingAttribute] === record.id);
    if (children.length === 0) continue;
    if (relationship.cascadeDelete === 'Restrict') {
      throw new DataverseError(
        400,
        '0x80040227',
        'The object you tried to delete is associated with another object and cannot be deleted.',
      );
    }
    for (const dependent of children) {
      if (relationship.cascadeDelete === 'Cascade') deleteWithCascade(context, child, dependent);
      if (relationship.cascadeDelete === 'RemoveLink') {
        state.store.put(child.logicalName, dependent.id, {
          ...dependent.values,
          [relationship.referencingAttribute]: null,
        });
      }
    }
  }
  state.store.delete(entity.logicalName, record.id);
}

export function deleteRecord(
  context: OperationContext,
  entity: EntityDefinition,
  id: string,
): ServiceResponse {
  const { state } = context;
  requirePrivilege(state, context.principal, entity, 'delete');
  const existing = state.store.get(entity.logicalName, id);
  if (!existing) throw recordNotFound(entity.logicalName, id);
  const ifMatch = context.headers['if-match'];
  if (ifMatch !== undefined && !etagMatches(ifMatch, existing.version)) throw versionMismatch();
  assertQuoteEditable(context, entity, existing.values, undefined, new Set());
  deleteWithCascade(context, entity, existing);
  refreshTotalsAfterLineChange(context, entity, existing.values);
  return emptyResponse(204);
}
