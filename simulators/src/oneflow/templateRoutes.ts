import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SimulatorContext } from './context';
import { badRequest } from './errors';
import { callerEmail, idParam, paginate, parseBody } from './http';
import type { TemplateState } from './model';
import { renderTemplate, renderTemplateType, renderWorkspace } from './render';

interface IdParams {
  Params: { id: string };
}

const WORKSPACE_HEADER = 'x-oneflow-workspace-id';

/** The helper's filters; `template_type_id` is a number in the connector's definition. */
const CreateDataQuerySchema = z.object({
  extension_type: z.string().min(1).optional(),
  template_type_id: z.coerce.number().int().positive().optional(),
});

const TemplateTypesQuerySchema = z.object({ extension_type: z.string().min(1).optional() });

/**
 * The connector's definition requires `x-oneflow-workspace-id` (a number). The answer is not narrowed by it: the
 * connector picks its workspace out of the list itself, so a client must do the same (the stricter reading).
 */
function requireWorkspaceHeader(request: FastifyRequest): void {
  const value = request.headers[WORKSPACE_HEADER];
  if (value === undefined) throw badRequest({ [WORKSPACE_HEADER]: ['This header is required.'] });
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value.trim())) {
    throw badRequest({ [WORKSPACE_HEADER]: ['A valid integer is required.'] });
  }
}

/** Workspaces, templates and template types: registered under /v1. They are the seed's; the API only reads them. */
export function registerTemplateRoutes(api: FastifyInstance, { store }: SimulatorContext): void {
  const workspaceAnswer = (request: FastifyRequest, id: number): Record<string, unknown> =>
    renderWorkspace(store.workspace(id), store.canCreateIn(callerEmail(request), id));
  const templateAnswer = (template: TemplateState): Record<string, unknown> =>
    renderTemplate(template, store.typeOf(template), store.workspaces());

  api.get('/workspaces', async (request) =>
    paginate(
      request,
      store.workspaces().map(({ id }) => workspaceAnswer(request, id)),
    ),
  );

  api.get<IdParams>('/workspaces/:id', async (request) =>
    workspaceAnswer(request, idParam(request.params.id)),
  );

  // "All workspaces where the user has permission to create contracts with at least one template", each with
  // its templates, filtered by template type when asked. A bare JSON array, as the connector's script reads it.
  const contractCreateData = async (request: FastifyRequest): Promise<unknown[]> => {
    requireWorkspaceHeader(request);
    const query = parseBody(CreateDataQuerySchema, request.query);
    const include = (template: TemplateState): boolean => {
      const type = store.typeOf(template);
      if (query.template_type_id !== undefined && type?.id !== query.template_type_id) return false;
      if (query.extension_type !== undefined && type?.extensionType !== query.extension_type) return false;
      return true;
    };
    return store.creatableWorkspaces(callerEmail(request), include).map(({ workspace, templates }) => ({
      ...renderWorkspace(workspace, true),
      templates: templates.map(templateAnswer),
    }));
  };
  // The simulator answers every path with or without its trailing slash (index.ts).
  api.get('/helpers/contract_create_data/', contractCreateData);

  api.get<IdParams>('/templates/:id', async (request) =>
    templateAnswer(store.template(idParam(request.params.id))),
  );

  api.get('/template_types', async (request) => {
    const { extension_type: extensionType } = parseBody(TemplateTypesQuerySchema, request.query);
    const types = store
      .templateTypes()
      .filter((type) => extensionType === undefined || type.extensionType === extensionType);
    return paginate(request, types.map(renderTemplateType));
  });

  api.get<IdParams>('/template_types/:id', async (request) =>
    renderTemplateType(store.templateType(idParam(request.params.id))),
  );
}
