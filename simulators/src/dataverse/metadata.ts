import { emptyResponse, jsonResponse, type OperationContext, type ServiceResponse } from './context';
import {
  DataverseError,
  ErrorCodes,
  notModeled,
  propertyNotFound,
  queryError,
  queryOptionNotSupported,
  segmentNotFound,
} from './errors';
import {
  ATTRIBUTE_METADATA,
  attributeJson,
  BOOLEAN_OPTION_SET_METADATA,
  globalOptionSetDescription,
  localOptionSetDescription,
  MANY_TO_MANY_RELATIONSHIP_METADATA,
  OPTION_SET_METADATA,
  optionSetJson,
  DERIVED_PROPERTIES,
  DERIVED_TYPE_NAMES,
  ENTITY_METADATA,
  entityJson,
  NAVIGATION,
  RELATIONSHIP_METADATA,
  relationshipJson,
  type JsonRecord,
  type MetadataType,
  type PropertyKind,
} from './metadataShapes';
import {
  checkFilter,
  evaluateFilter,
  type FilterExpression,
  type FilterSchema,
  type FilterValue,
} from './odataFilter';
import type { ExpandOption, QueryOptions } from './odataQuery';
import type { PathSegment } from './resourcePath';
import type { AttributeDefinition, AttributeTypeCode, EntityDefinition } from './schema';
import { guidFromName, isGuid } from './util';

/**
 * The metadata endpoints a client needs to discover line entities and their columns: `EntityDefinitions` (with
 * `$select`, `$filter` including managed properties such as `IsCustomizable/Value`, and `$expand`),
 * `EntityDefinitions(LogicalName='x')`, its `/Attributes` (optionally cast to a derived type such as
 * `Microsoft.Dynamics.CRM.StringAttributeMetadata`), `/ManyToOneRelationships` and `/OneToManyRelationships`.
 * As in Dataverse: MetadataId is always returned, there is no paging, `$orderby` and `$top` are refused, and
 * properties of derived types (MaxLength, Targets…) can only be selected through a cast.
 */

function propertyKind(type: MetadataType, name: string): PropertyKind | undefined {
  return type.properties[name];
}

export function checkSelect(select: readonly string[] | undefined, type: MetadataType): void {
  for (const name of select ?? []) {
    const kind = propertyKind(type, name);
    if (kind === undefined || kind === NAVIGATION) throw propertyNotFound(name, type.name);
  }
}

function metadataFilterSchema(type: MetadataType): FilterSchema {
  return {
    typeOf(path) {
      const [name = '', member, ...rest] = path;
      const kind = propertyKind(type, name);
      if (kind === undefined) throw propertyNotFound(name, type.name);
      if ('special' in kind) {
        throw queryError(
          `The property '${path.join('/')}' cannot be used in $filter: only primitive, enum and managed properties (Name/Value) can.`,
        );
      }
      if ('managed' in kind) {
        if (member !== 'Value' || rest.length > 0) {
          throw queryError(`The managed property '${name}' is filtered through its value: '${name}/Value'.`);
        }
        return kind.managed;
      }
      if (member !== undefined) throw propertyNotFound(member, kind.edm);
      return kind.edm;
    },
  };
}

function valueAt(item: JsonRecord, path: readonly string[]): FilterValue {
  let current: unknown = item;
  for (const segment of path) {
    current = typeof current === 'object' && current !== null ? (current as JsonRecord)[segment] : undefined;
  }
  return typeof current === 'string' || typeof current === 'number' || typeof current === 'boolean'
    ? current
    : null;
}

export function filterItems(
  items: JsonRecord[],
  filter: FilterExpression | undefined,
  type: MetadataType,
): JsonRecord[] {
  if (!filter) return items;
  const schema = metadataFilterSchema(type);
  checkFilter(filter, schema);
  return items.filter((item) => evaluateFilter(filter, (path) => valueAt(item, path), schema));
}

export function project(item: JsonRecord, select: readonly string[] | undefined): JsonRecord {
  if (!select) return item;
  const projected: JsonRecord = {};
  if ('@odata.type' in item) projected['@odata.type'] = item['@odata.type'];
  for (const name of select) projected[name] = item[name] ?? null;
  projected.MetadataId = item.MetadataId;
  return projected;
}

