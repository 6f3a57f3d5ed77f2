import { z } from 'zod';
import {
  builtInSalesLineAttributes,
  DEFAULT_PRODUCT_SOURCES,
  DynamicsLineSchema,
  GUID_PATTERN,
  isBuiltInSalesLineEntity,
  LOGICAL_NAME_PATTERN,
  whyNotWritable,
  type DynamicsAttribute,
  type DynamicsLine,
  type DynamicsValue,
  type EntitySettings,
  type MainEntity,
  type ProductSourceOption,
} from '@oneflow-sync/shared';
import { odataPath, type DataverseCall, type DataverseClient } from './dataverseClient';

/** Whose privileges a record read or write runs with (CallerObjectId); metadata is read as the app itself. */
export type DynamicsCall = DataverseCall;
import {
  dataverseError,
  DataverseInvalidResponseError,
  DataverseValidationError,
  isDataverseError,
} from './errors';

/**
 * Product sync's reads and writes in Dataverse, on top of the hand-written client: metadata for the settings
 * page (main entities, product sources, attributes) and the lines of a main record (read, and updated as one
 * change set). Metadata is read as the application user and cached for the gateway's lifetime; record reads
 * and writes take `call` (CallerObjectId) so they run with the user's privileges.
 */

/** What the metadata routes answer (`@oneflow-sync/shared`, api/metadata). */
type EntityOption = MainEntity;

interface MainRecord {
  id: string;
  name: string | null;
}

interface LineUpdate {
  lineId: string;
  /** The etag the line was read with: a line changed since then fails the whole change set. */
  etag: string;
  values: Record<string, DynamicsValue>;
}

export interface DynamicsGateway {
  /** Entities a product sync can be set up on: advanced-find, not BPF, customizable, not activities; by name. */
  listMainEntities(): Promise<EntityOption[]>;
  /** Entities with an N:1 relationship to `mainEntity`, one entry per relationship; the default first. */
  listProductSources(mainEntity: string): Promise<ProductSourceOption[]>;
  /** Attribute metadata of a (product source) entity, with the flags the engine checks. */
  listAttributes(entity: string): Promise<DynamicsAttribute[]>;
  entitySetName(entity: string): Promise<string>;
  /** The entity's primary name column (`name`, `new_name`), null when it has none. */
  primaryNameAttribute(entity: string): Promise<string | null>;
  getMainRecord(mainEntity: string, recordId: string, call: DataverseCall): Promise<MainRecord>;
  /** The product lines of a main record with the mapped columns (lookups and choices as display names). */
  readLines(settings: EntitySettings, recordId: string, call: DataverseCall): Promise<DynamicsLine[]>;
  /** One change set, If-Match each line: all written (new etags by line id) or none (typed error naming the line). */
  updateLines(
    entity: string,
    updates: readonly LineUpdate[],
    call: DataverseCall,
  ): Promise<Map<string, string>>;
}

const ENTITY_SELECT = [
  'LogicalName',
  'SchemaName',
  'EntitySetName',
  'DisplayName',
  'PrimaryIdAttribute',
  'PrimaryNameAttribute',
  'IsActivity',
  'IsBPFEntity',
  'IsCustomizable',
  'IsValidForAdvancedFind',
].join(',');
const CANDIDATE_FILTER =
  'IsValidForAdvancedFind eq true and IsBPFEntity eq false and IsCustomizable/Value eq true';
const ATTRIBUTE_SELECT = [
  'LogicalName',
  'AttributeType',
  'IsValidForCreate',
  'IsValidForUpdate',
  'AttributeOf',
  'SourceType',
  'DisplayName',
].join(',');

/** Lookups read as `_x_value` and show their record's name. */
const LOOKUP_TYPES = new Set(['Lookup', 'Customer', 'Owner']);
/** Choices show their label. */
const LABEL_TYPES = new Set(['Picklist', 'State', 'Status', 'EntityName', 'MultiSelectPicklist']);
const NUMBER_TYPES = new Set(['Decimal', 'Money', 'Double', 'Integer', 'BigInt']);
/** Columns that cannot be read through $select or mapped to a product field. */
const UNLISTED_TYPES = new Set(['Virtual', 'ManagedProperty', 'CalendarRules', 'PartyList', 'Image', 'File']);

const FORMATTED = '@OData.Community.Display.V1.FormattedValue';

