import type { TableClient, TransactionAction } from '@azure/data-tables';
import { z } from 'zod';
import { StateInputError } from './errors';
import { key, requireContractId, requireId } from './keys';
import { deleteRows, parseStored, partitionFilter, queryRows, submitActions } from './tables';
import type { ReconcileCheckStore } from './types';

/**
 * When reconciliation last read each contract in full: PartitionKey `<tenantId>`, RowKey `<contractId>`, column
 * `checkedAt`. One small row per contract, so a run reads a tenant's rotation in one query and writes only the
 * rows of the contracts it read (in entity group transactions of up to 100).
 */

const TABLE = 'reconcile checks';
const IsoTime = z.iso.datetime({ offset: true });
const RowSchema = z.object({ contractId: z.number().int(), checkedAt: IsoTime });

export function createReconcileCheckStore(client: TableClient): ReconcileCheckStore {
  const partitionOf = (tenantId: string) => key(requireId('tenantId', tenantId));

  return {
    async list(tenantId) {
      const rows = await queryRows(client, partitionFilter(partitionOf(tenantId)), {
        select: ['PartitionKey', 'RowKey', 'contractId', 'checkedAt'],
      });
      const checks = new Map<number, string>();
      for (const row of rows) {
        const { contractId, checkedAt } = parseStored(RowSchema, row, TABLE, row);
        checks.set(contractId, checkedAt);
      }
      return checks;
    },

    async record(tenantId, checks) {
      const partitionKey = partitionOf(tenantId);
      const actions = checks.map(({ contractId, checkedAt }): TransactionAction => {
        if (!IsoTime.safeParse(checkedAt).success) {
          throw new StateInputError(`checkedAt must be an ISO time, got '${checkedAt}'`);
        }
        return [
          'upsert',
          { partitionKey, rowKey: key(requireContractId(contractId)), contractId, checkedAt },
          'Replace',
        ];
      });
      await submitActions(client, actions);
    },

    async forget(tenantId, contractIds) {
      const partitionKey = partitionOf(tenantId);
      await deleteRows(
        client,
        contractIds.map((contractId) => ({ partitionKey, rowKey: key(requireContractId(contractId)) })),
      );
    },
  };
}
