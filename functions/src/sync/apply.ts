import pLimit from 'p-limit';
import {
  normalizeText,
  type CreateProductOperation,
  type DeleteProductOperation,
  type Link,
  type OneflowProduct,
  type OneflowProductGroup,
  type Operation,
  type OperationFailure,
  type SyncPlan,
  type UpdateLineOperation,
  type UpdateProductOperation,
} from '@oneflow-sync/shared';
import type { DynamicsCall, DynamicsGateway } from '../dataverse/dynamicsGateway';
import { isOneflowNotFoundError, isOneflowValidationError } from '../oneflow/errors';
import type { OneflowClient, OneflowContract } from '../oneflow/oneflowClient';
import { createdIdsOf, groupWriteRows, writesOf, type GroupWrite } from './groupWrite';
import { productInput } from './productInput';

/** A write of the plan that did not happen (the API contract's shape, answered in `failures`). */
export type { OperationFailure };

export interface AppliedPlan {
  /** The writes that happened, creates with the id Oneflow gave them. */
  applied: Operation[];
  failures: OperationFailure[];
  /** The contract's links afterwards. */
  links: Link[];
}

export interface ApplyTarget {
  oneflow: OneflowClient;
  dynamics: DynamicsGateway;
  call: DynamicsCall;
  /** The product source entity the lines belong to. */
  lineEntity: string;
  /** The product tables as read for the plan. */
  productGroups: readonly OneflowProductGroup[];
  /** The contract's state in Oneflow as read for the plan (a draft is seen by nobody outside the org yet). */
  contractState: OneflowContract['state'];
  /**
   * The contract was created in this same request: nobody else can have touched its product table, so it is
   * written in bulk whatever `bulkDraftWrites` says.
   */
  freshContract: boolean;
  /**
   * The org lets a draft's product tables be written in bulk: one request per table instead of one per product
   * (the org's `oneflow.bulkDraftWrites`). Never on a sent contract, where a counterparty may be editing.
   */
  bulkDraftWrites: boolean;
  /**
   * Read once every write is done: the links' `syncedAt`. Both services stamp our writes no later than this, so
   * the engine never takes its own writes for someone's edit after the sync (conflict policy most_recent).
   */
  clock: () => Date;
  /**
   * Aborted when the run no longer holds the contract's lease (renewals failed, or another run took it over).
   * Every write checks it first: a run that lost its lease writes nothing more, and what it did not write stays
   * pending for the next run.
   */
  signal?: AbortSignal;
}

const LEASE_LOST =
  'this run lost the contract lease (another sync of it may be running); the change stays pending';

/**
 * Oneflow requests in flight at once for one run. Oneflow documents no limit on parallel requests, only its 2000
 * per token per 5 minutes, which the org's request budget guards (a burst waits there before Oneflow would refuse
 * it). At 25, a sent contract's full table (150 products, Oneflow's limit) is written in 6 rounds, which leaves
 * room for a slow answer to hold back a round, and one round is just over 1 % of the budget.
 */
const ONEFLOW_CONCURRENCY = 25;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Carries out a plan. On a draft (bulk writes allowed), each product table with more than one product write is
 * written in one bulk request listing its whole table; other writes go one product per request. Writes that
 * shrink the contract go first (deletes, tables that lose products), then the rest, so Oneflow's 150-product
 * limit holds mid-way; then every line write in one Dataverse change set (all or nothing, each guarded by its
 * etag). A failed write never loses anything: the line keeps its previous link and base, so the change stays
 * pending and shows again; a failed bulk write fails every write of its table.
 */
