import { UnlinkAnswerSchema } from '@oneflow-sync/shared';
import { ok } from '../http/api';
import { contractInAddress } from '../http/contracts';
import { actorOf, syncDeps } from '../http/params';
import { signedInRoute } from '../http/route';
import { unlinkContract } from '../sync/unlinkContract';

/** "Unlink": the record lets go of its contract deleted in Oneflow, so a new one can be created for it. */
export default signedInRoute(
  'user',
  { name: 'contractUnlink', methods: ['POST'], route: 'contracts/{id}/unlink' },
  async (context) => {
    const record = await contractInAddress(context);
    const { contract, linksDropped, activityId } = await unlinkContract(
      syncDeps(context),
      record,
      actorOf(context),
    );
    return ok(UnlinkAnswerSchema, {
      unlinked: {
        contractId: contract.contractId,
        mainEntity: contract.mainEntity,
        recordId: contract.recordId,
      },
      linksDropped,
      activityId,
    });
  },
);
