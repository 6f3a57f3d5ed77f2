import { randomUUID } from 'node:crypto';
import type { DynamicsLine, EntitySettings } from '@oneflow-sync/shared';
import { withContractLease } from '../state/lease';
import { OneflowError } from '../oneflow/errors';
import type { OneflowContract } from '../oneflow/oneflowClient';
import { isPreconditionFailedError } from '../state/errors';
import type { ContractRecord, CreateIntent } from '../state/store';
import { ContractExistsError } from './errors';
import {
  callFor,
  effectiveSettings,
  runSync,
  runSyncUnless,
  type Actor,
  type SyncDeps,
  type SyncResult,
} from './syncService';

export interface CreateContractRequest {
  mainEntity: string;
  recordId: string;
  /** The Oneflow template to start from; the organisation's configured one when left out. */
  templateId?: number;
  actor: Actor;
}

export interface CreateContractResult {
  contract: ContractRecord;
  /** False when the record already had a contract: the initial transfer was re-run on it instead. */
  created: boolean;
  result: SyncResult;
}

/**
 * "Create contract": a new Oneflow contract from the tenant's template, named after the record, then the initial
 * transfer of every line. Asked again for a record that has a contract (say the first attempt died mid-way), it
 * re-runs the initial transfer on that contract: products already made are found by custom_id, never duplicated.
 */
export async function createContractFromRecord(
  deps: SyncDeps,
  request: CreateContractRequest,
): Promise<CreateContractResult> {
  // One creation per record at a time: a double click must not make two Oneflow contracts. The second request
  // waits, then finds the first one's contract.
  const subject = { mainEntity: request.mainEntity, recordId: request.recordId };
  return withContractLease(
    deps.store.leases,
    deps.tenant.config.tenantId,
    subject,
    () => createUnderRecordLease(deps, request),
    deps.lease,
  );
}

