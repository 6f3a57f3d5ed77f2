import { errorResponse, jsonResponse, type OperationContext, type ServiceResponse } from './context';
import { attributeByProperty } from './entityQuery';
import {
  DataverseError,
  noResourceForUri,
  notModeled,
  queryError,
  recordNotFound,
  segmentNotFound,
  unsupportedContentType,
} from './errors';
import { readMetadata } from './metadata';
import { parseQueryOptions, type QueryOptions } from './odataQuery';
import { countCollection, readCollection, readRecord } from './reads';
import { parseResourcePath, type PathSegment } from './resourcePath';
import { readGlobalOptionSetDefinitions, readRelationshipDefinitions } from './definitionSets';
import type { EntityDefinition } from './schema';
import { isGuid } from './util';
import { createRecord, deleteRecord, updateRecord } from './writes';

/**
 * Routes one operation (a request, or a part of a $batch) to its handler, and turns Dataverse errors into
 * Dataverse error responses. A write either happens whole or not at all: a failure restores the records.
 */

export interface OperationRequest {
  method: string;
  /** Path relative to the service root, without a leading slash, still percent-encoded. */
  path: string;
  /** The query string without its `?`, as sent. */
  rawQuery: string;
  body: string;
}

function recordId(entity: EntityDefinition, key: string): string {
  const written = key;
  if (key.includes('=')) throw notModeled(`Alternate keys (${entity.entitySetName}(${key}))`);
  if (isGuid(key)) return key.toLowerCase();
  throw queryError(
    `Bad Request - Error in query syntax: '${written}' is not a valid key of ${entity.entitySetName}.`,
  );
}

/** Dataverse reads JSON bodies only; a body sent as anything else is refused before it is read. */
function requireJsonBody(context: OperationContext, request: OperationRequest): void {
  if (request.body.trim() === '') return;
  const contentType = context.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(contentType)) throw unsupportedContentType(contentType);
}

function whoAmI(context: OperationContext): ServiceResponse {
  const { organization } = context.state;
  return jsonResponse(200, {
    '@odata.context': `${context.serviceRoot}$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`,
    BusinessUnitId: organization.businessunitid,
    UserId: context.principal.userId,
    OrganizationId: organization.organizationid,
  });
}

/**
 * Dataverse messages (unbound actions and functions) a client of the sales entities might call. They exist in
 * Dataverse, so answering "not found" would mislead: each is refused as not modeled.
 */
const KNOWN_MESSAGES = new Set([
  'ReviseQuote',
  'WinQuote',
  'CloseQuote',
  'CalculatePrice',
  'WinOpportunity',
  'LoseOpportunity',
  'GenerateQuoteFromOpportunity',
  'GetQuoteProductsFromOpportunity',
  'ConvertQuoteToSalesOrder',
  'RetrieveVersion',
  'RetrieveCurrentOrganization',
  'RetrieveMetadataChanges',
  'RetrieveTotalRecordCount',
  'RetrieveUserPrivileges',
  'RetrievePrincipalAccess',
  'ExecuteWorkflow',
]);

const BOUND_OPERATION_PREFIX = 'Microsoft.Dynamics.CRM.';

const METADATA_SETS: Readonly<
  Record<
    string,
    (context: OperationContext, segments: PathSegment[], options: QueryOptions) => ServiceResponse
  >
> = {
  EntityDefinitions: readMetadata,
  RelationshipDefinitions: readRelationshipDefinitions,
  GlobalOptionSetDefinitions: readGlobalOptionSetDefinitions,
};

/** Options that shape a representation ($select, $expand) may accompany a write; the others are refused. */
function refuseQueryShapingOnWrite(options: QueryOptions): void {
  if (
    options.filter ||
    options.orderBy.length > 0 ||
    options.top !== undefined ||
    options.count ||
    options.skipToken !== undefined
  ) {
    throw queryError('Only $select and $expand apply to a create, update or delete.');
  }
}

