import { builtInSalesLineAttributes, type DynamicsAttribute } from '@oneflow-sync/shared';
import type {
  AttributeDefinition,
  AttributeTypeCode,
  EntityDefinition,
  GlobalOptionSetDefinition,
} from './schema';
import {
  column,
  lookupColumn,
  ownerColumns,
  primaryKey,
  READ_ONLY,
  stateColumns,
  systemColumns,
  withBaseCurrency,
} from './schemaBuilders';

/**
 * The entities the simulator stores records for, with Dataverse's names: relationship `product_opportunities`,
 * lookup navigation `opportunityid`, product's `DefaultUoMId`, and custom lookups navigating by their SchemaName
 * (`new_OpportunityId`), case-sensitive, as in Dataverse.
 */

const SALES_LINE_SCHEMA_NAMES: Record<string, string> = {
  opportunityproductid: 'OpportunityProductId',
  quotedetailid: 'QuoteDetailId',
  productid: 'ProductId',
  productidname: 'ProductIdName',
  productdescription: 'ProductDescription',
  isproductoverridden: 'IsProductOverridden',
  description: 'Description',
  priceperunit: 'PricePerUnit',
  ispriceoverridden: 'IsPriceOverridden',
  quantity: 'Quantity',
  manualdiscountamount: 'ManualDiscountAmount',
  volumediscountamount: 'VolumeDiscountAmount',
  tax: 'Tax',
  baseamount: 'BaseAmount',
  extendedamount: 'ExtendedAmount',
  uomid: 'UoMId',
  lineitemnumber: 'LineItemNumber',
  sequencenumber: 'SequenceNumber',
};

/** Per-column facts of Dataverse's sales line metadata that the shared column list does not carry. */
const SALES_LINE_DETAILS: Record<string, Partial<AttributeDefinition>> = {
  isproductoverridden: { options: { 0: 'Existing', 1: 'Write-In' } },
  ispriceoverridden: { options: { 0: 'Use Default', 1: 'Override Price' } },
  // A price: its precision is the organization's pricing precision.
  priceperunit: { precisionSource: 1 },
  quantity: {
    precision: 5,
    minValue: -100000000000,
    maxValue: 100000000000,
    requiredLevel: 'ApplicationRequired',
  },
  manualdiscountamount: { minValue: 0, maxValue: 100000000000000 },
  tax: { minValue: -100000000000000, maxValue: 100000000000000 },
  // Dataverse lists the volume discount as read-only (a discount list computes it).
  volumediscountamount: { ...READ_ONLY, minValue: 0 },
  lineitemnumber: { minValue: 0, maxValue: 1000000000 },
};

/** The global choice behind `producttypecode` of opportunity, quote, order and invoice lines. */
const PRODUCT_TYPE_SET: GlobalOptionSetDefinition = {
  name: 'qooiproduct_producttype',
  displayName: 'Product Type',
  description: 'Type of product.',
  options: {
    1: 'Product',
    2: 'Bundle',
    3: 'Required Bundle Product',
    4: 'Optional Bundle Product',
    5: 'Project-based Service',
  },
};

/** The global option sets the seeded entities use (GlobalOptionSetDefinitions). */
export const GLOBAL_OPTION_SETS: readonly GlobalOptionSetDefinition[] = [PRODUCT_TYPE_SET];

