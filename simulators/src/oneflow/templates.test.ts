import { z } from 'zod';
import { OneflowErrorSchema, PageSchema, shape, TOKEN, useOneflowSimulator, USER_EMAIL } from './testSupport';

const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/;

/** simulators/fixtures/oneflow.json */
const SALES = 130406;
const LEGAL = 130407;
const ADMIN_EMAIL = 'sam.admin@contoso.example';
const DYNAMICS_TYPE = 4001;

const WorkspaceSchema = z.strictObject({
  id: z.number().int(),
  name: z.string(),
  description: z.string(),
  company_name: z.string(),
  country_code: z.string(),
  registration_number: z.string(),
  date_format: z.string(),
  created_time: z.string().regex(TIME),
  updated_time: z.string().regex(TIME),
  _permissions: z.strictObject({ 'contract:create': z.boolean() }),
});

const TypeSummarySchema = z.strictObject({
  id: z.number().int(),
  name: z.string(),
  description: z.string(),
  extension_type: z.string().nullable(),
  created_time: z.string().regex(TIME),
  updated_time: z.string().regex(TIME),
});

const TemplateSchema = z.strictObject({
  id: z.number().int(),
  name: z.string(),
  created_time: z.string().regex(TIME),
  updated_time: z.string().regex(TIME),
  available_options: z.strictObject({ can_receive_products: z.boolean() }),
  template_type: TypeSummarySchema.nullable(),
  workspaces: z.array(z.strictObject({ id: z.number().int(), name: z.string() })),
});

const TemplateTypeSchema = TypeSummarySchema.extend({
  active: z.boolean(),
  data_fields: z.array(
    z.strictObject({
      id: z.number().int(),
      custom_id: z.string(),
      name: z.string(),
      description: z.string(),
      placeholder: z.string(),
      source: z.enum(['user', 'system']),
      value: z.string(),
      active: z.boolean(),
    }),
  ),
});

const CreateDataSchema = z.array(WorkspaceSchema.extend({ templates: z.array(TemplateSchema) }));

const { call } = useOneflowSimulator();

const asUser = (email: string) => ({ 'x-oneflow-user-email': email });
const createData = (
  query = '',
  headers: Record<string, string> = { 'x-oneflow-workspace-id': String(SALES) },
) =>
  call('GET', `/v1/helpers/contract_create_data/${query}`, {
    headers: { ...asUser(USER_EMAIL), ...headers },
  });
const templateIds = (body: unknown): Record<number, number[]> =>
  Object.fromEntries(
    shape(CreateDataSchema, body).map((workspace) => [workspace.id, workspace.templates.map(({ id }) => id)]),
  );

describe('Oneflow workspaces', () => {
  it('fact: GET /v1/workspaces is a page {_links, count, data} of workspaces, each with the caller\'s _permissions["contract:create"]', async () => {
    const answer = await call('GET', '/v1/workspaces', { headers: asUser(USER_EMAIL) });
    expect(answer.status).toBe(200);
    const page = shape(PageSchema, answer.body);
    expect(page.count).toBe(2);
    const workspaces = page.data.map((item) => shape(WorkspaceSchema, item));
    expect(workspaces.map(({ id, _permissions }) => [id, _permissions['contract:create']])).toEqual([
      [SALES, true],
      [LEGAL, false],
    ]);
    expect(workspaces[0]).toMatchObject({
      name: 'Contoso Sales',
      company_name: 'Contoso Ltd',
      country_code: 'SE',
    });
  });

  it('fact: without x-oneflow-user-email the call runs as the account admin, who may create contracts in every workspace', async () => {
    const page = shape(PageSchema, (await call('GET', '/v1/workspaces')).body);
    expect(page.data.map((item) => shape(WorkspaceSchema, item)._permissions['contract:create'])).toEqual([
      true,
      true,
    ]);
  });

  it('fact: GET /v1/workspaces pages with limit and offset like the other lists; a bad limit is a 400 naming it', async () => {
    const first = shape(PageSchema, (await call('GET', '/v1/workspaces?limit=1')).body);
    expect(first.count).toBe(2);
    expect(first.data).toHaveLength(1);
    expect(first._links.next?.href).toMatch(/\/v1\/workspaces\?limit=1&offset=1$/);
    const second = shape(PageSchema, (await call('GET', '/v1/workspaces?limit=1&offset=1')).body);
    expect(shape(WorkspaceSchema, second.data[0]).id).toBe(LEGAL);
    expect(second._links.next).toBeNull();
    const bad = await call('GET', '/v1/workspaces?limit=101');
    expect(bad.status).toBe(400);
    expect(Object.keys(shape(OneflowErrorSchema, bad.body).parameter_problems)).toEqual(['limit']);
  });

  it('fact: GET /v1/workspaces/{id} is one workspace; an unknown id is a 404', async () => {
    const answer = await call('GET', `/v1/workspaces/${LEGAL}`, { headers: asUser(ADMIN_EMAIL) });
    expect(shape(WorkspaceSchema, answer.body)).toMatchObject({
      id: LEGAL,
      name: 'Contoso Legal',
      _permissions: { 'contract:create': true },
    });
    const missing = await call('GET', '/v1/workspaces/999');
    expect(missing.status).toBe(404);
    expect(shape(OneflowErrorSchema, missing.body).error_code).toBe(4040000);
  });
});

