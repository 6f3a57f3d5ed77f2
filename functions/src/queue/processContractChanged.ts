import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { z } from 'zod';
import type { ContractChangedMessage, Logger, Services, TenantServices } from '../services';
import { isOneflowBudgetSpentError, isOneflowRateLimitedError } from '../oneflow/errors';
import { LEASE_TTL_MS } from '../state/lease';
import type { PendingFetchState } from '../state/pendingFetchStore';
import type { ContractRecord } from '../state/store';
import { isContractDeletedError, isContractNotSyncedError } from '../sync/errors';
import { causeOf } from '../sync/runMessages';
import { runSync, type Actor } from '../sync/syncService';

const ContractChangedMessageSchema = z.object({
  id: z.string().min(1).max(200).optional(),
  tenantId: z.string().min(1),
  contractId: z.number().int().positive(),
  source: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('webhook'), callbackId: z.string(), events: z.array(z.string()) }),
    z.object({ kind: z.literal('reconcile') }),
    z.object({ kind: z.literal('follow_up'), round: z.number().int().nonnegative() }),
  ]),
  receivedAt: z.iso.datetime({ offset: true }),
}) satisfies z.ZodType<ContractChangedMessage>;

/** Retries before a message is given up (host.json `queues.maxDequeueCount`; the local runner uses the same). */
export const MAX_DEQUEUE_COUNT = 5;

/**
 * A contract synced this recently is probably amid a burst of changes (a counterparty editing, the echoes of a
 * push): its changes wait for one follow-up fetch instead of each running its own.
 */
const RECENT_SYNC_MS = 5_000;

/**
 * Seconds before a follow-up runs, by round: the first lets a burst gather; later ones back off while the contract
 * stays busy, up to a lease's lifetime (a holder that died has let go by then).
 */
const FOLLOW_UP_DELAYS_S = [1, 1, 2, 4, 8, Math.ceil(LEASE_TTL_MS / 1000)] as const;

export type ProcessOutcome =
  /** A fetch ran for it. */
  | 'fetched'
  /** A fetch that started after it already covered it, or the pending fetch it joined will. */
  | 'coalesced'
  /** It became the contract's pending fetch, and a follow-up will run it. */
  | 'deferred'
  /** The same notification (callback id) was queued before: that copy is the one processed. */
  | 'duplicate'
  | 'not_synced'
  | 'contract_deleted';

/** One queued message being processed. */
interface Work {
  services: Services;
  message: ContractChangedMessage;
  /** The message's id, kept by its retries. */
  id: string;
  /**
   * A retry may follow an attempt that cleared the contract's pending fetch, or began a fetch others counted on,
   * and then failed: it fetches on their behalf, so no earlier fetch counts as covering it.
   */
  retry: boolean;
  /** The queue's last attempt: a failure now is given up. */
  lastAttempt: boolean;
  record: ContractRecord;
  /** The contract's queued fetches, as read with the record. */
  fetches: PendingFetchState;
}

function applicationActor(services: Services): Actor {
  return { kind: 'application', id: services.config.backend.clientId, name: 'Oneflow webhook' };
}

/** Messages queued before messages had ids are known by their content (a retry has the same). */
function idOf(message: ContractChangedMessage): string {
  if (message.id !== undefined) return message.id;
  const { tenantId, contractId, source, receivedAt } = message;
  return createHash('sha256')
    .update(JSON.stringify([tenantId, contractId, source, receivedAt]))
    .digest('hex')
    .slice(0, 32);
}

const fetchedSince = (record: ContractRecord, time: string): boolean =>
  record.lastFetchStartedAt !== null && record.lastFetchStartedAt >= time;

function syncedRecently(record: ContractRecord, now: Date): boolean {
  const last = [record.lastFetchStartedAt, record.lastSyncAt]
    .filter((time): time is string => time !== null)
    .map((time) => Date.parse(time))
    .filter((time) => !Number.isNaN(time));
  return last.length > 0 && now.getTime() - Math.max(...last) < RECENT_SYNC_MS;
}

function newLeaseHolder(): string {
  return `${hostname()}/${process.pid}/${randomUUID()}`;
}

/**
 * A contract changed in Oneflow: fetch it as the application user, under the contract's lease, without ever
 * waiting for that lease. A change that arrived before a fetch of the contract began is covered by it. A
 * webhook's callback id seen before is a duplicate and dropped. When the contract is busy (or was synced a
 * moment ago), the change joins the contract's pending fetch, or asks for one with one conditional write; the
 * asker schedules a follow-up message that runs one fetch for all of them once the contract is free. A
 * failure throws, so the queue retries; on the last attempt the failure is also written to the activity for admins.
 */
