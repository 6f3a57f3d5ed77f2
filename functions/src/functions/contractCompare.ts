import { CompareAnswerSchema } from '@oneflow-sync/shared';
import { ok } from '../http/api';
import { contractInAddress } from '../http/contracts';
import { actorOf, syncDeps } from '../http/params';
import { signedInRoute } from '../http/route';
import { compareSyncedContract } from '../sync/compareContract';

/** Both sides of a contract field by field, with what push and fetch would do. No lease, no writes. */
export default signedInRoute(
  'user',
  { name: 'contractCompare', methods: ['GET'], route: 'contracts/{id}/compare' },
  async (context) => {
    const record = await contractInAddress(context);
    return ok(CompareAnswerSchema, await compareSyncedContract(syncDeps(context), record, actorOf(context)));
  },
);