describe('Oneflow contract create data', () => {
  it('fact: GET /v1/helpers/contract_create_data/ lists the workspaces where the user may create contracts, each with its templates (can_receive_products, template_type)', async () => {
    const answer = await createData();
    expect(answer.status).toBe(200);
    const workspaces = shape(CreateDataSchema, answer.body);
    // Alex may not create in the legal workspace: it is not listed at all.
    expect(templateIds(answer.body)).toEqual({ [SALES]: [756510, 756520, 756540, 756550] });
    const templates = workspaces[0]?.templates ?? [];
    expect(templates.find(({ id }) => id === 756510)).toMatchObject({
      name: 'Sales agreement',
      available_options: { can_receive_products: true },
      template_type: { id: DYNAMICS_TYPE, name: 'Dynamics 365 sales', extension_type: 'dynamics' },
      workspaces: [{ id: SALES, name: 'Contoso Sales' }],
    });
    expect(templates.find(({ id }) => id === 756540)?.available_options.can_receive_products).toBe(false);
  });

  it('fact: the workspace header does not narrow the list (the connector picks its workspace out of the answer); the admin gets both workspaces', async () => {
    const asAdmin = await createData('', {
      'x-oneflow-user-email': ADMIN_EMAIL,
      'x-oneflow-workspace-id': String(LEGAL),
    });
    expect(templateIds(asAdmin.body)).toEqual({
      [SALES]: [756510, 756520, 756540, 756550],
      [LEGAL]: [756530],
    });
  });

  it('fact: template_type_id and extension_type filter the templates; a workspace left with none is left out', async () => {
    expect(templateIds((await createData(`?template_type_id=${DYNAMICS_TYPE}`)).body)).toEqual({
      [SALES]: [756510, 756540, 756550],
    });
    expect(templateIds((await createData('?template_type_id=4002')).body)).toEqual({ [SALES]: [756520] });
    expect(templateIds((await createData('?extension_type=dynamics')).body)).toEqual({
      [SALES]: [756510, 756540, 756550],
    });
    expect(shape(CreateDataSchema, (await createData('?extension_type=hubspot')).body)).toEqual([]);
  });

  it("fact: the x-oneflow-workspace-id header is required (the connector's definition): missing or not a number is Oneflow's 400 naming it", async () => {
    const withoutNumber: Record<string, string>[] = [{}, { 'x-oneflow-workspace-id': 'sales' }];
    for (const headers of withoutNumber) {
      const answer = await createData('', headers);
      expect(answer.status).toBe(400);
      const error = shape(OneflowErrorSchema, answer.body);
      expect(error).toMatchObject({ status: 400, error_code: 4000000, title: 'Bad Request' });
      expect(Object.keys(error.parameter_problems)).toEqual(['x-oneflow-workspace-id']);
    }
    const badFilter = await createData('?template_type_id=dynamics');
    expect(badFilter.status).toBe(400);
    expect(Object.keys(shape(OneflowErrorSchema, badFilter.body).parameter_problems)).toEqual([
      'template_type_id',
    ]);
  });

  it('fact: the helper answers without the trailing slash too, and needs the API token like every call', async () => {
    const bare = await call('GET', '/v1/helpers/contract_create_data', {
      headers: { 'x-oneflow-workspace-id': String(SALES) },
    });
    expect(bare.status).toBe(200);
    const anonymous = await call('GET', '/v1/helpers/contract_create_data/', {
      token: null,
      headers: { 'x-oneflow-workspace-id': String(SALES) },
    });
    expect(anonymous.status).toBe(401);
  });
});

