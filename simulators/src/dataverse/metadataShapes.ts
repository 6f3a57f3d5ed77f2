import type { RelationshipDefinition } from './catalog';
import type {
  AttributeDefinition,
  AttributeTypeCode,
  EntityDefinition,
  GlobalOptionSetDefinition,
} from './schema';
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

const LABEL: PropertyKind = { special: 'label' };
const OBJECT: PropertyKind = { special: 'object' };
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
    ManyToManyRelationships: NAVIGATION,
    Keys: NAVIGATION,
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
  // OptionSet and GlobalOptionSet are navigation properties: $expand them, they cannot be selected.
  Picklist: { DefaultFormValue: INT, OptionSet: NAVIGATION, GlobalOptionSet: NAVIGATION },
  State: { DefaultFormValue: INT, OptionSet: NAVIGATION, GlobalOptionSet: NAVIGATION },
  Status: { DefaultFormValue: INT, OptionSet: NAVIGATION, GlobalOptionSet: NAVIGATION },
  Boolean: { DefaultValue: BOOLEAN, OptionSet: NAVIGATION, GlobalOptionSet: NAVIGATION },
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

/** What every relationship has: all RelationshipDefinitions can select without a cast. */
export const RELATIONSHIP_BASE_METADATA: MetadataType = {
  name: 'Microsoft.Dynamics.CRM.RelationshipMetadataBase',
  properties: {
    MetadataId: GUID,
    HasChanged: BOOLEAN,
    SchemaName: STRING,
    RelationshipType: enumType('RelationshipType'),
    IsCustomRelationship: BOOLEAN,
    IsManaged: BOOLEAN,
    IsValidForAdvancedFind: BOOLEAN,
    IsCustomizable: { managed: 'Edm.Boolean' },
    SecurityTypes: enumType('SecurityTypes'),
  },
};

export const RELATIONSHIP_METADATA: MetadataType = {
  name: 'Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata',
  properties: {
    ...RELATIONSHIP_BASE_METADATA.properties,
    ReferencedAttribute: STRING,
    ReferencedEntity: STRING,
    ReferencingAttribute: STRING,
    ReferencingEntity: STRING,
    ReferencedEntityNavigationPropertyName: STRING,
    ReferencingEntityNavigationPropertyName: STRING,
    IsHierarchical: BOOLEAN,
    CascadeConfiguration: OBJECT,
  },
};

export const MANY_TO_MANY_RELATIONSHIP_METADATA: MetadataType = {
  name: 'Microsoft.Dynamics.CRM.ManyToManyRelationshipMetadata',
  properties: {
    ...RELATIONSHIP_BASE_METADATA.properties,
    Entity1LogicalName: STRING,
    Entity2LogicalName: STRING,
    IntersectEntityName: STRING,
    Entity1IntersectAttribute: STRING,
    Entity2IntersectAttribute: STRING,
    Entity1NavigationPropertyName: STRING,
    Entity2NavigationPropertyName: STRING,
  },
};

/** What every option set has: all GlobalOptionSetDefinitions can select without a cast. */
export const OPTION_SET_BASE_METADATA: MetadataType = {
  name: 'Microsoft.Dynamics.CRM.OptionSetMetadataBase',
  properties: {
    MetadataId: GUID,
    HasChanged: BOOLEAN,
    Name: STRING,
    DisplayName: LABEL,
    Description: LABEL,
    IsCustomOptionSet: BOOLEAN,
    IsGlobal: BOOLEAN,
    IsManaged: BOOLEAN,
    IsCustomizable: { managed: 'Edm.Boolean' },
    OptionSetType: enumType('OptionSetType'),
    ExternalTypeName: STRING,
    IntroducedVersion: STRING,
  },
};

export const OPTION_SET_METADATA: MetadataType = {
  name: 'Microsoft.Dynamics.CRM.OptionSetMetadata',
  properties: { ...OPTION_SET_BASE_METADATA.properties, Options: OBJECT, ParentOptionSetName: STRING },
};

