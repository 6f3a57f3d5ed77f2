import type { EntitySettings, FieldMapping, MetadataField } from '../../api/contract';
import { changesOf, hasChanges, mappingsForSource, reapplyChanges, sameSettings } from './setupDraft';

function mapping(
  oneflowField: FieldMapping['oneflowField'],
  dynamicsField: string,
  extra: Partial<FieldMapping> = {},
) {
  const base: FieldMapping = {
    dynamicsField,
    oneflowField,
    direction: 'dynamics_to_oneflow',
    writeCondition: 'always',
    conflictPolicy: 'by_action',
  };
  return { ...base, ...extra };
}

const SOURCE = {
  entity: 'opportunityproduct',
  lookupAttribute: 'opportunityid',
  relationship: 'product_opportunities',
};

function settings(mappings: FieldMapping[], extra: Partial<EntitySettings> = {}): EntitySettings {
  return { mainEntity: 'opportunity', productsEnabled: true, productSource: SOURCE, mappings, ...extra };
}

const NAME = mapping('name', 'productidname');
const QUANTITY = mapping('quantity', 'quantity', { direction: 'two_way' });
const PRICE = mapping('price_1.base_amount', 'priceperunit', { direction: 'two_way' });

describe('an admin edits applied again on top of settings saved meanwhile', () => {
  it('keeps the other admin’s change and re-applies mine to another mapping', () => {
    const original = settings([NAME, QUANTITY, PRICE]);
    const mine = settings([NAME, { ...QUANTITY, conflictPolicy: 'review' }, PRICE]);
    const theirs = settings([NAME, QUANTITY, { ...PRICE, direction: 'dynamics_to_oneflow' }]);
    expect(reapplyChanges(original, mine, theirs).mappings).toEqual([
      NAME,
      { ...QUANTITY, conflictPolicy: 'review' },
      { ...PRICE, direction: 'dynamics_to_oneflow' },
    ]);
  });

  it('re-applies an added and a removed mapping and the switch', () => {
    const original = settings([NAME, QUANTITY]);
    const description = mapping('description', 'description');
    const mine = settings([NAME, description], { productsEnabled: false });
    const theirs = settings([{ ...NAME, writeCondition: 'only_if_target_empty' }, QUANTITY, PRICE]);
    const result = reapplyChanges(original, mine, theirs);
    expect(result.productsEnabled).toBe(false);
    expect(result.mappings).toEqual([
      { ...NAME, writeCondition: 'only_if_target_empty' },
      PRICE,
      description,
    ]);
  });

  it('lets my edit win where both changed the same mapping', () => {
    const original = settings([NAME, QUANTITY]);
    const mine = settings([NAME, { ...QUANTITY, direction: 'sync_once' }]);
    const theirs = settings([NAME, { ...QUANTITY, conflictPolicy: 'oneflow_wins' }]);
    expect(reapplyChanges(original, mine, theirs).mappings[1]).toEqual({
      ...QUANTITY,
      direction: 'sync_once',
    });
  });

  it('takes my mappings whole when I changed the source', () => {
    const custom = { entity: 'new_contractline', lookupAttribute: 'new_opportunityid', relationship: 'rel' };
    const mine = settings([mapping('name', 'new_name')], { productSource: custom });
    const theirs = settings([NAME, QUANTITY, PRICE]);
    const result = reapplyChanges(settings([NAME, QUANTITY]), mine, theirs);
    expect(result.productSource).toEqual(custom);
    expect(result.mappings).toEqual([mapping('name', 'new_name')]);
  });

  it('is the fresh settings when I changed nothing', () => {
    const original = settings([NAME]);
    const theirs = settings([NAME, QUANTITY]);
    const result = reapplyChanges(original, original, theirs);
    expect(sameSettings(result, theirs)).toBe(true);
    expect(hasChanges(changesOf(original, original))).toBe(false);
  });
});

describe('a new product source starts with its defaults', () => {
  const column = (logicalName: string, kind: MetadataField['kind']): MetadataField => ({
    logicalName,
    displayName: logicalName,
    attributeType: kind === 'text' ? 'String' : 'Decimal',
    isValidForCreate: true,
    isValidForUpdate: true,
    isCalculated: false,
    attributeOf: null,
    kind,
    notWritableBecause: null,
  });

  it('maps a custom entity’s primary name to Oneflow’s Name', () => {
    const source = { entity: 'new_contractline', lookupAttribute: 'new_opportunityid', relationship: 'r' };
    expect(mappingsForSource(source, [column('new_amount', 'decimal'), column('new_name', 'text')])).toEqual([
      mapping('name', 'new_name'),
    ]);
  });

  it('maps nothing when the entity has no such column', () => {
    const source = { entity: 'new_contractline', lookupAttribute: 'new_opportunityid', relationship: 'r' };
    expect(mappingsForSource(source, [column('new_amount', 'decimal')])).toEqual([]);
  });

  it('gives a built-in sales line the full set', () => {
    expect(mappingsForSource(SOURCE, []).map((one) => one.oneflowField)).toEqual([
      'name',
      'description',
      'price_1.base_amount',
      'quantity',
      'price_1.discount_amount',
    ]);
  });
});
