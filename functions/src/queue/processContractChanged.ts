import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { z } from 'zod';
import type { ContractChangedMessage, Logger, Services, TenantServices } from '../services';
import { isLeaseBusyError } from '../state/errors';
import { LEASE_TTL_MS } from '../state/lease';
import type { ContractRecord } from '../state/store';
import { isContractDeletedError, isContractNotSyncedError } from '../sync/errors';
import { causeOf } from '../sync/runMessages';
import { runSyncUnless, type Actor } from '../sync/syncService';

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
export const RECENT_SYNC_MS = 5_000;

/**
 * Seconds before a follow-up runs, by round: the first lets a burst gather; later ones back off while the contract
 * stays busy, up to a lease's lifetime (a holder that died has let go by then).
 */
export const FOLLOW_UP_DELAYS_S = [1, 1, 2, 4, 8, Math.ceil(LEASE_TTL_MS / 1000)] as const;

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
   * A retry may follow an attempt that took the contract's pending fetch and then failed: it fetches on behalf of
   * everyone that pending fetch stood for, so no earlier fetch counts as covering it.
   */
  retry: boolean;
  record: ContractRecord;
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
 * moment ago), the change is recorded as the contract's pending fetch with one conditional write, and the first
 * to record it schedules a follow-up message that runs one fetch for all of them once the contract is free. A
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
  const [record, first] = await Promise.all([
    store.contracts.getById(message.tenantId, message.contractId),
    source.kind === 'webhook'
      ? store.callbacks.markSeen(tenant.orgKey, source.callbackId, message.contractId, id)
      : Promise.resolve(true),
  ]);
  if (source.kind === 'follow_up' && (!record || record.deletedInOneflowAt !== null)) {
    // Nothing left to fetch: the pending fetch goes too, so it never holds back a later change.
    await store.pendingFetches.take(message.tenantId, message.contractId);
  }
  if (!record) return 'not_synced';
  // Nothing more can come of a contract deleted in Oneflow (its `contract:delete` notification included).
  if (record.deletedInOneflowAt !== null) return 'contract_deleted';
  if (!first) return 'duplicate';
  const work: Work = { services, message, id, retry: dequeueCount > 1, record };
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

/** A webhook's or reconciliation's change: covered already, fetched now, or left to the contract's pending fetch. */
async function contractChanged(work: Work): Promise<ProcessOutcome> {
  const { services, message, record } = work;
  if (!work.retry && fetchedSince(record, message.receivedAt)) return 'coalesced';
  if (syncedRecently(record, services.clock())) return pend(work);
  const holder = newLeaseHolder();
  if (!(await services.store.leases.acquire(message.tenantId, message.contractId, holder, LEASE_TTL_MS))) {
    return pend(work);
  }
  return fetchHolding(work, holder, 'unless_covered');
}

/**
 * The contract's pending fetch, once the contract is free: fetched, unless someone took it meanwhile (and so
 * fetched for it). While the contract is busy, a later round is scheduled; this message never waits.
 */
async function followUp(work: Work, round: number): Promise<ProcessOutcome> {
  const { services, message } = work;
  const holder = newLeaseHolder();
  if (!(await services.store.leases.acquire(message.tenantId, message.contractId, holder, LEASE_TTL_MS))) {
    await scheduleFollowUp(services, message, round + 1);
    return 'deferred';
  }
  return fetchHolding(work, holder, work.retry ? 'always' : 'if_pending');
}

/**
 * Holding the lease: takes the contract's pending fetch (whoever wanted it is covered by the fetch that starts now)
 * and runs the fetch, as the lease's holder, so it never waits. `unless_covered`: skipped when nothing was pending
 * and a fetch that started after the message covered it; `if_pending`: skipped when nothing was pending.
 */
async function fetchHolding(
  work: Work,
  holder: string,
  when: 'unless_covered' | 'if_pending' | 'always',
): Promise<ProcessOutcome> {
  const { services, message, record } = work;
  const { store } = services;
  let took: boolean;
  let tenant: TenantServices;
  try {
    tenant = services.tenant(message.tenantId);
    took = await store.pendingFetches.take(message.tenantId, message.contractId);
  } catch (error) {
    await store.leases.release(message.tenantId, message.contractId, holder).catch(() => undefined);
    throw error;
  }
  if (!took && when === 'if_pending') {
    await store.leases.release(message.tenantId, message.contractId, holder);
    return 'coalesced';
  }
  const skipIfFetchedSince = !took && !work.retry && when === 'unless_covered' ? message.receivedAt : null;
  try {
    const result = await runSyncUnless(
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
      (current) => skipIfFetchedSince !== null && fetchedSince(current, skipIfFetchedSince),
    );
    if (result?.outcome === 'failed') {
      // Writes that failed are still to be done: throwing lets the queue retry (and, on the last attempt, tell admins).
      throw new Error(
        `${result.failures.length} writes to Dynamics failed: ${result.failures
          .slice(0, 3)
          .map((failure) => failure.message)
          .join('; ')}`,
      );
    }
    return result ? 'fetched' : 'coalesced';
  } catch (error) {
    // The lease ran out before the run began and someone else holds it now: the pending fetch waits for them.
    if (isLeaseBusyError(error)) return pend(work);
    throw error;
  }
}

/**
 * Records the contract's pending fetch (one conditional write). The first to record it schedules the follow-up
 * that runs it; everyone after just joins, and the follow-up's fetch, which starts after they joined, covers them.
 */
async function pend(work: Work): Promise<ProcessOutcome> {
  const { services, message, id } = work;
  const { pendingFetches } = services.store;
  const created = await pendingFetches.want(message.tenantId, message.contractId, {
    since: message.receivedAt,
    owner: id,
  });
  // An earlier attempt of this same message may have recorded it and then stopped before scheduling.
  const mine =
    created || (work.retry && (await pendingFetches.ownerOf(message.tenantId, message.contractId)) === id);
  if (!mine) return 'coalesced';
  try {
    await scheduleFollowUp(services, message, 0);
  } catch (error) {
    // No follow-up, so no pending fetch either: the retry of this message records it again.
    await pendingFetches.drop(message.tenantId, message.contractId, id).catch(() => undefined);
    throw error;
  }
  return 'deferred';
}

async function scheduleFollowUp(
  services: Services,
  message: ContractChangedMessage,
  round: number,
): Promise<void> {
  const delaySeconds = FOLLOW_UP_DELAYS_S[Math.min(round, FOLLOW_UP_DELAYS_S.length - 1)];
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
