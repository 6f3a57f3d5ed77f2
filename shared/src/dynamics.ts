import { z } from 'zod';

export const DynamicsValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type DynamicsValue = z.infer<typeof DynamicsValueSchema>;

/** One product line of a main record, as read from Dataverse. */
export const DynamicsLineSchema = z.object({
  id: z.string().min(1),
  /** Values by attribute logical name; lookups and choices carry their display name. */
  values: z.record(z.string(), DynamicsValueSchema),
  /** `isproductoverridden`: a write-in line, not a product from the catalog. */
  isWriteIn: z.boolean(),
  modifiedOn: z.iso.datetime({ offset: true }),
  etag: z.string().min(1),
});
export type DynamicsLine = z.infer<typeof DynamicsLineSchema>;

/** Attribute metadata of the product source entity (EntityDefinitions(...)/Attributes). */
export const DynamicsAttributeSchema = z.object({
  logicalName: z.string().min(1),
  displayName: z.string().optional(),
  /** Dataverse AttributeTypeCode name: String, Memo, Decimal, Money, Lookup, … */
  attributeType: z.string().min(1),
  isValidForCreate: z.boolean(),
  isValidForUpdate: z.boolean(),
  /** Calculated or rollup columns (SourceType 1 or 2), and columns the platform recalculates. */
  isCalculated: z.boolean().default(false),
  /** Set on companion columns such as a lookup's name (`productidname` is AttributeOf `productid`). */
  attributeOf: z.string().nullable().optional(),
  maxLength: z.number().int().positive().optional(),
});
export type DynamicsAttribute = z.infer<typeof DynamicsAttributeSchema>;

const TEXT_TYPES = new Set(['String', 'Memo']);
const DISPLAY_NAME_TYPES = new Set([
  'Lookup',
  'Customer',
  'Owner',
  'Picklist',
  'State',
  'Status',
  'EntityName',
  'Uniqueidentifier',
]);
const NUMBER_TYPES = new Set(['Decimal', 'Money', 'Double', 'Integer', 'BigInt']);

/** How a Dynamics column's value can be used as an Oneflow field value. */
export function attributeKind(attribute: DynamicsAttribute): 'text' | 'decimal' | 'other' {
  if (TEXT_TYPES.has(attribute.attributeType) || DISPLAY_NAME_TYPES.has(attribute.attributeType)) {
    return 'text';
  }
  return NUMBER_TYPES.has(attribute.attributeType) ? 'decimal' : 'other';
}

/** Why a value coming from Oneflow cannot be written into this column, or null when it can. */
export function whyNotWritable(attribute: DynamicsAttribute): string | null {
  const label = attribute.displayName ?? attribute.logicalName;
  if (attribute.attributeOf) {
    return `${label} is the name shown for the ${attribute.attributeOf} lookup; Dynamics cannot take a name written into it`;
  }
  if (DISPLAY_NAME_TYPES.has(attribute.attributeType)) {
    return `${label} is a ${attribute.attributeType.toLowerCase()} column; a value from Oneflow cannot be written into it`;
  }
  if (attribute.isCalculated) return `${label} is calculated by Dynamics and cannot be written`;
  if (!attribute.isValidForUpdate) return `${label} cannot be changed after a line is created`;
  return null;
}

/** Dynamics' own sales line entities: their pricing engine limits what Oneflow may write back. */
export const BUILT_IN_SALES_LINE_ENTITIES = [
  'opportunityproduct',
  'quotedetail',
  'salesorderdetail',
  'invoicedetail',
] as const;

export function isBuiltInSalesLineEntity(entity: string): boolean {
  return (BUILT_IN_SALES_LINE_ENTITIES as readonly string[]).includes(entity);
}

/** The only columns of a built-in sales line that may be written from Oneflow. */
export const BUILT_IN_TWO_WAY_FIELDS = ['priceperunit', 'quantity'] as const;

/** Metadata of an ordinary writable column; `extra` states what differs. */
export function dynamicsColumn(
  logicalName: string,
  displayName: string,
  attributeType: string,
  extra: Partial<DynamicsAttribute> = {},
): DynamicsAttribute {
  return {
    logicalName,
    displayName,
    attributeType,
    isValidForCreate: true,
    isValidForUpdate: true,
    isCalculated: false,
    ...extra,
  };
}

/**
 * The columns of a built-in sales line that matter to product sync, shaped as Dataverse metadata describes them.
 * Custom line entities read theirs from Dataverse.
 */
export function builtInSalesLineAttributes(entity: string): DynamicsAttribute[] {
  return [
    dynamicsColumn(`${entity}id`, 'Id', 'Uniqueidentifier', { isValidForUpdate: false }),
    dynamicsColumn('productid', 'Existing Product', 'Lookup'),
    dynamicsColumn('productidname', 'Existing Product (name)', 'String', {
      isValidForCreate: false,
      isValidForUpdate: false,
      attributeOf: 'productid',
      maxLength: 100,
    }),
    dynamicsColumn('productdescription', 'Write-In Product', 'String', { maxLength: 500 }),
    dynamicsColumn('isproductoverridden', 'Select Product', 'Boolean', { isValidForUpdate: false }),
    dynamicsColumn('description', 'Description', 'Memo', { maxLength: 2000 }),
    dynamicsColumn('priceperunit', 'Price Per Unit', 'Money'),
    dynamicsColumn('ispriceoverridden', 'Pricing', 'Boolean'),
    dynamicsColumn('quantity', 'Quantity', 'Decimal'),
    dynamicsColumn('manualdiscountamount', 'Manual Discount', 'Money'),
    dynamicsColumn('volumediscountamount', 'Volume Discount', 'Money', { isCalculated: true }),
    dynamicsColumn('tax', 'Tax', 'Money'),
    dynamicsColumn('baseamount', 'Amount', 'Money', { isCalculated: true }),
    dynamicsColumn('extendedamount', 'Extended Amount', 'Money', { isCalculated: true }),
    dynamicsColumn('uomid', 'Unit', 'Lookup'),
    dynamicsColumn('lineitemnumber', 'Line Item Number', 'Integer'),
    dynamicsColumn('sequencenumber', 'Sequence Number', 'Integer'),
  ];
}

/**
 * The value a line has for an attribute. A write-in line has no catalog product, so the product name it shows
 * is its write-in name: reading `productidname` there gives `productdescription`.
 */
export function lineValue(entity: string, line: DynamicsLine, attribute: string): DynamicsValue {
  if (isBuiltInSalesLineEntity(entity) && attribute === 'productidname' && line.isWriteIn) {
    return line.values.productdescription ?? null;
  }
  return line.values[attribute] ?? null;
}
