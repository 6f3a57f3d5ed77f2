import { z } from 'zod';
import {
  ACTIVITY_ACTIONS,
  ActivityActorSchema,
  ContractRecordSchema as ContractRecordSchemaOfApi,
  type ActivityAction,
  type ActivityActor,
  type ActivityEntry,
  type ActivityOutcome,
  type EntitySettings,
  type Link,
} from '@oneflow-sync/shared';
import type { Page, PageRequest } from './paging';
import type { PendingFetchStore } from './pendingFetchStore';

/** What the state store keeps, with the zod schemas rows are checked against when read back. */

const IsoTime = z.iso.datetime({ offset: true });

export interface StoredSettings {
  settings: EntitySettings;
  etag: string;
  updatedAt: string;
  updatedBy: string;
}

export type ContractRecord = z.infer<typeof ContractRecordSchemaOfApi>;

/** Rows written before these columns existed read as null. */
export const ContractRecordSchema = ContractRecordSchemaOfApi.extend({
  lastFetchStartedAt: IsoTime.nullable().default(null),
  deletedInOneflowAt: IsoTime.nullable().default(null),
  oneflowState: ContractRecordSchemaOfApi.shape.oneflowState.default(null),
});

export {
  ActivityChangesSchema,
  ActivityHeaderSchema,
  type ActivityAction,
  type ActivityChange,
  type ActivityEntry,
  type ActivityOutcome,
  type SyncOutcome,
} from '@oneflow-sync/shared';

export interface LinkSearchQuery {
  contractId?: number;
  /** A line id (case-insensitive, exact or prefix) or an Oneflow product id (exact). */
  q?: string;
  /** At most this many links (default 100, at most 5000); an export should ask for the maximum. */
  limit?: number;
}

export interface SettingsStore {
  get(tenantId: string, mainEntity: string): Promise<StoredSettings | null>;
  /** Every main entity's stored settings of one tenant, by main entity (one request). */
  listForTenant(tenantId: string): Promise<Map<string, StoredSettings>>;
  /** `ifMatch`: the etag the writer read, or null for "must not exist yet"; a mismatch throws PreconditionFailedError. */
  put(
    tenantId: string,
    mainEntity: string,
    settings: EntitySettings,
    ifMatch: string | null,
    updatedBy: string,
  ): Promise<StoredSettings>;
  delete(tenantId: string, mainEntity: string, ifMatch: string): Promise<void>;
}

export interface ContractStore {
  getByRecord(tenantId: string, mainEntity: string, recordId: string): Promise<ContractRecord | null>;
  getById(tenantId: string, contractId: number): Promise<ContractRecord | null>;
  /**
   * Upsert; both lookups stay consistent (a record's previous contract no longer resolves to it). `previous`: the
   * contract as read under its lease (nobody else writes it meanwhile), which spares reading its rows again.
   */
  /**
   * `claim`: the contract must be linked to no record yet (a contract made or taken over by Create contract): a
   * row for it, already there or written meanwhile, fails the write with a PreconditionFailedError ('exists').
   */
  put(record: ContractRecord, options?: { previous?: ContractRecord; claim?: boolean }): Promise<void>;
  /** Every contract of one tenant, or of all tenants (reconciliation timer). */
  listAll(tenantId?: string): Promise<ContractRecord[]>;
  /** Forgets the contract (both lookups); false when it was not stored. */
  delete(tenantId: string, contractId: number): Promise<boolean>;
}

export interface LinkStore {
  list(tenantId: string, contractId: number): Promise<Link[]>;
  /**
   * Makes the contract's links exactly `links` (rows not in `links` are deleted), writing only what differs.
   * `previous`: the contract's links as read under its lease, which no one else writes meanwhile (saves reading
   * them again); without it they are read first.
   */
  replaceAll(tenantId: string, contractId: number, links: Link[], previous?: readonly Link[]): Promise<void>;
  get(tenantId: string, contractId: number, lineId: string): Promise<Link | null>;
  put(tenantId: string, link: Link): Promise<void>;
  delete(tenantId: string, contractId: number, lineId: string): Promise<boolean>;
  search(tenantId: string, query: LinkSearchQuery): Promise<Link[]>;
  /**
   * One page of a search (`query.limit` is ignored: the request's limit applies), in the table's key order:
   * by contract (tenant-wide), by line id (one contract), or index order (a search by `q`).
   */
  searchPage(tenantId: string, query: LinkSearchQuery, page: PageRequest): Promise<Page<Link>>;
}

export interface ActivityFilter {
  contractId?: number;
  recordId?: string;
  /** Only entries with this outcome (listPage only). */
  outcome?: ActivityOutcome;
  /** Default 50, at most 1000. */
  limit?: number;
}

export interface ActivityStore {
  /**
   * Writes the entry; an entry with the same id and time replaces it (a run's start row, then its end).
   * `listedAfter`: the entry is not listed (its headers are not written) before this settles, nor at all if it
   * fails; its change rows, which nothing lists on their own, are written meanwhile.
   */
  record(entry: ActivityEntry, options?: { listedAfter?: Promise<unknown> }): Promise<void>;
  /** One entry of a contract by its time and id, or null. */
  get(tenantId: string, contractId: number, at: string, id: string): Promise<ActivityEntry | null>;
  /** Newest first. */
  list(tenantId: string, filter: ActivityFilter): Promise<ActivityEntry[]>;
  /** One page of the same listing, newest first (`filter.limit` is ignored: the request's limit applies). */
  listPage(tenantId: string, filter: ActivityFilter, page: PageRequest): Promise<Page<ActivityEntry>>;
  /** All tenants; returns how many entries were deleted. */
  deleteOlderThan(cutoff: Date): Promise<number>;
}

