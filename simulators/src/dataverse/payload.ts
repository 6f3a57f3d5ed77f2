import type { OperationContext } from './context';
import { attributeByProperty } from './entityQuery';
import {
  DataverseError,
  ErrorCodes,
  invalidArgument,
  invalidProperty,
  notModeled,
  payloadError,
  recordNotFound,
  validationError,
} from './errors';
import { roundDecimal } from './pricing';
import { edmType, isReference, type AttributeDefinition, type EntityDefinition } from './schema';
import type { FieldValue, RecordValues } from './store';
import { dataverseTimestamp, isGuid, isPlainObject } from './util';

/**
 * A request body read the way Dataverse reads it: OData types ("Cannot convert the literal …"), MaxLength and
 * ranges (validation errors), IsValidForCreate / IsValidForUpdate, and lookups only through
 * `<navigation>@odata.bind` — never as `_x_value`, never by their logical name.
 */

export interface ConvertedPayload {
  changes: RecordValues;
  /** Logical names of the attributes the request set. */
  written: Set<string>;
  /** Lookups set through @odata.bind (for the Append / AppendTo privileges). */
  bound: { lookup: AttributeDefinition; targetId: string | null }[];
}

const BIND_SUFFIX = '@odata.bind';

export function parseBody(entity: EntityDefinition, body: string): Record<string, unknown> {
  let payload: unknown;
  try {
    payload = JSON.parse(body === '' ? 'null' : body);
  } catch {
    throw payloadError(entity.entitySetName, 'The request body is not valid JSON.');
  }
  if (!isPlainObject(payload))
    throw payloadError(entity.entitySetName, 'The request body must be a JSON object.');
  return payload;
}

/** Where an @odata.bind value points: `/set(id)`, `set(id)`, an absolute URL, or `$1` in a change set. */
function resolveReference(
  context: OperationContext,
  owner: EntityDefinition,
  lookup: AttributeDefinition,
  navigationProperty: string,
  value: unknown,
): string | null {
  if (value === null) return null;
  const target = lookup.lookup ? context.state.catalog.entity(lookup.lookup.target) : undefined;
  const invalid = () =>
    payloadError(
      owner.entitySetName,
      `The value '${typeof value === 'string' ? value : JSON.stringify(value)}' of '${navigationProperty}${BIND_SUFFIX}' is not a reference such as '/${target?.entitySetName ?? ''}(<id>)'.`,
    );
  if (typeof value !== 'string' || !target) throw invalid();
  let reference = value;
  if (reference.startsWith('$')) {
    const url = context.contentIds?.get(reference);
    if (url === undefined) {
      throw new DataverseError(
        400,
        ErrorCodes.queryError,
        `Content-ID Reference: '${reference}' does not exist in the batch context.`,
      );
    }
    reference = url;
  }
  const marker = reference.indexOf('/api/data/v9.2/');
  if (marker !== -1) reference = reference.slice(marker + '/api/data/v9.2/'.length);
  reference = reference.replace(/^\//, '');
  const match = /^([A-Za-z_][A-Za-z0-9_]*)\(([^)]*)\)$/.exec(reference);
  if (!match) throw invalid();
  const [, setName = '', key = ''] = match;
  if (setName !== target.entitySetName) {
    throw payloadError(
      owner.entitySetName,
      `The entity set '${setName}' cannot be bound to '${navigationProperty}', which refers to ${target.logicalName} ('${target.entitySetName}').`,
    );
  }
  if (!isGuid(key)) throw invalid();
  if (!context.state.store.get(target.logicalName, key)) throw recordNotFound(target.logicalName, key);
  return key.toLowerCase();
}