export function refuseSortingAndPaging(options: {
  orderBy: readonly unknown[];
  top?: number | undefined;
  skipToken?: string | undefined;
  count?: boolean;
}): void {
  if (options.orderBy.length > 0) throw queryOptionNotSupported('$orderby');
  if (options.top !== undefined) throw queryOptionNotSupported('$top');
  if (options.skipToken !== undefined) throw queryOptionNotSupported('$skiptoken');
  if (options.count) throw queryOptionNotSupported('$count');
}

/** Metadata items expand only the navigation properties their type declares (none are modeled on attributes). */
export function refuseExpand(expand: readonly ExpandOption[], type: MetadataType): void {
  for (const option of expand) {
    if (propertyKind(type, option.navigationProperty) !== NAVIGATION) {
      throw propertyNotFound(option.navigationProperty, type.name);
    }
    throw notModeled(`Expanding '${option.navigationProperty}' of ${type.name}`);
  }
}

function attributeType(cast: string | undefined): {
  type: MetadataType;
  codes?: ReadonlySet<AttributeTypeCode>;
} {
  if (cast === undefined) return { type: ATTRIBUTE_METADATA };
  // One derived type can describe several attribute types (LookupAttributeMetadata: Lookup and Owner).
  const codes = (Object.keys(DERIVED_TYPE_NAMES) as AttributeTypeCode[]).filter(
    (code) => `Microsoft.Dynamics.CRM.${DERIVED_TYPE_NAMES[code]}` === cast,
  );
  const [first] = codes;
  if (first === undefined) throw segmentNotFound(cast);
  return {
    type: { name: cast, properties: { ...ATTRIBUTE_METADATA.properties, ...DERIVED_PROPERTIES[first] } },
    codes: new Set(codes),
  };
}

interface NavigationCollection {
  items: JsonRecord[];
  type: MetadataType;
}

function navigationCollection(
  context: OperationContext,
  entity: EntityDefinition,
  name: string,
  cast?: string,
): NavigationCollection {
  const { catalog } = context.state;
  if (name === 'Attributes') {
    const { type, codes } = attributeType(cast);
    const attributes = entity.attributes.filter(
      (attribute) => codes === undefined || codes.has(attribute.type),
    );
    return { items: attributes.map((attribute) => attributeJson(entity, attribute)), type };
  }
  if (cast !== undefined) throw segmentNotFound(cast);
  if (name === 'ManyToOneRelationships') {
    return {
      items: catalog.manyToOne(entity.logicalName).map(relationshipJson),
      type: RELATIONSHIP_METADATA,
    };
  }
  if (name === 'OneToManyRelationships') {
    return {
      items: catalog.oneToMany(entity.logicalName).map(relationshipJson),
      type: RELATIONSHIP_METADATA,
    };
  }
  // No N:N relationship joins two entities this simulator knows (RelationshipDefinitions agrees).
  if (name === 'ManyToManyRelationships') return { items: [], type: MANY_TO_MANY_RELATIONSHIP_METADATA };
  if (name === 'Keys') throw notModeled(`The entity definition navigation '${name}'`);
  throw segmentNotFound(name);
}

const OPTION_SET_NAVIGATIONS = new Set(['OptionSet', 'GlobalOptionSet']);

function optionSetType(attribute: AttributeDefinition): MetadataType {
  return attribute.type === 'Boolean' ? BOOLEAN_OPTION_SET_METADATA : OPTION_SET_METADATA;
}

/**
 * The option set behind a column's OptionSet or GlobalOptionSet navigation: a column using a global option set
 * answers it through both; a local one has no GlobalOptionSet (null).
 */
function attributeOptionSet(
  context: OperationContext,
  entity: EntityDefinition,
  attribute: AttributeDefinition,
  navigation: string,
): JsonRecord | null {
  const name = attribute.globalOptionSet;
  const global = name === undefined ? undefined : context.state.catalog.globalOptionSet(name);
  const description = global
    ? globalOptionSetDescription(global)
    : navigation === 'OptionSet'
      ? localOptionSetDescription(entity, attribute)
      : undefined;
  if (!description) return null;
  // A single-valued navigation is typed by its declaration, so its items carry no @odata.type.
  const set = optionSetJson(description);
  delete set['@odata.type'];
  return set;
}

