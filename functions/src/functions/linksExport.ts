import { stringify } from 'csv-stringify/sync';
import { readQuery } from '../http/api';
import { signedInRoute } from '../http/route';
import { LinksQuery } from './linksList';

const EXPORT_LIMIT = 5000;

const COLUMNS = ['contractId', 'lineId', 'productId', 'state', 'syncedAt', 'base'] as const;

/** The same links as a CSV file (the base as JSON in one column), for audits and spreadsheets. */
export default signedInRoute(
  'user',
  { name: 'linksExport', methods: ['GET'], route: 'links/export.csv' },
  async ({ request, services, principal }) => {
    // The store's largest page: a tenant's links for a few hundred contracts.
    const links = await services.store.links.search(principal.tenantId, {
      ...readQuery(request, LinksQuery),
      limit: EXPORT_LIMIT,
    });
    const rows = links.map((link) => [
      link.contractId,
      link.lineId,
      link.productId,
      link.state,
      link.syncedAt,
      JSON.stringify(link.base),
    ]);
    return {
      status: 200,
      headers: {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': 'attachment; filename="product-sync-links.csv"',
      },
      text: stringify(rows, { header: true, columns: [...COLUMNS] }),
    };
  },
);