export const BOOLEAN_OPTION_SET_METADATA: MetadataType = {
  name: 'Microsoft.Dynamics.CRM.BooleanOptionSetMetadata',
  properties: { ...OPTION_SET_BASE_METADATA.properties, TrueOption: OBJECT, FalseOption: OBJECT },
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
  if (attribute.type === 'Picklist' || attribute.type === 'State' || attribute.type === 'Status') {
    // Dataverse's "no default" is -1.
    derived.DefaultFormValue = typeof attribute.defaultValue === 'number' ? attribute.defaultValue : -1;
  }
  if (attribute.type === 'Boolean') derived.DefaultValue = attribute.defaultValue === true;
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
    HasChanged: null,
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
    IsHierarchical: false,
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

/** An option set as its metadata describes it: a global one, or the local one of a single column. */
export interface OptionSetDescription {
  metadataId: string;
  name: string;
  displayName: string;
  description: string;
  isGlobal: boolean;
  type: 'Picklist' | 'State' | 'Status' | 'Boolean';
  options: Readonly<Record<number, string>>;
  /** State: the status values of each state, the first being the default. */
  statusesByState?: Readonly<Record<number, readonly number[]>>;
}

function optionJson(set: OptionSetDescription, value: number, text: string): JsonRecord {
  const option: JsonRecord = {
    Value: value,
    Color: null,
    IsManaged: true,
    ExternalValue: null,
    ParentValues: [],
    Tag: null,
    IsHidden: false,
    MetadataId: null,
    HasChanged: null,
    Label: label(text, `option:${set.name}.${value}`),
    Description: label('', ''),
  };
  if (set.type === 'State') {
    option.DefaultStatus = set.statusesByState?.[value]?.[0] ?? null;
    option.InvariantName = text.replace(/\s+/g, '');
  }
  if (set.type === 'Status') {
    const state = Object.entries(set.statusesByState ?? {}).find(([, statuses]) => statuses.includes(value));
    option.State = state ? Number(state[0]) : null;
  }
  return option;
}

/** OptionSetMetadata (or BooleanOptionSetMetadata for yes/no columns), with @odata.type. */
export function optionSetJson(set: OptionSetDescription): JsonRecord {
  const options = Object.entries(set.options).map(([value, text]) => optionJson(set, Number(value), text));
  const boolean = set.type === 'Boolean';
  const typed: JsonRecord = boolean
    ? {
        TrueOption: options.find((option) => option.Value === 1) ?? null,
        FalseOption: options.find((option) => option.Value === 0) ?? null,
      }
    : { Options: options, ParentOptionSetName: null };
  return {
    '@odata.type': `#${boolean ? BOOLEAN_OPTION_SET_METADATA.name : OPTION_SET_METADATA.name}`,
    MetadataId: set.metadataId,
    HasChanged: null,
    Name: set.name,
    DisplayName: label(set.displayName, `optionset:${set.name}`),
    Description: label(set.description, `optionset:${set.name}:description`),
    IsCustomOptionSet: false,
    IsGlobal: set.isGlobal,
    IsManaged: true,
    IsCustomizable: managed(true, 'iscustomizable'),
    OptionSetType: set.type,
    ExternalTypeName: null,
    IntroducedVersion: '5.0.0.0',
    ...typed,
  };
}

export function globalOptionSetDescription(set: GlobalOptionSetDefinition): OptionSetDescription {
  return {
    metadataId: guidFromName(`optionset:${set.name}`),
    name: set.name,
    displayName: set.displayName,
    description: set.description,
    isGlobal: true,
    type: 'Picklist',
    options: set.options,
  };
}

/** The local option set of a choice, state, status or yes/no column (Dataverse names it <entity>_<column>). */
export function localOptionSetDescription(
  entity: EntityDefinition,
  attribute: AttributeDefinition,
): OptionSetDescription | undefined {
  const type = attribute.type;
  if (type !== 'Picklist' && type !== 'State' && type !== 'Status' && type !== 'Boolean') return undefined;
  const statusesByState =
    type === 'Status'
      ? attribute.statusesByState
      : type === 'State'
        ? entity.attributes.find((candidate) => candidate.type === 'Status')?.statusesByState
        : undefined;
  return {
    metadataId: guidFromName(`optionset:${entity.logicalName}.${attribute.logicalName}`),
    name: `${entity.logicalName}_${attribute.logicalName}`,
    displayName: attribute.displayName,
    description: '',
    isGlobal: false,
    type,
    options: attribute.options ?? {},
    ...(statusesByState === undefined ? {} : { statusesByState }),
  };
}
