import type { Link } from '@oneflow-sync/shared';
import type { TenantConfig } from '../config/config';
import {
  isOneflowBudgetSpentError,
  isOneflowClientError,
  isOneflowInvalidResponseError,
  isOneflowNetworkError,
  isOneflowNotFoundError,
  isOneflowRateLimitedError,
  isOneflowServerError,
  isOneflowValidationError,
} from '../oneflow/errors';
import { MAX_IDS_FILTER_LENGTH, type OneflowClient, type OneflowContract } from '../oneflow/oneflowClient';
import { oneflowBudgetLeft } from '../oneflow/requestBudget';
import { mapLimit } from '../state/tables';
import type { ContractRecord, StateStore } from '../state/types';
import type { ContractChangedMessage, Logger, Services } from '../services';
import {
  changedSince,
  idBatches,
  LIST_PAGE_SIZE,
  listedVerdict,
  lookupByListing,
  needsAsking,
  OPEN_STATES,
  rotationOrder,
  runAllowance,
} from './reconcilePlan';

/**
 * For setups without webhooks (or a missed one): every stored contract whose Oneflow side may have changed since
 * its last sync gets a fetch queued, exactly as a webhook would. Per org, a run
 * 1. skips contracts that can no longer change (signed or declined when last read, or deleted in Oneflow);
 * 2. learns the state and times of the others from Oneflow's contract list, up to 100 a request (the org's open
 *    contracts page by page, or the stored ones by id, whichever takes fewer requests); a contract the list no
 *    longer has is gone, and its queued fetch marks it deleted under the contract's lease;
 * 3. where a list item cannot tell (no product tables in it, and a product edit may not move the contract's
 *    `updated_time`), reads contracts in full, oldest-known first, with what is left of its allowance, so each
 *    is read in full at least every ⌈contracts to read ÷ reads a run⌉ runs;
 * and never spends more Oneflow requests than its share of the org's budget (RECONCILE_QUOTA_SHARE_PERCENT).
 */

/** What reconciliation needs: the stores, each org's Oneflow client, the queue, and its allowance. */
export interface ReconcilePorts {
  store: Pick<StateStore, 'contracts' | 'links' | 'reconcileChecks'>;
  tenants: readonly TenantConfig[];
  oneflow(tenantId: string): OneflowClient;
  enqueue(message: ContractChangedMessage): Promise<void>;
  clock(): Date;
  /** Percent of each org's Oneflow budget one run may spend. */
  quotaSharePercent: number;
  /** Requests the org's budget has left now in this process. */
  budgetLeft(tenant: TenantConfig): number;
}

/** Why an org's run ended before it had read everything it wanted to. */
type ReconcileStop = 'quota_share' | 'oneflow_busy' | 'oneflow_failed';

export interface TenantReconcileResult {
  tenantId: string;
  /** Stored contracts of the org, and those not asked about (settled or deleted). */
  stored: number;
  skipped: number;
  queued: number;
  /** Oneflow requests spent, and the most it could spend. */
  requests: number;
  allowance: number;
  /** How the contract list was read; `unavailable`: Oneflow refused it, so contracts were read in full instead. */
  lookup: 'listing' | 'ids' | 'none' | 'unavailable';
  /** Contracts read in full this run, and those whose turn comes in a later run. */
  fullReads: number;
  fullReadsLeft: number;
  stopped: ReconcileStop | null;
}

/** Full reads in flight at once (Oneflow's budget, not this, bounds how many a run makes). */
const FULL_READ_CONCURRENCY = 4;
/** Link reads in flight at once (Table Storage). */
const LINK_READ_CONCURRENCY = 8;

export function reconcilePorts(services: Services): ReconcilePorts {
  return {
    store: services.store,
    tenants: services.config.tenants,
    oneflow: (tenantId) => services.tenant(tenantId).oneflow,
    enqueue: (message) => services.enqueue(message),
    clock: () => services.clock(),
    quotaSharePercent: services.config.reconcile.quotaSharePercent,
    budgetLeft: (tenant) => oneflowBudgetLeft(tenant).left,
  };
}

