import { SyncResultAnswerSchema } from '@oneflow-sync/shared';
import { ok } from '../http/api';
import { contractRefInAddress, resultBody } from '../http/contracts';
import { actorOf, syncDeps } from '../http/params';
import { signedInRoute } from '../http/route';
import { runSyncOnContract } from '../sync/syncService';

/** "Fetch updates from Oneflow": plans and applies, and answers with the applied plan. */
export default signedInRoute(
  'user',
  { name: 'contractFetch', methods: ['POST'], route: 'contracts/{id}/fetch' },
  async (context) => {
    const result = await runSyncOnContract(syncDeps(context), contractRefInAddress(context), {
      action: 'fetch',
      actor: actorOf(context),
    });
    return ok(SyncResultAnswerSchema, resultBody(result));
  },
);
