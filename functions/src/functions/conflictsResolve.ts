import { z } from 'zod';
import { OneflowFieldKeySchema } from '@oneflow-sync/shared';
import { ok, readBody } from '../http/api';
import { contractInAddress, resultBody } from '../http/contracts';
import { actorOf, GuidSchema, syncDeps } from '../http/params';
import { signedInRoute } from '../http/route';
import { resolveConflicts } from '../sync/resolveConflicts';

const ResolveBody = z.object({
  resolutions: z
    .array(
      z.object({
        lineId: GuidSchema,
        oneflowField: OneflowFieldKeySchema,
        keep: z.enum(['dynamics', 'oneflow']),
      }),
    )
    .min(1, 'must name at least one held field'),
});

/** Settles fields held by the `review` policy: the chosen side's value is written to the other side. */
export default signedInRoute(
  'user',
  { name: 'conflictsResolve', methods: ['POST'], route: 'contracts/{id}/conflicts/resolve' },
  async (context) => {
    const body = await readBody(context.request, ResolveBody);
    const record = await contractInAddress(context);
    const results = await resolveConflicts(syncDeps(context), record, body.resolutions, actorOf(context));
    return ok({ results: results.map(resultBody) });
  },
);