export async function processContractChanged(
  services: Services,
  raw: unknown,
  dequeueCount: number,
  log: Logger,
): Promise<ProcessOutcome> {
  const parsed = ContractChangedMessageSchema.safeParse(raw);
  if (!parsed.success) {
    // Retrying cannot fix a malformed message: drop it, loudly.
    log.error('queue message is not a contract change; dropped', { problems: parsed.error.issues.length });
    return 'not_synced';
  }
  const message = parsed.data;
  const tenant = services.config.tenants.find((candidate) => candidate.tenantId === message.tenantId);
  if (!tenant) {
    log.error('queue message for a tenant not set up here; dropped', { contractId: message.contractId });
    return 'not_synced';
  }
  const { store } = services;
  const id = idOf(message);
  const { source } = message;
  // One round trip: the contract and its queued fetches.
  const [record, fetches] = await Promise.all([
    store.contracts.getById(message.tenantId, message.contractId),
    store.pendingFetches.read(message.tenantId, message.contractId),
  ]);
  if (source.kind === 'follow_up' && (!record || record.deletedInOneflowAt !== null)) {
    // Nothing left to fetch: the pending fetch goes too, so it never holds back a later change.
    await store.pendingFetches.drop(message.tenantId, message.contractId, null);
  }
  // Dropped without a write: notifications about contracts not synced here may be most of what Oneflow sends.
  if (!record) return 'not_synced';
  // Nothing more can come of a contract deleted in Oneflow (its `contract:delete` notification included).
  if (record.deletedInOneflowAt !== null) return 'contract_deleted';
  // Recorded even when a fetch covers it, so that Oneflow's later retry of it is known as a duplicate.
  if (
    source.kind === 'webhook' &&
    !(await store.callbacks.markSeen(tenant.orgKey, source.callbackId, message.contractId, id))
  ) {
    return 'duplicate';
  }
  const work: Work = {
    services,
    message,
    id,
    retry: dequeueCount > 1,
    lastAttempt: dequeueCount >= MAX_DEQUEUE_COUNT,
    record,
    fetches,
  };
  try {
    return source.kind === 'follow_up' ? await followUp(work, source.round) : await contractChanged(work);
  } catch (error) {
    // The fetch found the contract gone in Oneflow: marked and recorded by the run; nothing to retry.
    if (isContractDeletedError(error)) return 'contract_deleted';
    // Unlinked meanwhile: there is nothing left to fetch into.
    if (isContractNotSyncedError(error)) return 'not_synced';
    const detail = causeOf(error).replace(/[.\s]+$/, '');
    log.warn('contract change not processed', { contractId: message.contractId, attempt: dequeueCount });
    if (dequeueCount >= MAX_DEQUEUE_COUNT) {
      await store.activity.record({
        id: randomUUID(),
        tenantId: record.tenantId,
        contractId: record.contractId,
        mainEntity: record.mainEntity,
        recordId: record.recordId,
        action: 'webhook',
        outcome: 'failed',
        actor: applicationActor(services),
        at: services.clock().toISOString(),
        message: `Oneflow reported a change, but fetching it failed ${dequeueCount} times and was given up: ${detail}. Use Fetch updates from Oneflow once the cause is fixed.`,
        summary: null,
        changes: [],
      });
    }
    throw error;
  }
}

/**
 * A pending fetch asked for this long ago whose follow-up has not run it is taken for one whose asker died before
 * scheduling it (its retries would have scheduled it long since): the next change asks anew. A live follow-up
 * still runs; the extra one then finds nothing to do.
 */
const PENDING_FETCH_STALE_MS = 60_000;

function livePending(fetches: PendingFetchState, now: Date): PendingFetchState['pending'] {
  const { pending } = fetches;
  if (pending === null) return null;
  const since = Date.parse(pending.since);
  return Number.isNaN(since) || now.getTime() - since > PENDING_FETCH_STALE_MS ? null : pending;
}

/** Whether a queued fetch that began at or after the change covers it (it succeeds, or is retried until it does). */
const fetchBegunSince = (fetches: PendingFetchState, time: string): boolean =>
  fetches.fetchBegunAt !== null && fetches.fetchBegunAt >= time;

/**
 * A webhook's or reconciliation's change: covered already (by a fetch that ran, or one that began and is running
 * or will be retried until it is done), fetched now, or left to the contract's pending fetch.
 */
