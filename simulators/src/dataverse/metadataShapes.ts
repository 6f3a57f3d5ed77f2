import type { RelationshipDefinition } from './catalog';
import type { AttributeDefinition, AttributeTypeCode, EntityDefinition } from './schema';
import { guidFromName } from './util';

/**
 * The objects Dataverse's metadata endpoints return (EntityMetadata, AttributeMetadata and its derived types,
 * OneToManyRelationshipMetadata), and which properties each type declares, with how each may be used in
 * `$select` and `$filter`. Labels and managed properties have Dataverse's shapes; ids are stable per name.
 */

export type JsonRecord = Record<string, unknown>;

/** How a property can be used: a primitive or enum Edm type, a managed property, a label, or a navigation. */
export type PropertyKind =
  { edm: string } | { managed: string } | { special: 'label' | 'object' | 'navigation' };

export const LABEL: PropertyKind = { special: 'label' };
export const OBJECT: PropertyKind = { special: 'object' };
export const NAVIGATION: PropertyKind = { special: 'navigation' };

export interface MetadataType {
  name: string;
  properties: Readonly<Record<string, PropertyKind>>;
}

const BOOLEAN: PropertyKind = { edm: 'Edm.Boolean' };
const STRING: PropertyKind = { edm: 'Edm.String' };
const INT: PropertyKind = { edm: 'Edm.Int32' };
const GUID: PropertyKind = { edm: 'Edm.Guid' };

function enumType(name: string): PropertyKind {
  return { edm: `Microsoft.Dynamics.CRM.${name}` };
}

export const ENTITY_METADATA: MetadataType = {
  name: 'Microsoft.Dynamics.CRM.EntityMetadata',
  properties: {
    MetadataId: GUID,
    LogicalName: STRING,
    SchemaName: STRING,
    EntitySetName: STRING,
    LogicalCollectionName: STRING,
    CollectionSchemaName: STRING,
    DisplayName: LABEL,
    DisplayCollectionName: LABEL,
    PrimaryIdAttribute: STRING,
    PrimaryNameAttribute: STRING,
    ObjectTypeCode: INT,
    OwnershipType: enumType('OwnershipTypes'),
    TableType: STRING,
    IsActivity: BOOLEAN,
    IsBPFEntity: BOOLEAN,
    IsCustomEntity: BOOLEAN,
    IsManaged: BOOLEAN,
    IsIntersect: BOOLEAN,
    IsValidForAdvancedFind: BOOLEAN,
    IsCustomizable: { managed: 'Edm.Boolean' },
    IsAuditEnabled: { managed: 'Edm.Boolean' },
    Attributes: NAVIGATION,
    ManyToOneRelationships: NAVIGATION,
    OneToManyRelationships: NAVIGATION,
  },
};

export const ATTRIBUTE_METADATA: MetadataType = {
  name: 'Microsoft.Dynamics.CRM.AttributeMetadata',
  properties: {
    MetadataId: GUID,
    LogicalName: STRING,
    SchemaName: STRING,
    EntityLogicalName: STRING,
    AttributeType: enumType('AttributeTypeCode'),
    AttributeTypeName: OBJECT,
    DisplayName: LABEL,
    IsValidForCreate: BOOLEAN,
    IsValidForUpdate: BOOLEAN,
    IsValidForRead: BOOLEAN,
    IsCustomAttribute: BOOLEAN,
    IsPrimaryId: BOOLEAN,
    IsPrimaryName: BOOLEAN,
    IsLogical: BOOLEAN,
    RequiredLevel: { managed: 'Microsoft.Dynamics.CRM.AttributeRequiredLevel' },
    AttributeOf: STRING,
    SourceType: INT,
  },
};

/** Properties declared on derived attribute types, selectable only through a cast segment. */
export const DERIVED_PROPERTIES: Readonly<
  Partial<Record<AttributeTypeCode, Readonly<Record<string, PropertyKind>>>>
