import { LinksPageAnswerSchema, LinksQuerySchema } from '@oneflow-sync/shared';
import { ok, readQuery } from '../http/api';
import { readPage } from '../http/paging';
import { signedInRoute } from '../http/route';

const DEFAULT_LIMIT = 100;

/**
 * The tenant's links, by contract and/or searched by either side's id, a page at a time: `continuationToken`
 * (null on the last page) fetches the next one; `total` is given for one contract's links (or when one page
 * holds them all), null where counting would read every link of the tenant.
 */
export default signedInRoute(
  'user',
  { name: 'linksList', methods: ['GET'], route: 'links' },
  async ({ request, services, principal }) => {
    const { limit, continuationToken, ...filter } = readQuery(request, LinksQuerySchema);
    const page = await readPage(() =>
      services.store.links.searchPage(principal.tenantId, filter, {
        limit: limit ?? DEFAULT_LIMIT,
        ...(continuationToken === undefined ? {} : { continuationToken }),
      }),
    );
    return ok(LinksPageAnswerSchema, {
      links: page.items,
      continuationToken: page.continuationToken,
      total: page.total,
    });
  },
);
