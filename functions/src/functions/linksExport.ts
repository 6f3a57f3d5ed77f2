import { stringify } from 'csv-stringify/sync';
import { LINKS_CSV_COLUMNS, LinksFilterSchema, type Link } from '@oneflow-sync/shared';
import { readQuery } from '../http/api';
import { signedInRoute } from '../http/route';
import type { Page } from '../state/paging';
import { MAX_TABLE_PAGE } from '../state/paging';

const csvRows = (links: Link[]): string =>
  stringify(
    links.map((link) => [
      link.contractId,
      link.lineId,
      link.productId,
      link.state,
      link.syncedAt,
      JSON.stringify(link.base),
    ]),
  );

/** The header, then one chunk of rows per page of links: only one page is ever held in memory. */
async function* csvChunks(
  first: Page<Link>,
  next: (continuationToken: string) => Promise<Page<Link>>,
): AsyncGenerator<string> {
  yield stringify([], { header: true, columns: [...LINKS_CSV_COLUMNS] });
  let page = first;
  for (;;) {
    if (page.items.length > 0) yield csvRows(page.items);
    if (page.continuationToken === null) return;
    page = await next(page.continuationToken);
  }
}

/**
 * Every link the filter matches, however many, as a CSV file (the base as JSON in one column), for audits and
 * spreadsheets. Streamed a page of the table at a time.
 */
export default signedInRoute(
  'user',
  { name: 'linksExport', methods: ['GET'], route: 'links/export.csv' },
  async ({ request, services, principal }) => {
    const filter = readQuery(request, LinksFilterSchema);
    const read = (continuationToken?: string) =>
      services.store.links.searchPage(principal.tenantId, filter, {
        limit: MAX_TABLE_PAGE,
        ...(continuationToken === undefined ? {} : { continuationToken }),
      });
    // Read before answering: a failure of the first page is still an error answer, not a cut-off file.
    const first = await read();
    return {
      status: 200,
      headers: {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': 'attachment; filename="product-sync-links.csv"',
      },
      stream: csvChunks(first, read),
    };
  },
);