function formatLimit(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** One property value converted to what Dataverse stores, or Dataverse's 400 when it cannot be. */
function convertValue(entity: EntityDefinition, attribute: AttributeDefinition, value: unknown): FieldValue {
  if (value === null) return null;
  const cannotConvert = () =>
    payloadError(
      entity.entitySetName,
      `Cannot convert the literal '${typeof value === 'string' ? value : JSON.stringify(value)}' to the expected type '${edmType(attribute)}'.`,
    );
  if (isPlainObject(value) || Array.isArray(value))
    throw notModeled('Deep insert (a nested record in a create or update)');
  switch (attribute.type) {
    case 'String':
    case 'Memo':
      if (typeof value !== 'string') throw cannotConvert();
      if (attribute.maxLength !== undefined && value.length > attribute.maxLength) {
        throw validationError(
          `The length of the '${attribute.logicalName}' attribute of the '${entity.logicalName}' entity exceeded the maximum allowed length of '${attribute.maxLength}'.`,
        );
      }
      return value;
    case 'Uniqueidentifier':
      if (!isGuid(value)) throw cannotConvert();
      return value.toLowerCase();
    case 'Boolean':
      if (typeof value !== 'boolean') throw cannotConvert();
      return value;
    case 'DateTime':
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw cannotConvert();
      return dataverseTimestamp(new Date(value));
    case 'Money':
    case 'Decimal':
    case 'Integer':
    case 'BigInt':
    case 'Picklist':
    case 'State':
    case 'Status': {
      const integral = attribute.type !== 'Money' && attribute.type !== 'Decimal';
      if (typeof value !== 'number' || !Number.isFinite(value) || (integral && !Number.isInteger(value))) {
        throw cannotConvert();
      }
      const rounded = integral ? value : roundDecimal(value, attribute.precision ?? 2);
      const outsideRange =
        (attribute.minValue !== undefined && rounded < attribute.minValue) ||
        (attribute.maxValue !== undefined && rounded > attribute.maxValue) ||
        (attribute.options !== undefined && !(rounded in attribute.options));
      if (outsideRange) {
        const accepted =
          attribute.options !== undefined
            ? `Accepted Values: ${Object.keys(attribute.options).join(', ')}`
            : `Accepted Values: Between ${formatLimit(attribute.minValue ?? -Infinity)} and ${formatLimit(attribute.maxValue ?? Infinity)}`;
        throw validationError(
          `The value ${value} of '${attribute.logicalName}' on record of type '${entity.logicalName}' is outside the valid range. ${accepted}`,
        );
      }
      return rounded;
    }
    case 'Lookup':
    case 'Owner':
      throw cannotConvert();
  }
}

function checkWritable(
  entity: EntityDefinition,
  attribute: AttributeDefinition,
  value: FieldValue,
  previous: RecordValues | undefined,
): void {
  if (!previous && !attribute.isValidForCreate) {
    throw invalidArgument(
      `The '${attribute.logicalName}' attribute of ${entity.logicalName} cannot be set when creating a record (IsValidForCreate is false).`,
    );
  }
  if (previous && !attribute.isValidForUpdate && (previous[attribute.logicalName] ?? null) !== value) {
    throw invalidArgument(
      `The '${attribute.logicalName}' attribute of ${entity.logicalName} cannot be changed after the record is created (IsValidForUpdate is false).`,
    );
  }
}

export function convertPayload(
  context: OperationContext,
  entity: EntityDefinition,
  payload: Record<string, unknown>,
  previous: RecordValues | undefined,
): ConvertedPayload {
  const converted: ConvertedPayload = { changes: {}, written: new Set(), bound: [] };
  const { catalog } = context.state;
  for (const [key, value] of Object.entries(payload)) {
    if (key.endsWith(BIND_SUFFIX)) {
      const navigationProperty = key.slice(0, -BIND_SUFFIX.length);
      const lookup = catalog.lookupByNavigation(entity, navigationProperty);
      if (!lookup) {
        throw payloadError(
          entity.entitySetName,
          `An undeclared property '${navigationProperty}' which only has property annotations in the payload but no property value was found in the payload. In OData, only declared navigation properties and declared named streams can be represented as properties without values.`,
        );
      }
      const targetId = resolveReference(context, entity, lookup, navigationProperty, value);
      checkWritable(entity, lookup, targetId, previous);
      // Assigning cascades to related records and needs the Assign privilege; neither is modeled.
      if (lookup.type === 'Owner' && (previous?.[lookup.logicalName] ?? null) !== targetId) {
        throw notModeled(`Assigning a record (${navigationProperty}${BIND_SUFFIX})`);
      }
      converted.changes[lookup.logicalName] = targetId;
      converted.written.add(lookup.logicalName);
      converted.bound.push({ lookup, targetId });
      continue;
    }
    // Instance annotations (@odata.type, name@OData.Community…) carry no data.
    if (key.includes('@')) continue;
    const attribute = attributeByProperty(entity, key);
    if (attribute && isReference(attribute)) {
      throw new DataverseError(
        400,
        ErrorCodes.payloadError,
        'CRM do not support direct update of Entity Reference properties, Use Navigation properties instead.',
      );
    }
    if (!attribute) throw invalidProperty(key, entity.logicalName);
    const fieldValue = convertValue(entity, attribute, value);
    if (attribute.logicalName !== entity.primaryIdAttribute)
      checkWritable(entity, attribute, fieldValue, previous);
    converted.changes[attribute.logicalName] = fieldValue;
    converted.written.add(attribute.logicalName);
  }
  return converted;
}
