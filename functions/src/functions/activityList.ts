import { z } from 'zod';
import { ok, readQuery } from '../http/api';
import { ContractIdSchema, GuidSchema } from '../http/params';
import { signedInRoute } from '../http/route';

const ActivityQuery = z
  .object({
    contractId: ContractIdSchema.optional(),
    recordId: GuidSchema.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .refine((query) => (query.contractId === undefined) !== (query.recordId === undefined), {
    message: 'give exactly one of contractId or recordId',
  });

/** What product sync did for a contract or record, newest first, field by field. */
export default signedInRoute(
  'user',
  { name: 'activityList', methods: ['GET'], route: 'activity' },
  async ({ request, services, principal }) => {
    const query = readQuery(request, ActivityQuery);
    return ok({ entries: await services.store.activity.list(principal.tenantId, query) });
  },
);