/** One run over every configured org; an org's failure is logged and does not stop the others. */
export async function reconcile(ports: ReconcilePorts, log: Logger): Promise<TenantReconcileResult[]> {
  const results: TenantReconcileResult[] = [];
  for (const tenant of ports.tenants) {
    try {
      results.push(await reconcileTenant(ports, tenant, log));
    } catch (error) {
      log.warn('reconcile skipped an organisation', {
        tenantId: tenant.tenantId,
        error: error instanceof Error ? error.name : 'unknown',
      });
    }
  }
  return results;
}

/** Why Oneflow did not answer a list or read: the budget or Oneflow is busy, or it failed. */
function stopFor(error: unknown): ReconcileStop {
  return isOneflowBudgetSpentError(error) || isOneflowRateLimitedError(error)
    ? 'oneflow_busy'
    : 'oneflow_failed';
}

/**
 * The contract list refused (a filter or the endpoint not offered to this token) or answered in a shape we cannot
 * read, while Oneflow itself is up: reading contracts one by one may still work.
 */
function listUnavailable(error: unknown): boolean {
  return (
    isOneflowValidationError(error) ||
    isOneflowNotFoundError(error) ||
    isOneflowClientError(error) ||
    isOneflowInvalidResponseError(error)
  );
}

/** Oneflow down or unreachable: reading more contracts would only fail the same way. */
function oneflowDown(error: unknown): boolean {
  return isOneflowNetworkError(error) || isOneflowServerError(error);
}

class Allowance {
  spent = 0;
  constructor(readonly limit: number) {}

  /** Takes one request of the allowance; false when none is left. */
  take(): boolean {
    if (this.spent >= this.limit) return false;
    this.spent += 1;
    return true;
  }
}

async function reconcileTenant(
  ports: ReconcilePorts,
  tenant: TenantConfig,
  log: Logger,
): Promise<TenantReconcileResult> {
  const { tenantId } = tenant;
  const oneflow = ports.oneflow(tenantId);
  const records = await ports.store.contracts.listAll(tenantId);
  const asking = records.filter(needsAsking);
  const allowance = new Allowance(
    runAllowance(ports.quotaSharePercent, tenant.oneflow.requestBudget, ports.budgetLeft(tenant)),
  );
  const result: TenantReconcileResult = {
    tenantId,
    stored: records.length,
    skipped: records.length - asking.length,
    queued: 0,
    requests: 0,
    allowance: allowance.limit,
    lookup: 'none',
    fullReads: 0,
    fullReadsLeft: 0,
    stopped: null,
  };
  const toQueue = new Set<number>();

  const lookup = await lookUp(oneflow, asking, allowance);
  result.lookup = lookup.unavailable ? 'unavailable' : lookup.how;
  result.stopped = lookup.unavailable ? null : lookup.stopped;
  if (lookup.stopped !== null && lookup.stopped !== 'quota_share') {
    log.warn('reconcile could not list contracts', { tenantId, error: lookup.errorName });
  }

  const { gone, changed, complete, partial } = sortByListing(asking, lookup);
  for (const contractId of [...gone, ...changed]) toQueue.add(contractId);

  // A complete item holds every product: one whose link points at a product no longer there was deleted.
  const linksOf = await linkReader(ports.store.links, tenantId, complete.length);
  await mapLimit(complete, LINK_READ_CONCURRENCY, async ({ record, item }) => {
    const links = await linksOf(record.contractId);
    if (changedSince(item, links, record.lastSyncAt)) toQueue.add(record.contractId);
  });

  if (result.stopped === null) {
    const rotation = await readInFull(ports, tenantId, oneflow, partial, allowance, log);
    for (const contractId of rotation.changed) toQueue.add(contractId);
    result.fullReads = rotation.read;
    result.fullReadsLeft = partial.length - rotation.read;
    result.stopped = rotation.stopped;
  } else {
    result.fullReadsLeft = partial.length;
  }

  for (const contractId of toQueue) {
    await ports.enqueue({
      tenantId,
      contractId,
      source: { kind: 'reconcile' },
      receivedAt: ports.clock().toISOString(),
    });
    result.queued += 1;
  }
  result.requests = allowance.spent;
  return result;
}