> = {
  String: { MaxLength: INT },
  Memo: { MaxLength: INT },
  Money: {
    Precision: INT,
    PrecisionSource: INT,
    IsBaseCurrency: BOOLEAN,
    CalculationOf: STRING,
    MinValue: { edm: 'Edm.Double' },
    MaxValue: { edm: 'Edm.Double' },
  },
  Decimal: { Precision: INT, MinValue: { edm: 'Edm.Decimal' }, MaxValue: { edm: 'Edm.Decimal' } },
  Integer: { MinValue: INT, MaxValue: INT },
  Lookup: { Targets: OBJECT },
  Owner: { Targets: OBJECT },
};

export const DERIVED_TYPE_NAMES: Readonly<Record<AttributeTypeCode, string>> = {
  Uniqueidentifier: 'UniqueIdentifierAttributeMetadata',
  String: 'StringAttributeMetadata',
  Memo: 'MemoAttributeMetadata',
  Money: 'MoneyAttributeMetadata',
  Decimal: 'DecimalAttributeMetadata',
  Integer: 'IntegerAttributeMetadata',
  Boolean: 'BooleanAttributeMetadata',
  Lookup: 'LookupAttributeMetadata',
  // Dataverse describes owners with the lookup type; AttributeType tells them apart.
  Owner: 'LookupAttributeMetadata',
  BigInt: 'BigIntAttributeMetadata',
  DateTime: 'DateTimeAttributeMetadata',
  Picklist: 'PicklistAttributeMetadata',
  State: 'StateAttributeMetadata',
  Status: 'StatusAttributeMetadata',
};

export const RELATIONSHIP_METADATA: MetadataType = {
  name: 'Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata',
  properties: {
    MetadataId: GUID,
    SchemaName: STRING,
    ReferencedAttribute: STRING,
    ReferencedEntity: STRING,
    ReferencingAttribute: STRING,
    ReferencingEntity: STRING,
    ReferencedEntityNavigationPropertyName: STRING,
    ReferencingEntityNavigationPropertyName: STRING,
    RelationshipType: enumType('RelationshipType'),
    IsCustomRelationship: BOOLEAN,
    IsManaged: BOOLEAN,
    IsValidForAdvancedFind: BOOLEAN,
    IsCustomizable: { managed: 'Edm.Boolean' },
    SecurityTypes: enumType('SecurityTypes'),
    CascadeConfiguration: OBJECT,
  },
};

function label(text: string, key: string): JsonRecord {
  if (text === '') return { LocalizedLabels: [], UserLocalizedLabel: null };
  const localized = {
    Label: text,
    LanguageCode: 1033,
    IsManaged: true,
    MetadataId: guidFromName(`label:${key}`),
    HasChanged: null,
  };
  return { LocalizedLabels: [localized], UserLocalizedLabel: localized };
}

function managed(value: boolean | string, logicalName: string): JsonRecord {
  return { Value: value, CanBeChanged: true, ManagedPropertyLogicalName: logicalName };
}

export function entityJson(entity: EntityDefinition): JsonRecord {
  return {
    MetadataId: guidFromName(`entity:${entity.logicalName}`),
    LogicalName: entity.logicalName,
    SchemaName: entity.schemaName,
    EntitySetName: entity.entitySetName,
    LogicalCollectionName: entity.entitySetName,
    CollectionSchemaName: `${entity.schemaName}s`,
    DisplayName: label(entity.displayName, `${entity.logicalName}:name`),
    DisplayCollectionName: label(entity.displayCollectionName, `${entity.logicalName}:collection`),
    PrimaryIdAttribute: entity.primaryIdAttribute,
    PrimaryNameAttribute: entity.primaryNameAttribute,
    ObjectTypeCode: entity.objectTypeCode,
    OwnershipType: entity.ownershipType,
    TableType: 'Standard',
    IsActivity: entity.isActivity,
    IsBPFEntity: entity.isBPFEntity,
    IsCustomEntity: entity.isCustomEntity,
    IsManaged: !entity.isCustomEntity,
    IsIntersect: false,
    IsValidForAdvancedFind: entity.isValidForAdvancedFind,
    IsCustomizable: managed(entity.isCustomizable, 'iscustomizable'),
    IsAuditEnabled: managed(false, 'canmodifyauditsettings'),
  };
}

