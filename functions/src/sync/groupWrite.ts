import type {
  CreateProductOperation,
  DeleteProductOperation,
  OneflowProduct,
  OneflowProductGroup,
  UpdateProductOperation,
} from '@oneflow-sync/shared';
import type { OneflowProductInput } from '../oneflow/oneflowClient';
import { productInput, unchangedProductInput } from './productInput';

/** The plan's Oneflow writes to one product table. */
export interface GroupWrite {
  group: OneflowProductGroup;
  deletes: DeleteProductOperation[];
  creates: CreateProductOperation[];
  updates: UpdateProductOperation[];
}

export type GroupWriteRow = OneflowProductInput & { id?: number };

/** How many requests the writes of a group take one by one. */
export const writesOf = (write: Pick<GroupWrite, 'deletes' | 'creates' | 'updates'>): number =>
  write.deletes.length + write.creates.length + write.updates.length;

/**
 * The product list of one bulk write of a table (`PUT /contracts/{cid}/product_groups/{pgid}`), which replaces
 * the table: every product read is listed, so nothing the plan does not delete is dropped. Kept products go
 * whole, as read, since a row given in part may be taken as the whole product; updated ones whole with the
 * plan's values over what was read; deleted ones are left out; new ones come last, each with its line's
 * custom_id. `customIdOf` gives a kept product's custom_id when Oneflow's answer did not (from its link).
 */
export function groupWriteRows(
  write: GroupWrite,
  customIdOf: (product: OneflowProduct) => string | null,
): GroupWriteRow[] {
  const deleted = new Set(write.deletes.map((operation) => operation.productId));
  const updates = new Map(write.updates.map((operation) => [operation.productId, operation]));
  const kept = write.group.products
    .filter((product) => !deleted.has(product.id))
    .map((product): GroupWriteRow => {
      const whole = unchangedProductInput(product, customIdOf(product));
      const update = updates.get(product.id);
      return update ? { ...whole, ...productInput(update.values, product), id: product.id } : whole;
    });
  const created = write.creates.map((operation): GroupWriteRow => ({
    ...productInput(operation.values, undefined),
    _private_ownerside: { custom_id: operation.customId },
  }));
  return [...kept, ...created];
}

/** Oneflow's answer to a bulk write does not show the table the write asked for: nothing of it is trusted. */
export class GroupWriteMismatchError extends Error {
  constructor(groupId: number, problem: string) {
    super(`Oneflow's answer to the write of product table ${String(groupId)} ${problem}`);
    this.name = 'GroupWriteMismatchError';
  }
}

/**
 * Checks Oneflow's answer to a bulk write against what it asked for, and learns the new products' ids: each
 * kept product is in it, no deleted one is, and there are as many new products as creates. A new product is
 * known by the custom_id it echoes when every new one echoes one (Oneflow's documentation lists custom_id only
 * in requests), by its place among the new ones otherwise. Returns line id → product id of the creates.
 */
export function createdIdsOf(write: GroupWrite, answer: OneflowProductGroup): Map<string, number> {
  const groupId = write.group.id;
  const deleted = new Set(write.deletes.map((operation) => operation.productId));
  const answered = new Set(answer.products.map((product) => product.id));
  const missing = write.group.products.filter(
    (product) => !deleted.has(product.id) && !answered.has(product.id),
  );
  if (missing.length > 0) {
    throw new GroupWriteMismatchError(
      groupId,
      `lacks ${missing.map((product) => `product ${String(product.id)} "${product.name}"`).join(', ')}, which the write kept`,
    );
  }
  const stillThere = [...deleted].filter((productId) => answered.has(productId));
  if (stillThere.length > 0) {
    throw new GroupWriteMismatchError(
      groupId,
      `still has product ${stillThere.map(String).join(', ')}, which the write deleted`,
    );
  }
  const read = new Set(write.group.products.map((product) => product.id));
  const made = answer.products.filter((product) => !read.has(product.id));
  if (made.length !== write.creates.length) {
    throw new GroupWriteMismatchError(
      groupId,
      `has ${String(made.length)} new products for ${String(write.creates.length)} lines`,
    );
  }
  const echoed = new Map(
    made.flatMap((product) => {
      const customId = product._private_ownerside?.custom_id;
      return customId ? [[customId, product.id] as const] : [];
    }),
  );
  const ids = new Map<string, number>();
  write.creates.forEach((operation, index) => {
    const productId = echoed.size === made.length ? echoed.get(operation.customId) : made[index]?.id;
    const inPlace = made[index]?._private_ownerside?.custom_id;
    if (productId === undefined || (echoed.size < made.length && inPlace && inPlace !== operation.customId)) {
      throw new GroupWriteMismatchError(
        groupId,
        `does not show which new product was made for line ${operation.lineId}`,
      );
    }
    ids.set(operation.lineId, productId);
  });
  return ids;
}
