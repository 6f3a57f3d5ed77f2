import type { TableClient } from '@azure/data-tables';
import { StateInputError } from './errors';
import { key, requireContractId, requireId } from './keys';
import { getRow, statusOf } from './tables';

/**
 * Pending fetches: "a fetch of this contract is wanted", written by a queued change that found the contract busy
 * (or just synced) instead of waiting for its lease. PartitionKey `<tenant>`, RowKey `<contractId>`, with `since`
 * (the change's `receivedAt`) and `owner` (the id of the message that wrote it).
 *
 * At most one per contract: the insert is the atomic "first to want it?" test, so a burst of changes costs one
 * write each and only the first writer schedules the follow-up that runs the fetch. Whoever deletes the row does so
 * under the contract's lease and fetches right after, so every change that found the row is covered by that fetch.
 */
export interface PendingFetchStore {
  /** Records the wanted fetch; true for the first writer, false when one is pending already (atomic). */
  want(tenantId: string, contractId: number, wanted: { since: string; owner: string }): Promise<boolean>;
  /** The id of the message that wrote the pending fetch, or null when none is pending. */
  ownerOf(tenantId: string, contractId: number): Promise<string | null>;
  /** Deletes the pending fetch; true when there was one. Only under the contract's lease, right before a fetch. */
  take(tenantId: string, contractId: number): Promise<boolean>;
  /** Deletes the pending fetch only while `owner` still owns it (its follow-up could not be scheduled). */
  drop(tenantId: string, contractId: number, owner: string): Promise<void>;
}

export function createPendingFetchStore(client: TableClient): PendingFetchStore {
  const keysFor = (tenantId: string, contractId: number) => ({
    partitionKey: key(requireId('tenantId', tenantId)),
    rowKey: key(requireContractId(contractId)),
  });

  const deleteIfPresent = async (partitionKey: string, rowKey: string, etag = '*'): Promise<boolean> => {
    try {
      await client.deleteEntity(partitionKey, rowKey, { etag });
      return true;
    } catch (error) {
      const status = statusOf(error);
      // 404: gone already; 412: written again since it was read, so it is someone else's now.
      if (status === 404 || status === 412) return false;
      throw error;
    }
  };

  return {
    async want(tenantId, contractId, { since, owner }) {
      if (owner.length === 0) throw new StateInputError('owner must not be empty');
      try {
        await client.createEntity({ ...keysFor(tenantId, contractId), tenantId, contractId, since, owner });
        return true;
      } catch (error) {
        if (statusOf(error) === 409) return false;
        throw error;
      }
    },

    async ownerOf(tenantId, contractId) {
      const { partitionKey, rowKey } = keysFor(tenantId, contractId);
      const row = await getRow(client, partitionKey, rowKey);
      return typeof row?.owner === 'string' ? row.owner : null;
    },

    async take(tenantId, contractId) {
      const { partitionKey, rowKey } = keysFor(tenantId, contractId);
      return deleteIfPresent(partitionKey, rowKey);
    },

    async drop(tenantId, contractId, owner) {
      const { partitionKey, rowKey } = keysFor(tenantId, contractId);
      const row = await getRow(client, partitionKey, rowKey);
      if (row?.owner !== owner) return;
      await deleteIfPresent(partitionKey, rowKey, row.etag);
    },
  };
}
