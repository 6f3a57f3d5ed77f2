import { EntityQuerySchema, ProductSourcesAnswerSchema } from '@oneflow-sync/shared';
import { ok, readQuery } from '../http/api';
import { signedInRoute } from '../http/route';

/** Candidate product sources of a main entity: one entry per N:1 relationship, the lookup field in brackets. */
export default signedInRoute(
  'user',
  { name: 'metadataProductSources', methods: ['GET'], route: 'metadata/product-sources' },
  async ({ request, tenant }) => {
    const { entity } = readQuery(request, EntityQuerySchema);
    return ok(ProductSourcesAnswerSchema, {
      entity,
      sources: await tenant.dynamics.listProductSources(entity),
    });
  },
);
