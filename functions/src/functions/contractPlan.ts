import { PlanQuerySchema, SyncResultAnswerSchema } from '@oneflow-sync/shared';
import { ok, readQuery } from '../http/api';
import { contractInAddress, resultBody } from '../http/contracts';
import { actorOf, syncDeps } from '../http/params';
import { signedInRoute } from '../http/route';
import { previewSync } from '../sync/syncService';

/**
 * Dry run of a push or fetch: the plan as it would be applied now. Takes no lease, so it answers while a run of
 * the same contract holds it, and writes nothing anywhere.
 */
export default signedInRoute(
  'user',
  { name: 'contractPlan', methods: ['GET'], route: 'contracts/{id}/plan' },
  async (context) => {
    const { action } = readQuery(context.request, PlanQuerySchema);
    const record = await contractInAddress(context);
    return ok(
      SyncResultAnswerSchema,
      resultBody(await previewSync(syncDeps(context), { record, action, actor: actorOf(context) })),
    );
  },
);