export interface CallbackStore {
  /**
   * True the first time a callback id is seen for this org key, false after (atomic). With `claim` (the id of the
   * queued message that saw it), true again for that same claim: a retry of the message is not its own duplicate.
   */
  markSeen(orgKey: string, callbackId: string, contractId: number, claim?: string): Promise<boolean>;
  deleteOlderThan(cutoff: Date): Promise<number>;
}

/** What a lease guards: a contract (by id), or a record while its first contract is being created. */
export type LeaseSubject = number | { mainEntity: string; recordId: string };

/** Who holds a lease and until when (it may have expired already). */
interface LeaseHolding {
  holder: string;
  expiresAt: string;
}

export interface LeaseStore {
  /** Create if absent; take over only when expired; re-entrant for the same holder (extends). */
  acquire(tenantId: string, subject: LeaseSubject, holder: string, ttlMs: number): Promise<boolean>;
  /** Only if still held by `holder`. */
  release(tenantId: string, subject: LeaseSubject, holder: string): Promise<void>;
  /** The lease row as stored (null when nobody holds it); an unreadable row reads as already expired. */
  holding(tenantId: string, subject: LeaseSubject): Promise<LeaseHolding | null>;
}

/**
 * A run that is writing, kept from before its first write until it ends: if its process dies, this row (and the
 * lease it named running out) is how the next look at the contract knows the run was interrupted, and what it
 * had written by then.
 */
export interface RunRecord {
  /** Also the id of the run's activity entry. */
  runId: string;
  tenantId: string;
  contractId: number;
  mainEntity: string;
  recordId: string;
  action: ActivityAction;
  actor: ActivityActor;
  /** Also the time of the run's activity entry. */
  startedAt: string;
  /** The lease holder the run ran under. */
  holder: string;
  /** Lines the plan writes to (Oneflow products or Dynamics lines), in plan order. */
  planned: string[];
  /** Those whose writes the services confirmed so far. */
  written: string[];
}

const LineIds = z.array(z.string().min(1));

export const RunRecordSchema: z.ZodType<RunRecord> = z.object({
  runId: z.string().min(1),
  tenantId: z.string().min(1),
  contractId: z.number().int(),
  mainEntity: z.string().min(1),
  recordId: z.string().min(1),
  action: z.enum(ACTIVITY_ACTIONS),
  actor: ActivityActorSchema,
  startedAt: IsoTime,
  holder: z.string().min(1),
  planned: LineIds,
  written: LineIds,
});

export interface RunStore {
  /** Records a run before its first write (replacing a row left by an earlier run of the contract). */
  start(run: RunRecord): Promise<void>;
  /** The lines written so far; ignored once the run's row is gone or belongs to another run. */
  progress(tenantId: string, contractId: number, runId: string, written: readonly string[]): Promise<void>;
  /** Removes the run's row (only its own). */
  finish(tenantId: string, contractId: number, runId: string): Promise<void>;
  get(tenantId: string, contractId: number): Promise<RunRecord | null>;
  /** Runs on a record's contracts (the activity list by record). */
  listByRecord(tenantId: string, recordId: string): Promise<RunRecord[]>;
}

/** Reconciliation's rotation: when it last read each contract of a tenant in full. */
export interface ReconcileCheckStore {
  /** Contract id → when it was last read in full (ISO time). */
  list(tenantId: string): Promise<Map<number, string>>;
  record(tenantId: string, checks: readonly { contractId: number; checkedAt: string }[]): Promise<void>;
  /** Drops the rows of contracts no longer stored. */
  forget(tenantId: string, contractIds: readonly number[]): Promise<void>;
}

/**
 * A "Create contract" about to ask Oneflow for a contract: what identifies the contract it makes (Oneflow's
 * create takes no key a retry could send again), kept until the contract's row is stored.
 */
export interface CreateIntent {
  tenantId: string;
  mainEntity: string;
  recordId: string;
  /** The contract's name, workspace and template as sent to Oneflow. */
  name: string;
  workspaceId: number;
  templateId: number;
  /** Just before Oneflow's create was sent (ISO time). */
  startedAt: string;
}

export const CreateIntentSchema: z.ZodType<CreateIntent> = z.object({
  tenantId: z.string().min(1),
  mainEntity: z.string().min(1),
  recordId: z.string().min(1),
  name: z.string(),
  workspaceId: z.number().int(),
  templateId: z.number().int(),
  startedAt: IsoTime,
});

export interface CreateIntentStore {
  /** Records the intent (replacing an older one of the record). */
  put(intent: CreateIntent): Promise<void>;
  get(tenantId: string, mainEntity: string, recordId: string): Promise<CreateIntent | null>;
  /** Removes the record's intent; nothing when there is none. */
  remove(tenantId: string, mainEntity: string, recordId: string): Promise<void>;
}

export interface StateStore {
  settings: SettingsStore;
  contracts: ContractStore;
  links: LinkStore;
  activity: ActivityStore;
  callbacks: CallbackStore;
  leases: LeaseStore;
  runs: RunStore;
  pendingFetches: PendingFetchStore;
  reconcileChecks: ReconcileCheckStore;
  createIntents: CreateIntentStore;
}
