import { z } from 'zod';
import { ok, readQuery } from '../http/api';
import { ContractIdSchema, countSchema } from '../http/params';
import { signedInRoute } from '../http/route';

export const LinksQuery = z.object({
  contractId: ContractIdSchema.optional(),
  /** A Dynamics line id (or its start) or an Oneflow product id. */
  q: z.string().trim().min(1).max(100).optional(),
  /** At most this many links; 100 unless asked. */
  limit: countSchema(1000).optional(),
});

/** The tenant's links, by contract and/or searched by either side's id. */
export default signedInRoute(
  'user',
  { name: 'linksList', methods: ['GET'], route: 'links' },
  async ({ request, services, principal }) => {
    const query = readQuery(request, LinksQuery);
    return ok({ links: await services.store.links.search(principal.tenantId, query) });
  },
);
