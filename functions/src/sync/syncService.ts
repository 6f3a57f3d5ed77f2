import { randomUUID } from 'node:crypto';
import {
  defaultSettings,
  isWrite,
  planFetch,
  planInitialTransfer,
  planPush,
  type EntitySettings,
  type Operation,
  type PlanInput,
  type SyncAction,
  type SyncPlan,
} from '@oneflow-sync/shared';
import type { DynamicsCall } from '../dataverse/dynamicsGateway';
import { ApiError } from '../http/errors';
import type { TenantServices } from '../services';
import { withContractLease, type ContractLeaseOptions, type HeldLease } from '../state/lease';
import { LeaseBusyError } from '../state/errors';
import type { ActivityChange, ActivityEntry, ContractRecord, StateStore } from '../state/store';
import { applyPlan, type OperationFailure } from './apply';

/** Who an action runs for: a signed-in person (their Dynamics privileges apply) or the app itself (webhooks). */
export interface Actor {
  kind: 'user' | 'application';
  id: string;
  name: string | null;
  /** The backend itself (webhooks, timers): Dataverse calls run as its application user, impersonating no one. */
  self?: true;
}

export interface SyncDeps {
  tenant: TenantServices;
  store: StateStore;
  clock: () => Date;
  /** The contract lease's timing (tests shorten it); the defaults otherwise. */
  lease?: ContractLeaseOptions;
}

export type SyncOutcome = ActivityEntry['outcome'];

export interface SyncResult {
  plan: SyncPlan;
  /** False for a dry run or a refused action (toggle off, invalid settings): nothing was written anywhere. */
  applied: boolean;
  outcome: SyncOutcome;
  failures: OperationFailure[];
  activityId: string | null;
}

export function callFor(actor: Actor): DynamicsCall {
  // Callers with a token (people, or automation apps with their own Dataverse application user) act with their
  // own privileges; only the backend's own runs use the product's application user.
  return actor.self ? {} : { callerObjectId: actor.id };
}

/** The admin's settings for a main entity, or the product's defaults for the built-in ones. */
export async function effectiveSettings(
  store: StateStore,
  tenantId: string,
  mainEntity: string,
): Promise<EntitySettings> {
  const stored = await store.settings.get(tenantId, mainEntity);
  const settings = stored?.settings ?? defaultSettings(mainEntity);
  if (!settings) {
    throw new ApiError(
      409,
      'not_configured',
      `Product sync is not set up for ${mainEntity}: an admin has to pick its product source and mappings first`,
    );
  }
  return settings;
}

interface Loaded {
  input: PlanInput;
  contractState: string;
}

async function loadInputs(deps: SyncDeps, record: ContractRecord, call: DynamicsCall): Promise<Loaded> {
  const { tenant, store } = deps;
  const settings = await effectiveSettings(store, record.tenantId, record.mainEntity);
  // Both sides and our own state are read at once: the slowest of them sets the pace, not their sum.
  const [attributes, lines, contract, links] = await Promise.all([
    tenant.dynamics.listAttributes(settings.productSource.entity),
    tenant.dynamics.readLines(settings, record.recordId, call),
    tenant.oneflow.getContract(record.contractId),
    store.links.list(record.tenantId, record.contractId),
  ]);
  return {
    contractState: contract.state,
    input: {
      settings,
      attributes,
      lines,
      contract: { id: record.contractId, productGroups: contract.product_groups ?? [] },
      links,
      clock: deps.clock,
    },
  };
}

const PLANNERS = { initial_transfer: planInitialTransfer, push: planPush, fetch: planFetch } as const;

function outcomeOf(plan: SyncPlan, applied: Operation[], failures: OperationFailure[]): SyncOutcome {
  if (plan.operations.some((operation) => operation.rule === 'OFF' || operation.rule === 'SETTINGS')) {
    return 'refused';
  }
  if (failures.length > 0) return 'failed';
  return applied.length > 0 ? 'applied' : 'nothing_to_do';
}