/** opportunityproduct / quotedetail: the shared column list plus the parent lookup and audit columns. */
function salesLineEntity(options: {
  logicalName: string;
  schemaName: string;
  entitySetName: string;
  displayName: string;
  objectTypeCode: number;
  parent: {
    attribute: string;
    schemaName: string;
    displayName: string;
    target: string;
    relationship: string;
  };
  productRelationship: string;
  unitRelationship: string;
}): EntityDefinition {
  const { logicalName } = options;
  const shared = builtInSalesLineAttributes(logicalName);
  const attributes: AttributeDefinition[] = [];
  for (const attribute of shared) {
    attributes.push(...salesLineColumn(logicalName, attribute, options));
  }
  attributes.push(
    column(`${logicalName}name`, `${options.schemaName}Name`, 'String', 'Name', {
      maxLength: 500,
      requiredLevel: 'ApplicationRequired',
    }),
    ...lookupColumn(
      options.parent.attribute,
      options.parent.schemaName,
      options.parent.displayName,
      {
        target: options.parent.target,
        navigationProperty: options.parent.attribute,
        relationshipSchemaName: options.parent.relationship,
        cascadeDelete: 'Cascade',
      },
      { requiredLevel: 'SystemRequired', isValidForUpdate: false },
    ),
    column('producttypecode', 'ProductTypeCode', 'Picklist', 'Product type', {
      options: PRODUCT_TYPE_SET.options,
      globalOptionSet: PRODUCT_TYPE_SET.name,
      requiredLevel: 'SystemRequired',
      isValidForUpdate: false,
      defaultValue: 1,
    }),
    // A line belongs to whoever owns its opportunity or quote.
    ...ownerColumns(logicalName, { followsParent: true }),
    ...systemColumns(logicalName, true),
  );
  return {
    logicalName,
    schemaName: options.schemaName,
    entitySetName: options.entitySetName,
    displayName: options.displayName,
    displayCollectionName: `${options.displayName}s`,
    primaryIdAttribute: `${logicalName}id`,
    primaryNameAttribute: `${logicalName}name`,
    objectTypeCode: options.objectTypeCode,
    ownershipType: 'UserOwned',
    isActivity: false,
    isBPFEntity: false,
    isCustomEntity: false,
    isCustomizable: true,
    isValidForAdvancedFind: true,
    attributes: withBaseCurrency(attributes),
  };
}

function salesLineColumn(
  entity: string,
  attribute: DynamicsAttribute,
  options: { productRelationship: string; unitRelationship: string },
): AttributeDefinition[] {
  const schemaName = SALES_LINE_SCHEMA_NAMES[attribute.logicalName] ?? attribute.logicalName;
  const base: Partial<AttributeDefinition> = {
    isValidForCreate: attribute.isValidForCreate,
    isValidForUpdate: attribute.isValidForUpdate,
    ...(attribute.maxLength === undefined ? {} : { maxLength: attribute.maxLength }),
    ...SALES_LINE_DETAILS[attribute.logicalName],
  };
  const displayName = attribute.displayName ?? attribute.logicalName;
  if (attribute.logicalName === `${entity}id`)
    return [primaryKey(attribute.logicalName, schemaName, displayName)];
  if (attribute.attributeOf) return []; // added with its lookup below
  if (attribute.logicalName === 'productid' || attribute.logicalName === 'uomid') {
    const product = attribute.logicalName === 'productid';
    return lookupColumn(attribute.logicalName, schemaName, displayName, {
      target: product ? 'product' : 'uom',
      navigationProperty: attribute.logicalName,
      relationshipSchemaName: product ? options.productRelationship : options.unitRelationship,
      cascadeDelete: 'Restrict',
    });
  }
  return [
    column(
      attribute.logicalName,
      schemaName,
      attribute.attributeType as AttributeTypeCode,
      displayName,
      base,
    ),
  ];
}

function entity(
  definition: Omit<
    EntityDefinition,
    | 'isActivity'
    | 'isBPFEntity'
    | 'isCustomEntity'
    | 'isCustomizable'
    | 'isValidForAdvancedFind'
    | 'ownershipType'
  > &
    Partial<EntityDefinition>,
): EntityDefinition {
  return {
    ownershipType: 'UserOwned',
    isActivity: false,
    isBPFEntity: false,
    isCustomEntity: false,
    isCustomizable: true,
    isValidForAdvancedFind: true,
    ...definition,
    attributes: withBaseCurrency(definition.attributes),
  };
}

