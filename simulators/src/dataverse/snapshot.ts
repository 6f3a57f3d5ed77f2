import { z } from 'zod';
import type { PersistedRecords } from './store';

/**
 * The Dataverse simulator's records as JSON, for the local stack to keep across restarts. Users' privileges and
 * the metadata come from the seed fixture on every start; the records (systemusers included) and the row
 * version counter are what requests change.
 */

const FieldValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const DataverseSnapshotSchema = z.object({
  format: z.literal(1),
  lastVersion: z.number().int().nonnegative(),
  tables: z.record(
    z.string().min(1),
    z.array(
      z.object({
        id: z.string().min(1),
        version: z.number().int().nonnegative(),
        values: z.record(z.string(), FieldValueSchema),
      }),
    ),
  ),
});
export type DataverseSnapshot = z.output<typeof DataverseSnapshotSchema>;

export function dataverseSnapshot(records: PersistedRecords): DataverseSnapshot {
  return { format: 1, ...records };
}

export function persistedRecordsOf(snapshot: DataverseSnapshot): PersistedRecords {
  return { lastVersion: snapshot.lastVersion, tables: snapshot.tables };
}
