import type { TableClient } from '@azure/data-tables';
import { StateInputError } from './errors';
import { key, requireContractId, requireId } from './keys';
import { getRow, statusOf, type Row } from './tables';
import type { LeaseStore, LeaseSubject } from './types';

/**
 * Per-contract leases: PartitionKey `<tenant>`, RowKey `<contractId>`, with `holder` and `expiresAt`. Every
 * change is conditional (create if absent, replace or delete with the etag last seen), so two contenders can never
 * both win. Expiry uses the local clock of the instance that checks it; instances' clocks are assumed to agree to
 * well under a lease's ttl.
 *
 * One round trip each way when nobody contends: a free lease is taken by one insert, a held one renewed by one
 * replace with the etag this instance's last write returned, and released by one delete with it. Only when that
 * etag no longer matches (someone else wrote the row) is the row read to see whose it is now.
 */

const ATTEMPTS = 5;

/** Statuses that mean the row changed between our look and our write: look again. */
const RACED = new Set([404, 409, 412]);

export function createLeaseStore(client: TableClient): LeaseStore {
  const keysFor = (tenantId: string, subject: LeaseSubject) => ({
    partitionKey: key(requireId('tenantId', tenantId)),
    // Contract ids are digits only, so a record's key can never be taken for a contract's.
    rowKey:
      typeof subject === 'number'
        ? key(requireContractId(subject))
        : key('record', requireId('mainEntity', subject.mainEntity), requireId('recordId', subject.recordId)),
  });
  /** The etag of this instance's last write of a lease, by row and holder: its proof that the row is still ours. */
  const written = new Map<string, string>();
  const heldKey = (keys: { partitionKey: string; rowKey: string }, holder: string) =>
    JSON.stringify([keys.partitionKey, keys.rowKey, holder]);
  const remember = (held: string, etag: string | undefined) => {
    if (etag === undefined) written.delete(held);
    else written.set(held, etag);
  };

  const expiryOf = (row: Row): number => {
    const expiresAt = typeof row.expiresAt === 'string' ? Date.parse(row.expiresAt) : Number.NaN;
    // An unreadable lease row is treated as expired: it must not block the contract forever.
    return Number.isNaN(expiresAt) ? 0 : expiresAt;
  };

  return {
    async acquire(tenantId, subject, holder, ttlMs) {
      if (holder.length === 0) throw new StateInputError('holder must not be empty');
      if (!Number.isFinite(ttlMs) || ttlMs <= 0)
        throw new StateInputError(`ttlMs must be positive, got ${ttlMs}`);
      const keys = keysFor(tenantId, subject);
      const held = heldKey(keys, holder);
      const entityAt = (now: number) => ({
        ...keys,
        tenantId,
        ...(typeof subject === 'number' ? { contractId: subject } : subject),
        holder,
        expiresAt: new Date(now + ttlMs).toISOString(),
        renewedAt: new Date(now).toISOString(),
      });
      // What this instance believes the row is: ours (with the etag we wrote), or absent. A wrong belief costs a
      // refused conditional write and a read, never a lease taken from someone else.
      const known = written.get(held);
      let seen: { etag: string } | null = known === undefined ? null : { etag: known };
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        const entity = entityAt(Date.now());
        try {
          const response =
            seen === null
              ? await client.createEntity(entity)
              : await client.updateEntity(entity, 'Replace', { etag: seen.etag });
          remember(held, response.etag);
          return true;
        } catch (error) {
          if (!RACED.has(statusOf(error) ?? 0)) throw error;
        }
        // Created, changed or released by someone else since we last looked: see whose it is now.
        const current = await getRow(client, keys.partitionKey, keys.rowKey);
        if (current === null) {
          seen = null;
          continue;
        }
        if (current.holder !== holder && expiryOf(current) > Date.now()) {
          written.delete(held);
          return false;
        }
        seen = { etag: current.etag };
      }
      written.delete(held);
      return false;
    },

    async release(tenantId, subject, holder) {
      const keys = keysFor(tenantId, subject);
      const held = heldKey(keys, holder);
      const etag = written.get(held);
      written.delete(held);
      const deleteIfMatch = async (ifMatch: string): Promise<boolean> => {
        try {
          await client.deleteEntity(keys.partitionKey, keys.rowKey, { etag: ifMatch });
          return true;
        } catch (error) {
          const status = statusOf(error);
          if (status === 404) return true; // gone already
          if (status === 412) return false; // written by someone since
          throw error;
        }
      };
      if (etag !== undefined && (await deleteIfMatch(etag))) return;
      // Not written by this instance, or written since: delete only while it still names this holder.
      const current = await getRow(client, keys.partitionKey, keys.rowKey);
      if (current?.holder !== holder) return;
      await deleteIfMatch(current.etag); // taken over meanwhile: not ours any more
    },

    async holding(tenantId, subject) {
      const keys = keysFor(tenantId, subject);
      const current = await getRow(client, keys.partitionKey, keys.rowKey);
      if (current === null) return null;
      return {
        holder: typeof current.holder === 'string' ? current.holder : '',
        // As acquire reads it: an unreadable expiry is already past.
        expiresAt: new Date(expiryOf(current)).toISOString(),
      };
    },
  };
}
