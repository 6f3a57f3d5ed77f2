import pLimit from 'p-limit';
import {
  normalizeText,
  type CreateProductOperation,
  type Link,
  type OneflowProduct,
  type OneflowProductGroup,
  type Operation,
  type OperationFailure,
  type SyncPlan,
  type UpdateLineOperation,
} from '@oneflow-sync/shared';
import type { DynamicsCall, DynamicsGateway } from '../dataverse/dynamicsGateway';
import { isOneflowNotFoundError, isOneflowValidationError } from '../oneflow/errors';
import type { OneflowClient, OneflowContract } from '../oneflow/oneflowClient';
import { productInput, unchangedProductInput } from './productInput';

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
   * The contract was created in this same request: nobody else can have touched its product table, so all
   * creates go in one bulk write of the table instead of one request per product.
   */
  freshContract: boolean;
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

/** Oneflow requests in flight at once: fast enough, and far below its 2000-per-5-minutes budget per burst. */
const ONEFLOW_CONCURRENCY = 4;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Carries out a plan: Oneflow deletes, then creates, then updates (so the 150-product limit holds mid-way),
 * then every line write in one Dataverse change set (all or nothing, each guarded by its etag). A failed write
 * never loses anything: the line keeps its previous link and base, so the change stays pending and shows again.
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
  const ofKind = <K extends Operation['kind']>(kind: K) =>
    plan.operations.filter(
      (operation): operation is Extract<Operation, { kind: K }> => operation.kind === kind,
    );

  await runAll(ofKind('delete_product'), async (operation) => {
    try {
      await oneflow.deleteProduct(contractId, operation.productId);
    } catch (error) {
      // Already gone is what we wanted.
      if (!isOneflowNotFoundError(error)) throw error;
    }
    applied.push(operation);
  });

  const creates = ofKind('create_product');
  if (target.freshContract && creates.length > 0 && target.signal?.aborted) {
    for (const operation of creates) fail(operation, new Error(LEASE_LOST));
  } else if (target.freshContract && creates.length > 0) {
    await bulkCreate(oneflow, contractId, creates, target.productGroups, storedLinks, createdIds).then(
      () => applied.push(...creates),
      (error: unknown) => {
        for (const operation of creates) fail(operation, error);
      },
    );
  } else {
    await runAll(creates, async (operation) => {
      createdIds.set(operation.lineId, await createOnce(oneflow, contractId, operation, owned));
      applied.push(operation);
    });
  }

  await runAll(ofKind('update_product'), async (operation) => {
    const current = productsRead.get(operation.productId);
    await oneflow.updateProduct(contractId, operation.productId, productInput(operation.values, current));
    applied.push(operation);
  });

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

/**
 * All creates of a contract made in this same request, in one bulk write per product table. The products the
 * table already holds (a template's) are sent whole: a row given in part may be taken as the whole product. The
 * new products' ids are learnt from the order of the answer (Oneflow may not give custom_id back).
 */
async function bulkCreate(
  oneflow: OneflowClient,
  contractId: number,
  creates: CreateProductOperation[],
  groups: readonly OneflowProductGroup[],
  storedLinks: readonly Link[],
  createdIds: Map<string, number>,
): Promise<void> {
  const lineOfProduct = new Map(storedLinks.map((link) => [link.productId, link.lineId]));
  for (const groupId of new Set(creates.map((operation) => operation.groupId))) {
    const operations = creates.filter((operation) => operation.groupId === groupId);
    const existing = groups.find((group) => group.id === groupId)?.products ?? [];
    const written = await oneflow.replaceGroupProducts(contractId, groupId, {
      products: [
        ...existing.map((product) =>
          unchangedProductInput(
            product,
            product._private_ownerside?.custom_id ?? lineOfProduct.get(product.id) ?? null,
          ),
        ),
        ...operations.map((operation) => ({
          ...productInput(operation.values, undefined),
          _private_ownerside: { custom_id: operation.customId },
        })),
      ],
    });
    const keptIds = new Set(existing.map((product) => product.id));
    const made = written.products.filter((product) => !keptIds.has(product.id));
    if (made.length !== operations.length) {
      throw new Error(
        `Oneflow answered the bulk write with ${made.length} new products for ${operations.length} lines`,
      );
    }
    operations.forEach((operation, index) => {
      const product = made[index];
      const echoed = product?._private_ownerside?.custom_id;
      if (!product || (echoed && echoed !== operation.customId)) {
        throw new Error(`Oneflow did not keep the product for line ${operation.lineId} in its place`);
      }
      createdIds.set(operation.lineId, product.id);
    });
  }
}

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