/** $expand=OptionSet,GlobalOptionSet on a cast to a choice, state, status or yes/no attribute type. */
function expandOptionSets(
  context: OperationContext,
  entity: EntityDefinition,
  item: JsonRecord,
  expand: readonly ExpandOption[],
): JsonRecord {
  const attribute = entity.attributes.find((candidate) => candidate.logicalName === item.LogicalName);
  const expanded: JsonRecord = {};
  for (const option of expand) {
    if (!attribute) continue;
    checkSelect(option.select, optionSetType(attribute));
    const set = attributeOptionSet(context, entity, attribute, option.navigationProperty);
    expanded[option.navigationProperty] = set && project(set, option.select);
  }
  return expanded;
}

function checkAttributeExpand(expand: readonly ExpandOption[], type: MetadataType): void {
  for (const option of expand) {
    if (propertyKind(type, option.navigationProperty) !== NAVIGATION) {
      throw propertyNotFound(option.navigationProperty, type.name);
    }
    if (!OPTION_SET_NAVIGATIONS.has(option.navigationProperty)) {
      throw notModeled(`Expanding '${option.navigationProperty}' of ${type.name}`);
    }
    if (option.filter || option.orderBy.length > 0 || option.top !== undefined) {
      throw queryError(
        `Only $select can be applied to the single-valued navigation property '${option.navigationProperty}'.`,
      );
    }
  }
}

function expandEntity(
  context: OperationContext,
  entity: EntityDefinition,
  item: JsonRecord,
  expand: readonly ExpandOption[],
): JsonRecord {
  const expanded: JsonRecord = { ...item };
  for (const option of expand) {
    if (propertyKind(ENTITY_METADATA, option.navigationProperty) !== NAVIGATION) {
      throw propertyNotFound(option.navigationProperty, ENTITY_METADATA.name);
    }
    refuseSortingAndPaging(option);
    const { items, type } = navigationCollection(context, entity, option.navigationProperty);
    checkSelect(option.select, type);
    expanded[option.navigationProperty] = filterItems(items, option.filter, type).map((child) =>
      project(child, option.select),
    );
  }
  return expanded;
}

function findEntity(context: OperationContext, key: string): EntityDefinition {
  const byName = /^LogicalName='([^']*)'$/.exec(key)?.[1];
  const entity = context.state.catalog
    .all()
    .find((candidate) =>
      byName !== undefined
        ? candidate.logicalName === byName
        : isGuid(key) && guidFromName(`entity:${candidate.logicalName}`) === key.toLowerCase(),
    );
  if (!entity) {
    throw new DataverseError(404, ErrorCodes.queryError, `EntityMetadata With Id = ${key} does not exist.`);
  }
  return entity;
}

export function selectClause(select: readonly string[] | undefined): string {
  return select ? `(${select.join(',')})` : '';
}

/** $select plus the expanded navigation properties, which a projection must keep. */
function kept(options: QueryOptions): string[] | undefined {
  return options.select && [...options.select, ...options.expand.map((option) => option.navigationProperty)];
}

function listEntities(context: OperationContext, options: QueryOptions, root: string): ServiceResponse {
  checkSelect(options.select, ENTITY_METADATA);
  const entities = context.state.catalog.all();
  const items = entities.map(entityJson);
  const matching = new Set(filterItems(items, options.filter, ENTITY_METADATA));
  const value = entities.flatMap((entity, index) => {
    const item = items[index];
    return item && matching.has(item)
      ? [project(expandEntity(context, entity, item, options.expand), kept(options))]
      : [];
  });
  return jsonResponse(200, { '@odata.context': `${root}${selectClause(options.select)}`, value });
}

function readEntity(
  context: OperationContext,
  entity: EntityDefinition,
  options: QueryOptions,
  root: string,
): ServiceResponse {
  if (options.filter) throw queryError('$filter does not apply when retrieving a single definition.');
  checkSelect(options.select, ENTITY_METADATA);
  const item = project(expandEntity(context, entity, entityJson(entity), options.expand), kept(options));
  return jsonResponse(200, { '@odata.context': `${root}${selectClause(options.select)}/$entity`, ...item });
}

