import { z } from 'zod';
import { ok, readQuery } from '../http/api';
import { notFound } from '../http/errors';
import { GuidSchema, LogicalNameSchema } from '../http/params';
import { signedInRoute } from '../http/route';
import { contractDeletedMessage } from '../sync/errors';
import { settleInterruptedRun } from '../sync/runJournal';

/**
 * The record's Oneflow contract, if it has one: whether it still exists in Oneflow (with what to do when it does
 * not), how many of its lines are linked, and its latest activity.
 */
export default signedInRoute(
  'user',
  { name: 'contractsGet', methods: ['GET'], route: 'contracts' },
  async ({ request, services, principal }) => {
    const query = readQuery(request, z.object({ entity: LogicalNameSchema, recordId: GuidSchema }));
    const { store } = services;
    const tenantId = principal.tenantId;
    const contract = await store.contracts.getByRecord(tenantId, query.entity, query.recordId);
    if (!contract) throw notFound(`This ${query.entity} has no Oneflow contract yet`);
    // A run of this contract that died shows as interrupted from the first look at it.
    await settleInterruptedRun(store, tenantId, contract.contractId, false);
    const [links, [latest]] = await Promise.all([
      store.links.list(tenantId, contract.contractId),
      store.activity.list(tenantId, { contractId: contract.contractId, limit: 1 }),
    ]);
    const deleted = contract.deletedInOneflowAt !== null;
    return ok({
      contract,
      status: deleted ? 'deleted_in_oneflow' : 'linked',
      message: deleted ? contractDeletedMessage(contract.contractId, contract.mainEntity) : null,
      links: {
        active: links.filter((link) => link.state === 'active').length,
        deletedInOneflow: links.filter((link) => link.state === 'deleted_in_oneflow').length,
      },
      lastActivity: latest
        ? {
            id: latest.id,
            action: latest.action,
            outcome: latest.outcome,
            at: latest.at,
            message: latest.message,
          }
        : null,
    });
  },
);