async function createUnderRecordLease(
  deps: SyncDeps,
  request: CreateContractRequest,
): Promise<CreateContractResult> {
  const { tenant, store } = deps;
  const tenantId = tenant.config.tenantId;
  // Read beside the look-up (a new contract needs them; an existing one's run reads its own).
  const settingsRead = effectiveSettings(store, tenantId, request.mainEntity);
  settingsRead.catch(() => undefined); // awaited below, unless the record already has its contract
  const earlierRead = store.createIntents.get(tenantId, request.mainEntity, request.recordId);
  earlierRead.catch(() => undefined); // awaited below
  const existing = await store.contracts.getByRecord(tenantId, request.mainEntity, request.recordId);
  if (existing) {
    // An intent left by an attempt that stored its contract but died before removing it has served its purpose.
    if ((await earlierRead.catch(() => null)) !== null) {
      await store.createIntents.remove(tenantId, request.mainEntity, request.recordId);
    }
    // Only a transfer that never completed is run again: on a synced contract it would write every field of
    // Dynamics over Oneflow's, undoing counterparty edits of two-way and sync-once fields. Checked under the lease.
    const result = await runSyncUnless(
      deps,
      { record: existing, action: 'initial_transfer', actor: request.actor, dryRun: false },
      (current) => current.lastSyncAt !== null,
    );
    if (!result) {
      throw new ContractExistsError(existing.contractId, request.mainEntity);
    }
    return { contract: existing, created: false, result };
  }
  // Settings first: an unconfigured entity must not leave an empty contract behind.
  const settings = await settingsRead;
  // Likewise a user who may not read the record or its lines (Dynamics answers 403): checked before anything
  // is created in Oneflow, so the refusal leaves no empty contract there and no contract row here.
  const { recordName } = await readRecordAndLines(deps, settings, request);
  const intent: CreateIntent = {
    tenantId,
    mainEntity: request.mainEntity,
    recordId: request.recordId,
    name: contractName(request, recordName),
    workspaceId: tenant.config.oneflow.workspaceId,
    templateId: request.templateId ?? tenant.config.oneflow.templateId,
    startedAt: deps.clock().toISOString(),
  };
  // An attempt that died between Oneflow's create and storing the contract's row left its intent: the contract
  // it made, when Oneflow has exactly one that fits, becomes the record's (a second one would stay there unlinked).
  const earlier = await earlierRead;
  const strays = earlier === null ? [] : await strayContractsOf(deps, earlier);
  const [only] = strays;
  const recordOf = (contract: OneflowContract): ContractRecord => ({
    tenantId,
    contractId: contract.id,
    mainEntity: request.mainEntity,
    recordId: request.recordId,
    recordName,
    createdAt: deps.clock().toISOString(),
    createdBy: request.actor.id,
    lastSyncAt: null,
    lastAction: null,
    lastFetchStartedAt: null,
    deletedInOneflowAt: null,
    oneflowState: contract.state,
  });
  // Stored before the transfer, so a crash in between leaves a contract the next attempt finds and completes. A
  // taken-over draft is claimed: one that another record's create linked meanwhile is never shared.
  let adopted: ContractRecord | null = null;
  if (strays.length === 1 && only !== undefined) {
    const candidate = recordOf(only);
    try {
      await store.contracts.put(candidate, { claim: true });
      adopted = candidate;
    } catch (error) {
      if (!isPreconditionFailedError(error)) throw error;
    }
  }
  let record: ContractRecord;
  let created: OneflowContract | undefined;
  if (adopted === null) {
    await store.createIntents.put(intent);
    created = await createInOneflow(deps, intent);
    record = recordOf(created);
    await store.contracts.put(record);
  } else {
    record = adopted;
  }
  // Several drafts fitted the dead attempt: named before its intent goes.
  if (earlier !== null && strays.length > 1) await recordStrays(deps, record, earlier, strays, request.actor);
  // The intent has served its purpose, removed beside the transfer. One whose removal fails does no harm: the
  // record's next create finds the contract row and removes it then.
  const intentRemoved = store.createIntents
    .remove(tenantId, request.mainEntity, request.recordId)
    .catch(() => undefined);
  const result = await runSync(deps, {
    record,
    action: 'initial_transfer',
    actor: request.actor,
    dryRun: false,
    // A contract made by this request is as Oneflow answered it; a taken-over draft has waited in Oneflow since
    // the crash, so the run reads it afresh.
    ...(created === undefined ? {} : { created }),
  });
  await intentRemoved;
  return { contract: record, created: true, result };
}

/**
 * Oneflow's create. An intent whose create Oneflow refused (a 4xx other than 429: nothing was made) is removed,
 * so a draft made by hand later can never be taken for the one it made.
 */
async function createInOneflow(deps: SyncDeps, intent: CreateIntent): Promise<OneflowContract> {
  try {
    return await deps.tenant.oneflow.createContract({
      workspace_id: intent.workspaceId,
      template_id: intent.templateId,
      name: intent.name,
    });
  } catch (error) {
    if (
      error instanceof OneflowError &&
      error.status !== null &&
      error.status < 500 &&
      error.status !== 429
    ) {
      await deps.store.createIntents
        .remove(intent.tenantId, intent.mainEntity, intent.recordId)
        .catch(() => undefined);
    }
    throw error;
  }
}

/** How many of Oneflow's newest drafts are looked through for a dead attempt's contract (two pages). */
const STRAY_SEARCH_LIMIT = 200;
/** The largest offset Oneflow's lists accept. */
const MAX_LIST_OFFSET = 19_900;
/**
 * Oneflow's clock and ours may differ, and the dead attempt's create reached Oneflow within its request's time:
 * a contract made this long before or after the intent fits it; one made outside that window is someone else's.
 */
const CREATE_WINDOW_MS = 5 * 60_000;

/**
 * The contracts a dead "Create contract" may have made, found in Oneflow from its intent: among the newest
 * drafts, those with the intent's name, workspace and template, made after the intent, linked to no record here,
 * with no product (the transfer starts only once the contract's row is stored). Exactly one is taken over; with
 * none the dead attempt never reached Oneflow; with several none can be told to be its. Custom ids are not needed
 * (Oneflow's answers may leave them out). At most three list requests, then two reads per draft of the name.
 */
