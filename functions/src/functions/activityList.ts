import { z } from 'zod';
import { ok, readQuery } from '../http/api';
import { ContractIdSchema, countSchema, GuidSchema } from '../http/params';
import { signedInRoute } from '../http/route';
import { settleInterruptedRuns } from '../sync/runJournal';

const ActivityQuery = z
  .object({
    contractId: ContractIdSchema.optional(),
    recordId: GuidSchema.optional(),
    limit: countSchema(200).default(50),
  })
  .refine((query) => (query.contractId === undefined) !== (query.recordId === undefined), {
    message: 'give exactly one of contractId or recordId',
  });

/**
 * What product sync did for a contract or record, newest first, field by field. A run whose process died shows
 * as `interrupted` from here on (its row is settled before the list is read).
 */
export default signedInRoute(
  'user',
  { name: 'activityList', methods: ['GET'], route: 'activity' },
  async ({ request, services, principal }) => {
    const query = readQuery(request, ActivityQuery);
    const { store } = services;
    const { contractId, recordId } = query;
    if (contractId !== undefined) await settleInterruptedRuns(store, principal.tenantId, { contractId });
    else if (recordId !== undefined) await settleInterruptedRuns(store, principal.tenantId, { recordId });
    return ok({ entries: await store.activity.list(principal.tenantId, query) });
  },
);
