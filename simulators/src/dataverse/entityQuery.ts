import { requirePrivilege } from './access';
import type { RelationshipDefinition } from './catalog';
import type { OperationContext } from './context';
import { notModeled, propertyNotFound, queryError } from './errors';
import { checkFilter, evaluateFilter, type FilterExpression, type FilterSchema } from './odataFilter';
import type { ExpandOption, OrderBy } from './odataQuery';
import {
  edmType,
  odataAttributes,
  odataPropertyName,
  type AttributeDefinition,
  type EntityDefinition,
} from './schema';
import type { StoredRecord } from './store';

/**
 * Query options checked against an entity: `$select` names resolved to attributes, `$expand` to navigation
 * properties, `$filter` and `$orderby` validated, so unknown names fail with Dataverse's 400 before any row is
 * read. Records are then filtered, sorted and projected with these resolved options.
 */

export interface Projection {
  /** The selected attributes, in the order they will be written. */
  attributes: AttributeDefinition[];
  /** What `@odata.context` lists: the $select items as written, then the expansions. */
  contextItems: string[];
  expand: ResolvedExpand[];
}

export type ResolvedExpand =
  | {
      kind: 'single';
      navigationProperty: string;
      lookup: AttributeDefinition;
      entity: EntityDefinition;
      projection: Projection;
    }
  | {
      kind: 'collection';
      navigationProperty: string;
      relationship: RelationshipDefinition;
      entity: EntityDefinition;
      projection: Projection;
      filter?: FilterExpression;
      orderBy: OrderBy[];
      top?: number;
    };

function entityTypeName(entity: EntityDefinition): string {
  return `Microsoft.Dynamics.CRM.${entity.logicalName}`;
}

/** The attribute behind an OData property name (`name`, or `_productid_value` for a lookup). */
export function attributeByProperty(
  entity: EntityDefinition,
  property: string,
): AttributeDefinition | undefined {
  return odataAttributes(entity).find((attribute) => odataPropertyName(attribute) === property);
}

export function filterSchema(entity: EntityDefinition): FilterSchema {
  return {
    typeOf(path) {
      const [property = '', ...rest] = path;
      if (rest.length > 0)
        throw notModeled(`Filtering on a column of a related record ('${path.join('/')}')`);
      const attribute = attributeByProperty(entity, property);
      if (!attribute) throw propertyNotFound(property, entityTypeName(entity));
      return edmType(attribute);
    },
  };
}

export function recordMatches(
  entity: EntityDefinition,
  filter: FilterExpression | undefined,
  record: StoredRecord,
): boolean {
  if (!filter) return true;
  return evaluateFilter(
    filter,
    (path) => {
      const attribute = attributeByProperty(entity, path[0] ?? '');
      return attribute ? (record.values[attribute.logicalName] ?? null) : null;
    },
    filterSchema(entity),
  );
}

export function checkOrderBy(entity: EntityDefinition, orderBy: readonly OrderBy[]): void {
  for (const { property } of orderBy) {
    if (!attributeByProperty(entity, property)) throw propertyNotFound(property, entityTypeName(entity));
  }
}

function sortKey(value: unknown): string | number | boolean {
  if (typeof value === 'string') return value.toLowerCase();
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return '';
}

/** SQL ordering: nulls first when ascending, strings ignoring case, the primary key breaking ties. */
export function sortRecords(
  entity: EntityDefinition,
  records: StoredRecord[],
  orderBy: readonly OrderBy[],
): StoredRecord[] {
  const keys = orderBy.map(({ property, descending }) => ({
    name: attributeByProperty(entity, property)?.logicalName ?? property,
    direction: descending ? -1 : 1,
  }));
  return [...records].sort((a, b) => {
    for (const { name, direction } of keys) {
      const left = a.values[name] ?? null;
      const right = b.values[name] ?? null;
      if (left === right) continue;
      if (left === null) return -direction;
      if (right === null) return direction;
      const x = sortKey(left);
      const y = sortKey(right);
      if (x < y) return -direction;
      if (x > y) return direction;
    }
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}

function resolveExpand(
  context: OperationContext,
  entity: EntityDefinition,
  option: ExpandOption,
): ResolvedExpand {
  const { catalog } = context.state;
  const lookup = catalog.lookupByNavigation(entity, option.navigationProperty);
  const relationship = lookup
    ? undefined
    : catalog.collectionNavigation(entity.logicalName, option.navigationProperty);
  const targetName = lookup?.lookup?.target ?? relationship?.referencingEntity;
  const target = targetName ? catalog.entity(targetName) : undefined;
  if (!target || (!lookup && !relationship))
    throw propertyNotFound(option.navigationProperty, entityTypeName(entity));
  if (!catalog.hasData(target.logicalName)) {
    throw notModeled(
      `Expanding '${option.navigationProperty}' (the ${target.logicalName} entity has no records here)`,
    );
  }
  requirePrivilege(context.state, context.principal, target, 'read');
  const projection = resolveProjection(context, target, option.select, []);
  if (lookup) {
    if (option.filter || option.orderBy.length > 0 || option.top !== undefined) {
      throw queryError(
        `Only $select can be applied to the single-valued navigation property '${option.navigationProperty}'.`,
      );
    }
    return {
      kind: 'single',
      navigationProperty: option.navigationProperty,
      lookup,
      entity: target,
      projection,
    };
  }
  if (!relationship) throw propertyNotFound(option.navigationProperty, entityTypeName(entity));
  if (option.filter) checkFilter(option.filter, filterSchema(target));
  checkOrderBy(target, option.orderBy);
  return {
    kind: 'collection',
    navigationProperty: option.navigationProperty,
    relationship,
    entity: target,
    projection,
    ...(option.filter ? { filter: option.filter } : {}),
    orderBy: option.orderBy,
    ...(option.top === undefined ? {} : { top: option.top }),
  };
}

export function resolveProjection(
  context: OperationContext,
  entity: EntityDefinition,
  select: readonly string[] | undefined,
  expand: readonly ExpandOption[],
): Projection {
  let attributes: AttributeDefinition[];
  if (select) {
    attributes = select.map((property) => {
      const attribute = attributeByProperty(entity, property);
      if (!attribute) throw propertyNotFound(property, entityTypeName(entity));
      return attribute;
    });
    // Dataverse adds the currency lookup whenever a money column is selected.
    const currency = attributeByProperty(entity, '_transactioncurrencyid_value');
    if (
      currency &&
      attributes.some((attribute) => attribute.type === 'Money') &&
      !attributes.includes(currency)
    ) {
      attributes.push(currency);
    }
  } else {
    attributes = odataAttributes(entity);
  }
  const primaryKey = attributeByProperty(entity, entity.primaryIdAttribute);
  // The primary key is always returned, after the selected columns.
  if (primaryKey && !attributes.includes(primaryKey)) attributes.push(primaryKey);
  const resolved = expand.map((option) => resolveExpand(context, entity, option));
  const contextItems = [
    ...(select ?? []),
    ...resolved.map((item) => `${item.navigationProperty}(${item.projection.contextItems.join(',')})`),
  ];
  return { attributes, contextItems, expand: resolved };
}