const transactionCurrency = entity({
  logicalName: 'transactioncurrency',
  schemaName: 'TransactionCurrency',
  entitySetName: 'transactioncurrencies',
  displayName: 'Currency',
  displayCollectionName: 'Currencies',
  primaryIdAttribute: 'transactioncurrencyid',
  primaryNameAttribute: 'currencyname',
  objectTypeCode: 9105,
  ownershipType: 'OrganizationOwned',
  attributes: [
    primaryKey('transactioncurrencyid', 'TransactionCurrencyId', 'Transaction Currency'),
    column('currencyname', 'CurrencyName', 'String', 'Currency Name', {
      maxLength: 100,
      requiredLevel: 'SystemRequired',
    }),
    column('isocurrencycode', 'ISOCurrencyCode', 'String', 'Currency Code', {
      maxLength: 5,
      requiredLevel: 'SystemRequired',
    }),
    column('currencysymbol', 'CurrencySymbol', 'String', 'Currency Symbol', {
      maxLength: 13,
      requiredLevel: 'SystemRequired',
    }),
    column('currencyprecision', 'CurrencyPrecision', 'Integer', 'Currency Precision', {
      minValue: 0,
      maxValue: 4,
    }),
    // Units of this currency per unit of the base currency (the base currency's is 1).
    column('exchangerate', 'ExchangeRate', 'Decimal', 'Exchange Rate', {
      precision: 10,
      minValue: 0.0000000001,
      maxValue: 100000000000,
      requiredLevel: 'SystemRequired',
      defaultValue: 1,
    }),
    ...systemColumns('transactioncurrency', false),
  ],
});

const unit = entity({
  logicalName: 'uom',
  schemaName: 'UoM',
  entitySetName: 'uoms',
  displayName: 'Unit',
  displayCollectionName: 'Units',
  primaryIdAttribute: 'uomid',
  primaryNameAttribute: 'name',
  objectTypeCode: 1055,
  ownershipType: 'OrganizationOwned',
  attributes: [
    primaryKey('uomid', 'UoMId', 'Unit'),
    column('name', 'Name', 'String', 'Name', { maxLength: 100, requiredLevel: 'SystemRequired' }),
    column('quantity', 'Quantity', 'Decimal', 'Quantity', {
      precision: 5,
      minValue: 0,
      maxValue: 100000000000,
    }),
    ...systemColumns('uom', false),
  ],
});

const systemUser = entity({
  logicalName: 'systemuser',
  schemaName: 'SystemUser',
  entitySetName: 'systemusers',
  displayName: 'User',
  displayCollectionName: 'Users',
  primaryIdAttribute: 'systemuserid',
  primaryNameAttribute: 'fullname',
  objectTypeCode: 8,
  ownershipType: 'OrganizationOwned',
  attributes: [
    primaryKey('systemuserid', 'SystemUserId', 'User'),
    column('fullname', 'FullName', 'String', 'Full Name', { maxLength: 200, ...READ_ONLY }),
    column('firstname', 'FirstName', 'String', 'First Name', { maxLength: 64 }),
    column('lastname', 'LastName', 'String', 'Last Name', { maxLength: 64 }),
    column('domainname', 'DomainName', 'String', 'User Name', {
      maxLength: 1024,
      requiredLevel: 'SystemRequired',
    }),
    column('internalemailaddress', 'InternalEMailAddress', 'String', 'Primary Email', { maxLength: 100 }),
    column(
      'azureactivedirectoryobjectid',
      'AzureActiveDirectoryObjectId',
      'Uniqueidentifier',
      'Azure AD Object ID',
      {
        isValidForUpdate: false,
      },
    ),
    column('applicationid', 'ApplicationId', 'Uniqueidentifier', 'Application ID'),
    column('isdisabled', 'IsDisabled', 'Boolean', 'Status', {
      options: { 0: 'Enabled', 1: 'Disabled' },
      ...READ_ONLY,
    }),
    column('accessmode', 'AccessMode', 'Picklist', 'Access Mode', {
      options: {
        0: 'Read-Write',
        1: 'Administrative',
        2: 'Read',
        3: 'Support User',
        4: 'Non-interactive',
        5: 'Delegated Admin',
      },
      defaultValue: 0,
    }),
    ...systemColumns('systemuser', false),
  ],
});

const priceLevel = entity({
  logicalName: 'pricelevel',
  schemaName: 'PriceLevel',
  entitySetName: 'pricelevels',
  displayName: 'Price List',
  displayCollectionName: 'Price Lists',
  primaryIdAttribute: 'pricelevelid',
  primaryNameAttribute: 'name',
  objectTypeCode: 1022,
  ownershipType: 'OrganizationOwned',
  attributes: [
    primaryKey('pricelevelid', 'PriceLevelId', 'Price List'),
    column('name', 'Name', 'String', 'Name', { maxLength: 100, requiredLevel: 'SystemRequired' }),
    column('description', 'Description', 'Memo', 'Description', { maxLength: 2000 }),
    ...stateColumns(
      { 0: 'Active', 1: 'Inactive' },
      { 100001: 'Active', 100002: 'Inactive' },
      { 0: [100001], 1: [100002] },
    ),
    ...systemColumns('pricelevel', true),
  ],
});