function dispatch(context: OperationContext, request: OperationRequest): ServiceResponse {
  const { catalog } = context.state;
  const { method } = request;
  const noResource = () => noResourceForUri(method, `${context.serviceRoot}${request.path}`);
  const segments = parseResourcePath(request.path);
  const options = parseQueryOptions(new URLSearchParams(request.rawQuery));
  const [first, second, ...rest] = segments;
  if (!first) {
    if (method === 'GET') throw notModeled('The service document (the list of entity sets)');
    throw noResource();
  }
  if (method !== 'GET') refuseQueryShapingOnWrite(options);
  if (first.name === '$batch') throw noResource();
  if (first.name.startsWith('$metadata')) throw notModeled('The $metadata CSDL document');
  if (KNOWN_MESSAGES.has(first.name)) throw notModeled(`The Dataverse message '${first.name}'`);
  if (first.name === 'WhoAmI' || first.name === 'WhoAmI()') {
    if (method !== 'GET' || second) throw noResource();
    return whoAmI(context);
  }
  const metadataReader = METADATA_SETS[first.name];
  if (metadataReader) {
    if (method !== 'GET') throw notModeled(`Creating or changing metadata (${method} ${first.name})`);
    return metadataReader(context, segments, options);
  }
  const entity = catalog.dataEntityBySet(first.name);
  if (!entity) throw segmentNotFound(first.name);
  if (second?.name.startsWith(BOUND_OPERATION_PREFIX)) {
    throw notModeled(`The bound operation '${second.name}'`);
  }
  if (first.key === undefined) {
    if (second?.name === '$count' && second.key === undefined && !rest[0] && method === 'GET') {
      return countCollection(context, entity, options);
    }
    if (second) throw segmentNotFound(second.name);
    if (method === 'GET') return readCollection(context, entity, options, first.name, request.rawQuery);
    if (method === 'POST') {
      requireJsonBody(context, request);
      return createRecord(context, entity, request.body, options);
    }
    throw noResource();
  }
  const id = recordId(entity, first.key);
  if (!second) {
    if (method === 'GET') return readRecord(context, entity, id, options);
    if (method === 'PATCH') {
      requireJsonBody(context, request);
      return updateRecord(context, entity, id, request.body, options);
    }
    if (method === 'DELETE') return deleteRecord(context, entity, id);
    throw noResource();
  }
  const relationship = catalog.collectionNavigation(entity.logicalName, second.name);
  if (relationship && second.key !== undefined) {
    throw notModeled(`Addressing one record of '${second.name}' by its key`);
  }
  if (relationship && rest[0]) throw notModeled(`'${rest[0].name}' after '${second.name}'`);
  if (relationship) {
    const child = catalog.entity(relationship.referencingEntity);
    if (method !== 'GET')
      throw notModeled(`${method} on the collection-valued navigation property '${second.name}'`);
    if (!child || !catalog.hasData(child.logicalName)) {
      throw notModeled(
        `Reading '${second.name}' (the ${relationship.referencingEntity} entity has no records here)`,
      );
    }
    if (!context.state.store.get(entity.logicalName, id)) throw recordNotFound(entity.logicalName, id);
    return readCollection(context, child, options, `${first.name}(${id})/${second.name}`, request.rawQuery, {
      attribute: relationship.referencingAttribute,
      id,
    });
  }
  if (
    second.name === '$ref' ||
    catalog.lookupByNavigation(entity, second.name) ||
    attributeByProperty(entity, second.name)
  ) {
    throw notModeled(`Addressing '${second.name}' of a record in the URL`);
  }
  throw segmentNotFound(second.name);
}

export function executeOperation(context: OperationContext, request: OperationRequest): ServiceResponse {
  const snapshot = request.method === 'GET' ? undefined : context.state.store.snapshot();
  try {
    return dispatch(context, request);
  } catch (error) {
    if (!(error instanceof DataverseError)) throw error;
    if (snapshot) context.state.store.restore(snapshot);
    return errorResponse(error);
  }
}