export function attributeJson(entity: EntityDefinition, attribute: AttributeDefinition): JsonRecord {
  const derived: JsonRecord = {};
  if (attribute.type === 'String' || attribute.type === 'Memo')
    derived.MaxLength = attribute.maxLength ?? null;
  if (attribute.type === 'Money' || attribute.type === 'Decimal')
    derived.Precision = attribute.precision ?? 2;
  if (attribute.type === 'Money') {
    derived.PrecisionSource = attribute.precisionSource ?? 2;
    derived.IsBaseCurrency = attribute.isBaseCurrency ?? false;
    derived.CalculationOf = attribute.calculationOf ?? null;
  }
  if (attribute.type === 'Money' || attribute.type === 'Decimal' || attribute.type === 'Integer') {
    derived.MinValue = attribute.minValue ?? null;
    derived.MaxValue = attribute.maxValue ?? null;
  }
  if (attribute.type === 'Lookup') derived.Targets = attribute.lookup ? [attribute.lookup.target] : [];
  // A record can be owned by a user or a team (teams are not modeled, so every owner here is a user).
  if (attribute.type === 'Owner') derived.Targets = ['systemuser', 'team'];
  return {
    '@odata.type': `#Microsoft.Dynamics.CRM.${DERIVED_TYPE_NAMES[attribute.type]}`,
    MetadataId: guidFromName(`attribute:${entity.logicalName}.${attribute.logicalName}`),
    LogicalName: attribute.logicalName,
    SchemaName: attribute.schemaName,
    EntityLogicalName: entity.logicalName,
    AttributeType: attribute.type,
    AttributeTypeName: { Value: `${attribute.type}Type` },
    DisplayName: label(attribute.displayName, `${entity.logicalName}.${attribute.logicalName}`),
    IsValidForCreate: attribute.isValidForCreate,
    IsValidForUpdate: attribute.isValidForUpdate,
    IsValidForRead: true,
    IsCustomAttribute: attribute.isCustomAttribute,
    IsPrimaryId: attribute.logicalName === entity.primaryIdAttribute,
    IsPrimaryName: attribute.logicalName === entity.primaryNameAttribute,
    IsLogical: attribute.attributeOf !== undefined,
    RequiredLevel: managed(attribute.requiredLevel, 'canmodifyrequirementlevelsettings'),
    AttributeOf: attribute.attributeOf ?? null,
    SourceType: attribute.sourceType,
    ...derived,
  };
}

export function relationshipJson(relationship: RelationshipDefinition): JsonRecord {
  return {
    MetadataId: guidFromName(`relationship:${relationship.schemaName}`),
    SchemaName: relationship.schemaName,
    ReferencedAttribute: relationship.referencedAttribute,
    ReferencedEntity: relationship.referencedEntity,
    ReferencingAttribute: relationship.referencingAttribute,
    ReferencingEntity: relationship.referencingEntity,
    ReferencedEntityNavigationPropertyName: relationship.referencedEntityNavigationPropertyName,
    ReferencingEntityNavigationPropertyName: relationship.referencingEntityNavigationPropertyName,
    RelationshipType: 'OneToManyRelationship',
    IsCustomRelationship: relationship.isCustomRelationship,
    IsManaged: !relationship.isCustomRelationship,
    IsValidForAdvancedFind: true,
    IsCustomizable: managed(true, 'iscustomizable'),
    SecurityTypes: relationship.cascadeDelete === 'Cascade' ? 'ParentChild' : 'Append',
    CascadeConfiguration: {
      Assign: 'NoCascade',
      Delete: relationship.cascadeDelete,
      Merge: 'NoCascade',
      Reparent: 'NoCascade',
      Share: 'NoCascade',
      Unshare: 'NoCascade',
    },
  };
}
