import type { DynamicsLine } from '../dynamics';
import type { Link } from '../link';
import type { OneflowProduct, OneflowProductGroup } from '../oneflow';
import type { SyncPlan } from '../plan';
import { withValues } from './products';

/** Both sides and the link table, held in memory. */
export interface InMemoryState {
  lines: DynamicsLine[];
  productGroups: OneflowProductGroup[];
  links: Link[];
  nextProductId: number;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function touched(product: OneflowProduct, now: string): OneflowProduct {
  return { ...product, _private_ownerside: { ...product._private_ownerside, updated_time: now } };
}

/**
 * What a plan means, applied to in-memory copies of Dynamics, Oneflow and the link table: the reference the real
 * appliers are held to. Applying is idempotent: a create finds an earlier product by custom_id, a delete of a
 * missing product does nothing, and writing equal values changes nothing (not even timestamps).
 */
export function applyPlanInMemory(state: InMemoryState, plan: SyncPlan, now: string): InMemoryState {
  let nextProductId = state.nextProductId;
  let groups = state.productGroups.map((group) => ({ ...group, products: [...group.products] }));
  let lines = [...state.lines];
  const updateProduct = (
    match: (product: OneflowProduct) => boolean,
    update: (product: OneflowProduct) => OneflowProduct,
  ): boolean => {
    let found = false;
    groups = groups.map((group) => ({
      ...group,
      products: group.products.map((product) => {
        if (!match(product)) return product;
        found = true;
        const next = update(product);
        return sameJson(next, product) ? product : touched(next, now);
      }),
    }));
    return found;
  };

  for (const operation of plan.operations) {
    switch (operation.kind) {
      case 'create_product': {
        const byCustomId = (product: OneflowProduct): boolean =>
          product._private_ownerside?.custom_id === operation.customId;
        if (updateProduct(byCustomId, (product) => withValues(product, operation.values))) break;
        const created = withValues(
          {
            id: nextProductId,
            name: '',
            quantity: { type: 'quantity', amount: '0' },
            _private_ownerside: { created_time: now, updated_time: now, custom_id: operation.customId },
          },
          operation.values,
        );
        nextProductId += 1;
        groups = groups.map((group) =>
          group.id === operation.groupId ? { ...group, products: [...group.products, created] } : group,
        );
        break;
      }
      case 'update_product':
        updateProduct(
          (product) => product.id === operation.productId,
          (product) => withValues(product, operation.values),
        );
        break;
      case 'delete_product':
        groups = groups.map((group) => ({
          ...group,
          products: group.products.filter((product) => product.id !== operation.productId),
        }));
        break;
      case 'update_line':
        lines = lines.map((line) => {
          if (line.id !== operation.lineId) return line;
          const values = { ...line.values, ...operation.values };
          if (sameJson(values, line.values)) return line;
          return { ...line, values, modifiedOn: now, etag: `${line.etag}+` };
        });
        break;
      case 'skip':
        break;
    }
  }

  const productIdOf = (customId: string): number | undefined =>
    groups
      .flatMap((group) => group.products)
      .find((product) => product._private_ownerside?.custom_id === customId)?.id;
  const links = plan.links.flatMap((link): Link[] => {
    const productId = link.productId ?? productIdOf(link.lineId);
    return productId === undefined ? [] : [{ ...link, productId }];
  });
  return { lines, productGroups: groups, links, nextProductId };
}
