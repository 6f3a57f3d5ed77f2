import { SyncResultAnswerSchema } from '@oneflow-sync/shared';
import { ok } from '../http/api';
import { contractInAddress, resultBody } from '../http/contracts';
import { actorOf, syncDeps } from '../http/params';
import { signedInRoute } from '../http/route';
import { runSync } from '../sync/syncService';

/** "Fetch updates from Oneflow": plans and applies, and answers with the applied plan. */
export default signedInRoute(
  'user',
  { name: 'contractFetch', methods: ['POST'], route: 'contracts/{id}/fetch' },
  async (context) => {
    const record = await contractInAddress(context);
    return ok(
      SyncResultAnswerSchema,
      resultBody(
        await runSync(syncDeps(context), { record, action: 'fetch', actor: actorOf(context), dryRun: false }),
      ),
    );
  },
);
