import type { TableClient } from '@azure/data-tables';
import { StateInputError } from './errors';
import { key, requireContractId, requireId } from './keys';
import { getRow, statusOf } from './tables';
import type { LeaseStore, LeaseSubject } from './types';

/**
 * Per-contract leases: PartitionKey `<tenant>`, RowKey `<contractId>`, with `holder` and `expiresAt`. Every
 * change is etag-guarded (create if absent, replace with the etag read), so two contenders can never both win.
 * Expiry uses the local clock of the instance that checks it; instances' clocks are assumed to agree to well
 * under a lease's ttl.
 */

const ATTEMPTS = 5;

export function createLeaseStore(client: TableClient): LeaseStore {
  const keysFor = (tenantId: string, subject: LeaseSubject) => ({
    partitionKey: key(requireId('tenantId', tenantId)),
    // Contract ids are digits only, so a record's key can never be taken for a contract's.
    rowKey:
      typeof subject === 'number'
        ? key(requireContractId(subject))
        : key('record', requireId('mainEntity', subject.mainEntity), requireId('recordId', subject.recordId)),
  });

  return {
    async acquire(tenantId, subject, holder, ttlMs) {
      if (holder.length === 0) throw new StateInputError('holder must not be empty');
      if (!Number.isFinite(ttlMs) || ttlMs <= 0)
        throw new StateInputError(`ttlMs must be positive, got ${ttlMs}`);
      const keys = keysFor(tenantId, subject);
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        const now = Date.now();
        const entity = {
          ...keys,
          tenantId,
          ...(typeof subject === 'number' ? { contractId: subject } : subject),
          holder,
          expiresAt: new Date(now + ttlMs).toISOString(),
          renewedAt: new Date(now).toISOString(),
        };
        const current = await getRow(client, keys.partitionKey, keys.rowKey);
        try {
          if (current === null) {
            await client.createEntity(entity);
            return true;
          }
          const expiresAt =
            typeof current.expiresAt === 'string' ? Date.parse(current.expiresAt) : Number.NaN;
          // An unreadable lease row is treated as expired: it must not block the contract forever.
          const expired = Number.isNaN(expiresAt) || expiresAt <= now;
          if (current.holder !== holder && !expired) return false;
          await client.updateEntity(entity, 'Replace', { etag: current.etag });
          return true;
        } catch (error) {
          const status = statusOf(error);
          // Someone created, changed or released it between our read and write: look again.
          if (status !== 409 && status !== 412 && status !== 404) throw error;
        }
      }
      return false;
    },

    async release(tenantId, subject, holder) {
      const keys = keysFor(tenantId, subject);
      const current = await getRow(client, keys.partitionKey, keys.rowKey);
      if (current?.holder !== holder) return;
      try {
        await client.deleteEntity(keys.partitionKey, keys.rowKey, { etag: current.etag });
      } catch (error) {
        const status = statusOf(error);
        if (status !== 404 && status !== 412) throw error; // gone, or taken over meanwhile: not ours any more
      }
    },

    async holding(tenantId, subject) {
      const keys = keysFor(tenantId, subject);
      const current = await getRow(client, keys.partitionKey, keys.rowKey);
      if (current === null) return null;
      const expiresAt = typeof current.expiresAt === 'string' ? Date.parse(current.expiresAt) : Number.NaN;
      return {
        holder: typeof current.holder === 'string' ? current.holder : '',
        // As acquire reads it: an unreadable expiry is already past.
        expiresAt: new Date(Number.isNaN(expiresAt) ? 0 : expiresAt).toISOString(),
      };
    },
  };
}
