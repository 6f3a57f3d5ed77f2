import { ResolveConflictsAnswerSchema, ResolveConflictsBodySchema } from '@oneflow-sync/shared';
import { ok, readBody } from '../http/api';
import { contractInAddress, resultBody } from '../http/contracts';
import { actorOf, syncDeps } from '../http/params';
import { signedInRoute } from '../http/route';
import { resolveConflicts } from '../sync/resolveConflicts';

/** Settles fields held by the `review` policy: the chosen side's value is written to the other side. */
export default signedInRoute(
  'user',
  { name: 'conflictsResolve', methods: ['POST'], route: 'contracts/{id}/conflicts/resolve' },
  async (context) => {
    const body = await readBody(context.request, ResolveConflictsBodySchema);
    const record = await contractInAddress(context);
    const results = await resolveConflicts(syncDeps(context), record, body.resolutions, actorOf(context));
    return ok(ResolveConflictsAnswerSchema, { results: results.map(resultBody) });
  },
);
