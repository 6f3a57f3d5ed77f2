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
import { isOneflowNotFoundError } from '../oneflow/errors';
import type { OneflowContract } from '../oneflow/oneflowClient';
import type { TenantServices } from '../services';
import { withContractLease, type ContractLeaseOptions, type HeldLease } from '../state/lease';
import { isLeaseBusyError, LeaseBusyError } from '../state/errors';
import type {
  ActivityAction,
  ActivityChange,
  ActivityEntry,
  ContractRecord,
  StateStore,
  StoredSettings,
  SyncOutcome,
} from '../state/store';
import { applyPlan, type AppliedPlan, type ApplyTarget, type OperationFailure } from './apply';
import {
  ContractDeletedError,
  contractDeletedMessage,
  ContractLockedError,
  ContractNotSyncedError,
  isContractDeletedError,
  isSyncRefusedError,
  NotConfiguredError,
} from './errors';
import { ACTION_WORDS, causeOf, describeFailure, describeResult, type RunAction } from './runMessages';
import { settleInterruptedRun, startRunJournal, type RunJournal } from './runJournal';

export type { SyncOutcome } from '../state/store';

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
  /** The contract lease's timing (tests shorten it; the queue processor waits); the defaults otherwise. */
  lease?: ContractLeaseOptions;
}

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
  return settingsOrDefaults(mainEntity, await store.settings.get(tenantId, mainEntity));
}

function settingsOrDefaults(mainEntity: string, stored: StoredSettings | null | undefined): EntitySettings {
  const settings = stored?.settings ?? defaultSettings(mainEntity);
  if (!settings) {
    throw new NotConfiguredError(mainEntity);
  }
  return settings;
}

export interface Loaded {
  input: PlanInput;
  contractState: OneflowContract['state'];
  contractName: string | null;
}

/** The deleted-contract error for a stored contract, once it is marked. */
function deletedError(record: ContractRecord, deletedInOneflowAt: string): ContractDeletedError {
  return new ContractDeletedError({
    contractId: record.contractId,
    mainEntity: record.mainEntity,
    deletedInOneflowAt,
  });
}

/** The first failure of reads that all ran to the end, in the order given (a fixed order, not the fastest). */
function firstFailure(results: readonly PromiseSettledResult<unknown>[]): void {
  for (const result of results) if (result.status === 'rejected') throw result.reason;
}

/**
 * Both sides and the stored links, read at once: the slowest of them sets the pace, not their sum. Only the
 * Dynamics reads wait for the settings (they name the entity and fields); `settingsRead` may already be under way.
 */
