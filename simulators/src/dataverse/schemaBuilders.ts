import type { AttributeDefinition, AttributeTypeCode, EntityDefinition, LookupDefinition } from './schema';

/** Builders for entity definitions, filling in Dataverse's defaults for each column type. */

const MONEY_LIMIT = 922337203685477;

export function column(
  logicalName: string,
  schemaName: string,
  type: AttributeTypeCode,
  displayName: string,
  extra: Partial<AttributeDefinition> = {},
): AttributeDefinition {
  const defaults: Partial<AttributeDefinition> =
    type === 'Money'
      ? {
          precision: 2,
          precisionSource: 2,
          isBaseCurrency: false,
          minValue: -MONEY_LIMIT,
          maxValue: MONEY_LIMIT,
        }
      : type === 'Integer'
        ? { minValue: -2147483648, maxValue: 2147483647 }
        : type === 'Boolean'
          ? { options: { 0: 'No', 1: 'Yes' }, defaultValue: false }
          : {};
  return {
    logicalName,
    schemaName,
    type,
    displayName,
    isValidForCreate: true,
    isValidForUpdate: true,
    requiredLevel: 'None',
    sourceType: 0,
    isCustomAttribute: false,
    ...defaults,
    ...extra,
  };
}

export const READ_ONLY = { isValidForCreate: false, isValidForUpdate: false } as const;

export function primaryKey(
  logicalName: string,
  schemaName: string,
  displayName: string,
): AttributeDefinition {
  return column(logicalName, schemaName, 'Uniqueidentifier', displayName, {
    isValidForUpdate: false,
    requiredLevel: 'SystemRequired',
  });
}

export function lookupColumn(
  logicalName: string,
  schemaName: string,
  displayName: string,
  lookup: LookupDefinition,
  extra: Partial<AttributeDefinition> = {},
): AttributeDefinition[] {
  return [
    column(logicalName, schemaName, 'Lookup', displayName, { lookup, ...extra }),
    column(`${logicalName}name`, `${schemaName}Name`, 'String', '', {
      ...READ_ONLY,
      attributeOf: logicalName,
      maxLength: 100,
      isCustomAttribute: extra.isCustomAttribute ?? false,
    }),
  ];
}

export function stateColumns(
  states: Record<number, string>,
  statuses: Record<number, string>,
  statusesByState: Record<number, number[]>,
): AttributeDefinition[] {
  return [
    column('statecode', 'StateCode', 'State', 'Status', {
      options: states,
      requiredLevel: 'SystemRequired',
      isValidForCreate: false,
      defaultValue: 0,
    }),
    column('statuscode', 'StatusCode', 'Status', 'Status Reason', { options: statuses, statusesByState }),
  ];
}

/** Audit columns every entity has, and the currency lookup of entities with money columns. */
export function systemColumns(entity: string, withCurrency: boolean): AttributeDefinition[] {
  const userLookup = (logicalName: string, schemaName: string, displayName: string, relationship: string) =>
    lookupColumn(
      logicalName,
      schemaName,
      displayName,
      {
        target: 'systemuser',
        navigationProperty: logicalName,
        relationshipSchemaName: relationship,
        cascadeDelete: 'NoCascade',
      },
      READ_ONLY,
    );
  return [
    column('createdon', 'CreatedOn', 'DateTime', 'Created On', READ_ONLY),
    column('modifiedon', 'ModifiedOn', 'DateTime', 'Modified On', READ_ONLY),
    // The row version: every write gives a new one, and @odata.etag is W/"<versionnumber>".
    column('versionnumber', 'VersionNumber', 'BigInt', 'Version Number', READ_ONLY),
    ...userLookup('createdby', 'CreatedBy', 'Created By', `lk_${entity}base_createdby`),
    ...userLookup('modifiedby', 'ModifiedBy', 'Modified By', `lk_${entity}base_modifiedby`),
    ...userLookup(
      'createdonbehalfby',
      'CreatedOnBehalfBy',
      'Created By (Delegate)',
      `lk_${entity}_createdonbehalfby`,
    ),
    ...userLookup(
      'modifiedonbehalfby',
      'ModifiedOnBehalfBy',
      'Modified By (Delegate)',
      `lk_${entity}_modifiedonbehalfby`,
    ),
    ...(withCurrency
      ? lookupColumn('transactioncurrencyid', 'TransactionCurrencyId', 'Currency', {
          target: 'transactioncurrency',
          navigationProperty: 'transactioncurrencyid',
          relationshipSchemaName: `transactioncurrency_${entity}`,
          cascadeDelete: 'Restrict',
        })
      : []),
  ];
}