const LabelSchema = z
  .object({
    UserLocalizedLabel: z.object({ Label: z.string() }).nullable().optional(),
    LocalizedLabels: z.array(z.object({ Label: z.string() })).optional(),
  })
  .nullable()
  .optional();
type Label = z.infer<typeof LabelSchema>;

const EntityDefinitionSchema = z.object({
  LogicalName: z.string(),
  EntitySetName: z.string().nullable().optional(),
  DisplayName: LabelSchema,
  PrimaryIdAttribute: z.string().nullable().optional(),
  PrimaryNameAttribute: z.string().nullable().optional(),
  IsActivity: z.boolean().nullable().optional(),
});

const AttributeMetadataSchema = z.object({
  LogicalName: z.string(),
  AttributeType: z.string().nullable().optional(),
  IsValidForCreate: z.boolean().nullable().optional(),
  IsValidForUpdate: z.boolean().nullable().optional(),
  AttributeOf: z.string().nullable().optional(),
  SourceType: z.number().nullable().optional(),
  DisplayName: LabelSchema,
});
type AttributeMetadata = z.infer<typeof AttributeMetadataSchema>;

const EntityInfoSchema = EntityDefinitionSchema.extend({ Attributes: z.array(AttributeMetadataSchema) });
const collectionOf = <T extends z.ZodType>(item: T) => z.object({ value: z.array(item) });
const RelationshipSchema = z.object({
  SchemaName: z.string(),
  ReferencingEntity: z.string(),
  ReferencingAttribute: z.string(),
});
const MaxLengthSchema = z.object({
  LogicalName: z.string(),
  MaxLength: z.number().int().nullable().optional(),
});
const RowSchema = z.record(z.string(), z.unknown());

/** What the gateway keeps about an entity: set name, keys and its attributes' metadata. */
interface EntityInfo {
  logicalName: string;
  displayName: string;
  entitySetName: string;
  primaryIdAttribute: string;
  primaryNameAttribute: string | null;
  attributes: Map<string, AttributeMetadata>;
}

function labelOf(label: Label, fallback: string): string {
  return label?.UserLocalizedLabel?.Label ?? label?.LocalizedLabels?.[0]?.Label ?? fallback;
}

function requireLogicalName(name: string, what: string): string {
  if (!LOGICAL_NAME_PATTERN.test(name)) {
    throw new DataverseValidationError({
      status: null,
      method: 'GET',
      url: 'EntityDefinitions',
      detail: `${what} '${name}' is not a Dataverse logical name.`,
    });
  }
  return name;
}

function requireGuid(id: string, what: string): string {
  if (!GUID_PATTERN.test(id)) {
    throw new DataverseValidationError({
      status: null,
      method: 'GET',
      url: '',
      detail: `${what} '${id}' is not a GUID.`,
    });
  }
  return id.toLowerCase();
}

/** The property a column is read as: `_x_value` for lookups. */
function propertyOf(attribute: AttributeMetadata): string {
  return LOOKUP_TYPES.has(attribute.AttributeType ?? '')
    ? `_${attribute.LogicalName}_value`
    : attribute.LogicalName;
}

/** How to read one column of a line: which property, and whether its display text is what counts. */
interface ColumnRead {
  key: string;
  property: string;
  as: 'formatted' | 'number' | 'boolean' | 'raw';
}

function dynamicsValue(value: unknown): DynamicsValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

function readColumn(row: Record<string, unknown>, column: ColumnRead): DynamicsValue {
  const value = row[column.property];
  if (column.as === 'formatted') {
    const formatted = row[`${column.property}${FORMATTED}`];
    return typeof formatted === 'string'
      ? formatted
      : value === null || value === undefined
        ? null
        : dynamicsValue(value);
  }
  if (column.as === 'number') {
    if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
      return Number(value);
    return dynamicsValue(value);
  }
  return dynamicsValue(value);
}

export interface DynamicsGatewayOptions {
  /** How long metadata (entities, attributes, relationships) is reused before it is read again; default 10 min. */
  metadataTtlMs?: number;
  /** The clock for that; Date.now unless given. */
  now?: () => number;
}

