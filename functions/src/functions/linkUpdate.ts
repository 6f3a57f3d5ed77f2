import { randomUUID } from 'node:crypto';
import { LinkAnswerSchema, LinkParamsSchema, LinkPatchBodySchema, type Link } from '@oneflow-sync/shared';
import { ok, readBody, readParams } from '../http/api';
import { ApiError, notFound } from '../http/errors';
import { actorOf } from '../http/params';
import { signedInRoute, type SignedInContext } from '../http/route';
import { withContractLease } from '../state/lease';

/**
 * A repair by hand, under the contract's lease and recorded in the activity: re-point a link at another product
 * (its base is forgotten, so the next action compares afresh), mark it, or (DELETE) drop it.
 */
export async function editLink<T extends Link | null>(
  context: SignedInContext,
  /** The new link (null: drop it), given the link and the contract's other links; may refuse with an ApiError. */
  change: (link: Link, others: Link[]) => T,
  message: string,
): Promise<T> {
  const { contractId, lineId } = readParams(context.request, LinkParamsSchema);
  const { store } = context.services;
  const tenantId = context.principal.tenantId;
  const contract = await store.contracts.getById(tenantId, contractId);
  if (!contract) throw notFound(`Contract ${contractId} is not synced with Dynamics here`);
  return withContractLease(store.leases, tenantId, contractId, async () => {
    const links = await store.links.list(tenantId, contractId);
    const link = links.find((candidate) => candidate.lineId === lineId);
    if (!link) throw notFound(`No link for line ${lineId} in contract ${contractId}`);
    const next = change(
      link,
      links.filter((candidate) => candidate !== link),
    );
    if (next) await store.links.put(tenantId, next);
    else await store.links.delete(tenantId, contractId, lineId);
    await store.activity.record({
      id: randomUUID(),
      tenantId,
      contractId,
      mainEntity: contract.mainEntity,
      recordId: contract.recordId,
      action: 'link_edit',
      outcome: 'applied',
      actor: actorOf(context),
      at: context.services.clock().toISOString(),
      message,
      summary: null,
      changes: [
        {
          lineId,
          productId: link.productId,
          dynamicsField: null,
          oneflowField: null,
          side: null,
          old: `${link.productId} (${link.state})`,
          new: next ? `${next.productId} (${next.state})` : null,
          rule: 'link_edit',
        },
      ],
    });
    return next;
  });
}

export default signedInRoute(
  'admin',
  { name: 'linkUpdate', methods: ['PATCH'], route: 'links/{contractId}/{lineId}' },
  async (context) => {
    const patch = await readBody(context.request, LinkPatchBodySchema);
    const link = await editLink(
      context,
      (current, others) => {
        const productChanged = patch.productId !== undefined && patch.productId !== current.productId;
        const taken = others.find((other) => other.productId === patch.productId);
        if (productChanged && taken) {
          // Two lines on one product: deleting either line at push would delete the other's product.
          throw new ApiError(
            409,
            'product_already_linked',
            `Oneflow product ${taken.productId} is already linked to line ${taken.lineId}`,
          );
        }
        return {
          ...current,
          productId: patch.productId ?? current.productId,
          state: patch.state ?? current.state,
          base: productChanged ? {} : current.base,
        };
      },
      'Link changed by hand',
    );
    return ok(LinkAnswerSchema, { link });
  },
);
