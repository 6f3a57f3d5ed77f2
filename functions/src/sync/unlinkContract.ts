import { randomUUID } from 'node:crypto';
import { isOneflowNotFoundError } from '../oneflow/errors';
import { withContractLease } from '../state/lease';
import type { ContractRecord } from '../state/types';
import { ContractNotDeletedError, ContractNotSyncedError } from './errors';
import { settleInterruptedRun } from './runJournal';
import { callFor, markDeletedInOneflow, type Actor, type SyncDeps } from './syncService';

export interface UnlinkResult {
  contract: ContractRecord;
  linksDropped: number;
  activityId: string;
}

/** Whether Oneflow still has the contract (a 404 says it was deleted there). */
async function existsInOneflow(deps: SyncDeps, contractId: number): Promise<boolean> {
  try {
    await deps.tenant.oneflow.getContract(contractId);
    return true;
  } catch (error) {
    if (isOneflowNotFoundError(error)) return false;
    throw error;
  }
}

/**
 * "Unlink": the record lets go of an Oneflow contract that was deleted in Oneflow, so that Create contract can
 * make it a new one. The contract row and its links are dropped here; its activity stays, by contract and by
 * record. A contract Oneflow still has is refused: unlinking it would leave a live contract that nothing syncs
 * and let a second contract be created for the same record.
 */
export async function unlinkContract(
  deps: SyncDeps,
  record: ContractRecord,
  actor: Actor,
): Promise<UnlinkResult> {
  const { store } = deps;
  const { tenantId, contractId } = record;
  // The record's users may unlink it: whoever Dynamics lets read the record (403 / 404 otherwise).
  await deps.tenant.dynamics.getMainRecord(record.mainEntity, record.recordId, callFor(actor));
  return withContractLease(
    store.leases,
    tenantId,
    contractId,
    async () => {
      let current = await store.contracts.getById(tenantId, contractId);
      if (!current) throw new ContractNotSyncedError(contractId);
      // Asked even when the contract is marked: a 404 that did not last must not let a live contract go.
      if (await existsInOneflow(deps, contractId)) {
        if (current.deletedInOneflowAt !== null)
          await store.contracts.put({ ...current, deletedInOneflowAt: null });
        throw new ContractNotDeletedError(contractId, current.mainEntity);
      }
      if (current.deletedInOneflowAt === null) {
        current = await markDeletedInOneflow(deps, current, actor, 'Unlink');
        if (!current) throw new ContractNotSyncedError(contractId);
      }
      await settleInterruptedRun(store, tenantId, contractId, true);
      const links = await store.links.list(tenantId, contractId);
      await store.links.replaceAll(tenantId, contractId, []);
      await store.contracts.delete(tenantId, contractId);
      const activityId = randomUUID();
      await store.activity.record({
        id: activityId,
        tenantId,
        contractId,
        mainEntity: current.mainEntity,
        recordId: current.recordId,
        action: 'unlink',
        outcome: 'applied',
        actor: { kind: actor.kind, id: actor.id, name: actor.name },
        at: deps.clock().toISOString(),
        message:
          `Unlinked from Oneflow contract ${contractId}, which was deleted in Oneflow ` +
          `(${links.length} line links dropped). Create contract makes a new one for this ${current.mainEntity}.`,
        summary: null,
        changes: [
          {
            lineId: null,
            productId: null,
            dynamicsField: null,
            oneflowField: null,
            side: null,
            old: `Oneflow contract ${contractId}`,
            new: null,
            rule: 'unlink',
          },
        ],
      });
      return { contract: current, linksDropped: links.length, activityId };
    },
    deps.lease,
  );
}
