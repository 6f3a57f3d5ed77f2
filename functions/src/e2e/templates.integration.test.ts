import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { FIXTURE } from '../testing/stack';
import { errorOf, expectError, fieldsOf, writeCounts } from './securitySupport';
import { requestLog, storedContract, type TestRecord, useRecordStack } from './syncE2eSupport';

/**
 * The templates "Create contract" may start from, end to end: the backend mounted by the local runner, Oneflow's
 * simulator (workspaces where Alex may or may not create, templates with and without a product table) and
 * Azurite as their own processes.
 */

const env = useRecordStack(4);
const { freshRecord } = env;

/** A record no test creates a contract for: the refusals all use it. */
const untouched = (): TestRecord => env.lastRecord();

const TemplatesAnswer = z.strictObject({
  templates: z.array(
    z.strictObject({
      id: z.number().int(),
      name: z.string().nullable(),
      templateType: z.strictObject({ id: z.number().int(), name: z.string().nullable() }).nullable(),
      isDefault: z.boolean(),
    }),
  ),
});

const listTemplates = () => env.stack.api('GET', 'templates', { token: env.alex });

describe('GET /api/templates', () => {
  it("lists the configured workspace's templates that can receive products, with their type, the configured one marked default", async () => {
    const answer = await listTemplates();
    expect(answer.status).toBe(200);
    // Not listed: 756520 and 756540 (no product table), 756530 (the legal workspace, where Alex may not create).
    expect(TemplatesAnswer.parse(answer.body)).toEqual({
      templates: [
        {
          id: FIXTURE.templateId,
          name: 'Sales agreement',
          templateType: { id: 4001, name: 'Dynamics 365 sales' },
          isDefault: true,
        },
        {
          id: 756550,
          name: 'Subscription agreement',
          templateType: { id: 4001, name: 'Dynamics 365 sales' },
          isDefault: false,
        },
      ],
    });
    const log = await requestLog(env.stack, 'oneflow');
    expect(log.counts).toEqual({ 'GET /v1/helpers/contract_create_data/': 1 });
  });

  it('is empty when the Oneflow user may not create contracts in the configured workspace', async () => {
    const path = join(__dirname, '..', '..', '..', 'simulators', 'fixtures', 'oneflow.json');
    const fixture = JSON.parse(readFileSync(path, 'utf8')) as {
      users: { email: string; contract_create_workspace_ids?: number[] }[];
    };
    for (const user of fixture.users) {
      if (user.email === 'alex.seller@contoso.example') user.contract_create_workspace_ids = [130407];
    }
    expect((await env.stack.sim('oneflow', 'POST', '/_sim/fixture', fixture)).status).toBe(200);
    try {
      const answer = await listTemplates();
      expect(answer.status).toBe(200);
      expect(TemplatesAnswer.parse(answer.body).templates).toEqual([]);
    } finally {
      const reset = await env.stack.sim('oneflow', 'POST', '/_sim/reset', {});
      expect(reset.status).toBe(200);
    }
  });

  it("maps Oneflow's failures as the other routes do: a 500 after every retry is 502, a 429 is 503 with Retry-After", async () => {
    const route = 'GET /v1/helpers/contract_create_data/';
    await env.stack.sim('oneflow', 'PUT', '/_sim/faults', { routes: { [route]: { rates: { '500': 1 } } } });
    expectError(await listTemplates(), 502, 'oneflow_unavailable', /Oneflow could not be reached/);
    await env.stack.sim('oneflow', 'PUT', '/_sim/faults', { routes: { [route]: { rates: { '429': 1 } } } });
    const busy = await listTemplates();
    expect(busy.status).toBe(503);
    const busyError = z
      .object({ error: z.object({ code: z.string(), message: z.string() }) })
      .parse(busy.body);
    expect(busyError.error.code).toBe('oneflow_busy');
    expect(busyError.error.message).toMatch(/rate limit/);
    expect(busy.headers['retry-after']).toBe('60');
  });

  it('needs a signed-in user (401 without a token, before Oneflow is asked)', async () => {
    const answer = await env.stack.api('GET', 'templates');
    expect(errorOf(answer, 401).code).toBe('unauthorized');
    expect((await requestLog(env.stack, 'oneflow')).total).toBe(0);
  });
});

describe('POST /api/contracts with templateId', () => {
  it("creates the contract from the template named, and its lines go into that template's product table", async () => {
    const record = freshRecord();
    const answer = await env.stack.api('POST', 'contracts', {
      token: env.alex,
      body: { entity: 'opportunity', recordId: record.id, templateId: 756550 },
    });
    expect(answer.status).toBe(201);
    const contractId = z.object({ contract: z.object({ contractId: z.number() }) }).parse(answer.body)
      .contract.contractId;
    const stored = z
      .object({
        _private_ownerside: z.object({ template_id: z.number() }),
        product_groups: z.array(z.object({ created_from: z.number(), products: z.array(z.unknown()) })),
      })
      .parse((await storedContract(env.stack, contractId)).body);
    expect(stored._private_ownerside.template_id).toBe(756550);
    expect(stored.product_groups.map((group) => [group.created_from, group.products.length])).toEqual([
      [9005, 3],
    ]);
  });

  it('without templateId the configured template is used, and Oneflow is not asked for the list', async () => {
    const record = freshRecord();
    const answer = await env.stack.api('POST', 'contracts', {
      token: env.alex,
      body: { entity: 'opportunity', recordId: record.id },
    });
    expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 201 });
    const contractId = z.object({ contract: z.object({ contractId: z.number() }) }).parse(answer.body)
      .contract.contractId;
    const stored = z
      .object({ _private_ownerside: z.object({ template_id: z.number() }) })
      .parse((await storedContract(env.stack, contractId)).body);
    expect(stored._private_ownerside.template_id).toBe(FIXTURE.templateId);
    expect((await requestLog(env.stack, 'oneflow')).counts).not.toHaveProperty(
      'GET /v1/helpers/contract_create_data/',
    );
  });

  it.each([
    ['a template without a product table', 756540],
    ['a template of a workspace the user may not create in', 756530],
    ['a template that does not exist', 999999],
  ])(
    '400 naming templateId for %s; nothing is written in Oneflow, Dynamics or here',
    async (_, templateId) => {
      const record = untouched();
      const before = await writeCounts(env.stack);
      const answer = await env.stack.api('POST', 'contracts', {
        token: env.alex,
        body: { entity: 'opportunity', recordId: record.id, templateId },
      });
      expect(errorOf(answer, 400)).toMatchObject({
        code: 'bad_request',
        message: `Template ${String(templateId)} cannot be used for this contract`,
      });
      expect(fieldsOf(answer)).toEqual(['body.templateId']);
      expect(await writeCounts(env.stack)).toEqual(before);
      expect(
        await env.stack.services.store.contracts.getByRecord(FIXTURE.contoso, 'opportunity', record.id),
      ).toBeNull();
    },
  );

  it.each([['756550'], [0], [1.5], [-3]])(
    '400 naming templateId when it is not a positive whole number (%p), before Oneflow is asked',
    async (templateId) => {
      const answer = await env.stack.api('POST', 'contracts', {
        token: env.alex,
        body: { entity: 'opportunity', recordId: FIXTURE.opportunity, templateId },
      });
      expect(errorOf(answer, 400).code).toBe('bad_request');
      expect(fieldsOf(answer)).toEqual(['body.templateId']);
      expect((await requestLog(env.stack, 'oneflow')).total).toBe(0);
    },
  );
});
