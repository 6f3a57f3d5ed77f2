import {
  CreateContractAnswerSchema,
  CreateContractBodySchema,
  CreateContractPreviewAnswerSchema,
  CreateContractQuerySchema,
} from '@oneflow-sync/shared';
import { answer, ok, readBody, readQuery } from '../http/api';
import { actorOf, syncDeps } from '../http/params';
import { signedInRoute } from '../http/route';
import { createContractFromRecord } from '../sync/createContract';
import { previewContractFromRecord } from '../sync/previewContract';
import { resultBody } from '../http/contracts';
import { templateForCreate } from '../http/templates';

/**
 * "Create contract": 201 with the new contract and the applied initial transfer (200 when it re-ran on one).
 * With `dryRun=true`, 200 with the transfer it would apply now, after the same checks, and nothing written.
 */
export default signedInRoute(
  'user',
  { name: 'contractsCreate', methods: ['POST'], route: 'contracts' },
  async (context) => {
    const { dryRun } = readQuery(context.request, CreateContractQuerySchema);
    const body = await readBody(context.request, CreateContractBodySchema);
    // Checked first: a template that cannot be used leaves nothing behind, here or in Oneflow.
    const templateId = await templateForCreate(context.tenant, body.templateId);
    if (dryRun === 'true') {
      const preview = await previewContractFromRecord(syncDeps(context), {
        mainEntity: body.entity,
        recordId: body.recordId,
        templateId,
        actor: actorOf(context),
      });
      return ok(CreateContractPreviewAnswerSchema, {
        contract: preview.contract,
        // What would be created; null when the unfinished transfer of the record's contract would be re-run.
        newContract: preview.contract === null ? { name: preview.name, templateId } : null,
        ...resultBody(preview.result),
      });
    }
    const { contract, created, result } = await createContractFromRecord(syncDeps(context), {
      mainEntity: body.entity,
      recordId: body.recordId,
      templateId,
      actor: actorOf(context),
    });
    return answer(created ? 201 : 200, CreateContractAnswerSchema, { contract, ...resultBody(result) });
  },
);
