import { jsonResponse, type OperationContext, type ServiceResponse } from './context';
import { DataverseError, ErrorCodes, queryError, queryOptionNotSupported, segmentNotFound } from './errors';
import {
  checkSelect,
  filterItems,
  project,
  refuseExpand,
  refuseSortingAndPaging,
  selectClause,
} from './metadata';
import {
  BOOLEAN_OPTION_SET_METADATA,
  globalOptionSetDescription,
  MANY_TO_MANY_RELATIONSHIP_METADATA,
  OPTION_SET_BASE_METADATA,
  OPTION_SET_METADATA,
  optionSetJson,
  RELATIONSHIP_BASE_METADATA,
  RELATIONSHIP_METADATA,
  relationshipJson,
  type JsonRecord,
  type MetadataType,
} from './metadataShapes';
import type { QueryOptions } from './odataQuery';
import type { PathSegment } from './resourcePath';

/**
 * `RelationshipDefinitions` and `GlobalOptionSetDefinitions`: the definition sets whose items are addressed by
 * MetadataId or by their alternate key (`SchemaName='…'`, `Name='…'`). Both list items of derived types, so
 * without a cast only the base type's properties can be selected or filtered, and each item carries its
 * `@odata.type`; a cast segment (`/Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata`) narrows the set to
 * that type and opens its properties. Relationships come from the catalog the lookups and
 * `EntityDefinitions(…)/ManyToOneRelationships` use, so the answers never disagree.
 */

interface DefinitionSet {
  name: string;
  /** The alternate key: `SchemaName` for relationships, `Name` for option sets. */
  key: string;
  baseType: MetadataType;
  /** The derived types a cast may name, with the items of each. */
  derived: { type: MetadataType; items: () => JsonRecord[] }[];
}

function typed(type: MetadataType, items: JsonRecord[]): JsonRecord[] {
  return items.map((item) => ({ '@odata.type': `#${type.name}`, ...item }));
}

function untyped(item: JsonRecord): JsonRecord {
  const copy = { ...item };
  delete copy['@odata.type'];
  return copy;
}

function relationshipSet(context: OperationContext): DefinitionSet {
  return {
    name: 'RelationshipDefinitions',
    key: 'SchemaName',
    baseType: RELATIONSHIP_BASE_METADATA,
    derived: [
      {
        type: RELATIONSHIP_METADATA,
        items: () => typed(RELATIONSHIP_METADATA, context.state.catalog.relationships.map(relationshipJson)),
      },
      // The catalog has no N:N relationship between two entities the simulator knows.
      { type: MANY_TO_MANY_RELATIONSHIP_METADATA, items: () => [] },
    ],
  };
}

function optionSetSet(context: OperationContext): DefinitionSet {
  return {
    name: 'GlobalOptionSetDefinitions',
    key: 'Name',
    baseType: OPTION_SET_BASE_METADATA,
    derived: [
      {
        type: OPTION_SET_METADATA,
        items: () =>
          context.state.catalog.globalOptionSets.map((set) => optionSetJson(globalOptionSetDescription(set))),
      },
      { type: BOOLEAN_OPTION_SET_METADATA, items: () => [] },
    ],
  };
}

function notFound(set: DefinitionSet, key: string): DataverseError {
  const typeName = set.baseType.name.replace('Microsoft.Dynamics.CRM.', '').replace(/Base$/, '');
  return new DataverseError(404, ErrorCodes.queryError, `${typeName} With Id = ${key} does not exist.`);
}

function readDefinitionSet(
  context: OperationContext,
  set: DefinitionSet,
  segments: readonly PathSegment[],
  options: QueryOptions,
): ServiceResponse {
  const [first, cast, ...extra] = segments;
  if (!first || extra[0]) throw segmentNotFound(extra[0]?.name ?? set.name);
  refuseSortingAndPaging(options);
  const derived =
    cast === undefined ? set.derived : set.derived.filter(({ type }) => type.name === cast.name);
  if (cast !== undefined && derived.length === 0) throw segmentNotFound(cast.name);
  const type = cast === undefined ? set.baseType : (derived[0]?.type ?? set.baseType);
  // Items keep their @odata.type only where the set's type does not already say what they are.
  const items = derived.flatMap((entry) => entry.items()).map((item) => (cast ? untyped(item) : item));
  checkSelect(options.select, type);
  refuseExpand(options.expand, type);
  const root = `${context.serviceRoot}$metadata#${set.name}${cast ? `/${cast.name}` : ''}`;
  if (first.key === undefined) {
    const value = filterItems(items, options.filter, type).map((item) => project(item, options.select));
    return jsonResponse(200, { '@odata.context': `${root}${selectClause(options.select)}`, value });
  }
  if (options.filter) throw queryError('$filter does not apply when retrieving a single definition.');
  const key = first.key;
  const byKey = new RegExp(`^${set.key}='([^']*)'$`).exec(key)?.[1];
  const item = items.find((candidate) =>
    byKey === undefined ? candidate.MetadataId === key.toLowerCase() : candidate[set.key] === byKey,
  );
  if (!item) throw notFound(set, key);
  return jsonResponse(200, {
    '@odata.context': `${root}${selectClause(options.select)}/$entity`,
    ...project(item, options.select),
  });
}

/** GET RelationshipDefinitions, by MetadataId or SchemaName, optionally cast to the 1:N or N:N type. */
export function readRelationshipDefinitions(
  context: OperationContext,
  segments: readonly PathSegment[],
  options: QueryOptions,
): ServiceResponse {
  return readDefinitionSet(context, relationshipSet(context), segments, options);
}

/**
 * GET GlobalOptionSetDefinitions, by MetadataId or Name, optionally cast to OptionSetMetadata. Microsoft: "this
 * path does not support the use of the $filter system query option".
 */
export function readGlobalOptionSetDefinitions(
  context: OperationContext,
  segments: readonly PathSegment[],
  options: QueryOptions,
): ServiceResponse {
  if (options.filter) throw queryOptionNotSupported('$filter');
  return readDefinitionSet(context, optionSetSet(context), segments, options);
}