async function contractChanged(work: Work): Promise<ProcessOutcome> {
  const { services, message, record, fetches } = work;
  const covered = fetchedSince(record, message.receivedAt) || fetchBegunSince(fetches, message.receivedAt);
  if (!work.retry && covered) return 'coalesced';
  const now = services.clock();
  if (livePending(fetches, now) !== null || syncedRecently(record, now)) return pend(work, fetches);
  const holder = newLeaseHolder();
  if (!(await services.store.leases.acquire(message.tenantId, message.contractId, holder, LEASE_TTL_MS))) {
    return pend(work, fetches);
  }
  return fetchHolding(work, holder);
}

/**
 * The contract's pending fetch, once the contract is free; nothing when a fetch began meanwhile and so covered it.
 * While the contract is busy, a later round is scheduled; this message never waits.
 */
async function followUp(work: Work, round: number): Promise<ProcessOutcome> {
  const { services, message } = work;
  const { tenantId, contractId } = message;
  if (!work.retry && work.fetches.pending === null) return 'coalesced';
  const holder = newLeaseHolder();
  if (await services.store.leases.acquire(tenantId, contractId, holder, LEASE_TTL_MS)) {
    return fetchHolding(work, holder);
  }
  // A retry may have cleared the pending fetch before failing: it asks for one again (whoever owns it), so the
  // next round cannot skip it. The chain of rounds goes on either way: joining another's pending fetch would end it.
  if (work.retry) await askAgain(work, message.receivedAt);
  await scheduleFollowUp(services, message, round + 1);
  return 'deferred';
}

/** Makes sure the contract has a pending fetch (this message's, unless one is pending already). */
async function askAgain(work: Work, since: string): Promise<void> {
  const { pendingFetches } = work.services.store;
  const { tenantId, contractId } = work.message;
  const fetches = await pendingFetches.read(tenantId, contractId);
  // Losing the race to another writer is fine: a pending fetch is there either way.
  if (fetches.pending === null)
    await pendingFetches.want(tenantId, contractId, fetches, { since, owner: work.id });
}

/** How long to wait after Oneflow's own 429, which says nothing of when to come back. */
export const ONEFLOW_RATE_LIMIT_WAIT_S = 60;

/**
 * The fetch found the org's Oneflow requests used up (our budget, or Oneflow's 429): a wait, not a failure. It
 * becomes the contract's pending fetch again, with a follow-up once requests are free, so it spends no delivery
 * attempt and is never poisoned by quota. The fetch that began is withdrawn: later changes do not count on it.
 */
async function waitForQuota(work: Work, begunAt: string, error: unknown): Promise<ProcessOutcome> {
  const { services, message } = work;
  await services.store.pendingFetches.retract(message.tenantId, message.contractId, begunAt);
  await askAgain(work, begunAt);
  const delaySeconds = isOneflowBudgetSpentError(error)
    ? Math.max(1, Math.ceil(error.retryAfterMs / 1000))
    : ONEFLOW_RATE_LIMIT_WAIT_S;
  await scheduleFollowUp(services, message, 0, delaySeconds);
  return 'deferred';
}

/**
 * Holding the lease: records that a fetch begins, which also clears the contract's pending fetch (whoever joined
 * it is covered by this fetch, which reads Oneflow after), and runs the fetch as the lease's holder, so it never
 * waits. A first attempt with no pending fetch looks once more: a fetch that began after its change (for a
 * follow-up: after its pending fetch was asked for) covers it.
 */
async function fetchHolding(work: Work, holder: string): Promise<ProcessOutcome> {
  const { services, message } = work;
  const { store } = services;
  const { tenantId, contractId } = message;
  let tenant: TenantServices;
  const begunAt = services.clock().toISOString();
  try {
    tenant = services.tenant(tenantId);
    for (let attempt = 0; ; attempt++) {
      // First as read with the record: the conditional write finds out if it changed since.
      const fetches = attempt === 0 ? work.fetches : await store.pendingFetches.read(tenantId, contractId);
      // A follow-up whose pending fetch was cleared: the fetch that cleared it covers it.
      const covered = message.source.kind === 'follow_up' || fetchBegunSince(fetches, message.receivedAt);
      if (!work.retry && fetches.pending === null && covered) {
        await store.leases.release(tenantId, contractId, holder);
        return 'coalesced';
      }
      if (await store.pendingFetches.beginFetch(tenantId, contractId, fetches, begunAt)) break;
    }
  } catch (error) {
    await store.leases.release(tenantId, contractId, holder).catch(() => undefined);
    throw error;
  }
  // Should the lease have run out before the run began (someone else holds it now), the run throws and the queue
  // retries it: this run promised a fetch to whoever counted on it, and a retry always fetches.
  try {
    return await runFetch(work, tenant, holder);
  } catch (error) {
    if (isOneflowRateLimitedError(error)) return waitForQuota(work, begunAt, error);
    if (work.lastAttempt) await giveUp(work, begunAt).catch(() => undefined);
    throw error;
  }
}