describe('Oneflow templates and template types', () => {
  it('fact: GET /v1/templates/{id} is one template with available_options.can_receive_products and its template_type; unknown is a 404', async () => {
    const answer = await call('GET', '/v1/templates/756530');
    expect(shape(TemplateSchema, answer.body)).toMatchObject({
      id: 756530,
      name: 'Framework agreement',
      available_options: { can_receive_products: true },
      template_type: { id: DYNAMICS_TYPE },
      workspaces: [{ id: LEGAL, name: 'Contoso Legal' }],
    });
    const nda = shape(TemplateSchema, (await call('GET', '/v1/templates/756520')).body);
    expect(nda).toMatchObject({
      available_options: { can_receive_products: false },
      template_type: { id: 4002 },
    });
    expect((await call('GET', '/v1/templates/1')).status).toBe(404);
    expect((await call('GET', '/v1/templates/abc')).status).toBe(404);
  });

  it('fact: GET /v1/template_types is a page of template types with their data fields; extension_type filters it', async () => {
    const page = shape(PageSchema, (await call('GET', '/v1/template_types')).body);
    expect(page.count).toBe(2);
    const types = page.data.map((item) => shape(TemplateTypeSchema, item));
    expect(types.map(({ id, extension_type }) => [id, extension_type])).toEqual([
      [DYNAMICS_TYPE, 'dynamics'],
      [4002, null],
    ]);
    const dynamics = shape(
      PageSchema,
      (await call('GET', '/v1/template_types?extension_type=dynamics')).body,
    );
    expect(dynamics.data.map((item) => shape(TemplateTypeSchema, item).id)).toEqual([DYNAMICS_TYPE]);
  });

  it('fact: GET /v1/template_types/{id} has {active, id, name, data_fields[{custom_id, id, name, placeholder, source, value}]}; unknown is a 404', async () => {
    const type = shape(TemplateTypeSchema, (await call('GET', `/v1/template_types/${DYNAMICS_TYPE}`)).body);
    expect(type).toMatchObject({ id: DYNAMICS_TYPE, active: true, name: 'Dynamics 365 sales' });
    expect(type.data_fields.map(({ custom_id, source }) => [custom_id, source])).toEqual([
      ['dynamics_entity', 'system'],
      ['dynamics_record_id', 'system'],
      ['payment_terms', 'user'],
    ]);
    expect(type.data_fields[2]).toMatchObject({
      id: 503,
      value: '30 days net',
      placeholder: 'e.g. 30 days net',
    });
    expect((await call('GET', '/v1/template_types/9')).status).toBe(404);
  });
});

describe('Oneflow template fixture', () => {
  const FIXTURE = {
    api_tokens: [{ token: TOKEN }],
    workspaces: [{ id: 1, name: 'W', currency: 'EUR' }],
    template_types: [{ id: 7, name: 'T', data_fields: [{ id: 70, custom_id: 'ref', name: 'Ref' }] }],
    templates: [
      {
        id: 2,
        name: 'T',
        workspace_ids: [1],
        template_type_id: 7,
        available_options: { can_receive_products: false },
      },
    ],
  };

  it('fact: a fixture template naming an unknown workspace or template type is refused naming the field, and the state stays', async () => {
    const bad = await call('POST', '/_sim/fixture', {
      body: {
        ...FIXTURE,
        users: [{ id: 1, email: 'a@b.example', name: 'A', contract_create_workspace_ids: [5] }],
        templates: [
          {
            id: 2,
            name: 'T',
            workspace_ids: [3],
            template_type_id: 8,
            available_options: { can_receive_products: false },
          },
        ],
      },
    });
    expect(bad.status).toBe(400);
    for (const field of [
      'templates[0].workspace_ids[0]',
      'templates[0].template_type_id',
      'users[0].contract_create_workspace_ids[0]',
    ]) {
      expect(bad.text).toContain(field);
    }
    expect((await call('GET', '/v1/templates/756510')).status).toBe(200);
  });

  it('fact: data fields belong to template types: a fixture template with data_fields, or template_group_id, is refused naming the new place', async () => {
    const [template] = FIXTURE.templates;
    for (const [key, where] of [
      ['data_fields', 'template_types[].data_fields'],
      ['template_group_id', 'template_type_id'],
    ] as const) {
      const bad = await call('POST', '/_sim/fixture', {
        body: { ...FIXTURE, templates: [{ ...template, [key]: key === 'data_fields' ? [] : 7 }] },
      });
      expect(bad.status).toBe(400);
      expect(bad.text).toContain(`templates[0].${key}: moved: use ${where}`);
    }
  });

  it('fact: workspace and template type details default when a fixture leaves them out', async () => {
    expect((await call('POST', '/_sim/fixture', { body: FIXTURE })).status).toBe(200);
    expect(shape(WorkspaceSchema, (await call('GET', '/v1/workspaces/1')).body)).toMatchObject({
      description: '',
      company_name: '',
      date_format: 'YYYY-MM-DD',
      created_time: '2024-01-01T00:00:00+0000',
    });
    expect(shape(TemplateTypeSchema, (await call('GET', '/v1/template_types/7')).body)).toMatchObject({
      extension_type: null,
      active: true,
      data_fields: [{ custom_id: 'ref', source: 'user', value: '', placeholder: '', active: true }],
    });
  });
});
