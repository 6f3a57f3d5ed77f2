import { ActivityPageAnswerSchema, ActivityQuerySchema } from '@oneflow-sync/shared';
import { ok, readQuery } from '../http/api';
import { readPage } from '../http/paging';
import { signedInRoute } from '../http/route';
import { settleInterruptedRuns } from '../sync/runJournal';

/**
 * What product sync did for a contract or record, newest first, field by field, a page at a time (optionally
 * only one outcome). A run whose process died shows as `interrupted` from here on (its row is settled before the
 * list is read).
 */
export default signedInRoute(
  'user',
  { name: 'activityList', methods: ['GET'], route: 'activity' },
  async ({ request, services, principal }) => {
    const { limit, continuationToken, ...filter } = readQuery(request, ActivityQuerySchema);
    const { store } = services;
    const { contractId, recordId } = filter;
    if (contractId !== undefined) await settleInterruptedRuns(store, principal.tenantId, { contractId });
    else if (recordId !== undefined) await settleInterruptedRuns(store, principal.tenantId, { recordId });
    const page = await readPage(() =>
      store.activity.listPage(principal.tenantId, filter, {
        limit,
        ...(continuationToken === undefined ? {} : { continuationToken }),
      }),
    );
    return ok(ActivityPageAnswerSchema, {
      entries: page.items,
      continuationToken: page.continuationToken,
      total: page.total,
    });
  },
);
