import { z } from 'zod';
import { DATA_ENTITIES } from './entities';
import type { AttributeDefinition, EntityDefinition } from './schema';
import { isGuid } from './util';

/**
 * The fixture: the organization, its users with their privileges, the records of each entity set, and the
 * entities seeded for metadata only. Every problem is reported with the path of the offending field
 * (`records.opportunityproducts[1].priceperunit`), so a broken fixture says where it is broken.
 */

const Guid = z.string().refine(isGuid, { message: 'must be a GUID' });

const PRIVILEGE_VERBS = ['create', 'read', 'write', 'delete', 'append', 'appendTo'] as const;
export type PrivilegeVerb = (typeof PRIVILEGE_VERBS)[number];

const SystemUserSchema = z.object({
  systemuserid: Guid,
  fullname: z.string().min(1),
  domainname: z.string().min(1).optional(),
  internalemailaddress: z.string().optional(),
  /** The Entra object id: the token's `oid` claim, and the value of the CallerObjectId header. */
  azureactivedirectoryobjectid: Guid,
  /** Set for application users (the app registration's client id). */
  applicationid: Guid.optional(),
  isdisabled: z.boolean().default(false),
  /** 0 Read-Write, 4 Non-interactive (application users). */
  accessmode: z.number().int().default(0),
  /** Privileges by entity logical name, `*` for every entity; Dataverse's depth (user, BU, org) is not modeled. */
  privileges: z.record(z.string(), z.array(z.enum(PRIVILEGE_VERBS))).default({}),
  /** prvActOnBehalfOfAnotherUser: may send CallerObjectId. */
  actOnBehalfOfAnotherUser: z.boolean().default(false),
});

const FieldValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const RecordSchema = z.record(z.string(), FieldValueSchema);

const MetadataAttributeSchema = z.object({
  logicalName: z.string().min(1),
  schemaName: z.string().min(1),
  type: z.enum([
    'Uniqueidentifier',
    'String',
    'Memo',
    'Money',
    'Decimal',
    'Integer',
    'Boolean',
    'DateTime',
    'Picklist',
    'State',
    'Status',
  ]),
  displayName: z.string(),
  isValidForCreate: z.boolean().default(true),
  isValidForUpdate: z.boolean().default(true),
  requiredLevel: z.enum(['None', 'SystemRequired', 'ApplicationRequired', 'Recommended']).default('None'),
  sourceType: z.number().int().min(0).max(2).default(0),
  maxLength: z.number().int().positive().optional(),
});

const MetadataLookupSchema = z.object({
  logicalName: z.string().min(1),
  schemaName: z.string().min(1),
  displayName: z.string(),
  target: z.string().min(1),
  navigationProperty: z.string().min(1),
  relationshipSchemaName: z.string().min(1),
});

const MetadataEntitySchema = z.object({
  logicalName: z.string().min(1),
  schemaName: z.string().min(1),
  entitySetName: z.string().min(1),
  displayName: z.string().min(1),
  displayCollectionName: z.string().min(1),
  primaryIdAttribute: z.string().min(1),
  primaryNameAttribute: z.string().nullable(),
  objectTypeCode: z.number().int().positive(),
  ownershipType: z.enum(['UserOwned', 'OrganizationOwned']).default('UserOwned'),
  isActivity: z.boolean().default(false),
  isBPFEntity: z.boolean().default(false),
  isCustomEntity: z.boolean().default(false),
  isCustomizable: z.boolean().default(true),
  isValidForAdvancedFind: z.boolean().default(true),
  attributes: z.array(MetadataAttributeSchema).default([]),
  lookups: z.array(MetadataLookupSchema).default([]),
});

const OrganizationSchema = z.object({
  name: z.string().min(1),
  organizationid: Guid,
  businessunitid: Guid,
  /** A transactioncurrency record: the currency of records that name none. */
  basecurrencyid: Guid,
});

const FixtureObjectSchema = z.object({
  organization: OrganizationSchema,
  systemusers: z.array(SystemUserSchema).min(1),
  records: z.record(z.string(), z.array(RecordSchema)).default({}),
  metadataOnlyEntities: z.array(MetadataEntitySchema).default([]),
});

type FixtureObject = z.infer<typeof FixtureObjectSchema>;
type Issue = { path: (string | number)[]; message: string };

function valueProblem(attribute: AttributeDefinition, value: unknown): string | null {
  if (value === null) return null;
  switch (attribute.type) {
    case 'String':
    case 'Memo':
      if (typeof value !== 'string') return `must be a string (${attribute.type})`;
      if (attribute.maxLength !== undefined && value.length > attribute.maxLength) {
        return `is longer than its MaxLength of ${attribute.maxLength}`;
      }
      return null;
    case 'Money':
    case 'Decimal':
      return typeof value === 'number' ? null : `must be a number (${attribute.type})`;
    case 'Integer':
    case 'BigInt':
    case 'Picklist':
    case 'State':
    case 'Status':
      if (typeof value !== 'number' || !Number.isInteger(value))
        return `must be an integer (${attribute.type})`;
      if (attribute.options && !(value in attribute.options))
        return `is not one of the options ${Object.keys(attribute.options).join(', ')}`;
      return null;
    case 'Boolean':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'DateTime':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value))
        ? null
        : 'must be an ISO date-time';
    case 'Uniqueidentifier':
    case 'Lookup':
    case 'Owner':
      return isGuid(value) ? null : 'must be a GUID';
  }
}

