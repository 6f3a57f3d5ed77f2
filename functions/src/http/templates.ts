import type { ContractTemplate } from '@oneflow-sync/shared';
import type { TenantServices } from '../services';
import { badRequest } from './errors';

/**
 * The templates of the organisation's workspace (`oneflow.workspaceId`) that can receive products, in Oneflow's
 * order. Oneflow lists every workspace its user may create contracts in: the configured one is picked out, and
 * when the user may not create there the list is empty.
 */
export async function productTemplates(tenant: TenantServices): Promise<ContractTemplate[]> {
  const { workspaceId, templateId } = tenant.config.oneflow;
  const workspaces = await tenant.oneflow.listContractCreateData(workspaceId);
  const workspace = workspaces.find(({ id }) => id === workspaceId);
  return (workspace?.templates ?? [])
    .filter((template) => template.available_options?.can_receive_products === true)
    .map((template) => ({
      id: template.id,
      name: template.name,
      templateType: template.template_type
        ? { id: template.template_type.id, name: template.template_type.name }
        : null,
      isDefault: template.id === templateId,
    }));
}

/**
 * The template a create request names, checked against the ones that can receive products: anything else is a
 * 400 naming `templateId` (before anything is written). Without one, the configured template, unchecked.
 */
export async function templateForCreate(
  tenant: TenantServices,
  templateId: number | undefined,
): Promise<number> {
  if (templateId === undefined) return tenant.config.oneflow.templateId;
  const templates = await productTemplates(tenant);
  if (!templates.some(({ id }) => id === templateId)) {
    throw badRequest(`Template ${String(templateId)} cannot be used for this contract`, [
      {
        field: 'body.templateId',
        message: `is not a template of Oneflow workspace ${String(tenant.config.oneflow.workspaceId)} that can receive products (GET /api/templates lists them)`,
      },
    ]);
  }
  return templateId;
}
