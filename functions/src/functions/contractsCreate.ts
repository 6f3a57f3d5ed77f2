import { z } from 'zod';
import { readBody } from '../http/api';
import { actorOf, GuidSchema, LogicalNameSchema, syncDeps } from '../http/params';
import { signedInRoute } from '../http/route';
import { createContractFromRecord } from '../sync/createContract';
import { resultBody } from '../http/contracts';
import { templateForCreate } from '../http/templates';

const CreateContractBody = z.object({
  entity: LogicalNameSchema,
  recordId: GuidSchema,
  /** An Oneflow template of the workspace that can receive products; the configured one when left out. */
  templateId: z.number().int().positive().optional(),
});

/** "Create contract": 201 with the new contract and the applied initial transfer (200 when it re-ran on one). */
export default signedInRoute(
  'user',
  { name: 'contractsCreate', methods: ['POST'], route: 'contracts' },
  async (context) => {
    const body = await readBody(context.request, CreateContractBody);
    // Checked first: a template that cannot be used leaves nothing behind, here or in Oneflow.
    const templateId = await templateForCreate(context.tenant, body.templateId);
    const { contract, created, result } = await createContractFromRecord(syncDeps(context), {
      mainEntity: body.entity,
      recordId: body.recordId,
      templateId,
      actor: actorOf(context),
    });
    return { status: created ? 201 : 200, json: { contract, ...resultBody(result) } };
  },
);
