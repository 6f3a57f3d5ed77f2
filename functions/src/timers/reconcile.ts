import { isOneflowNotFoundError } from '../oneflow/errors';
import type { ContractRecord } from '../state/types';
import type { Logger, Services } from '../services';

/**
 * Oneflow stamps `updated_time` in whole seconds (`2020-07-06T15:14:14+0000`): a change stamped with the second
 * of the last sync may have come after it, so such a contract is fetched (a fetch that finds nothing costs a few
 * reads; a missed change would stay missed until the next one).
 */
const ONEFLOW_TIME_RESOLUTION_MS = 1000;

/**
 * For setups without webhooks (or a missed one): every synced contract whose Oneflow side changed since its
 * last sync gets a fetch queued, exactly as a webhook would. Returns how many were queued.
 */
export async function reconcile(services: Services, log: Logger): Promise<number> {
  let queued = 0;
  const enqueue = async (record: ContractRecord) => {
    await services.enqueue({
      tenantId: record.tenantId,
      contractId: record.contractId,
      source: { kind: 'reconcile' },
      receivedAt: services.clock().toISOString(),
    });
    queued += 1;
  };
  for (const record of await services.store.contracts.listAll()) {
    if (!services.config.tenants.some((tenant) => tenant.tenantId === record.tenantId)) continue;
    if (record.deletedInOneflowAt !== null) continue;
    try {
      const contract = await services
        .tenant(record.tenantId)
        .oneflow.getContract(record.contractId)
        .catch((error: unknown) => {
          if (isOneflowNotFoundError(error)) return null;
          throw error;
        });
      // Gone from Oneflow: the queued fetch finds it so under the contract's lease, and marks it deleted there.
      if (contract === null) {
        await enqueue(record);
        continue;
      }
      const changedAt = contract.updated_time ? Date.parse(contract.updated_time) : Number.NaN;
      const syncedAt = record.lastSyncAt ? Date.parse(record.lastSyncAt) : Number.NEGATIVE_INFINITY;
      if (!(changedAt + ONEFLOW_TIME_RESOLUTION_MS > syncedAt)) continue;
      await enqueue(record);
    } catch (error) {
      // One contract's trouble (Oneflow unreachable for it, say) must not stop the others.
      log.warn('reconcile skipped a contract', {
        contractId: record.contractId,
        error: error instanceof Error ? error.name : 'unknown',
      });
    }
  }
  return queued;
}
