import { isBuiltInSalesLineEntity } from './dynamics';
import type { EntitySettings, FieldMapping, ProductSource } from './settings';

/** The product source Oneflow's extension starts with for the main entities Dynamics ships. */
export const DEFAULT_PRODUCT_SOURCES: ReadonlyMap<string, ProductSource> = new Map([
  [
    'opportunity',
    { entity: 'opportunityproduct', lookupAttribute: 'opportunityid', relationship: 'product_opportunities' },
  ],
  ['quote', { entity: 'quotedetail', lookupAttribute: 'quoteid', relationship: 'quote_details' }],
]);

function mapping(
  dynamicsField: string,
  oneflowField: FieldMapping['oneflowField'],
  direction: FieldMapping['direction'],
): FieldMapping {
  return { dynamicsField, oneflowField, direction, writeCondition: 'always', conflictPolicy: 'by_action' };
}

/**
 * Default field mappings for a product source entity. The built-in sales lines get the full set (two-way only
 * where Dynamics allows it); any other entity gets its primary name mapped to Oneflow's Name, when known.
 */
export function defaultMappings(sourceEntity: string, primaryNameAttribute?: string): FieldMapping[] {
  if (isBuiltInSalesLineEntity(sourceEntity)) {
    return [
      mapping('productidname', 'name', 'dynamics_to_oneflow'),
      mapping('description', 'description', 'dynamics_to_oneflow'),
      mapping('priceperunit', 'price_1.base_amount', 'two_way'),
      mapping('quantity', 'quantity', 'two_way'),
      mapping('manualdiscountamount', 'price_1.discount_amount', 'dynamics_to_oneflow'),
    ];
  }
  return primaryNameAttribute ? [mapping(primaryNameAttribute, 'name', 'dynamics_to_oneflow')] : [];
}

/** Settings for a main entity nobody has configured yet: products on for Opportunity and Quote, off elsewhere. */
export function defaultSettings(mainEntity: string): EntitySettings | null {
  const productSource = DEFAULT_PRODUCT_SOURCES.get(mainEntity);
  if (!productSource) return null;
  return {
    mainEntity,
    productsEnabled: true,
    productSource,
    mappings: defaultMappings(productSource.entity),
  };
}

/** "Reset to default": the mappings go back to the defaults of the chosen source; the toggle and source stay. */
export function resetToDefault(settings: EntitySettings, primaryNameAttribute?: string): EntitySettings {
  return { ...settings, mappings: defaultMappings(settings.productSource.entity, primaryNameAttribute) };
}