const ACTION_WORDS: Record<SyncAction | 'conflict_resolution', string> = {
  initial_transfer: 'Create contract',
  push: 'Push to Oneflow',
  fetch: 'Fetch from Oneflow',
  conflict_resolution: 'Conflict resolution',
};

function describe(
  action: SyncAction | 'conflict_resolution',
  plan: SyncPlan,
  outcome: SyncOutcome,
  failures: OperationFailure[],
): string {
  const { summary } = plan;
  const parts = [
    `${summary.productsCreated} products created`,
    `${summary.productsUpdated} updated`,
    `${summary.productsDeleted} deleted`,
    `${summary.linesUpdated} lines updated`,
  ];
  if (summary.held > 0) parts.push(`${summary.held} values held for review`);
  if (outcome === 'refused') {
    const refusal = plan.operations.find(
      (operation) => operation.rule === 'OFF' || operation.rule === 'SETTINGS',
    );
    return `${ACTION_WORDS[action]}: refused. ${refusal?.reason ?? ''}`.trim();
  }
  if (failures.length > 0) {
    return `${ACTION_WORDS[action]}: ${failures.length} writes failed and stay pending (${failures
      .slice(0, 3)
      .map((failure) => failure.message)
      .join('; ')}). Planned: ${parts.join(', ')}.`;
  }
  if (outcome === 'nothing_to_do') return `${ACTION_WORDS[action]}: nothing to change.`;
  return `${ACTION_WORDS[action]}: ${parts.join(', ')}.`;
}

/** Field-level rows of the activity entry: every value written, every value held or refused and why. */
export function activityChanges(
  plan: SyncPlan,
  applied: Operation[],
  failures: OperationFailure[],
): ActivityChange[] {
  const done = new Set(applied);
  const rows: ActivityChange[] = [];
  for (const operation of plan.operations) {
    const productId = 'productId' in operation ? operation.productId : null;
    if ('changes' in operation && done.has(operation)) {
      for (const change of operation.changes) {
        rows.push({
          lineId: operation.lineId,
          productId,
          dynamicsField: change.dynamicsField,
          oneflowField: change.oneflowField,
          side: change.side,
          old: change.old,
          new: change.new,
          rule: operation.rule,
          ...(change.conflict ? { note: 'Overwrote a change made on both sides since the last sync' } : {}),
        });
      }
    }
    if (operation.kind === 'delete_product' && done.has(operation)) {
      rows.push({
        ...emptyRow(operation.lineId, productId, operation.rule),
        side: 'oneflow',
        note: operation.reason,
      });
    }
    if (operation.kind === 'skip' && operation.notes.length === 0 && !isWrite(operation)) {
      rows.push({ ...emptyRow(operation.lineId, productId, operation.rule), note: operation.reason });
    }
    for (const note of operation.notes) {
      rows.push({
        ...emptyRow(operation.lineId, productId, note.rule),
        dynamicsField: note.dynamicsField,
        oneflowField: note.oneflowField,
        note: note.reason,
      });
    }
  }
  for (const failure of failures) {
    rows.push({
      ...emptyRow(failure.lineId, failure.productId, 'failed'),
      note: `Not written: ${failure.message}`,
    });
  }
  return rows;
}

function emptyRow(lineId: string | null, productId: number | null, rule: string): ActivityChange {
  return {
    lineId,
    productId,
    dynamicsField: null,
    oneflowField: null,
    side: null,
    old: null,
    new: null,
    rule,
  };
}

export interface RunOptions {
  record: ContractRecord;
  action: SyncAction;
  actor: Actor;
  dryRun: boolean;
  /** Set when the contract was created in this same request (see ApplyTarget.freshContract). */
  freshContract?: boolean;
  /** Replaces the planner (conflict resolution plans from the same inputs). */
  plan?: (input: PlanInput) => SyncPlan;
  activityAction?: ActivityEntry['action'];
}

