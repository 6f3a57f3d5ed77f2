import { z } from 'zod';
import { ok, readQuery } from '../http/api';
import { LogicalNameSchema } from '../http/params';
import { signedInRoute } from '../http/route';

/** Candidate product sources of a main entity: one entry per N:1 relationship, the lookup field in brackets. */
export default signedInRoute(
  'user',
  { name: 'metadataProductSources', methods: ['GET'], route: 'metadata/product-sources' },
  async ({ request, tenant }) => {
    const { entity } = readQuery(request, z.object({ entity: LogicalNameSchema }));
    return ok({ entity, sources: await tenant.dynamics.listProductSources(entity) });
  },
);