/**
 * The fetch that began at `begunAt` is given up: the promise goes, so that a later change (or this message,
 * replayed from the poison queue) is not taken as covered by it. A follow-up also asks for its pending fetch again,
 * so that replaying it runs one; unreplayed, the next change after a minute asks anew.
 */
async function giveUp(work: Work, begunAt: string): Promise<void> {
  const { pendingFetches } = work.services.store;
  const { tenantId, contractId, receivedAt } = work.message;
  await pendingFetches.retract(tenantId, contractId, begunAt);
  if (work.message.source.kind !== 'follow_up') return;
  const fetches = await pendingFetches.read(tenantId, contractId);
  if (fetches.pending === null) {
    await pendingFetches.want(tenantId, contractId, fetches, { since: receivedAt, owner: work.id });
  }
}

/** The fetch itself, as the application, under the lease `holder` already holds. */
async function runFetch(work: Work, tenant: TenantServices, holder: string): Promise<ProcessOutcome> {
  const { services, record } = work;
  const { store } = services;
  const result = await runSync(
    {
      tenant,
      store,
      clock: () => services.clock(),
      // The lease is already this run's: taking it again renews it.
      lease: { holder, waitMs: 0 },
    },
    {
      record,
      action: 'fetch',
      actor: { ...applicationActor(services), self: true },
      dryRun: false,
      activityAction: 'webhook',
      // A failed attempt is retried; the last one is recorded by the caller, once.
      recordFailure: false,
    },
  );
  if (result.outcome === 'failed') {
    // Writes that failed are still to be done: throwing lets the queue retry (and, on the last attempt, tell admins).
    throw new Error(
      `${result.failures.length} writes to Dynamics failed: ${result.failures
        .slice(0, 3)
        .map((failure) => failure.message)
        .join('; ')}`,
    );
  }
  return 'fetched';
}

/**
 * Joins the contract's pending fetch, or asks for one (one conditional write). The first to ask schedules the
 * follow-up that runs it; everyone after joins without writing, and the fetch that clears the pending fetch reads
 * Oneflow after they joined, so it covers them.
 */
async function pend(work: Work, read: PendingFetchState): Promise<ProcessOutcome> {
  const { services, message, id } = work;
  const { pendingFetches } = services.store;
  const { tenantId, contractId } = message;
  let fetches = read;
  for (let attempt = 0; ; attempt++) {
    if (attempt === 10) throw new Error(`the pending fetch of contract ${contractId} kept changing`);
    if (!work.retry && fetchBegunSince(fetches, message.receivedAt)) return 'coalesced';
    const pending = livePending(fetches, services.clock());
    if (pending !== null && pending.owner !== id) return 'coalesced';
    // An earlier attempt of this same message may have asked and then stopped before scheduling.
    if (pending !== null) break;
    // When it was asked for: a pending fetch that old and still there is taken for orphaned (see livePending).
    const since = services.clock().toISOString();
    if (await pendingFetches.want(tenantId, contractId, fetches, { since, owner: id })) break;
    fetches = await pendingFetches.read(tenantId, contractId);
  }
  try {
    await scheduleFollowUp(services, message, 0);
  } catch (error) {
    // No follow-up, so no pending fetch either: the retry of this message asks again.
    await pendingFetches.drop(tenantId, contractId, id).catch(() => undefined);
    throw error;
  }
  return 'deferred';
}

async function scheduleFollowUp(
  services: Services,
  message: ContractChangedMessage,
  round: number,
  delaySeconds: number = FOLLOW_UP_DELAYS_S[Math.min(round, FOLLOW_UP_DELAYS_S.length - 1)] ?? 1,
): Promise<void> {
  await services.enqueue(
    {
      id: randomUUID(),
      tenantId: message.tenantId,
      contractId: message.contractId,
      source: { kind: 'follow_up', round },
      receivedAt: services.clock().toISOString(),
    },
    { delaySeconds },
  );
}