const product = entity({
  logicalName: 'product',
  schemaName: 'Product',
  entitySetName: 'products',
  displayName: 'Product',
  displayCollectionName: 'Products',
  primaryIdAttribute: 'productid',
  primaryNameAttribute: 'name',
  objectTypeCode: 1024,
  ownershipType: 'OrganizationOwned',
  attributes: [
    primaryKey('productid', 'ProductId', 'Product'),
    column('name', 'Name', 'String', 'Name', { maxLength: 100, requiredLevel: 'SystemRequired' }),
    column('productnumber', 'ProductNumber', 'String', 'Product ID', {
      maxLength: 100,
      requiredLevel: 'SystemRequired',
    }),
    column('description', 'Description', 'Memo', 'Description', { maxLength: 2000 }),
    column('price', 'Price', 'Money', 'List Price', { precisionSource: 1 }),
    ...lookupColumn('defaultuomid', 'DefaultUoMId', 'Default Unit', {
      target: 'uom',
      navigationProperty: 'DefaultUoMId',
      relationshipSchemaName: 'unit_of_measurement_products',
      cascadeDelete: 'Restrict',
    }),
    ...lookupColumn('pricelevelid', 'PriceLevelId', 'Default Price List', {
      target: 'pricelevel',
      navigationProperty: 'PriceLevelId',
      relationshipSchemaName: 'price_level_products',
      cascadeDelete: 'RemoveLink',
    }),
    ...stateColumns(
      { 0: 'Active', 1: 'Retired', 2: 'Draft', 3: 'Under Revision' },
      { 1: 'Active', 2: 'Retired', 0: 'Draft', 3: 'Under Revision' },
      { 0: [1], 1: [2], 2: [0], 3: [3] },
    ),
    ...systemColumns('product', true),
  ],
});

const productPriceLevel = entity({
  logicalName: 'productpricelevel',
  schemaName: 'ProductPriceLevel',
  entitySetName: 'productpricelevels',
  displayName: 'Price List Item',
  displayCollectionName: 'Price List Items',
  primaryIdAttribute: 'productpricelevelid',
  primaryNameAttribute: null,
  objectTypeCode: 1026,
  ownershipType: 'OrganizationOwned',
  attributes: [
    primaryKey('productpricelevelid', 'ProductPriceLevelId', 'Price List Item'),
    ...lookupColumn(
      'pricelevelid',
      'PriceLevelId',
      'Price List',
      {
        target: 'pricelevel',
        navigationProperty: 'pricelevelid',
        relationshipSchemaName: 'price_level_product_price_levels',
        cascadeDelete: 'Cascade',
      },
      { requiredLevel: 'SystemRequired' },
    ),
    ...lookupColumn(
      'productid',
      'ProductId',
      'Product',
      {
        target: 'product',
        navigationProperty: 'productid',
        relationshipSchemaName: 'product_price_levels',
        cascadeDelete: 'Cascade',
      },
      { requiredLevel: 'SystemRequired' },
    ),
    ...lookupColumn(
      'uomid',
      'UoMId',
      'Unit',
      {
        target: 'uom',
        navigationProperty: 'uomid',
        relationshipSchemaName: 'unit_of_measurement_product_price_levels',
        cascadeDelete: 'Restrict',
      },
      { requiredLevel: 'SystemRequired' },
    ),
    column('amount', 'Amount', 'Money', 'Amount', { precisionSource: 1 }),
    column('pricingmethodcode', 'PricingMethodCode', 'Picklist', 'Pricing Method', {
      options: {
        1: 'Currency Amount',
        2: 'Percent of List',
        3: 'Percent Markup - Current Cost',
        4: 'Percent Margin - Current Cost',
        5: 'Percent Markup - Standard Cost',
        6: 'Percent Margin - Standard Cost',
      },
      defaultValue: 1,
    }),
    ...systemColumns('productpricelevel', true),
  ],
});