interface Sorted {
  /** Asked for by id and not there: gone from Oneflow (the queued fetch finds it so, and marks it deleted). */
  gone: number[];
  changed: number[];
  /** Items that hold the whole contract: only their links remain to compare. */
  complete: { record: ContractRecord; item: OneflowContract }[];
  /** Only a full read can tell (and every contract the list was refused for). */
  partial: ContractRecord[];
}

/** What the list told about each contract asked about; one it did not show (and was not asked by id) waits. */
function sortByListing(asking: readonly ContractRecord[], lookup: Lookup): Sorted {
  const sorted: Sorted = { gone: [], changed: [], complete: [], partial: [] };
  for (const record of asking) {
    const item = lookup.listed.get(record.contractId);
    if (item === undefined) {
      if (lookup.unavailable) sorted.partial.push(record);
      else if (lookup.askedById.has(record.contractId)) sorted.gone.push(record.contractId);
      continue;
    }
    const verdict = listedVerdict(item, record);
    if (verdict === 'changed') sorted.changed.push(record.contractId);
    else if (verdict === 'complete') sorted.complete.push({ record, item });
    else sorted.partial.push(record);
  }
  return sorted;
}

/** Above this many contracts, one scan of the org's links (1000 a request) beats a request per contract. */
const LINK_SCAN_FROM = 100;
const LINK_SCAN_PAGE = 5000;

/** Reads contracts' links: one by one for a few contracts, from one scan of the org's links for many. */
async function linkReader(
  links: StateStore['links'],
  tenantId: string,
  contracts: number,
): Promise<(contractId: number) => Promise<Link[]>> {
  if (contracts < LINK_SCAN_FROM) return (contractId) => links.list(tenantId, contractId);
  const byContract = new Map<number, Link[]>();
  let continuationToken: string | undefined;
  do {
    const page = await links.searchPage(
      tenantId,
      {},
      continuationToken === undefined
        ? { limit: LINK_SCAN_PAGE }
        : { limit: LINK_SCAN_PAGE, continuationToken },
    );
    for (const link of page.items) {
      const list = byContract.get(link.contractId) ?? [];
      list.push(link);
      byContract.set(link.contractId, list);
    }
    continuationToken = page.continuationToken ?? undefined;
  } while (continuationToken !== undefined);
  return async (contractId) => byContract.get(contractId) ?? [];
}

interface Lookup {
  how: TenantReconcileResult['lookup'];
  /** List items of stored contracts, by id. */
  listed: Map<number, OneflowContract>;
  /** Stored contracts Oneflow was asked for by id: one missing from the answer is gone. */
  askedById: Set<number>;
  stopped: ReconcileStop | null;
  /** Oneflow refused the list itself (not busy, not down). */
  unavailable: boolean;
  errorName?: string;
}

