import type { Link } from '@oneflow-sync/shared';
import { isOneflowNotFoundError } from '../oneflow/errors';
import type { OneflowContract } from '../oneflow/oneflowClient';
import type { ContractRecord } from '../state/types';
import type { Logger, Services } from '../services';

/**
 * Oneflow stamps `updated_time` in whole seconds (`2020-07-06T15:14:14+0000`): a change stamped with the second
 * of the last sync may have come after it, so such a contract is fetched (a fetch that finds nothing costs a few
 * reads; a missed change would stay missed until the next one).
 */
const ONEFLOW_TIME_RESOLUTION_MS = 1000;

/**
 * Whether Oneflow's side of a contract may have changed since `lastSyncAt`. No source says a product edit moves
 * the contract's `updated_time`, so the latest time stamped on the contract, its product tables or any of their
 * products counts; and a product a link points at that is gone counts too, since a delete leaves no time behind.
 * All of it comes in the one contract read.
 */
export function changedSince(
  contract: OneflowContract,
  links: readonly Link[],
  lastSyncAt: string | null,
): boolean {
  const groups = contract.product_groups ?? [];
  const products = groups.flatMap((group) => group.products);
  const times = [
    contract.updated_time,
    ...groups.map((group) => group._private_ownerside?.updated_time),
    ...products.map((product) => product._private_ownerside?.updated_time),
  ]
    .map((time) => (time ? Date.parse(time) : Number.NaN))
    .filter((time) => !Number.isNaN(time));
  const syncedAt = lastSyncAt ? Date.parse(lastSyncAt) : Number.NEGATIVE_INFINITY;
  if (times.some((time) => time + ONEFLOW_TIME_RESOLUTION_MS > syncedAt)) return true;
  const present = new Set(products.map((product) => product.id));
  return links.some((link) => link.state === 'active' && !present.has(link.productId));
}

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
      const links = await services.store.links.list(record.tenantId, record.contractId);
      if (changedSince(contract, links, record.lastSyncAt)) await enqueue(record);
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