export function createDynamicsGateway(
  client: DataverseClient,
  options: DynamicsGatewayOptions = {},
): DynamicsGateway {
  const ttlMs = options.metadataTtlMs ?? 10 * 60_000;
  const now = options.now ?? Date.now;
  const metadata = new Map<string, { at: number; value: Promise<unknown> }>();

  /**
   * Metadata read once per key and reused for `metadataTtlMs` (the gateway lives as long as the process: a new
   * column in Dynamics shows up after that); a failed read is forgotten so the next call tries again.
   */
  function remember<T>(key: string, load: () => Promise<T>): Promise<T> {
    const known = metadata.get(key);
    if (known && now() - known.at < ttlMs) return known.value as Promise<T>;
    const loading = load();
    const entry = { at: now(), value: loading };
    metadata.set(key, entry);
    loading.catch(() => {
      if (metadata.get(key) === entry) metadata.delete(key);
    });
    return loading;
  }

  function entityInfo(entity: string): Promise<EntityInfo> {
    const name = requireLogicalName(entity, 'Entity');
    return remember(`entity:${name}`, async () => {
      // One request: the definition with its attributes ($expand); MaxLength needs the typed casts (listAttributes).
      const definition = await client.get(
        odataPath(`EntityDefinitions(LogicalName='${name}')`, {
          $select: 'LogicalName,EntitySetName,DisplayName,PrimaryIdAttribute,PrimaryNameAttribute',
          $expand: `Attributes($select=${ATTRIBUTE_SELECT})`,
        }),
        EntityInfoSchema,
      );
      if (!definition.EntitySetName || !definition.PrimaryIdAttribute) {
        throw new DataverseInvalidResponseError({
          status: 200,
          method: 'GET',
          url: `${client.serviceRoot}EntityDefinitions(LogicalName='${name}')`,
          detail: `Entity ${name} has no entity set or primary id: it cannot be read through the Web API.`,
        });
      }
      return {
        logicalName: definition.LogicalName,
        displayName: labelOf(definition.DisplayName, definition.LogicalName),
        entitySetName: definition.EntitySetName,
        primaryIdAttribute: definition.PrimaryIdAttribute,
        primaryNameAttribute: definition.PrimaryNameAttribute ?? null,
        attributes: new Map(definition.Attributes.map((attribute) => [attribute.LogicalName, attribute])),
      };
    });
  }

  function candidateEntities(): Promise<EntityOption[]> {
    return remember('candidates', async () => {
      const result = await client.get(
        odataPath('EntityDefinitions', { $select: ENTITY_SELECT, $filter: CANDIDATE_FILTER }),
        collectionOf(EntityDefinitionSchema),
      );
      return result.value
        .filter((definition) => definition.IsActivity !== true && Boolean(definition.EntitySetName))
        .map((definition) => ({
          logicalName: definition.LogicalName,
          displayName: labelOf(definition.DisplayName, definition.LogicalName),
          entitySetName: definition.EntitySetName ?? '',
        }))
        .sort(
          (a, b) =>
            a.displayName.localeCompare(b.displayName, 'en') ||
            a.logicalName.localeCompare(b.logicalName, 'en'),
        );
    });
  }

  function unknownColumn(info: EntityInfo, column: string, method: string): DataverseValidationError {
    return new DataverseValidationError({
      status: null,
      method,
      url: `${client.serviceRoot}${info.entitySetName}`,
      detail: `${info.displayName} (${info.logicalName}) has no column '${column}'; the product settings must be updated.`,
    });
  }

  function toDynamicsAttribute(
    entity: string,
    attribute: AttributeMetadata,
    maxLength: number | undefined,
  ): DynamicsAttribute {
    const recalculated = isBuiltInSalesLineEntity(entity)
      ? builtInSalesLineAttributes(entity).find((known) => known.logicalName === attribute.LogicalName)
          ?.isCalculated
      : false;
    const sourceType = attribute.SourceType ?? 0;
    return {
      logicalName: attribute.LogicalName,
      ...(attribute.DisplayName?.UserLocalizedLabel || attribute.DisplayName?.LocalizedLabels?.length
        ? { displayName: labelOf(attribute.DisplayName, attribute.LogicalName) }
        : {}),
      attributeType: attribute.AttributeType ?? 'Unknown',
      isValidForCreate: attribute.IsValidForCreate === true,
      isValidForUpdate: attribute.IsValidForUpdate === true,
      isCalculated: sourceType === 1 || sourceType === 2 || recalculated === true,
      attributeOf: attribute.AttributeOf ?? null,
      ...(maxLength !== undefined && maxLength > 0 ? { maxLength } : {}),
    };
  }

  /** How each wanted column is read, in one $select. */
  function columnReads(info: EntityInfo, wanted: readonly string[]): ColumnRead[] {
    return wanted.map((key): ColumnRead => {
      const attribute = info.attributes.get(key);
      if (!attribute) {
        // `<lookup>name` without its own metadata entry: still the lookup's display name.
        const lookup = key.endsWith('name') ? info.attributes.get(key.slice(0, -'name'.length)) : undefined;
        if (lookup && LOOKUP_TYPES.has(lookup.AttributeType ?? '')) {
          return { key, property: propertyOf(lookup), as: 'formatted' };
        }
        throw unknownColumn(info, key, 'GET');
      }
      if (attribute.AttributeOf) {
        // A companion column (productidname): the name shown for its lookup or choice.
        const base = info.attributes.get(attribute.AttributeOf);
        if (!base) throw unknownColumn(info, attribute.AttributeOf, 'GET');
        return { key, property: propertyOf(base), as: 'formatted' };
      }
      const type = attribute.AttributeType ?? '';
      if (LOOKUP_TYPES.has(type) || LABEL_TYPES.has(type))
        return { key, property: propertyOf(attribute), as: 'formatted' };
      if (NUMBER_TYPES.has(type)) return { key, property: attribute.LogicalName, as: 'number' };
      if (type === 'Boolean') return { key, property: attribute.LogicalName, as: 'boolean' };
      return { key, property: attribute.LogicalName, as: 'raw' };
    });
  }

  return {
    listMainEntities: candidateEntities,

    async listProductSources(mainEntity) {
      const main = requireLogicalName(mainEntity, 'Main entity');
      // The main entity's 1:N relationships are exactly the other entities' N:1 relationships to it: one request.
      const [entities, relationships] = await Promise.all([
        candidateEntities(),
        client.get(
          odataPath(`EntityDefinitions(LogicalName='${main}')/OneToManyRelationships`, {
            $select: 'SchemaName,ReferencingEntity,ReferencingAttribute',
          }),
          collectionOf(RelationshipSchema),
        ),
      ]);
      const byName = new Map(entities.map((entity) => [entity.logicalName, entity]));
      const preferred = DEFAULT_PRODUCT_SOURCES.get(main);
      const isDefault = (option: ProductSourceOption): boolean =>
        option.entity === preferred?.entity && option.lookupAttribute === preferred.lookupAttribute;
      return relationships.value
        .flatMap((relationship): ProductSourceOption[] => {
          const entity = byName.get(relationship.ReferencingEntity);
          if (!entity) return [];
          return [
            {
              entity: entity.logicalName,
              lookupAttribute: relationship.ReferencingAttribute,
              relationship: relationship.SchemaName,
              label: `${entity.displayName} (${relationship.ReferencingAttribute})`,
              entitySetName: entity.entitySetName,
            },
          ];
        })
        .sort((a, b) => Number(isDefault(b)) - Number(isDefault(a)) || a.label.localeCompare(b.label, 'en'));
    },

    listAttributes: (entity) =>
      remember(`attributes:${requireLogicalName(entity, 'Entity')}`, async () => {
        const info = await entityInfo(entity);
        const maxLengths = new Map<string, number>();
        const casts = ['StringAttributeMetadata', 'MemoAttributeMetadata'].map((type) =>
          client.get(
            odataPath(
              `EntityDefinitions(LogicalName='${info.logicalName}')/Attributes/Microsoft.Dynamics.CRM.${type}`,
              {
                $select: 'LogicalName,MaxLength',
              },
            ),
            collectionOf(MaxLengthSchema),
          ),
        );
        for (const result of await Promise.all(casts)) {
          for (const row of result.value)
            if (typeof row.MaxLength === 'number') maxLengths.set(row.LogicalName, row.MaxLength);
        }
        return [...info.attributes.values()]
          .filter((attribute) => !UNLISTED_TYPES.has(attribute.AttributeType ?? ''))
          .map((attribute) =>
            toDynamicsAttribute(info.logicalName, attribute, maxLengths.get(attribute.LogicalName)),
          )
          .sort((a, b) => a.logicalName.localeCompare(b.logicalName, 'en'));
      }),

    async entitySetName(entity) {
      return (await entityInfo(entity)).entitySetName;
    },

    async primaryNameAttribute(entity) {
      return (await entityInfo(entity)).primaryNameAttribute;
    },

    async getMainRecord(mainEntity, recordId, call) {
      const info = await entityInfo(mainEntity);
      const id = requireGuid(recordId, 'Record id');
      const name = info.primaryNameAttribute;
      const row = await client.get(
        odataPath(`${info.entitySetName}(${id})`, { $select: name ?? info.primaryIdAttribute }),
        RowSchema,
        call,
      );
      const value = name === null ? null : row[name];
      return { id, name: typeof value === 'string' ? value : null };
    },

    async readLines(settings, recordId, call) {
      const source = settings.productSource;
      const info = await entityInfo(source.entity);
      const id = requireGuid(recordId, 'Record id');
      const builtIn = isBuiltInSalesLineEntity(source.entity);
      const lookup = info.attributes.get(source.lookupAttribute);
      if (!lookup) throw unknownColumn(info, source.lookupAttribute, 'GET');
      const wanted = new Set(settings.mappings.map((mapping) => mapping.dynamicsField));
      if (builtIn)
        for (const column of ['isproductoverridden', 'productdescription', 'productid', 'productidname'])
          wanted.add(column);
      const reads = columnReads(info, [...wanted]);
      const select = new Set([info.primaryIdAttribute, 'modifiedon', ...reads.map((read) => read.property)]);
      const orderColumn = builtIn ? 'sequencenumber' : 'createdon';
      const orderBy = info.attributes.has(orderColumn)
        ? `${orderColumn} asc,${info.primaryIdAttribute} asc`
        : undefined;
      const path = odataPath(info.entitySetName, {
        $select: [...select].join(','),
        $filter: `${propertyOf(lookup)} eq ${id}`,
        $orderby: orderBy,
      });
      const rows = await client.getAll(path, RowSchema, call);
      return rows.map((row) => {
        const values: Record<string, DynamicsValue> = {};
        for (const read of reads) values[read.key] = readColumn(row, read);
        const line = DynamicsLineSchema.safeParse({
          id: row[info.primaryIdAttribute],
          values,
          isWriteIn: builtIn && row.isproductoverridden === true,
          modifiedOn: row.modifiedon,
          etag: row['@odata.etag'],
        });
        if (!line.success) {
          throw new DataverseInvalidResponseError({
            status: 200,
            method: 'GET',
            url: `${client.serviceRoot}${path}`,
            detail: `A ${info.logicalName} row lacks its id, modifiedon or @odata.etag.`,
            cause: line.error,
          });
        }
        return line.data;
      });
    },

    async updateLines(entity, updates, call) {
      if (updates.length === 0) return new Map();
      const info = await entityInfo(entity);
      const attributes = new Map(
        [...info.attributes.values()].map((attribute) => [
          attribute.LogicalName,
          toDynamicsAttribute(info.logicalName, attribute, undefined),
        ]),
      );
      // Paths use the id as a GUID; results and errors name each line as the caller gave it.
      const lineIds = updates.map((update) => update.lineId);
      const guids = updates.map((update) => requireGuid(update.lineId, 'Line id'));
      const operations = updates.map((update, index) => {
        for (const column of Object.keys(update.values)) {
          const attribute = attributes.get(column);
          if (!attribute) throw unknownColumn(info, column, 'PATCH');
          const why = whyNotWritable(attribute);
          if (why !== null) {
            throw new DataverseValidationError({
              status: null,
              method: 'PATCH',
              url: `${client.serviceRoot}${info.entitySetName}(${lineIds[index] ?? ''})`,
              detail: why,
              recordId: lineIds[index] ?? null,
            });
          }
        }
        return {
          method: 'PATCH' as const,
          path: odataPath(`${info.entitySetName}(${guids[index] ?? ''})`, {
            $select: info.primaryIdAttribute,
          }),
          body: update.values,
          ifMatch: update.etag,
          returnRepresentation: true,
        };
      });
      let results;
      try {
        results = await client.batchChangeSet(operations, call);
      } catch (error) {
        // Name the line the failed operation was about (a stale etag, a missing privilege, a refused value).
        if (isDataverseError(error) && error.operationIndex !== null) {
          throw dataverseError(error.kind, {
            ...error.init,
            recordId: lineIds[error.operationIndex] ?? null,
          });
        }
        throw error;
      }
      const etags = new Map<string, string>();
      results.forEach((result, index) => {
        const lineId = lineIds[index];
        if (lineId === undefined) return;
        if (result.etag === null) {
          throw new DataverseInvalidResponseError({
            status: result.status,
            method: 'PATCH',
            url: `${client.serviceRoot}${info.entitySetName}(${lineId})`,
            detail: 'The update answered without the new etag.',
            recordId: lineId,
          });
        }
        etags.set(lineId, result.etag);
      });
      return etags;
    },
  };
}
