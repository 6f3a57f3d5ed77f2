import { odata, type TableClient } from '@azure/data-tables';
import { hashedId, key, requireContractId, requireId } from './keys';
import { deleteRow, deleteRows, queryRows, statusOf } from './tables';
import type { CallbackStore } from './types';

/**
 * Seen webhook callbacks: PartitionKey `<orgKey>`, RowKey the SHA-256 of `<callbackId>` (Oneflow's ids may hold
 * any characters, and escaped they could pass the key limit; the hash is 64 characters whatever the id).
 * createEntity is the atomic "first time?" test: a second insert of the same keys fails with 409. Retention
 * filters on `seenAt`.
 */

export function createCallbackStore(client: TableClient): CallbackStore {
  const keysFor = (orgKey: string, callbackId: string) => ({
    partitionKey: key(requireId('orgKey', orgKey)),
    rowKey: key(hashedId('callbackId', callbackId)),
  });

  return {
    async markSeen(orgKey, callbackId, contractId) {
      requireContractId(contractId);
      try {
        await client.createEntity({
          ...keysFor(orgKey, callbackId),
          callbackId,
          contractId,
          seenAt: new Date().toISOString(),
        });
        return true;
      } catch (error) {
        if (statusOf(error) === 409) return false;
        throw error;
      }
    },

    async forget(orgKey, callbackId) {
      const { partitionKey, rowKey } = keysFor(orgKey, callbackId);
      await deleteRow(client, partitionKey, rowKey);
    },

    async deleteOlderThan(cutoff) {
      const rows = await queryRows(client, odata`seenAt lt ${cutoff.toISOString()}`, {
        select: ['PartitionKey', 'RowKey'],
      });
      return deleteRows(
        client,
        rows.map((row) => ({ partitionKey: row.partitionKey ?? '', rowKey: row.rowKey ?? '' })),
      );
    },
  };
}
