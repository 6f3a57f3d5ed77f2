import { odata, type TableClient } from '@azure/data-tables';
import { hashedId, key, requireContractId, requireId } from './keys';
import { deleteRows, getRow, queryRows, statusOf } from './tables';
import type { CallbackStore } from './types';

/**
 * Seen webhook callbacks: PartitionKey `<orgKey>`, RowKey the SHA-256 of `<callbackId>` (Oneflow's ids may hold
 * any characters, and escaped they could pass the key limit; the hash is 64 characters whatever the id).
 * createEntity is the atomic "first time?" test: a second insert of the same keys fails with 409. `claim` names the
 * queued message that saw the id first, so that message's own retries are told apart from a second copy of the
 * notification. Retention filters on `seenAt`.
 */

export function createCallbackStore(client: TableClient): CallbackStore {
  const keysFor = (orgKey: string, callbackId: string) => ({
    partitionKey: key(requireId('orgKey', orgKey)),
    rowKey: key(hashedId('callbackId', callbackId)),
  });

  return {
    async markSeen(orgKey, callbackId, contractId, claim) {
      requireContractId(contractId);
      const keys = keysFor(orgKey, callbackId);
      try {
        await client.createEntity({
          ...keys,
          callbackId,
          contractId,
          seenAt: new Date().toISOString(),
          ...(claim === undefined ? {} : { claim }),
        });
        return true;
      } catch (error) {
        if (statusOf(error) !== 409) throw error;
      }
      // Seen before: by the same queued message on an earlier attempt (its retry goes on), or by another copy.
      if (claim === undefined) return false;
      const row = await getRow(client, keys.partitionKey, keys.rowKey);
      return row?.claim === claim;
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
