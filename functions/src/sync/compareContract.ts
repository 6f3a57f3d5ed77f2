import { compareContract, type CompareAnswer } from '@oneflow-sync/shared';
import type { ContractRecord } from '../state/store';
import { readForPreview, type Actor, type SyncDeps } from './syncService';

/**
 * Both sides' current values, the bases and a status per field, from the same reads and plans a push and a fetch
 * would make now. Takes no lease and writes nothing, so a widget can show it while a run holds the contract.
 */
export async function compareSyncedContract(
  deps: SyncDeps,
  record: ContractRecord,
  actor: Actor,
): Promise<CompareAnswer> {
  const { input, contractState, contractName } = await readForPreview(deps, record, actor, 'Compare');
  return compareContract(input, {
    contract: { state: contractState, name: contractName },
    recordId: record.recordId,
  });
}
