import { EntityCatalog } from './catalog';
import { DataverseError } from './errors';
import type { DataverseFixture, PrivilegeVerb } from './fixture';
import { completeRecord, refreshAllTotals } from './rules';
import { DATA_ENTITIES, GLOBAL_OPTION_SETS } from './entities';
import { isReference, type EntityDefinition } from './schema';
import { metadataOnlyEntity } from './schemaBuilders';
import { RecordStore, type RecordValues, type StoredRecord } from './store';
import { dataverseTimestamp } from './util';

export interface UserAccess {
  privileges: Readonly<Record<string, readonly PrivilegeVerb[]>>;
  actOnBehalfOfAnotherUser: boolean;
}

export interface Organization {
  name: string;
  organizationid: string;
  businessunitid: string;
  basecurrencyid: string;
}

/** Referenced records must exist before the records that point at them, and price lists before lines. */
const LOAD_ORDER = [
  'transactioncurrency',
  'uom',
  'pricelevel',
  'product',
  'productpricelevel',
  'opportunity',
  'quote',
  'opportunityproduct',
  'quotedetail',
  'new_contractline',
];

/** Everything the simulator holds: definitions, records, users' privileges. Replaced whole on reset/fixture. */
export class SimulatorState {
  readonly store = new RecordStore();
  catalog = new EntityCatalog(DATA_ENTITIES, [], GLOBAL_OPTION_SETS);
  organization: Organization = { name: '', organizationid: '', businessunitid: '', basecurrencyid: '' };
  /** Owner of fixture records that name neither an owner nor a creator: the fixture's first user. */
  defaultOwnerId = '';
  private access = new Map<string, UserAccess>();

  /** Replaces all state with a validated fixture. */
  load(fixture: DataverseFixture, now: Date): void {
    this.store.clear();
    this.access = new Map();
    this.catalog = new EntityCatalog(
      DATA_ENTITIES,
      fixture.metadataOnlyEntities.map(metadataOnlyEntity),
      GLOBAL_OPTION_SETS,
    );
    this.organization = fixture.organization;
    this.defaultOwnerId = fixture.systemusers[0]?.systemuserid.toLowerCase() ?? '';
    const timestamp = dataverseTimestamp(now);
    for (const user of fixture.systemusers) {
      const { privileges, actOnBehalfOfAnotherUser, ...columns } = user;
      this.access.set(user.systemuserid.toLowerCase(), { privileges, actOnBehalfOfAnotherUser });
      this.insertSeed(this.entity('systemuser'), { ...columns }, timestamp, 'systemusers', 0);
    }
    for (const logicalName of LOAD_ORDER) {
      const entity = this.entity(logicalName);
      (fixture.records[entity.entitySetName] ?? []).forEach((row, index) => {
        this.insertSeed(entity, row, timestamp, entity.entitySetName, index);
      });
    }
    refreshAllTotals(this);
  }

  entity(logicalName: string): EntityDefinition {
    const entity = this.catalog.entity(logicalName);
    if (!entity) throw new Error(`unknown entity ${logicalName}`);
    return entity;
  }

  userAccess(systemUserId: string): UserAccess {
    return this.access.get(systemUserId.toLowerCase()) ?? { privileges: {}, actOnBehalfOfAnotherUser: false };
  }

  userByObjectId(objectId: string): StoredRecord | undefined {
    const wanted = objectId.toLowerCase();
    return this.store
      .all('systemuser')
      .find((user) => String(user.values.azureactivedirectoryobjectid ?? '').toLowerCase() === wanted);
  }

  private insertSeed(
    entity: EntityDefinition,
    row: Record<string, unknown>,
    timestamp: string,
    setName: string,
    index: number,
  ): void {
    const values: RecordValues = {};
    for (const [name, value] of Object.entries(row)) {
      const attribute = this.catalog.attribute(entity, name);
      const isId =
        attribute !== undefined && (attribute.type === 'Uniqueidentifier' || isReference(attribute));
      values[name] =
        isId && typeof value === 'string' ? value.toLowerCase() : (value as RecordValues[string]);
    }
    values.createdon ??= timestamp;
    values.modifiedon ??= timestamp;
    try {
      completeRecord(this, entity, values, undefined);
    } catch (error) {
      if (error instanceof DataverseError) throw new Error(`records.${setName}[${index}]: ${error.message}`);
      throw error;
    }
    this.store.put(entity.logicalName, String(values[entity.primaryIdAttribute]), values);
  }
}
