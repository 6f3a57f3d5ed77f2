import { randomUUID } from 'node:crypto';
import { mapLimit } from '../state/tables';
import type { ContractRecord, StateStore } from '../state/types';

/** A contract row as the backend keeps it after a fetch that synced it at `syncedAt`. */
export function syncedContractRecord(
  tenantId: string,
  contractId: number,
  times: { createdAt: string; syncedAt: string },
  oneflowState: ContractRecord['oneflowState'] = 'draft',
): ContractRecord {
  return {
    tenantId,
    contractId,
    mainEntity: 'opportunity',
    recordId: randomUUID(),
    recordName: `Deal ${String(contractId)}`,
    createdAt: times.createdAt,
    createdBy: 'alex',
    lastSyncAt: times.syncedAt,
    lastAction: 'fetch',
    lastFetchStartedAt: times.syncedAt,
    deletedInOneflowAt: null,
    oneflowState,
  };
}

/** Writes contract rows straight to the state store, many at once (setting up thousands of stored contracts). */
export async function storeContracts(
  store: Pick<StateStore, 'contracts'>,
  records: readonly ContractRecord[],
): Promise<void> {
  await mapLimit(records, 32, (record) => store.contracts.put(record));
}
