import { ContractAnswerSchema, ContractQuerySchema, type ContractAnswer } from '@oneflow-sync/shared';
import { ok, readQuery } from '../http/api';
import { notFound } from '../http/errors';
import { signedInRoute } from '../http/route';
import { isOneflowNotFoundError } from '../oneflow/errors';
import type { TenantServices } from '../services';
import type { ActivityAction, ActivityEntry, StateStore } from '../state/store';
import { contractDeletedMessage } from '../sync/errors';
import { settleInterruptedRun } from '../sync/runJournal';

/** The activity actions that are runs of product sync (not link edits, deletions found or unlinks). */
const SYNC_RUN_ACTIONS: ReadonlySet<ActivityAction> = new Set([
  'initial_transfer',
  'push',
  'fetch',
  'webhook',
  'conflict_resolution',
]);

/** How far back the last sync run is looked for: entries between runs (link edits, unlinks) are rare. */
const LAST_SYNC_LOOKBACK = 20;

type OneflowState = NonNullable<ContractAnswer['oneflow']>;

/** The contract as Oneflow has it now (one request); null when Oneflow answers 404 (deleted there). */
async function oneflowState(tenant: TenantServices, contractId: number): Promise<OneflowState | null> {
  try {
    const contract = await tenant.oneflow.getContract(contractId);
    return {
      state: contract.state,
      name: contract._private?.name ?? null,
      stateUpdatedAt: contract.state_updated_time ?? null,
    };
  } catch (error) {
    if (isOneflowNotFoundError(error)) return null;
    throw error;
  }
}

/** The newest sync run: usually the latest entry itself, so the older ones are read only when it is not one. */
async function lastSyncRun(
  store: StateStore,
  tenantId: string,
  contractId: number,
  latest: ActivityEntry | undefined,
): Promise<ActivityEntry | null> {
  if (latest === undefined) return null;
  if (SYNC_RUN_ACTIONS.has(latest.action)) return latest;
  const recent = await store.activity.list(tenantId, { contractId, limit: LAST_SYNC_LOOKBACK });
  return recent.find((entry) => SYNC_RUN_ACTIONS.has(entry.action)) ?? null;
}

/**
 * The record's Oneflow contract, if it has one: its state and name in Oneflow (one request to Oneflow, none once
 * the contract is known to be deleted there), whether it still exists (with what to do when it does not), how many
 * of its lines are linked, its last sync run and its latest activity. Writes nothing to Oneflow or Dynamics.
 */
export default signedInRoute(
  'user',
  { name: 'contractsGet', methods: ['GET'], route: 'contracts' },
  async ({ request, services, principal, tenant }) => {
    const query = readQuery(request, ContractQuerySchema);
    const { store } = services;
    const tenantId = principal.tenantId;
    const contract = await store.contracts.getByRecord(tenantId, query.entity, query.recordId);
    if (!contract) throw notFound(`This ${query.entity} has no Oneflow contract yet`);
    // A run of this contract that died shows as interrupted from the first look at it.
    await settleInterruptedRun(store, tenantId, contract.contractId, false);
    const markedDeleted = contract.deletedInOneflowAt !== null;
    const [links, [latest, lastSync], oneflow] = await Promise.all([
      store.links.list(tenantId, contract.contractId),
      store.activity
        .list(tenantId, { contractId: contract.contractId, limit: 1 })
        .then(
          async ([entry]) => [entry, await lastSyncRun(store, tenantId, contract.contractId, entry)] as const,
        ),
      markedDeleted ? Promise.resolve(null) : oneflowState(tenant, contract.contractId),
    ]);
    // Oneflow's 404 is told as it is; the contract is marked by the next action or the unlink (a read writes nothing).
    const deleted = markedDeleted || oneflow === null;
    return ok(ContractAnswerSchema, {
      contract,
      status: deleted ? 'deleted_in_oneflow' : 'linked',
      message: deleted ? contractDeletedMessage(contract.contractId, contract.mainEntity) : null,
      oneflow,
      links: {
        active: links.filter((link) => link.state === 'active').length,
        deletedInOneflow: links.filter((link) => link.state === 'deleted_in_oneflow').length,
      },
      lastSync: lastSync
        ? {
            activityId: lastSync.id,
            at: lastSync.at,
            action: lastSync.action,
            outcome: lastSync.outcome,
            actor: lastSync.actor,
          }
        : null,
      lastActivity: latest
        ? {
            id: latest.id,
            action: latest.action,
            outcome: latest.outcome,
            at: latest.at,
            message: latest.message,
          }
        : null,
    });
  },
);
