import { z } from 'zod';
import { ok, readQuery } from '../http/api';
import { ContinuationTokenSchema, readPage } from '../http/paging';
import { ContractIdSchema, countSchema, GuidSchema } from '../http/params';
import { signedInRoute } from '../http/route';
import { ACTIVITY_OUTCOMES } from '../state/types';
import { settleInterruptedRuns } from '../sync/runJournal';

const ActivityQuery = z
  .object({
    contractId: ContractIdSchema.optional(),
    recordId: GuidSchema.optional(),
    outcome: z.enum(ACTIVITY_OUTCOMES).optional(),
    limit: countSchema(200).default(50),
    continuationToken: ContinuationTokenSchema,
  })
  .refine((query) => (query.contractId === undefined) !== (query.recordId === undefined), {
    message: 'give exactly one of contractId or recordId',
  });

/**
 * What product sync did for a contract or record, newest first, field by field, a page at a time (optionally
 * only one outcome). A run whose process died shows as `interrupted` from here on (its row is settled before the
 * list is read).
 */
export default signedInRoute(
  'user',
  { name: 'activityList', methods: ['GET'], route: 'activity' },
  async ({ request, services, principal }) => {
    const { limit, continuationToken, ...filter } = readQuery(request, ActivityQuery);
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
    return ok({ entries: page.items, continuationToken: page.continuationToken, total: page.total });
  },
);