/**
 * One action on one contract: read both sides and the links, plan, and (unless a dry run) apply the plan, store
 * the links and bases, and record the activity entry. Runs under the contract's lease, so push, fetch, conflict
 * resolution and webhook processing of a contract never interleave.
 */
export async function runSync(deps: SyncDeps, options: RunOptions): Promise<SyncResult> {
  const result = await runSyncUnless(deps, options, () => false);
  if (!result) throw new Error('runSync: the run was skipped');
  return result;
}

/**
 * `runSync`, unless `covered` says (under the lease, from the stored contract) that the run is not needed:
 * then nothing is read or written and the answer is null.
 */
export async function runSyncUnless(
  deps: SyncDeps,
  options: RunOptions,
  covered: (current: ContractRecord) => boolean,
): Promise<SyncResult | null> {
  const { actor } = options;
  const run = async ({ signal }: HeldLease): Promise<SyncResult | null> => {
    const startedAt = deps.clock().toISOString();
    const record =
      (await deps.store.contracts.getById(options.record.tenantId, options.record.contractId)) ??
      options.record;
    if (covered(record)) return null;
    const call = callFor(actor);
    const { input, contractState } = await loadInputs(deps, record, call);
    const plan = (options.plan ?? PLANNERS[options.action])(input);
    if (options.dryRun) {
      // The outcome the plan would have (`applied`: it would write), with applied: false.
      const wouldWrite = plan.operations.filter(isWrite);
      return {
        plan,
        applied: false,
        outcome: outcomeOf(plan, wouldWrite, []),
        failures: [],
        activityId: null,
      };
    }
    if (plan.operations.some((operation) => operation.kind !== 'skip' && operation.kind !== 'update_line')) {
      if (contractState === 'signed' || contractState === 'declined') {
        throw new ApiError(
          409,
          'contract_locked',
          `The Oneflow contract is ${contractState}; its products can no longer be changed`,
        );
      }
    }
    // The lease ran out while reading (renewals failed, or it was taken over): another run may be writing now.
    if (signal.aborted) throw new LeaseBusyError(record.tenantId, record.contractId, 0);
    const result = await applyPlan(plan, input.links, {
      oneflow: deps.tenant.oneflow,
      dynamics: deps.tenant.dynamics,
      call,
      lineEntity: input.settings.productSource.entity,
      productGroups: input.contract.productGroups,
      freshContract: options.freshContract ?? false,
      clock: deps.clock,
    });
    const outcome = outcomeOf(plan, result.applied, result.failures);
    if (outcome !== 'refused')
      await deps.store.links.replaceAll(record.tenantId, record.contractId, result.links);
    const action = options.activityAction ?? options.action;
    const entry: ActivityEntry = {
      id: randomUUID(),
      tenantId: record.tenantId,
      contractId: record.contractId,
      mainEntity: record.mainEntity,
      recordId: record.recordId,
      action,
      outcome,
      actor: { kind: actor.kind, id: actor.id, name: actor.name },
      at: deps.clock().toISOString(),
      message: describe(
        action === 'webhook' || action === 'link_edit' ? 'fetch' : action,
        plan,
        outcome,
        result.failures,
      ),
      summary: plan.summary,
      changes: activityChanges(plan, result.applied, result.failures),
    };
    await deps.store.activity.record(entry);
    // When this run read both sides: a change Oneflow records after it is still found by reconcile. A run whose
    // writes failed covers nothing: reconcile and queued notifications must still see the changes it missed.
    if (outcome !== 'failed') {
      await deps.store.contracts.put({
        ...record,
        lastSyncAt: startedAt,
        lastAction: options.action,
        ...(options.action === 'fetch' ? { lastFetchStartedAt: startedAt } : {}),
      });
    }
    return { plan, applied: outcome !== 'refused', outcome, failures: result.failures, activityId: entry.id };
  };
  return withContractLease(
    deps.store.leases,
    options.record.tenantId,
    options.record.contractId,
    run,
    deps.lease,
  );
}