const opportunity = entity({
  logicalName: 'opportunity',
  schemaName: 'Opportunity',
  entitySetName: 'opportunities',
  displayName: 'Opportunity',
  displayCollectionName: 'Opportunities',
  primaryIdAttribute: 'opportunityid',
  primaryNameAttribute: 'name',
  objectTypeCode: 3,
  attributes: [
    primaryKey('opportunityid', 'OpportunityId', 'Opportunity'),
    column('name', 'Name', 'String', 'Topic', { maxLength: 300, requiredLevel: 'ApplicationRequired' }),
    column('description', 'Description', 'Memo', 'Description', { maxLength: 2000 }),
    column('estimatedvalue', 'EstimatedValue', 'Money', 'Est. Revenue'),
    column('isrevenuesystemcalculated', 'IsRevenueSystemCalculated', 'Boolean', 'Revenue', {
      options: { 0: 'User Provided', 1: 'System Calculated' },
    }),
    column('totallineitemamount', 'TotalLineItemAmount', 'Money', 'Total Detail Amount', READ_ONLY),
    column('totalamount', 'TotalAmount', 'Money', 'Total Amount', READ_ONLY),
    ...lookupColumn('pricelevelid', 'PriceLevelId', 'Price List', {
      target: 'pricelevel',
      navigationProperty: 'pricelevelid',
      relationshipSchemaName: 'price_level_opportunties',
      cascadeDelete: 'RemoveLink',
    }),
    ...stateColumns(
      { 0: 'Open', 1: 'Won', 2: 'Lost' },
      { 1: 'In Progress', 2: 'On Hold', 3: 'Won', 4: 'Canceled', 5: 'Out-Sold' },
      { 0: [1, 2], 1: [3], 2: [4, 5] },
    ),
    ...ownerColumns('opportunity', { followsParent: false }),
    ...systemColumns('opportunity', true),
  ],
});

const quote = entity({
  logicalName: 'quote',
  schemaName: 'Quote',
  entitySetName: 'quotes',
  displayName: 'Quote',
  displayCollectionName: 'Quotes',
  primaryIdAttribute: 'quoteid',
  primaryNameAttribute: 'name',
  objectTypeCode: 1084,
  attributes: [
    primaryKey('quoteid', 'QuoteId', 'Quote'),
    column('name', 'Name', 'String', 'Name', { maxLength: 300, requiredLevel: 'SystemRequired' }),
    column('quotenumber', 'QuoteNumber', 'String', 'Quote ID', { maxLength: 100, isValidForUpdate: false }),
    column('description', 'Description', 'Memo', 'Description', { maxLength: 2000 }),
    column('totallineitemamount', 'TotalLineItemAmount', 'Money', 'Detail Amount', READ_ONLY),
    column('totalamount', 'TotalAmount', 'Money', 'Total Amount', READ_ONLY),
    ...lookupColumn('opportunityid', 'OpportunityId', 'Opportunity', {
      target: 'opportunity',
      navigationProperty: 'opportunityid',
      relationshipSchemaName: 'opportunity_quotes',
      cascadeDelete: 'RemoveLink',
    }),
    ...lookupColumn(
      'pricelevelid',
      'PriceLevelId',
      'Price List',
      {
        target: 'pricelevel',
        navigationProperty: 'pricelevelid',
        relationshipSchemaName: 'price_level_quotes',
        cascadeDelete: 'RemoveLink',
      },
      { requiredLevel: 'ApplicationRequired' },
    ),
    ...stateColumns(
      { 0: 'Draft', 1: 'Active', 2: 'Won', 3: 'Closed' },
      { 1: 'In Progress', 2: 'In Progress', 3: 'Open', 4: 'Won', 5: 'Lost', 6: 'Canceled', 7: 'Revised' },
      { 0: [1], 1: [2, 3], 2: [4], 3: [5, 6, 7] },
    ),
    ...ownerColumns('quote', { followsParent: false }),
    ...systemColumns('quote', true),
  ],
});

