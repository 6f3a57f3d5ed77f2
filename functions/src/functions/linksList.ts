import { z } from 'zod';
import { ok, readQuery } from '../http/api';
import { ContinuationTokenSchema, readPage } from '../http/paging';
import { ContractIdSchema, countSchema } from '../http/params';
import { signedInRoute } from '../http/route';

const DEFAULT_LIMIT = 100;

/** What links can be narrowed to (the list and the CSV export). */
export const LinksFilter = z.object({
  contractId: ContractIdSchema.optional(),
  /** A Dynamics line id (or its start) or an Oneflow product id. */
  q: z.string().trim().min(1).max(100).optional(),
});

const LinksQuery = LinksFilter.extend({
  /** At most this many links per page; 100 unless asked. */
  limit: countSchema(1000).optional(),
  continuationToken: ContinuationTokenSchema,
});

/**
 * The tenant's links, by contract and/or searched by either side's id, a page at a time: `continuationToken`
 * (null on the last page) fetches the next one; `total` is given for one contract's links (or when one page
 * holds them all), null where counting would read every link of the tenant.
 */
export default signedInRoute(
  'user',
  { name: 'linksList', methods: ['GET'], route: 'links' },
  async ({ request, services, principal }) => {
    const { limit, continuationToken, ...filter } = readQuery(request, LinksQuery);
    const page = await readPage(() =>
      services.store.links.searchPage(principal.tenantId, filter, {
        limit: limit ?? DEFAULT_LIMIT,
        ...(continuationToken === undefined ? {} : { continuationToken }),
      }),
    );
    return ok({ links: page.items, continuationToken: page.continuationToken, total: page.total });
  },
);
