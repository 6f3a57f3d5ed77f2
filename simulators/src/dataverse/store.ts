/**
 * Records in memory, one table per entity, each with Dataverse's row version. Versions come from one counter
 * shared by all tables and never go back (not even when a change set rolls back), like SQL's rowversion that
 * backs `@odata.etag`: an etag seen once never names different data later.
 */

export type FieldValue = string | number | boolean | null;
export type RecordValues = Record<string, FieldValue>;

export interface StoredRecord {
  readonly id: string;
  version: number;
  /** By attribute logical name; a lookup holds the referenced record's id. */
  values: RecordValues;
}

/** Every record and the version counter, as plain data (the local stack keeps them across restarts). */
export interface PersistedRecords {
  lastVersion: number;
  tables: Record<string, StoredRecord[]>;
}

export interface StoreSnapshot {
  readonly tables: ReadonlyMap<string, ReadonlyMap<string, StoredRecord>>;
}

const FIRST_VERSION = 1_000_000;

function cloneTable(table: ReadonlyMap<string, StoredRecord>): Map<string, StoredRecord> {
  const copy = new Map<string, StoredRecord>();
  for (const [id, record] of table)
    copy.set(id, { id, version: record.version, values: { ...record.values } });
  return copy;
}

export class RecordStore {
  private tables = new Map<string, Map<string, StoredRecord>>();
  private lastVersion = FIRST_VERSION;

  private table(entity: string): Map<string, StoredRecord> {
    let table = this.tables.get(entity);
    if (!table) {
      table = new Map();
      this.tables.set(entity, table);
    }
    return table;
  }

  nextVersion(): number {
    this.lastVersion += 1;
    return this.lastVersion;
  }

  get(entity: string, id: string): StoredRecord | undefined {
    return this.tables.get(entity)?.get(id.toLowerCase());
  }

  /** The records of one entity in insertion order (callers sort). */
  all(entity: string): StoredRecord[] {
    return [...(this.tables.get(entity)?.values() ?? [])];
  }

  /** Inserts or replaces a record and gives it a new version, which it also shows as `versionnumber`. */
  put(entity: string, id: string, values: RecordValues): StoredRecord {
    const version = this.nextVersion();
    const record: StoredRecord = {
      id: id.toLowerCase(),
      version,
      values: { ...values, versionnumber: version },
    };
    this.table(entity).set(record.id, record);
    return record;
  }

  delete(entity: string, id: string): boolean {
    return this.tables.get(entity)?.delete(id.toLowerCase()) ?? false;
  }

  clear(): void {
    this.tables = new Map();
  }

  persisted(): PersistedRecords {
    const tables: Record<string, StoredRecord[]> = {};
    for (const [entity, table] of this.tables) tables[entity] = [...cloneTable(table).values()];
    return { lastVersion: this.lastVersion, tables };
  }

  /** Replaces every record; the counter never goes below a version already handed out. */
  loadPersisted(persisted: PersistedRecords): void {
    const tables = new Map<string, Map<string, StoredRecord>>();
    let lastVersion = Math.max(this.lastVersion, persisted.lastVersion);
    for (const [entity, records] of Object.entries(persisted.tables)) {
      const withVersionNumbers = records.map((record) => ({
        ...record,
        values: { ...record.values, versionnumber: record.version },
      }));
      tables.set(
        entity,
        cloneTable(new Map(withVersionNumbers.map((record) => [record.id.toLowerCase(), record]))),
      );
      for (const record of records) lastVersion = Math.max(lastVersion, record.version);
    }
    this.tables = tables;
    this.lastVersion = lastVersion;
  }

  /** A copy of every table, for rolling back a failed change set. */
  snapshot(): StoreSnapshot {
    const tables = new Map<string, Map<string, StoredRecord>>();
    for (const [entity, table] of this.tables) tables.set(entity, cloneTable(table));
    return { tables };
  }

  restore(snapshot: StoreSnapshot): void {
    const tables = new Map<string, Map<string, StoredRecord>>();
    for (const [entity, table] of snapshot.tables) tables.set(entity, cloneTable(table));
    this.tables = tables;
  }
}
