/**
 * The entities the simulator stores records for, described the way Dataverse's metadata describes them. The
 * same definitions drive validation of writes, the OData property names (`_x_value` for lookups), the
 * navigation properties and the `EntityDefinitions` answers, so what a client reads from metadata is what the
 * data endpoints enforce. The definitions themselves are in entities.ts.
 */

export type AttributeTypeCode =
  | 'Uniqueidentifier'
  | 'String'
  | 'Memo'
  | 'Money'
  | 'Decimal'
  | 'Integer'
  | 'Boolean'
  | 'Lookup'
  | 'Owner'
  | 'BigInt'
  | 'DateTime'
  | 'Picklist'
  | 'State'
  | 'Status';

type RequiredLevel = 'None' | 'SystemRequired' | 'ApplicationRequired' | 'Recommended';

export type CascadeDelete = 'Cascade' | 'RemoveLink' | 'Restrict' | 'NoCascade';

export interface LookupDefinition {
  /** Logical name of the referenced entity. */
  target: string;
  /** Single-valued navigation property used in `@odata.bind` and `$expand`. */
  navigationProperty: string;
  /**
   * SchemaName of the 1:N relationship; also the collection-valued navigation property on the target. An owner
   * (`ownerid`) has none: its relationships go through `owninguser` / `owningteam`, as in Dataverse.
   */
  relationshipSchemaName?: string;
  cascadeDelete: CascadeDelete;
}

export interface AttributeDefinition {
  logicalName: string;
  schemaName: string;
  type: AttributeTypeCode;
  displayName: string;
  isValidForCreate: boolean;
  isValidForUpdate: boolean;
  requiredLevel: RequiredLevel;
  /** 0 simple, 1 calculated, 2 rollup: Dataverse's SourceType. */
  sourceType: number;
  isCustomAttribute: boolean;
  maxLength?: number;
  precision?: number;
  /** Money: where the precision comes from: 0 Precision, 1 the organization's pricing precision, 2 the currency. */
  precisionSource?: 0 | 1 | 2;
  /** Money: a `<column>_base` value in the organization's base currency. */
  isBaseCurrency?: boolean;
  /** Money: the column a base-currency value is computed from (`priceperunit` for `priceperunit_base`). */
  calculationOf?: string;
  /** Choice columns: the global option set (choice) whose options the column uses. */
  globalOptionSet?: string;
  minValue?: number;
  maxValue?: number;
  lookup?: LookupDefinition;
  /** Companion columns such as `productidname`: in metadata only, never an OData property. */
  attributeOf?: string;
  /** Labels of choice, yes/no, state and status values (formatted values). */
  options?: Readonly<Record<number, string>>;
  /** Status: the status values allowed for each state, the first being the default. */
  statusesByState?: Readonly<Record<number, readonly number[]>>;
  defaultValue?: string | number | boolean;
}

/** A global option set (global choice): options that several columns share, maintained in one place. */
export interface GlobalOptionSetDefinition {
  name: string;
  displayName: string;
  description: string;
  options: Readonly<Record<number, string>>;
}

export interface EntityDefinition {
  logicalName: string;
  schemaName: string;
  entitySetName: string;
  displayName: string;
  displayCollectionName: string;
  primaryIdAttribute: string;
  primaryNameAttribute: string | null;
  objectTypeCode: number;
  ownershipType: 'UserOwned' | 'OrganizationOwned';
  isActivity: boolean;
  isBPFEntity: boolean;
  isCustomEntity: boolean;
  isCustomizable: boolean;
  isValidForAdvancedFind: boolean;
  attributes: AttributeDefinition[];
}

/** Lookups and owners: columns holding a reference, read as `_x_value` and written through `@odata.bind`. */
export function isReference(attribute: Pick<AttributeDefinition, 'type'>): boolean {
  return attribute.type === 'Lookup' || attribute.type === 'Owner';
}

export function odataPropertyName(attribute: AttributeDefinition): string {
  return isReference(attribute) ? `_${attribute.logicalName}_value` : attribute.logicalName;
}

/** Attributes that are properties of the OData entity type (companion name columns are not). */
export function odataAttributes(entityDefinition: EntityDefinition): AttributeDefinition[] {
  return entityDefinition.attributes.filter((attribute) => attribute.attributeOf === undefined);
}

export function edmType(attribute: AttributeDefinition): string {
  switch (attribute.type) {
    case 'Uniqueidentifier':
    case 'Lookup':
    case 'Owner':
      return 'Edm.Guid';
    case 'BigInt':
      return 'Edm.Int64';
    case 'String':
    case 'Memo':
      return 'Edm.String';
    case 'Money':
    case 'Decimal':
      return 'Edm.Decimal';
    case 'Integer':
    case 'Picklist':
    case 'State':
    case 'Status':
      return 'Edm.Int32';
    case 'Boolean':
      return 'Edm.Boolean';
    case 'DateTime':
      return 'Edm.DateTimeOffset';
  }
}