export async function applyPlan(
  plan: SyncPlan,
  storedLinks: readonly Link[],
  target: ApplyTarget,
): Promise<AppliedPlan> {
  const { oneflow } = target;
  const contractId = plan.contractId;
  const productsRead = new Map(
    target.productGroups.flatMap((group) => group.products.map((product) => [product.id, product] as const)),
  );
  // Products some line already owns: never taken for the product of another.
  const owned = new Set([
    ...storedLinks.map((link) => link.productId),
    ...plan.links.flatMap((link) => (link.productId === null ? [] : [link.productId])),
  ]);
  const lineOfProduct = new Map(storedLinks.map((link) => [link.productId, link.lineId]));
  const applied: Operation[] = [];
  const failures: OperationFailure[] = [];
  const createdIds = new Map<string, number>();
  const limit = pLimit(ONEFLOW_CONCURRENCY);
  const fail = (operation: Operation & { lineId: string | null }, error: unknown): void => {
    failures.push({
      kind: operation.kind,
      lineId: operation.lineId,
      productId: 'productId' in operation ? operation.productId : null,
      message: messageOf(error),
    });
  };
  const runAll = async <T extends Operation>(operations: T[], run: (operation: T) => Promise<void>) => {
    await Promise.all(
      operations.map((operation) =>
        limit(async () => {
          try {
            if (target.signal?.aborted) throw new Error(LEASE_LOST);
            await run(operation);
          } catch (error) {
            fail(operation, error);
          }
        }),
      ),
    );
  };
  const writeTable = (write: GroupWrite) =>
    limit(async () => {
      const operations = [...write.deletes, ...write.creates, ...write.updates];
      try {
        if (target.signal?.aborted) throw new Error(LEASE_LOST);
        const answer = await oneflow.replaceGroupProducts(contractId, write.group.id, {
          products: groupWriteRows(
            write,
            (product) => product._private_ownerside?.custom_id ?? lineOfProduct.get(product.id) ?? null,
          ),
        });
        for (const [lineId, productId] of createdIdsOf(write, answer)) createdIds.set(lineId, productId);
        applied.push(...operations);
      } catch (error) {
        for (const operation of operations) fail(operation, error);
      }
    });
  const ofKind = <K extends Operation['kind']>(kind: K) =>
    plan.operations.filter(
      (operation): operation is Extract<Operation, { kind: K }> => operation.kind === kind,
    );

  const { tables, single } = splitWrites(
    {
      deletes: ofKind('delete_product'),
      creates: ofKind('create_product'),
      updates: ofKind('update_product'),
    },
    target,
    owned,
  );
  const grows = (write: GroupWrite) => write.creates.length > write.deletes.length;

  await Promise.all([
    runAll(single.deletes, async (operation) => {
      try {
        await oneflow.deleteProduct(contractId, operation.productId);
      } catch (error) {
        // Already gone is what we wanted.
        if (!isOneflowNotFoundError(error)) throw error;
      }
      applied.push(operation);
    }),
    ...tables.filter((write) => !grows(write)).map(writeTable),
  ]);

  await Promise.all([
    runAll(single.creates, async (operation) => {
      createdIds.set(operation.lineId, await createOnce(oneflow, contractId, operation, owned));
      applied.push(operation);
    }),
    runAll(single.updates, async (operation) => {
      const current = productsRead.get(operation.productId);
      await oneflow.updateProduct(contractId, operation.productId, productInput(operation.values, current));
      applied.push(operation);
    }),
    ...tables.filter(grows).map(writeTable),
  ]);

  const lineWrites: UpdateLineOperation[] = ofKind('update_line');
  if (lineWrites.length > 0) {
    try {
      if (target.signal?.aborted) throw new Error(LEASE_LOST);
      await target.dynamics.updateLines(
        target.lineEntity,
        lineWrites.map((operation) => ({
          lineId: operation.lineId,
          etag: operation.etag,
          values: operation.values,
        })),
        target.call,
      );
      applied.push(...lineWrites);
    } catch (error) {
      for (const operation of lineWrites) fail(operation, error);
    }
  }

  const syncedAt = target.clock().toISOString();
  return { applied, failures, links: finalLinks(plan, storedLinks, createdIds, failures, syncedAt) };
}

export interface ProductWrites {
  deletes: DeleteProductOperation[];
  creates: CreateProductOperation[];
  updates: UpdateProductOperation[];
}

/**
 * Which product writes go in a bulk write of their table and which one by one. In bulk: only on a draft (nobody
 * outside the org sees it yet) whose org allows it, or on a contract created in this same request; only a table
 * with more than one write (one write costs one request either way, and a bulk write risks dropping a product a
 * colleague adds in that instant). A write whose product is in no table read goes alone. So does every write of
 * a table where a new line's product may already exist from an earlier attempt whose answer was lost (a product
 * no line owns, showing no custom_id, with the line's name): only a single create learns that from Oneflow's
 * refusal and links the product (createOnce), where a bulk write would list it as someone else's and add another.
 */