const opportunityProduct = salesLineEntity({
  logicalName: 'opportunityproduct',
  schemaName: 'OpportunityProduct',
  entitySetName: 'opportunityproducts',
  displayName: 'Opportunity Product',
  objectTypeCode: 1083,
  parent: {
    attribute: 'opportunityid',
    schemaName: 'OpportunityId',
    displayName: 'Opportunity',
    target: 'opportunity',
    relationship: 'product_opportunities',
  },
  productRelationship: 'opportunity_products',
  unitRelationship: 'unit_of_measurement_opportunity_products',
});

const quoteDetail = salesLineEntity({
  logicalName: 'quotedetail',
  schemaName: 'QuoteDetail',
  entitySetName: 'quotedetails',
  displayName: 'Quote Product',
  objectTypeCode: 1085,
  parent: {
    attribute: 'quoteid',
    schemaName: 'QuoteId',
    displayName: 'Quote',
    target: 'quote',
    relationship: 'quote_details',
  },
  productRelationship: 'product_quote_details',
  unitRelationship: 'unit_of_measurement_quote_details',
});

const CUSTOM = { isCustomAttribute: true } as const;

/** A custom line entity with two lookups to opportunity, so a client must pick the relationship it means. */
const contractLine = entity({
  logicalName: 'new_contractline',
  schemaName: 'new_ContractLine',
  entitySetName: 'new_contractlines',
  displayName: 'Contract Line',
  displayCollectionName: 'Contract Lines',
  primaryIdAttribute: 'new_contractlineid',
  primaryNameAttribute: 'new_name',
  objectTypeCode: 10234,
  isCustomEntity: true,
  attributes: [
    primaryKey('new_contractlineid', 'new_ContractLineId', 'Contract Line'),
    column('new_name', 'new_Name', 'String', 'Name', {
      maxLength: 200,
      requiredLevel: 'ApplicationRequired',
      ...CUSTOM,
    }),
    column('new_description', 'new_Description', 'Memo', 'Description', { maxLength: 4000, ...CUSTOM }),
    column('new_quantity', 'new_Quantity', 'Decimal', 'Quantity', {
      precision: 2,
      minValue: 0,
      maxValue: 100000000000,
      ...CUSTOM,
    }),
    column('new_unitprice', 'new_UnitPrice', 'Money', 'Unit Price', CUSTOM),
    column('new_linetotal', 'new_LineTotal', 'Money', 'Line Total', {
      ...READ_ONLY,
      sourceType: 1,
      ...CUSTOM,
    }),
    ...lookupColumn(
      'new_opportunityid',
      'new_OpportunityId',
      'Opportunity',
      {
        target: 'opportunity',
        navigationProperty: 'new_OpportunityId',
        relationshipSchemaName: 'new_opportunity_new_contractline_OpportunityId',
        cascadeDelete: 'Cascade',
      },
      { requiredLevel: 'ApplicationRequired', ...CUSTOM },
    ),
    ...lookupColumn(
      'new_renewalopportunityid',
      'new_RenewalOpportunityId',
      'Renewal Opportunity',
      {
        target: 'opportunity',
        navigationProperty: 'new_RenewalOpportunityId',
        relationshipSchemaName: 'new_opportunity_new_contractline_RenewalOpportunityId',
        cascadeDelete: 'RemoveLink',
      },
      CUSTOM,
    ),
    ...lookupColumn(
      'new_productid',
      'new_ProductId',
      'Product',
      {
        target: 'product',
        navigationProperty: 'new_ProductId',
        relationshipSchemaName: 'new_product_new_contractline_ProductId',
        cascadeDelete: 'Restrict',
      },
      CUSTOM,
    ),
    ...ownerColumns('new_contractline', { followsParent: false }),
    ...systemColumns('new_contractline', true),
  ],
});

/** Every entity with an entity set in the simulator, in the order EntityDefinitions lists them. */
export const DATA_ENTITIES: readonly EntityDefinition[] = [
  opportunity,
  quote,
  opportunityProduct,
  quoteDetail,
  contractLine,
  product,
  priceLevel,
  productPriceLevel,
  unit,
  transactionCurrency,
  systemUser,
];

/** Entities whose lines are priced by Dataverse's pricing engine, with the attribute naming their parent. */
export const PRICED_LINE_PARENTS: Readonly<Record<string, string>> = {
  opportunityproduct: 'opportunityid',
  quotedetail: 'quoteid',
};
