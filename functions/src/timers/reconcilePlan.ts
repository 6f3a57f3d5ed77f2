import type { Link } from '@oneflow-sync/shared';
import type { OneflowContract } from '../oneflow/oneflowClient';
import type { ContractRecord } from '../state/types';

/**
 * Reconciliation's decisions, as pure functions over plain data: which stored contracts still need asking, how to
 * learn the most about them per Oneflow request, what a list item tells and what it cannot, and which contracts a
 * run reads in full.
 */

/**
 * Oneflow stamps `updated_time` in whole seconds (`2020-07-06T15:14:14+0000`): a change stamped with the second
 * of the last sync may have come after it, so such a contract is fetched (a fetch that finds nothing costs a few
 * reads; a missed change would stay missed until the next one).
 */
const ONEFLOW_TIME_RESOLUTION_MS = 1000;

/** States a contract is never edited in again (Oneflow refuses product writes on a signed contract). */
const SETTLED_STATES: ReadonlySet<string> = new Set(['signed', 'declined']);

/** The states of contracts that may still change: what the open listing asks Oneflow for. */
export const OPEN_STATES = ['draft', 'pending', 'overdue'] as const;

/** Oneflow's largest page (`limit` 1–100) and last offset (`offset` ≤ 19900). */
export const LIST_PAGE_SIZE = 100;
const LAST_OFFSET = 19_900;

/**
 * Whether Oneflow's side of a contract may have changed since `lastSyncAt`. No source says a product edit moves
 * the contract's `updated_time`, so the latest time stamped on the contract, its product tables or any of their
 * products counts; and a product a link points at that is gone counts too, since a delete leaves no time behind.
 * All of it comes in the one contract read.
 */
export function changedSince(
  contract: OneflowContract,
  links: readonly Link[],
  lastSyncAt: string | null,
): boolean {
  const groups = contract.product_groups ?? [];
  const products = groups.flatMap((group) => group.products);
  const times = [
    contract.updated_time,
    ...groups.map((group) => group._private_ownerside?.updated_time),
    ...products.map((product) => product._private_ownerside?.updated_time),
  ]
    .map((time) => (time ? Date.parse(time) : Number.NaN))
    .filter((time) => !Number.isNaN(time));
  const syncedAt = lastSyncAt ? Date.parse(lastSyncAt) : Number.NEGATIVE_INFINITY;
  if (times.some((time) => time + ONEFLOW_TIME_RESOLUTION_MS > syncedAt)) return true;
  const present = new Set(products.map((product) => product.id));
  return links.some((link) => link.state === 'active' && !present.has(link.productId));
}

/**
 * Whether reconciliation must still ask Oneflow about a stored contract: not when it is known deleted there, nor
 * when the last run that read it found it signed or declined (it can no longer change). A contract whose state
 * was never read (rows from before the state was kept) is asked about.
 */
export function needsAsking(record: Pick<ContractRecord, 'deletedInOneflowAt' | 'oneflowState'>): boolean {
  if (record.deletedInOneflowAt !== null) return false;
  return record.oneflowState === null || !SETTLED_STATES.has(record.oneflowState);
}

/**
 * What a list item tells about a contract:
 * - `changed`: its state differs from the one last read, or a time on it is not before the last sync;
 * - `complete`: nothing moved, and the item holds everything a full read would (its `updated_time` and product
 *   tables), so only a product gone from under a link remains to check, against the links;
 * - `partial`: nothing moved as far as the item shows, but it lacks what a product edit moves (Oneflow documents
 *   no item shape, and may not move the contract's `updated_time` on a product edit): only a full read can tell.
 */
export type ListedVerdict = 'changed' | 'complete' | 'partial';

export function listedVerdict(
  item: OneflowContract,
  record: Pick<ContractRecord, 'lastSyncAt' | 'oneflowState'>,
): ListedVerdict {
  if (record.oneflowState !== null && item.state !== record.oneflowState) return 'changed';
  if (changedSince(item, [], record.lastSyncAt)) return 'changed';
  const whole = typeof item.updated_time === 'string' && item.product_groups !== undefined;
  return whole ? 'complete' : 'partial';
}

/** Contract ids in `filter[ids]` values of at most `maxLength` characters each (comma-separated), in order. */
export function idBatches(ids: readonly number[], maxLength: number): number[][] {
  const batches: number[][] = [];
  let batch: number[] = [];
  let length = 0;
  for (const id of ids) {
    const text = String(id).length;
    if (text > maxLength) throw new RangeError(`contract id ${id} is longer than a filter of ${maxLength}`);
    const added = batch.length === 0 ? text : length + 1 + text;
    if (added > maxLength) {
      batches.push(batch);
      batch = [];
      length = text;
    } else {
      length = added;
    }
    batch.push(id);
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/**
 * How to learn of the stored open contracts, once the first page of the org's open contracts told how many
 * there are: page through the open listing (100 a request) when that takes no more requests than asking for
 * the stored contracts by id (as many as fit in 200 characters a request); by id otherwise, or when the listing
 * is longer than Oneflow pages to (offset ≤ 19900).
 */
export function lookupByListing(openCount: number, idBatchCount: number): boolean {
  const pages = Math.ceil(openCount / LIST_PAGE_SIZE);
  if ((pages - 1) * LIST_PAGE_SIZE > LAST_OFFSET) return false;
  // The first page is read already: the listing costs the rest, the ids every batch.
  return pages - 1 <= idBatchCount;
}

/**
 * The contracts to read in full, oldest-known first: a contract is known unchanged as of the later of its last
 * sync (a run reads the contract whole) and its last full read here; never either comes first. Ties by id, so
 * the order is stable.
 */
export function rotationOrder<T extends Pick<ContractRecord, 'contractId' | 'lastSyncAt'>>(
  records: readonly T[],
  checkedAt: ReadonlyMap<number, string>,
): T[] {
  const known = (record: T): number => {
    const times = [record.lastSyncAt, checkedAt.get(record.contractId) ?? null]
      .map((time) => (time === null ? Number.NaN : Date.parse(time)))
      .filter((time) => !Number.isNaN(time));
    return times.length === 0 ? Number.NEGATIVE_INFINITY : Math.max(...times);
  };
  return [...records]
    .map((record) => ({ record, at: known(record) }))
    .sort((a, b) => a.at - b.at || a.record.contractId - b.record.contractId)
    .map(({ record }) => record);
}

/**
 * The requests one run may spend for an org: its share of the org's budget, and never more than the budget has
 * left right now (reconciliation must not make a person's action wait).
 */
export function runAllowance(sharePercent: number, orgBudget: number, budgetLeftNow: number): number {
  const share = Math.floor((orgBudget * sharePercent) / 100);
  return Math.max(0, Math.min(share, budgetLeftNow));
}