function checkRecordSets(fixture: FixtureObject, issues: Issue[]): void {
  const ids = new Map<string, Set<string>>([
    ['systemuser', new Set(fixture.systemusers.map((user) => user.systemuserid.toLowerCase()))],
  ]);
  const lookups: { path: (string | number)[]; target: string; id: string }[] = [];
  for (const [setName, rows] of Object.entries(fixture.records)) {
    const entity = DATA_ENTITIES.find((candidate) => candidate.entitySetName === setName);
    if (!entity || setName === 'systemusers') {
      issues.push({
        path: ['records', setName],
        message:
          setName === 'systemusers'
            ? 'users are listed under "systemusers", with their privileges'
            : `unknown entity set; known: ${DATA_ENTITIES.filter((e) => e.entitySetName !== 'systemusers')
                .map((e) => e.entitySetName)
                .join(', ')}`,
      });
      continue;
    }
    const seen = ids.get(entity.logicalName) ?? new Set<string>();
    ids.set(entity.logicalName, seen);
    rows.forEach((row, index) => {
      checkRow(entity, row, ['records', setName, index], seen, lookups, issues);
    });
  }
  for (const lookup of lookups) {
    if (!ids.get(lookup.target)?.has(lookup.id.toLowerCase())) {
      issues.push({ path: lookup.path, message: `no ${lookup.target} record has the id ${lookup.id}` });
    }
  }
  const currency = fixture.organization.basecurrencyid.toLowerCase();
  if (!ids.get('transactioncurrency')?.has(currency)) {
    issues.push({
      path: ['organization', 'basecurrencyid'],
      message: 'no transactioncurrencies record has this id',
    });
  }
}

function checkRow(
  entity: EntityDefinition,
  row: Record<string, unknown>,
  path: (string | number)[],
  seen: Set<string>,
  lookups: { path: (string | number)[]; target: string; id: string }[],
  issues: Issue[],
): void {
  const id = row[entity.primaryIdAttribute];
  if (!isGuid(id)) {
    issues.push({ path: [...path, entity.primaryIdAttribute], message: 'the primary key must be a GUID' });
  } else if (seen.has(id.toLowerCase())) {
    issues.push({ path: [...path, entity.primaryIdAttribute], message: `duplicate id ${id}` });
  } else {
    seen.add(id.toLowerCase());
  }
  for (const [name, value] of Object.entries(row)) {
    const attribute = entity.attributes.find(
      (candidate) => candidate.logicalName === name && !candidate.attributeOf,
    );
    if (!attribute) {
      issues.push({
        path: [...path, name],
        message: `unknown column of ${entity.logicalName} (lookups are written by logical name, e.g. "productid")`,
      });
      continue;
    }
    const problem = valueProblem(attribute, value);
    if (problem) issues.push({ path: [...path, name], message: problem });
    else if (attribute.lookup && typeof value === 'string') {
      lookups.push({ path: [...path, name], target: attribute.lookup.target, id: value });
    }
  }
}

function checkUsersAndMetadata(fixture: FixtureObject, issues: Issue[]): void {
  const objectIds = new Set<string>();
  const known = new Set([
    ...DATA_ENTITIES.map((entity) => entity.logicalName),
    ...fixture.metadataOnlyEntities.map((e) => e.logicalName),
  ]);
  fixture.systemusers.forEach((user, index) => {
    const objectId = user.azureactivedirectoryobjectid.toLowerCase();
    if (objectIds.has(objectId)) {
      issues.push({
        path: ['systemusers', index, 'azureactivedirectoryobjectid'],
        message: 'duplicate object id',
      });
    }
    objectIds.add(objectId);
    for (const entity of Object.keys(user.privileges)) {
      if (entity !== '*' && !known.has(entity)) {
        issues.push({
          path: ['systemusers', index, 'privileges', entity],
          message: 'unknown entity logical name',
        });
      }
    }
  });
  fixture.metadataOnlyEntities.forEach((entity, index) => {
    if (DATA_ENTITIES.some((data) => data.logicalName === entity.logicalName)) {
      issues.push({
        path: ['metadataOnlyEntities', index, 'logicalName'],
        message: 'already an entity with data',
      });
    }
    entity.lookups.forEach((lookup, lookupIndex) => {
      if (!known.has(lookup.target)) {
        issues.push({
          path: ['metadataOnlyEntities', index, 'lookups', lookupIndex, 'target'],
          message: 'unknown entity logical name',
        });
      }
    });
  });
}

const FixtureSchema = FixtureObjectSchema.superRefine((fixture, context) => {
  const issues: Issue[] = [];
  checkRecordSets(fixture, issues);
  checkUsersAndMetadata(fixture, issues);
  for (const issue of issues) context.addIssue({ code: 'custom', path: issue.path, message: issue.message });
});

export type DataverseFixture = z.infer<typeof FixtureSchema>;

/** Validates a fixture; throws a ZodError whose issues name each offending field. */
export function parseFixture(input: unknown): DataverseFixture {
  return FixtureSchema.parse(input);
}