/** Learns the state and times of the stored contracts from the contract list, within the allowance. */
async function lookUp(
  oneflow: OneflowClient,
  asking: readonly ContractRecord[],
  allowance: Allowance,
): Promise<Lookup> {
  const wanted = new Set(asking.map((record) => record.contractId));
  const found: Lookup = {
    how: 'none',
    listed: new Map(),
    askedById: new Set(),
    stopped: null,
    unavailable: false,
  };
  if (wanted.size === 0) return found;
  const note = (items: readonly OneflowContract[]) => {
    for (const item of items) if (wanted.has(item.id)) found.listed.set(item.id, item);
  };
  const unseen = () => [...wanted].filter((id) => !found.listed.has(id));
  try {
    found.how = 'ids';
    const batches = idBatches([...wanted], MAX_IDS_FILTER_LENGTH);
    if (batches.length > 1) {
      // The first page of the org's open contracts says how many there are, hence what listing them all costs.
      if (!allowance.take()) return { ...found, stopped: 'quota_share' };
      const first = await oneflow.listContracts({ states: [...OPEN_STATES], limit: LIST_PAGE_SIZE });
      note(first.data);
      if (lookupByListing(first.count, batches.length)) {
        found.how = 'listing';
        for (let offset = LIST_PAGE_SIZE; offset < first.count; offset += LIST_PAGE_SIZE) {
          if (!allowance.take()) return { ...found, stopped: 'quota_share' };
          const page = await oneflow.listContracts({
            states: [...OPEN_STATES],
            limit: LIST_PAGE_SIZE,
            offset,
          });
          note(page.data);
          if (page.data.length === 0) break;
        }
      }
    }
    // By id: every stored contract not seen yet (settled since, deleted, or moved between pages while listing).
    for (const batch of idBatches(unseen(), MAX_IDS_FILTER_LENGTH)) {
      if (!allowance.take()) return { ...found, stopped: 'quota_share' };
      // A batch holds at most 100 ids (each takes a digit and a comma): one page answers it.
      note((await oneflow.listContracts({ ids: batch, limit: LIST_PAGE_SIZE })).data);
      for (const id of batch) found.askedById.add(id);
    }
    return found;
  } catch (error) {
    return {
      ...found,
      stopped: stopFor(error),
      unavailable: listUnavailable(error),
      errorName: error instanceof Error ? error.name : 'unknown',
    };
  }
}

/**
 * Reads contracts in full, oldest-known first, while the allowance lasts; records when each unchanged one was
 * read, so the next run starts with the others.
 */
async function readInFull(
  ports: ReconcilePorts,
  tenantId: string,
  oneflow: OneflowClient,
  candidates: readonly ContractRecord[],
  allowance: Allowance,
  log: Logger,
): Promise<{ read: number; changed: number[]; stopped: ReconcileStop | null }> {
  const checks = await ports.store.reconcileChecks.list(tenantId);
  const order = rotationOrder(candidates, checks);
  const changed: number[] = [];
  const unchanged: { contractId: number; checkedAt: string }[] = [];
  let read = 0;
  let stopped: ReconcileStop | null = null;
  await mapLimit(order, FULL_READ_CONCURRENCY, async (record) => {
    if (stopped !== null) return;
    if (!allowance.take()) {
      stopped = 'quota_share';
      return;
    }
    const startedAt = ports.clock().toISOString();
    try {
      const contract = await oneflow.getContract(record.contractId).catch((error: unknown) => {
        if (isOneflowNotFoundError(error)) return null;
        throw error;
      });
      read += 1;
      // Gone from Oneflow: the queued fetch finds it so under the contract's lease, and marks it deleted there.
      if (contract === null) {
        changed.push(record.contractId);
        return;
      }
      const links = await ports.store.links.list(tenantId, record.contractId);
      if (changedSince(contract, links, record.lastSyncAt)) changed.push(record.contractId);
      else unchanged.push({ contractId: record.contractId, checkedAt: startedAt });
    } catch (error) {
      if (isOneflowBudgetSpentError(error) || isOneflowRateLimitedError(error) || oneflowDown(error)) {
        stopped = stopFor(error);
        log.warn('reconcile stopped reading contracts', {
          tenantId,
          error: error instanceof Error ? error.name : 'unknown',
        });
        return;
      }
      // One contract's trouble (Oneflow unreachable for it, say) must not stop the others.
      log.warn('reconcile skipped a contract', {
        contractId: record.contractId,
        error: error instanceof Error ? error.name : 'unknown',
      });
    }
  });
  await ports.store.reconcileChecks.record(tenantId, unchanged);
  // Rows of contracts no longer read in full (settled, deleted, unlinked) are dropped.
  const current = new Set(candidates.map((record) => record.contractId));
  const stale = [...checks.keys()].filter((contractId) => !current.has(contractId));
  if (stale.length > 0) await ports.store.reconcileChecks.forget(tenantId, stale);
  return { read, changed, stopped };
}
