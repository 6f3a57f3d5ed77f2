import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ContractChangedMessage, Logger, Services } from '../services';
import { LEASE_TTL_MS } from '../state/lease';
import { isContractDeletedError, isContractNotSyncedError } from '../sync/errors';
import { causeOf } from '../sync/runMessages';
import { runSyncUnless, type Actor } from '../sync/syncService';

const ContractChangedMessageSchema = z.object({
  tenantId: z.string().min(1),
  contractId: z.number().int().positive(),
  source: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('webhook'), callbackId: z.string(), events: z.array(z.string()) }),
    z.object({ kind: z.literal('reconcile') }),
  ]),
  receivedAt: z.iso.datetime({ offset: true }),
}) satisfies z.ZodType<ContractChangedMessage>;

/** Retries before a message is given up (host.json `queues.maxDequeueCount`; the local runner uses the same). */
export const MAX_DEQUEUE_COUNT = 5;

/**
 * How long a message waits for a busy contract: longer than a lease lives, so a holder that died has surely
 * let go by then. A person gets the busy answer at once; a queued change has the time.
 */
const QUEUE_LEASE_WAIT_MS = LEASE_TTL_MS + 5_000;

export type ProcessOutcome = 'fetched' | 'coalesced' | 'not_synced' | 'contract_deleted';

function applicationActor(services: Services): Actor {
  return { kind: 'application', id: services.config.backend.clientId, name: 'Oneflow webhook', self: true };
}

/**
 * A contract changed in Oneflow: fetch it as the application user, under the contract's lease. Messages that
 * arrived before a fetch of the same contract began are covered by it and coalesce into nothing. A failure
 * throws, so the queue retries; on the last attempt the failure is also written to the activity for admins.
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
  const { store } = services;
  const record = await store.contracts.getById(message.tenantId, message.contractId);
  if (!record) return 'not_synced';
  // Nothing more can come of a contract deleted in Oneflow (its `contract:delete` notification included).
  if (record.deletedInOneflowAt !== null) return 'contract_deleted';
  try {
    const result = await runSyncUnless(
      {
        tenant: services.tenant(message.tenantId),
        store,
        clock: () => services.clock(),
        lease: { waitMs: QUEUE_LEASE_WAIT_MS },
      },
      {
        record,
        action: 'fetch',
        actor: applicationActor(services),
        dryRun: false,
        activityAction: 'webhook',
        // A failed attempt is retried; the last one is recorded below, once.
        recordFailure: false,
      },
      (current) => current.lastFetchStartedAt !== null && current.lastFetchStartedAt >= message.receivedAt,
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
    // The fetch found the contract gone in Oneflow: marked and recorded by the run; nothing to retry.
    if (isContractDeletedError(error)) return 'contract_deleted';
    // Unlinked while this message waited for the lease: there is nothing left to fetch into.
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
        actor: { kind: 'application', id: services.config.backend.clientId, name: 'Oneflow webhook' },
        at: services.clock().toISOString(),
        message: `Oneflow reported a change, but fetching it failed ${dequeueCount} times and was given up: ${detail}. Use Fetch updates from Oneflow once the cause is fixed.`,
        summary: null,
        changes: [],
      });
    }
    throw error;
  }
}
