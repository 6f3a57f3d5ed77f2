import {
  defaultMappings,
  type EntitySettings,
  type FieldMapping,
  type MetadataField,
  type ProductSourceOption,
} from '../../api/contract';

type ProductSource = EntitySettings['productSource'];

function sameSource(a: ProductSource, b: ProductSource): boolean {
  return (
    a.entity === b.entity && a.lookupAttribute === b.lookupAttribute && a.relationship === b.relationship
  );
}

function sameMapping(a: FieldMapping, b: FieldMapping): boolean {
  return (
    a.dynamicsField === b.dynamicsField &&
    a.oneflowField === b.oneflowField &&
    a.direction === b.direction &&
    a.writeCondition === b.writeCondition &&
    a.conflictPolicy === b.conflictPolicy
  );
}

/** Field by field, so that key order (the table rebuilds its rows) never counts as a change. */
export function sameSettings(a: EntitySettings, b: EntitySettings): boolean {
  return (
    a.mainEntity === b.mainEntity &&
    a.productsEnabled === b.productsEnabled &&
    sameSource(a.productSource, b.productSource) &&
    a.mappings.length === b.mappings.length &&
    a.mappings.every((mapping, index) => {
      const other = b.mappings[index];
      return other !== undefined && sameMapping(mapping, other);
    })
  );
}

export function sourceOf(option: ProductSourceOption): ProductSource {
  return {
    entity: option.entity,
    lookupAttribute: option.lookupAttribute,
    relationship: option.relationship,
  };
}

export function sourceKey(source: ProductSource): string {
  return `${source.entity}|${source.lookupAttribute}|${source.relationship}`;
}

/**
 * The primary name column of a source entity as Dataverse names it by convention (`new_name` for a custom
 * `new_contractline`, `name` for a system entity), when the entity has such a text column. The backend's reset
 * reads the real one; this only seeds the draft until it is saved.
 */
function primaryNameOf(entity: string, fields: readonly MetadataField[]): string | undefined {
  const separator = entity.indexOf('_');
  const candidate = separator > 0 ? `${entity.slice(0, separator)}_name` : 'name';
  return fields.some((field) => field.logicalName === candidate && field.kind === 'text')
    ? candidate
    : undefined;
}

/** The mappings a new source starts with: the built-in set for the sales lines, else its name to Oneflow's Name. */
export function mappingsForSource(source: ProductSource, fields: readonly MetadataField[]): FieldMapping[] {
  return defaultMappings(source.entity, primaryNameOf(source.entity, fields));
}

/** Settings nobody saved for an entity without defaults: products on, the first source, no mappings yet. */
export function newDraft(mainEntity: string, first: ProductSourceOption): EntitySettings {
  return { mainEntity, productsEnabled: true, productSource: sourceOf(first), mappings: [] };
}

/** What an admin changed, as a list the page can say in words. */
export interface DraftChanges {
  productsEnabled: boolean;
  productSource: boolean;
  /** Oneflow fields whose mapping was added, changed or removed. */
  mappings: FieldMapping['oneflowField'][];
}

function byOneflowField(mappings: readonly FieldMapping[]): Map<string, FieldMapping> {
  return new Map(mappings.map((mapping) => [mapping.oneflowField, mapping]));
}

export function changesOf(original: EntitySettings, draft: EntitySettings): DraftChanges {
  const before = byOneflowField(original.mappings);
  const after = byOneflowField(draft.mappings);
  const touched = new Set<FieldMapping['oneflowField']>();
  for (const [key, mapping] of before) {
    const now = after.get(key);
    if (now === undefined || !sameMapping(now, mapping)) touched.add(mapping.oneflowField);
  }
  for (const [key, mapping] of after) if (!before.has(key)) touched.add(mapping.oneflowField);
  return {
    productsEnabled: original.productsEnabled !== draft.productsEnabled,
    productSource: !sameSource(original.productSource, draft.productSource),
    mappings: [...touched],
  };
}

export function hasChanges(changes: DraftChanges): boolean {
  return changes.productsEnabled || changes.productSource || changes.mappings.length > 0;
}

/**
 * An admin's edits (their draft against what they first read) applied again on top of settings someone else saved
 * meanwhile. Each Oneflow field is mapped at most once, so a mapping is known by its Oneflow field: the admin's
 * added, changed and removed mappings win, every other mapping is the fresh one. A changed source takes the
 * admin's mappings whole, as they were made for that source.
 */
export function reapplyChanges(
  original: EntitySettings,
  draft: EntitySettings,
  fresh: EntitySettings,
): EntitySettings {
  const changes = changesOf(original, draft);
  const productsEnabled = changes.productsEnabled ? draft.productsEnabled : fresh.productsEnabled;
  if (changes.productSource) {
    return { ...fresh, productsEnabled, productSource: draft.productSource, mappings: draft.mappings };
  }
  const mine = byOneflowField(draft.mappings);
  const touched = new Set<string>(changes.mappings);
  const mappings: FieldMapping[] = [];
  for (const mapping of fresh.mappings) {
    if (!touched.has(mapping.oneflowField)) mappings.push(mapping);
    else {
      const edited = mine.get(mapping.oneflowField);
      if (edited !== undefined) mappings.push(edited);
    }
  }
  const present = new Set(mappings.map((mapping) => mapping.oneflowField));
  for (const mapping of draft.mappings) {
    if (touched.has(mapping.oneflowField) && !present.has(mapping.oneflowField)) mappings.push(mapping);
  }
  return { ...fresh, productsEnabled, mappings };
}
