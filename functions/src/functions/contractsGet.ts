import { z } from 'zod';
import { ok, readQuery } from '../http/api';
import { notFound } from '../http/errors';
import { GuidSchema, LogicalNameSchema } from '../http/params';
import { signedInRoute } from '../http/route';

/** The record's Oneflow contract, if it has one, and how many of its lines are linked. */
export default signedInRoute(
  'user',
  { name: 'contractsGet', methods: ['GET'], route: 'contracts' },
  async ({ request, services, principal }) => {
    const query = readQuery(request, z.object({ entity: LogicalNameSchema, recordId: GuidSchema }));
    const contract = await services.store.contracts.getByRecord(
      principal.tenantId,
      query.entity,
      query.recordId,
    );
    if (!contract) throw notFound(`This ${query.entity} has no Oneflow contract yet`);
    const links = await services.store.links.list(principal.tenantId, contract.contractId);
    return ok({
      contract,
      links: {
        active: links.filter((link) => link.state === 'active').length,
        deletedInOneflow: links.filter((link) => link.state === 'deleted_in_oneflow').length,
      },
    });
  },
);
