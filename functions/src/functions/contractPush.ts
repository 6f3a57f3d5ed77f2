import { SyncResultAnswerSchema } from '@oneflow-sync/shared';
import { ok } from '../http/api';
import { contractRefInAddress, resultBody } from '../http/contracts';
import { actorOf, syncDeps } from '../http/params';
import { signedInRoute } from '../http/route';
import { runSyncOnContract } from '../sync/syncService';

/** "Push updates to Oneflow": plans and applies, and answers with the applied plan. */
export default signedInRoute(
  'user',
  { name: 'contractPush', methods: ['POST'], route: 'contracts/{id}/push' },
  async (context) => {
    const result = await runSyncOnContract(syncDeps(context), contractRefInAddress(context), {
      action: 'push',
      actor: actorOf(context),
    });
    return ok(SyncResultAnswerSchema, resultBody(result));
  },
);