function readNavigation(
  context: OperationContext,
  entity: EntityDefinition,
  navigation: PathSegment,
  cast: PathSegment | undefined,
  options: QueryOptions,
  root: string,
): ServiceResponse {
  const { items, type } = navigationCollection(context, entity, navigation.name, cast?.name);
  checkSelect(options.select, type);
  checkAttributeExpand(options.expand, type);
  const shape = (item: JsonRecord): JsonRecord => ({
    ...project(item, options.select),
    ...expandOptionSets(context, entity, item, options.expand),
  });
  const base = `${root}('${entity.logicalName}')/${navigation.name}${cast ? `/${cast.name}` : ''}`;
  if (navigation.key === undefined) {
    const value = filterItems(items, options.filter, type).map(shape);
    return jsonResponse(200, { '@odata.context': `${base}${selectClause(options.select)}`, value });
  }
  if (options.filter) throw queryError('$filter does not apply when retrieving a single definition.');
  const item = findNavigationItem(items, navigation);
  return jsonResponse(200, {
    '@odata.context': `${base}${selectClause(options.select)}/$entity`,
    ...shape(item),
  });
}

function findNavigationItem(items: readonly JsonRecord[], navigation: PathSegment): JsonRecord {
  const logicalName = /^LogicalName='([^']*)'$/.exec(navigation.key ?? '')?.[1];
  const item = items.find(
    (candidate) => candidate.LogicalName === logicalName || candidate.MetadataId === navigation.key,
  );
  if (!item) {
    throw new DataverseError(
      404,
      ErrorCodes.queryError,
      `${navigation.name} With Id = ${String(navigation.key)} does not exist.`,
    );
  }
  return item;
}

/** `…/Attributes(LogicalName='x')/Microsoft.Dynamics.CRM.PicklistAttributeMetadata/OptionSet`. */
function readAttributeOptionSet(
  context: OperationContext,
  entity: EntityDefinition,
  navigation: PathSegment,
  cast: PathSegment,
  optionSet: PathSegment,
  options: QueryOptions,
  root: string,
): ServiceResponse {
  const { items, type: castType } = navigationCollection(context, entity, navigation.name, cast.name);
  // Only the choice, state, status and yes/no types declare OptionSet and GlobalOptionSet.
  if (propertyKind(castType, optionSet.name) !== NAVIGATION) throw segmentNotFound(optionSet.name);
  const item = findNavigationItem(items, navigation);
  const attribute = entity.attributes.find((candidate) => candidate.logicalName === item.LogicalName);
  if (!attribute || optionSet.key !== undefined) throw segmentNotFound(optionSet.name);
  const type = optionSetType(attribute);
  checkSelect(options.select, type);
  refuseExpand(options.expand, type);
  if (options.filter) throw queryError('$filter does not apply when retrieving a single definition.');
  const set = attributeOptionSet(context, entity, attribute, optionSet.name);
  if (!set) return emptyResponse(204);
  const path = `${root}('${entity.logicalName}')/${navigation.name}(${String(item.MetadataId)})/${cast.name}/${optionSet.name}`;
  return jsonResponse(200, {
    '@odata.context': `${path}${selectClause(options.select)}/$entity`,
    ...project(set, options.select),
  });
}

/** GET on EntityDefinitions and its navigation properties. */
export function readMetadata(
  context: OperationContext,
  segments: readonly PathSegment[],
  options: QueryOptions,
): ServiceResponse {
  const root = `${context.serviceRoot}$metadata#EntityDefinitions`;
  const [definitions, navigation, cast, optionSet, ...extra] = segments;
  if (!definitions || extra[0]) throw segmentNotFound(extra[0]?.name ?? 'EntityDefinitions');
  refuseSortingAndPaging(options);
  if (definitions.key === undefined) {
    if (navigation) throw segmentNotFound(navigation.name);
    return listEntities(context, options, root);
  }
  const entity = findEntity(context, definitions.key);
  if (optionSet) {
    const optionSetPath =
      navigation?.name === 'Attributes' && navigation.key !== undefined && cast !== undefined;
    if (!optionSetPath || !OPTION_SET_NAVIGATIONS.has(optionSet.name)) throw segmentNotFound(optionSet.name);
    return readAttributeOptionSet(context, entity, navigation, cast, optionSet, options, root);
  }
  return navigation
    ? readNavigation(context, entity, navigation, cast, options, root)
    : readEntity(context, entity, options, root);
}