/**
 * The owner of a user-owned record: `ownerid` (a user or a team; no relationship of its own) and `owninguser`,
 * through which the owning user's relationship (`user_<entity>`) runs. Records whose owner follows their
 * parent's (sales lines) have a read-only owner.
 */
export function ownerColumns(entity: string, options: { followsParent: boolean }): AttributeDefinition[] {
  return [
    ...lookupColumn(
      'ownerid',
      'OwnerId',
      'Owner',
      { target: 'systemuser', navigationProperty: 'ownerid', cascadeDelete: 'NoCascade' },
      {
        type: 'Owner',
        ...(options.followsParent
          ? { ...READ_ONLY, requiredLevel: 'ApplicationRequired' }
          : { requiredLevel: 'SystemRequired' }),
      },
    ),
    column('owninguser', 'OwningUser', 'Lookup', 'Owning User', {
      ...READ_ONLY,
      lookup: {
        target: 'systemuser',
        navigationProperty: 'owninguser',
        relationshipSchemaName: `user_${entity}`,
        cascadeDelete: 'NoCascade',
      },
    }),
  ];
}

/**
 * Dataverse's currency columns: an entity with money columns also has `exchangerate` (its currency's rate when
 * written) and, for each money column, `<column>_base`, its value in the organization's base currency.
 */
export function withBaseCurrency(attributes: AttributeDefinition[]): AttributeDefinition[] {
  const money = attributes.filter((attribute) => attribute.type === 'Money' && !attribute.isBaseCurrency);
  if (money.length === 0) return attributes;
  return [
    ...attributes,
    column('exchangerate', 'ExchangeRate', 'Decimal', 'Exchange Rate', {
      ...READ_ONLY,
      precision: 12,
      minValue: 0.000000000001,
      maxValue: 100000000000,
    }),
    ...money.map((source) =>
      column(
        `${source.logicalName}_base`,
        `${source.schemaName}_Base`,
        'Money',
        `${source.displayName} (Base)`,
        {
          ...READ_ONLY,
          precision: 4,
          precisionSource: source.precisionSource ?? 2,
          isBaseCurrency: true,
          calculationOf: source.logicalName,
          isCustomAttribute: source.isCustomAttribute,
        },
      ),
    ),
  ];
}

/** An entity seeded for metadata answers only (activities, business process flows, system entities). */
export interface MetadataOnlyEntitySpec extends Omit<EntityDefinition, 'attributes'> {
  attributes: (Pick<
    AttributeDefinition,
    | 'logicalName'
    | 'schemaName'
    | 'displayName'
    | 'isValidForCreate'
    | 'isValidForUpdate'
    | 'requiredLevel'
    | 'sourceType'
    | 'maxLength'
  > & { type: Exclude<AttributeTypeCode, 'Lookup'> })[];
  lookups: (Pick<AttributeDefinition, 'logicalName' | 'schemaName' | 'displayName'> &
    Pick<LookupDefinition, 'target' | 'navigationProperty' | 'relationshipSchemaName'>)[];
}

export function metadataOnlyEntity(spec: MetadataOnlyEntitySpec): EntityDefinition {
  const { attributes: plainAttributes, lookups, ...entityFacts } = spec;
  const hasPrimaryKey = plainAttributes.some(
    (attribute) => attribute.logicalName === spec.primaryIdAttribute,
  );
  const attributes: AttributeDefinition[] = [
    ...(hasPrimaryKey ? [] : [primaryKey(spec.primaryIdAttribute, `${spec.schemaName}Id`, spec.displayName)]),
    ...plainAttributes.map(({ maxLength, ...attribute }) =>
      column(attribute.logicalName, attribute.schemaName, attribute.type, attribute.displayName, {
        ...attribute,
        isCustomAttribute: spec.isCustomEntity,
        ...(maxLength === undefined ? {} : { maxLength }),
      }),
    ),
    ...lookups.flatMap((lookup) =>
      lookupColumn(lookup.logicalName, lookup.schemaName, lookup.displayName, {
        target: lookup.target,
        navigationProperty: lookup.navigationProperty,
        relationshipSchemaName: lookup.relationshipSchemaName,
        cascadeDelete: 'Cascade',
      }),
    ),
    ...systemColumns(spec.logicalName, false),
  ];
  return { ...entityFacts, attributes };
}
