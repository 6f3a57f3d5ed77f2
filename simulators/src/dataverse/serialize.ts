import { etagOf, type OperationContext } from './context';
import { recordMatches, sortRecords, type Projection, type ResolvedExpand } from './entityQuery';
import { formattedValue } from './formatting';
import { wantsAnnotation } from './prefer';
import { odataPropertyName, type EntityDefinition } from './schema';
import type { StoredRecord } from './store';

/**
 * A record as the Web API writes it: `@odata.etag` first, then the selected properties (lookups as
 * `_x_value`, each preceded by the annotations the Prefer header asked for), the primary key, and expansions.
 */

const FORMATTED_VALUE = 'OData.Community.Display.V1.FormattedValue';
const LOOKUP_LOGICAL_NAME = 'Microsoft.Dynamics.CRM.lookuplogicalname';
const ASSOCIATED_NAVIGATION_PROPERTY = 'Microsoft.Dynamics.CRM.associatednavigationproperty';

export type JsonRecord = Record<string, unknown>;

function expanded(context: OperationContext, record: StoredRecord, expand: ResolvedExpand): unknown {
  const { store } = context.state;
  if (expand.kind === 'single') {
    const id = record.values[expand.lookup.logicalName];
    const related = typeof id === 'string' ? store.get(expand.entity.logicalName, id) : undefined;
    return related ? serializeRecord(context, expand.entity, related, expand.projection) : null;
  }
  const children = store
    .all(expand.entity.logicalName)
    .filter((child) => child.values[expand.relationship.referencingAttribute] === record.id)
    .filter((child) => recordMatches(expand.entity, expand.filter, child));
  const sorted = sortRecords(expand.entity, children, expand.orderBy);
  const limited = expand.top === undefined ? sorted : sorted.slice(0, expand.top);
  return limited.map((child) => serializeRecord(context, expand.entity, child, expand.projection));
}

export function serializeRecord(
  context: OperationContext,
  entity: EntityDefinition,
  record: StoredRecord,
  projection: Projection,
): JsonRecord {
  const annotations = context.preferences.includeAnnotations;
  const json: JsonRecord = { '@odata.etag': etagOf(record.version) };
  for (const attribute of projection.attributes) {
    const property = odataPropertyName(attribute);
    const value = record.values[attribute.logicalName] ?? null;
    if (value !== null) {
      const formatted = wantsAnnotation(annotations, FORMATTED_VALUE)
        ? formattedValue(context.state, attribute, value, record.values)
        : null;
      if (formatted !== null) json[`${property}@${FORMATTED_VALUE}`] = formatted;
      if (attribute.lookup) {
        if (wantsAnnotation(annotations, ASSOCIATED_NAVIGATION_PROPERTY)) {
          json[`${property}@${ASSOCIATED_NAVIGATION_PROPERTY}`] = attribute.lookup.navigationProperty;
        }
        if (wantsAnnotation(annotations, LOOKUP_LOGICAL_NAME)) {
          json[`${property}@${LOOKUP_LOGICAL_NAME}`] = attribute.lookup.target;
        }
      }
    }
    json[property] = value;
  }
  for (const expand of projection.expand) json[expand.navigationProperty] = expanded(context, record, expand);
  return json;
}

/** `$metadata#opportunities(name,product_opportunities(priceperunit))`, plus `/$entity` for one record. */
export function contextUrl(
  context: OperationContext,
  entitySetName: string,
  projection: Projection,
  single: boolean,
): string {
  const items = projection.contextItems.length > 0 ? `(${projection.contextItems.join(',')})` : '';
  return `${context.serviceRoot}$metadata#${entitySetName}${items}${single ? '/$entity' : ''}`;
}