async function strayContractsOf(deps: SyncDeps, intent: CreateIntent): Promise<OneflowContract[]> {
  const { oneflow } = deps.tenant;
  const since = Date.parse(intent.startedAt) - CREATE_WINDOW_MS;
  const until = Date.parse(intent.startedAt) + CREATE_WINDOW_MS;
  const head = await oneflow.listContracts({ states: ['draft'], limit: 1 });
  const drafts: OneflowContract[] = [];
  const first = Math.min(MAX_LIST_OFFSET, Math.max(0, head.count - STRAY_SEARCH_LIMIT));
  for (let offset = first; offset < head.count && offset <= MAX_LIST_OFFSET; offset += 100) {
    const page = await oneflow.listContracts({ states: ['draft'], offset });
    drafts.push(...page.data);
    if (page.data.length === 0) break;
  }
  const fits = (contract: OneflowContract): boolean => {
    const created = Date.parse(contract._private_ownerside?.created_time ?? '');
    return (
      contract.state === 'draft' &&
      contract._private?.name === intent.name &&
      contract._private.workspace_id === intent.workspaceId &&
      contract._private_ownerside?.template_id === intent.templateId &&
      Number.isFinite(created) &&
      created >= since &&
      created <= until
    );
  };
  // A list item may carry less than the contract: a draft of the intent's name (or of none) is read in full.
  const named = drafts.filter(
    (item) => item._private?.name === undefined || item._private.name === intent.name,
  );
  const found: OneflowContract[] = [];
  for (const item of named) {
    const contract = await oneflow.getContract(item.id);
    if (!fits(contract)) continue;
    if (await deps.store.contracts.getById(intent.tenantId, contract.id)) continue;
    if ((await oneflow.listProducts(contract.id)).length > 0) continue;
    found.push(contract);
  }
  return found;
}

/**
 * Several drafts fitted a dead attempt's intent and a new contract was made: an `interrupted` entry on the new
 * contract names them, so that whoever reads the record's activity can delete the one that is not needed.
 */
async function recordStrays(
  deps: SyncDeps,
  record: ContractRecord,
  intent: CreateIntent,
  strays: readonly OneflowContract[],
  actor: Actor,
): Promise<void> {
  const ids = strays.map((contract) => contract.id).join(', ');
  await deps.store.activity.record({
    id: randomUUID(),
    tenantId: record.tenantId,
    contractId: record.contractId,
    mainEntity: record.mainEntity,
    recordId: record.recordId,
    action: 'initial_transfer',
    outcome: 'interrupted',
    actor: { kind: actor.kind, id: actor.id, name: actor.name },
    at: intent.startedAt,
    message:
      `An earlier Create contract for this ${record.mainEntity} stopped before it had stored its Oneflow ` +
      `contract. Oneflow has unlinked draft contracts named "${intent.name}" made since (${ids}); one may be ` +
      `that attempt's. This ${record.mainEntity}'s contract is ${String(record.contractId)}: a draft not needed ` +
      `can be deleted in Oneflow.`,
    summary: null,
    changes: [],
  });
}

/** A new contract is named after its record; a record without a name gives its entity and id. */
export function contractName(request: CreateContractRequest, recordName: string | null): string {
  return recordName ?? `${request.mainEntity} ${request.recordId}`;
}

/**
 * The record and its lines, read at once as the caller. When both fail, the record's reason is the one to tell
 * (it is the first thing missing).
 */
export async function readRecordAndLines(
  { tenant }: SyncDeps,
  settings: EntitySettings,
  request: CreateContractRequest,
): Promise<{ recordName: string | null; lines: DynamicsLine[] }> {
  const call = callFor(request.actor);
  const [mainRead, linesRead] = await Promise.allSettled([
    tenant.dynamics.getMainRecord(request.mainEntity, request.recordId, call),
    tenant.dynamics.readLines(settings, request.recordId, call),
  ]);
  if (mainRead.status === 'rejected') throw mainRead.reason;
  if (linesRead.status === 'rejected') throw linesRead.reason;
  return { recordName: mainRead.value.name, lines: linesRead.value };
}