export function splitWrites(
  writes: ProductWrites,
  target: Pick<ApplyTarget, 'contractState' | 'freshContract' | 'bulkDraftWrites' | 'productGroups'>,
  owned: ReadonlySet<number>,
): { tables: GroupWrite[]; single: ProductWrites } {
  const inBulk = target.contractState === 'draft' && (target.freshContract || target.bulkDraftWrites);
  if (!inBulk) return { tables: [], single: writes };
  const tableOf = new Map(
    target.productGroups.flatMap((group) => group.products.map((product) => [product.id, group.id] as const)),
  );
  const candidates = new Map(
    target.productGroups.map((group): [number, GroupWrite] => [
      group.id,
      { group, deletes: [], creates: [], updates: [] },
    ]),
  );
  const single: ProductWrites = { deletes: [], creates: [], updates: [] };
  // The writes of a table read go with that table; the others alone.
  const placeOf = (groupId: number | undefined): ProductWrites =>
    (groupId === undefined ? undefined : candidates.get(groupId)) ?? single;
  for (const operation of writes.deletes) placeOf(tableOf.get(operation.productId)).deletes.push(operation);
  for (const operation of writes.creates) placeOf(operation.groupId).creates.push(operation);
  for (const operation of writes.updates) placeOf(tableOf.get(operation.productId)).updates.push(operation);
  const tables: GroupWrite[] = [];
  const mayBeMadeAlready = (write: GroupWrite) =>
    write.creates.some((operation) =>
      write.group.products.some(
        (product) =>
          !owned.has(product.id) &&
          !product._private_ownerside?.custom_id &&
          textOf(product.name) === textOf(operation.values.name),
      ),
    );
  for (const write of candidates.values()) {
    if (writesOf(write) > 1 && !mayBeMadeAlready(write)) tables.push(write);
    else {
      single.deletes.push(...write.deletes);
      single.creates.push(...write.creates);
      single.updates.push(...write.updates);
    }
  }
  return { tables, single };
}

/**
 * Creates a product and learns its id from the answer. When Oneflow refuses because a product already carries
 * the line's custom_id (an earlier attempt whose answer was lost), that product is the one we made: it is
 * found, brought up to the plan's values and linked.
 */
async function createOnce(
  oneflow: OneflowClient,
  contractId: number,
  operation: CreateProductOperation,
  owned: ReadonlySet<number>,
): Promise<number> {
  const body = {
    ...productInput(operation.values, undefined),
    _private_ownerside: { custom_id: operation.customId },
  };
  try {
    return (await oneflow.createProduct(contractId, operation.groupId, body)).id;
  } catch (error) {
    const earlier = await earlierAttempt(oneflow, contractId, operation, owned, error);
    if (!earlier) throw error;
    await oneflow.updateProduct(contractId, earlier.id, productInput(operation.values, earlier));
    return earlier.id;
  }
}

/**
 * The product an earlier attempt made for the line, if the failure says there is one. Oneflow may give a
 * custom_id back (then it names the product); its documentation lists custom_id only in requests, so without it
 * the product is the one unowned product with the line's name. With none or several, nothing is guessed: the
 * error says what a person can do.
 */
async function earlierAttempt(
  oneflow: OneflowClient,
  contractId: number,
  operation: CreateProductOperation,
  owned: ReadonlySet<number>,
  failure: unknown,
): Promise<OneflowProduct | undefined> {
  const products = await oneflow.listProducts(contractId);
  const byCustomId = products.find((product) => product._private_ownerside?.custom_id === operation.customId);
  if (byCustomId) return byCustomId;
  const customIdTaken =
    isOneflowValidationError(failure) &&
    Object.keys(failure.parameterProblems).some((field) => field.includes('custom_id'));
  if (!customIdTaken) return undefined;
  const name = textOf(operation.values.name);
  const candidates = products.filter(
    (product) =>
      !owned.has(product.id) && !product._private_ownerside?.custom_id && textOf(product.name) === name,
  );
  const [only] = candidates;
  if (only && candidates.length === 1) return only;
  throw new Error(
    `Oneflow already has a product made for line ${operation.lineId} (it carries the line's id) but does not say which, and ${
      candidates.length === 0 ? 'no' : String(candidates.length)
    } products not linked to a line are named "${name ?? ''}": link the line to its product (link repair) or remove the extra one in Oneflow`,
  );
}

const textOf = (value: string | null | undefined): string | null => {
  const text = normalizeText(value);
  return text.ok ? text.value : null;
};

/** The plan's links, except that a line whose write failed keeps the link it had (or stays unlinked). */
function finalLinks(
  plan: SyncPlan,
  storedLinks: readonly Link[],
  createdIds: ReadonlyMap<string, number>,
  failures: readonly OperationFailure[],
  syncedAt: string,
): Link[] {
  const failedLines = new Set(failures.flatMap((failure) => (failure.lineId ? [failure.lineId] : [])));
  const links: Link[] = [];
  for (const planned of plan.links) {
    if (failedLines.has(planned.lineId)) continue;
    const productId = planned.productId ?? createdIds.get(planned.lineId);
    if (productId !== undefined) links.push({ ...planned, productId, syncedAt });
  }
  links.push(...storedLinks.filter((link) => failedLines.has(link.lineId)));
  return links.sort((a, b) => a.lineId.localeCompare(b.lineId));
}