async function loadInputs(
  deps: SyncDeps,
  record: ContractRecord,
  call: DynamicsCall,
  settingsRead: Promise<EntitySettings> = effectiveSettings(deps.store, record.tenantId, record.mainEntity),
  created?: OneflowContract,
): Promise<Loaded> {
  const { tenant, store } = deps;
  // A 404 for the contract itself (not for one of its products) means it was deleted in Oneflow.
  const contractRead = created
    ? Promise.resolve(created)
    : tenant.oneflow.getContract(record.contractId).catch((error: unknown) => {
        throw isOneflowNotFoundError(error) ? deletedError(record, deps.clock().toISOString()) : error;
      });
  const dynamicsRead = settingsRead.then((settings) =>
    Promise.all([
      tenant.dynamics.listAttributes(settings.productSource.entity),
      tenant.dynamics.readLines(settings, record.recordId, call),
    ]),
  );
  const linksRead = store.links.list(record.tenantId, record.contractId);
  const reads = [settingsRead, dynamicsRead, contractRead, linksRead] as const;
  // An entity that is not set up is the answer even when a remote read fails too.
  firstFailure(await Promise.allSettled(reads));
  const [settings, [attributes, lines], contract, links] = await Promise.all(reads);
  return {
    contractState: contract.state,
    contractName: contract._private?.name ?? null,
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

export function outcomeOf(plan: SyncPlan, applied: Operation[], failures: OperationFailure[]): SyncOutcome {
  if (plan.operations.some((operation) => operation.rule === 'OFF' || operation.rule === 'SETTINGS')) {
    return 'refused';
  }
  if (failures.length > 0) return 'failed';
  if (applied.length > 0) return 'applied';
  // Nothing written, but not because nothing differs: values wait for someone to fix or choose them.
  if (plan.summary.errors > 0 || plan.summary.held > 0) return 'needs_attention';
  return 'nothing_to_do';
}

/** Field-level rows of the activity entry: every value written, every value held or refused and why. */
function activityChanges(
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
  /**
   * The contract as Oneflow answered its creation in this same request (see ApplyTarget.freshContract): nobody
   * else can have touched it since, so the run plans from that answer instead of reading the contract again.
   */
  created?: OneflowContract;
  /** Replaces the planner (conflict resolution plans from the same inputs). */
  plan?: (input: PlanInput) => SyncPlan;
  activityAction?: ActivityAction;
  /**
   * False: a run that fails before its first write leaves no activity entry (the queue processor retries, and
   * records the failure itself once it gives up). Default true: every failure of a run is in the activity.
   */
  recordFailure?: boolean;
}

/**
 * One action on one contract: read both sides and the links, plan, and (unless a dry run) apply the plan, store
 * the links and bases, and record the activity entry. Applying runs under the contract's lease, so push, fetch,
 * conflict resolution and webhook processing of a contract never interleave; a dry run takes no lease
 * ({@link previewSync}).
 */
export async function runSync(deps: SyncDeps, options: RunOptions): Promise<SyncResult> {
  const result = await runSyncUnless(deps, options);
  if (!result) throw new Error('runSync: the run was skipped');
  return result;
}

/**
 * `runSync`, unless `covered` says (under the lease, from the stored contract) that the run is not needed:
 * then nothing more is read or written and the answer is null.
 */
export async function runSyncUnless(
  deps: SyncDeps,
  options: RunOptions,
  covered?: (current: ContractRecord) => boolean,
): Promise<SyncResult | null> {
  if (options.dryRun) return previewSync(deps, options);
  const { tenantId, mainEntity } = options.record;
  // Settings are not what the lease guards (an admin changes them at any time): read while the lease is taken.
  const settingsRead = effectiveSettings(deps.store, tenantId, mainEntity);
  settingsRead.catch(() => undefined); // awaited under the lease; a busy lease leaves it unread
  return withContractLease(
    deps.store.leases,
    tenantId,
    options.record.contractId,
    (lease) =>
      runUnderLease(deps, options, covered, lease, () =>
        // A lease waited for: settings read before it may be old by now.
        lease.waited ? effectiveSettings(deps.store, tenantId, mainEntity) : settingsRead,
      ),
    deps.lease,
  );
}

/** A contract named by its id, as an address names it: its row is looked up beside taking its lease. */
export interface ContractRef {
  tenantId: string;
  contractId: number;
}

/**
 * `runSync` on a contract named by id: the look-up of its row, its lease and the tenant's settings go out at once
 * (the look-up names the record and entity; the lease is taken either way; the entity's settings are among the
 * tenant's few). A contract not stored here is ContractNotSyncedError, once the lease is held.
 */
export async function runSyncOnContract(
  deps: SyncDeps,
  contract: ContractRef,
  options: Omit<RunOptions, 'record' | 'dryRun'>,
): Promise<SyncResult> {
  const { tenantId, contractId } = contract;
  const lookup = deps.store.contracts.getById(tenantId, contractId);
  const tenantSettings = deps.store.settings.listForTenant(tenantId);
  // Awaited under the lease; a busy lease leaves them unread.
  lookup.catch(() => undefined);
  tenantSettings.catch(() => undefined);
  const result = await withContractLease(
    deps.store.leases,
    tenantId,
    contractId,
    async (lease) => {
      const record = await lookup;
      if (record === null) throw new ContractNotSyncedError(contractId);
      const { mainEntity } = record;
      return runUnderLease(deps, { ...options, record, dryRun: false }, undefined, lease, () =>
        // A lease waited for: settings read before it may be old by now.
        lease.waited
          ? effectiveSettings(deps.store, tenantId, mainEntity)
          : tenantSettings.then((stored) => settingsOrDefaults(mainEntity, stored.get(mainEntity))),
      );
    },
    deps.lease,
  );
  if (!result) throw new Error('runSyncOnContract: the run was skipped');
  return result;
}

/**
 * Both sides and the links as an action would read them, for a dry run or a compare: no lease (a preview answers
 * while a run holds the contract) and no write. The one exception is a contract Oneflow answers 404 for: it is
 * marked deleted as a run would mark it, under the lease if it is free at once; when a run holds it, that run
 * meets the same 404 and marks it, so the preview never waits.
 */
export async function readForPreview(
  deps: SyncDeps,
  record: ContractRecord,
  actor: Actor,
  foundBy: string,
): Promise<Loaded> {
  if (record.deletedInOneflowAt !== null) throw deletedError(record, record.deletedInOneflowAt);
  try {
    return await loadInputs(deps, record, callFor(actor));
  } catch (error) {
    if (isContractDeletedError(error)) {
      await withContractLease(
        deps.store.leases,
        record.tenantId,
        record.contractId,
        () => markDeletedInOneflow(deps, record, actor, foundBy),
        deps.lease,
      ).catch((markError: unknown) => {
        if (!isLeaseBusyError(markError)) throw markError;
      });
    }
    throw error;
  }
}

/** A dry run: the plan exactly as it would be applied now, with the outcome it would have; writes nothing. */
export async function previewSync(
  deps: SyncDeps,
  options: Pick<RunOptions, 'record' | 'action' | 'actor' | 'plan'>,
): Promise<SyncResult> {
  const { input } = await readForPreview(deps, options.record, options.actor, ACTION_WORDS[options.action]);
  const plan = (options.plan ?? PLANNERS[options.action])(input);
  // The outcome the plan would have (`applied`: it would write), with applied: false.
  return {
    plan,
    applied: false,
    outcome: outcomeOf(plan, plan.operations.filter(isWrite), []),
    failures: [],
    activityId: null,
  };
}

/** What a run is, for its activity entries. */
interface RunContext {
  deps: SyncDeps;
  options: RunOptions;
  record: ContractRecord;
  startedAt: string;
  action: ActivityAction;
  words: RunAction;
}

function entryOf(
  run: RunContext,
  fields: Pick<ActivityEntry, 'outcome' | 'message' | 'summary' | 'changes'> & { id?: string },
): ActivityEntry {
  return {
    id: fields.id ?? randomUUID(),
    ...whoAndWhat(run),
    // The start time: the entry a run writes when it ends replaces the `running` one written before its writes.
    at: run.startedAt,
    outcome: fields.outcome,
    message: fields.message,
    summary: fields.summary,
    changes: fields.changes,
  };
}

async function runUnderLease(
  deps: SyncDeps,
  options: RunOptions,
  covered: ((current: ContractRecord) => boolean) | undefined,
  lease: HeldLease,
  settings: () => Promise<EntitySettings>,
): Promise<SyncResult | null> {
  const startedAt = deps.clock().toISOString();
  const call = callFor(options.actor);
  const recordRead = readLeasedRecord(deps, options.record);
  // A run that may turn out covered, or on a contract already known deleted, reads nothing more until it knows;
  // any other reads both sides and the links beside the contract row (a contract's identity never changes, so
  // the caller's copy names what to read).
  const readFirst = covered !== undefined || options.record.deletedInOneflowAt !== null;
  let inputsRead = readFirst ? null : loadInputs(deps, options.record, call, settings(), options.created);
  inputsRead?.catch(() => undefined); // awaited in the run, unless the contract row already ends it
  const record = await recordRead;
  if (covered?.(record)) return null;
  if (inputsRead === null || !sameRecord(record, options.record)) {
    // The settings read beside the lease are the caller's entity's; another entity's are read now.
    const sameEntity = record.mainEntity === options.record.mainEntity;
    inputsRead = loadInputs(deps, record, call, sameEntity ? settings() : undefined, options.created);
  }
  const run = runContextOf(deps, options, record, startedAt);
  const journal: RunState = { current: null, settled: false, entryId: null };
  try {
    return await planAndApply(run, lease, journal, inputsRead);
  } catch (error) {
    await settleThrownRun(run, error, journal);
    throw error;
  } finally {
    // Only once the run's final entry is stored: otherwise its row stays, and the next look at the contract
    // settles it as interrupted (an entry left `running` for good would be a lie). A row left by a failed close
    // is found later with its entry already final, and is just removed then; so the lease can go at the same
    // time (everything the next run reads is stored by now).
    if (journal.settled) {
      await Promise.all([journal.current?.close().catch(() => undefined), lease.release()]);
    }
  }
}

/** Whether two copies of a contract row name the same contract and record. */
function sameRecord(a: ContractRecord, b: ContractRecord): boolean {
  return (
    a.tenantId === b.tenantId &&
    a.contractId === b.contractId &&
    a.mainEntity === b.mainEntity &&
    a.recordId === b.recordId
  );
}

/** The stored contract as it is now that the lease is held, with any run a dead process left settled. */
async function readLeasedRecord(deps: SyncDeps, stale: ContractRecord): Promise<ContractRecord> {
  // Read again under the lease: the copy the caller read may predate an unlink (the row is gone then). We hold
  // the lease: a run row still there is a run whose process died. Its entry says so from now on.
  const [record] = await Promise.all([
    deps.store.contracts.getById(stale.tenantId, stale.contractId),
    settleInterruptedRun(deps.store, stale.tenantId, stale.contractId, true),
  ]);
  if (record === null) throw new ContractNotSyncedError(stale.contractId);
  if (record.deletedInOneflowAt !== null) throw deletedError(record, record.deletedInOneflowAt);
  return record;
}

function runContextOf(
  deps: SyncDeps,
  options: RunOptions,
  record: ContractRecord,
  startedAt: string,
): RunContext {
  const action = options.activityAction ?? options.action;
  const words = action === 'conflict_resolution' ? 'conflict_resolution' : options.action;
  return { deps, options, record, startedAt, action, words };
}

/** A run that threw: a contract found deleted is marked, and the run's failure is recorded when it is due. */
async function settleThrownRun(run: RunContext, error: unknown, journal: RunState): Promise<void> {
  if (isContractDeletedError(error)) {
    const foundBy = run.action === 'webhook' ? 'processing an Oneflow notification' : ACTION_WORDS[run.words];
    await markDeletedInOneflow(run.deps, run.record, run.options.actor, foundBy);
  }
  const due = journal.current !== null || (!isContractDeletedError(error) && !isLeaseBusyError(error));
  // A run whose final entry is stored keeps it, even when bookkeeping after it failed.
  if (due && !journal.settled) {
    journal.settled = await recordFailure(run, error, journal.current, journal.entryId);
  }
}

/** The run's journal (once it writes) and whether its final activity entry is stored. */
interface RunState {
  current: RunJournal | null;
  settled: boolean;
  /** The id of the run's final entry once stored: a failure found after it replaces that entry. */
  entryId: string | null;
}

/** Read both sides, plan, refuse what must not be written, apply, and record what happened. */
async function planAndApply(
  run: RunContext,
  lease: HeldLease,
  journal: RunState,
  inputsRead: Promise<Loaded>,
): Promise<SyncResult> {
  const call = callFor(run.options.actor);
  const { input, contractState } = await inputsRead;
  const plan = (run.options.plan ?? PLANNERS[run.options.action])(input);
  guardWrites(run.record, plan, contractState, lease);
  const runId = randomUUID();
  const result = await applyJournaled(run, { runId, plan, input, call, contractState }, lease, journal);
  return recordRun(run, { runId, plan, result, contractState, input }, journal);
}

/** Refuses a plan that must not be applied now, before anything is written. */
function guardWrites(
  record: ContractRecord,
  plan: SyncPlan,
  contractState: OneflowContract['state'],
  lease: HeldLease,
): void {
  // A signed or declined contract takes no more product writes; updating Dynamics' lines is still allowed.
  const writesOneflow = plan.operations.some(
    (operation) => operation.kind !== 'skip' && operation.kind !== 'update_line',
  );
  if (writesOneflow && (contractState === 'signed' || contractState === 'declined')) {
    throw new ContractLockedError(contractState);
  }
  // The lease ran out while reading (renewals failed, or it was taken over): another run may be writing now.
  if (lease.signal.aborted) throw new LeaseBusyError(record.tenantId, record.contractId, lease.ttlMs);
}

/** What a run applies, as it was read and planned. */
interface Planned {
  /** The id of the run's journal row and of its activity entry. */
  runId: string;
  plan: SyncPlan;
  input: PlanInput;
  call: DynamicsCall;
  /** The contract's state in Oneflow as read for the plan. */
  contractState: OneflowContract['state'];
}

/** Applies the plan; a plan that writes opens the run's journal first, so a run that dies mid-way shows as such. */
async function applyJournaled(
  run: RunContext,
  { runId, plan, input, call, contractState }: Planned,
  lease: HeldLease,
  journal: RunState,
): Promise<AppliedPlan> {
  const { deps, options } = run;
  let target: ApplyTarget = {
    oneflow: deps.tenant.oneflow,
    dynamics: deps.tenant.dynamics,
    call,
    lineEntity: input.settings.productSource.entity,
    productGroups: input.contract.productGroups,
    contractState,
    freshContract: options.created !== undefined,
    bulkDraftWrites: deps.tenant.config.oneflow.bulkDraftWrites,
    clock: deps.clock,
    signal: lease.signal,
  };
  if (plan.operations.some(isWrite)) {
    // Before the first write: if this process dies mid-way, the next look at the contract can tell.
    journal.current = await startRunJournal(
      deps.store,
      plan,
      { ...runIdentity(run, runId), holder: lease.holder },
      entryOf(run, {
        id: runId,
        outcome: 'running',
        message: `${ACTION_WORDS[run.words]}: running.`,
        summary: plan.summary,
        changes: activityChanges(plan, plan.operations.filter(isWrite), []),
      }),
    );
    target = journal.current.track(target);
  }
  return applyPlan(plan, input.links, target);
}

/**
 * Stores the links and bases (writing only what changed since they were read), the run's activity entry and,
 * unless it failed, the contract's last sync.
 */
async function recordRun(
  run: RunContext,
  {
    runId,
    plan,
    result,
    contractState,
    input: { links },
  }: Pick<Planned, 'runId' | 'plan' | 'contractState' | 'input'> & { result: AppliedPlan },
  journal: RunState,
): Promise<SyncResult> {
  const { deps, options, record } = run;
  const outcome = outcomeOf(plan, result.applied, result.failures);
  const entry = entryOf(run, {
    id: runId,
    outcome,
    message: describeResult(run.words, plan, outcome, result.failures),
    summary: plan.summary,
    changes: activityChanges(plan, result.applied, result.failures),
  });
  // The three after-writes go out at once; none needs another to have landed. A process dying among them leaves
  // the run's row (removed only after all three), so the run still reads as interrupted unless its final entry
  // landed; the links missing then are found again by the next run (products carry their line's id). The lease
  // is released only after all of them: the next run reads the links and the contract row.
  const linksWrite =
    outcome === 'refused'
      ? Promise.resolve()
      : deps.store.links.replaceAll(record.tenantId, record.contractId, result.links, links);
  const entryWrite = deps.store.activity.record(entry).then(() => {
    journal.entryId = entry.id;
  });
  // When this run read both sides: a change Oneflow records after it is still found by reconcile. A run whose
  // writes failed covers nothing: reconcile and queued notifications must still see the changes it missed.
  const contractWrite =
    outcome === 'failed'
      ? Promise.resolve()
      : deps.store.contracts.put(
          {
            ...record,
            lastSyncAt: run.startedAt,
            lastAction: options.action,
            oneflowState: contractState,
            ...(options.action === 'fetch' ? { lastFetchStartedAt: run.startedAt } : {}),
          },
          { previous: record },
        );
  const [linksStored, entryStored, contractStored] = await Promise.allSettled([
    linksWrite,
    entryWrite,
    contractWrite,
  ]);
  // Links not stored: the run failed after all (its entry is replaced by one saying so). Only the contract's
  // last sync failing leaves the final entry as it is, as when it was written last.
  journal.settled = linksStored.status === 'fulfilled' && entryStored.status === 'fulfilled';
  firstFailure([linksStored, entryStored, contractStored]);
  return { plan, applied: outcome !== 'refused', outcome, failures: result.failures, activityId: entry.id };
}

/** The contract, record, action and actor of a run: what its activity entry and its journal row both name. */
function whoAndWhat(run: RunContext) {
  const { record, options } = run;
  return {
    tenantId: record.tenantId,
    contractId: record.contractId,
    mainEntity: record.mainEntity,
    recordId: record.recordId,
    action: run.action,
    actor: { kind: options.actor.kind, id: options.actor.id, name: options.actor.name },
  };
}

function runIdentity(run: RunContext, runId: string) {
  return { runId, ...whoAndWhat(run), startedAt: run.startedAt };
}

/**
 * A run that threw: its activity entry says why, and what it had written (replacing its `running` entry). A
 * refusal of the action (the contract is signed, the entity not set up) is `refused`; anything else `failed`.
 * Recording must not hide the run's own error, so a failure to record is left at that.
 */
/** Whether the failure's entry is stored (or none is due). */
async function recordFailure(
  run: RunContext,
  error: unknown,
  journal: RunJournal | null,
  storedEntryId: string | null,
): Promise<boolean> {
  if (journal === null && storedEntryId === null && run.options.recordFailure === false) return true;
  const refused = isSyncRefusedError(error);
  const message = refused
    ? `${ACTION_WORDS[run.words]}: refused. ${error.message}`
    : describeFailure(run.words, causeOf(error), journal?.progress() ?? null);
  try {
    await run.deps.store.activity.record(
      entryOf(run, {
        ...(journal ? { id: journal.runId } : storedEntryId ? { id: storedEntryId } : {}),
        outcome: refused ? 'refused' : 'failed',
        message,
        summary: null,
        changes: [],
      }),
    );
    return true;
  } catch {
    // The run's own error is what the caller needs to see.
    return false;
  }
}

/**
 * Marks a contract deleted in Oneflow (once) and says so in the activity; `foundBy` names what found it
 * ("Push to Oneflow"). Called under the contract's lease, so
 * no run can write the contract row back from an older read.
 */
export async function markDeletedInOneflow(
  deps: SyncDeps,
  record: ContractRecord,
  actor: Actor,
  foundBy: string,
): Promise<ContractRecord | null> {
  const current = await deps.store.contracts.getById(record.tenantId, record.contractId);
  // Unlinked meanwhile: nothing is left to mark, and writing the old row back would link it again.
  if (current === null) return null;
  if (current.deletedInOneflowAt !== null) return current;
  const at = deps.clock().toISOString();
  const marked = { ...current, deletedInOneflowAt: at };
  await deps.store.contracts.put(marked);
  await deps.store.activity.record({
    id: randomUUID(),
    tenantId: record.tenantId,
    contractId: record.contractId,
    mainEntity: record.mainEntity,
    recordId: record.recordId,
    action: 'contract_deleted',
    outcome: 'applied',
    actor: { kind: actor.kind, id: actor.id, name: actor.name },
    at,
    message: `${contractDeletedMessage(record.contractId, record.mainEntity)} (Found by ${foundBy}.)`,
    summary: null,
    changes: [],
  });
  return marked;
}
