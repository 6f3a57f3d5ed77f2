import { z } from 'zod';
import { FIXTURE, type ApiAnswer } from '../testing/stack';
import { errorOf, expectError, fieldsOf, writeCounts } from './securitySupport';
import {
  clearLogs,
  createContract,
  expectStatus,
  requestLog,
  type SyncAnswer,
  useRecordStack,
} from './syncE2eSupport';

/**
 * Create contract's preview (`POST /api/contracts?dryRun=true`): the initial transfer it would apply, after the
 * same checks as create, with nothing written in Oneflow, Dynamics or here. Against the simulators and Azurite
 * as processes, through the local runner.
 */

jest.setTimeout(60_000);

const env = useRecordStack(6);
const { freshRecord } = env;

const PreviewAnswer = z.object({
  contract: z.object({ contractId: z.number().int() }).nullable(),
  newContract: z.strictObject({ name: z.string(), templateId: z.number().int() }).nullable(),
  applied: z.literal(false),
  outcome: z.string(),
  summary: z.object({ productsCreated: z.number().int() }),
  plan: z.object({
    action: z.literal('initial_transfer'),
    contractId: z.number().int(),
    operations: z.array(z.object({ kind: z.string(), rule: z.string(), lineId: z.string().nullable() })),
  }),
  failures: z.array(z.unknown()).length(0),
  activityId: z.null(),
});

const preview = (body: Record<string, unknown>, query = 'dryRun=true'): Promise<ApiAnswer> =>
  env.stack.api('POST', `contracts?${query}`, { token: env.alex, body });

/** Nothing of the record is stored here: no contract, no activity, no links. */
async function expectNothingStored(recordId: string): Promise<void> {
  const { store } = env.stack.services;
  expect(await store.contracts.getByRecord(FIXTURE.contoso, 'opportunity', recordId)).toBeNull();
  expect(await store.activity.list(FIXTURE.contoso, { recordId })).toEqual([]);
}

describe('POST /api/contracts?dryRun=true', () => {
  it('answers the initial transfer create would apply, asks Oneflow nothing and writes nothing; create then applies that plan', async () => {
    const record = freshRecord();
    const answer = await preview({ entity: 'opportunity', recordId: record.id });
    expectStatus(answer, 200);
    const body = PreviewAnswer.parse(answer.body);
    expect(body.contract).toBeNull();
    expect(body.newContract).toEqual({ name: 'E2E record 1', templateId: FIXTURE.templateId });
    expect(body.outcome).toBe('applied');
    expect(body.plan.contractId).toBe(0);
    expect(
      body.plan.operations.map((operation) => [operation.kind, operation.rule, operation.lineId]),
    ).toEqual(record.lines.map((line) => ['create_product', 'T1', line]));
    expect((await requestLog(env.stack, 'oneflow')).total).toBe(0);
    // Dynamics: the record and its lines once each, and the line entity's columns (metadata, cached after).
    const dataverse = (await requestLog(env.stack, 'dataverse')).counts;
    expect(dataverse).toMatchObject({
      'GET /api/data/v9.2/opportunities(:id)': 1,
      'GET /api/data/v9.2/opportunityproducts': 1,
    });
    expect(
      Object.keys(dataverse).filter((route) => !route.startsWith('GET /api/data/v9.2/EntityDefinitions')),
    ).toHaveLength(2);
    expect(await writeCounts(env.stack)).toEqual({ dataverse: 0, oneflow: 0 });
    await expectNothingStored(record.id);

    const created = await createContract(env.stack, env.alex, record.id);
    const strip = (answer: Pick<SyncAnswer, 'plan'>) =>
      answer.plan.operations.map((operation) => ({
        kind: operation.kind,
        lineId: operation.lineId,
        changes: 'changes' in operation ? operation.changes : [],
      }));
    expect(strip(answer.body as SyncAnswer)).toEqual(strip(created));
    expect((answer.body as SyncAnswer).summary).toEqual(created.summary);
  });

  it('takes no lease: it answers while a create of the same record holds the record lease', async () => {
    const record = freshRecord();
    const { leases } = env.stack.services.store;
    const subject = { mainEntity: 'opportunity', recordId: record.id };
    expect(await leases.acquire(FIXTURE.contoso, subject, 'another-create', 60_000)).toBe(true);
    try {
      const answer = await preview({ entity: 'opportunity', recordId: record.id });
      expectStatus(answer, 200);
      expect(PreviewAnswer.parse(answer.body).summary.productsCreated).toBe(3);
      expect(await leases.holding(FIXTURE.contoso, subject)).toMatchObject({ holder: 'another-create' });
    } finally {
      await leases.release(FIXTURE.contoso, subject, 'another-create');
    }
  });

  it('with a templateId: checks it against the templates that can receive products (one Oneflow request) and names it', async () => {
    const record = freshRecord();
    const answer = await preview({ entity: 'opportunity', recordId: record.id, templateId: 756550 });
    expectStatus(answer, 200);
    expect(PreviewAnswer.parse(answer.body).newContract).toMatchObject({ templateId: 756550 });
    expect((await requestLog(env.stack, 'oneflow')).counts).toEqual({
      'GET /v1/helpers/contract_create_data/': 1,
    });
    expect(await writeCounts(env.stack)).toEqual({ dataverse: 0, oneflow: 0 });
    await expectNothingStored(record.id);
  });

  it('previews the re-run of a transfer that never completed on the contract the record already has', async () => {
    const record = freshRecord();
    const made = await env.stack.sim(
      'oneflow',
      'POST',
      '/v1/contracts/create',
      { workspace_id: FIXTURE.workspaceId, template_id: FIXTURE.templateId, name: 'Unfinished' },
      { 'x-oneflow-api-token': FIXTURE.oneflowToken },
    );
    expectStatus(made, 200);
    const contractId = z.object({ id: z.number().int() }).parse(made.body).id;
    await env.stack.services.store.contracts.put({
      tenantId: FIXTURE.contoso,
      contractId,
      mainEntity: 'opportunity',
      recordId: record.id,
      recordName: 'E2E record unfinished',
      createdAt: new Date().toISOString(),
      createdBy: FIXTURE.users.alex.oid,
      lastSyncAt: null,
      lastAction: null,
      lastFetchStartedAt: null,
      deletedInOneflowAt: null,
      oneflowState: null,
    });
    await clearLogs(env.stack);
    const answer = await preview({ entity: 'opportunity', recordId: record.id });
    expectStatus(answer, 200);
    const body = PreviewAnswer.parse(answer.body);
    expect(body.contract?.contractId).toBe(contractId);
    expect(body.newContract).toBeNull();
    expect(body.plan.contractId).toBe(contractId);
    expect(body.summary.productsCreated).toBe(3);
    expect(await writeCounts(env.stack)).toEqual({ dataverse: 0, oneflow: 0 });
    expect(await env.stack.services.store.links.list(FIXTURE.contoso, contractId)).toEqual([]);
  });

  it('409 contract_exists for a record whose contract was transferred, and nothing is written', async () => {
    const record = freshRecord();
    await createContract(env.stack, env.alex, record.id);
    await clearLogs(env.stack);
    expectError(
      await preview({ entity: 'opportunity', recordId: record.id }),
      409,
      'contract_exists',
      /already has Oneflow contract/,
    );
    expect(await writeCounts(env.stack)).toEqual({ dataverse: 0, oneflow: 0 });
  });

  it.each([
    ['a template without a product table', 756540],
    ['a template that does not exist', 999999],
  ])('400 naming body.templateId for %s', async (_, templateId) => {
    const record = env.lastRecord();
    const answer = await preview({ entity: 'opportunity', recordId: record.id, templateId });
    expect(fieldsOf(answer)).toEqual(['body.templateId']);
    expect(await writeCounts(env.stack)).toEqual({ dataverse: 0, oneflow: 0 });
    await expectNothingStored(record.id);
  });

  it.each([['dryRun=yes'], ['dryRun=']])(
    '400 naming query.dryRun for %s, before anything is read',
    async (query) => {
      const answer = await preview({ entity: 'opportunity', recordId: FIXTURE.opportunity }, query);
      expect(fieldsOf(answer)).toEqual(['query.dryRun']);
      expect((await requestLog(env.stack, 'oneflow')).total).toBe(0);
      expect((await requestLog(env.stack, 'dataverse')).total).toBe(0);
    },
  );

  it('400 naming the body field as create does', async () => {
    expect(fieldsOf(await preview({ entity: 'opportunity', recordId: 'nope' }))).toEqual(['body.recordId']);
    expect(fieldsOf(await preview({ recordId: FIXTURE.opportunity }))).toEqual(['body.entity']);
  });

  it('refuses what create refuses: an entity not set up (409), a record Dynamics does not have (404), no token (401)', async () => {
    expectError(
      await preview({ entity: 'account', recordId: FIXTURE.opportunity }),
      409,
      'not_configured',
      /not set up for account/,
    );
    const missing = await preview({
      entity: 'opportunity',
      recordId: '0a1b0000-0000-4000-8001-0000000fffff',
    });
    expect(errorOf(missing, 404).code).toBe('dynamics_not_found');
    const anonymous = await env.stack.api('POST', 'contracts?dryRun=true', {
      body: { entity: 'opportunity', recordId: FIXTURE.opportunity },
    });
    expect(errorOf(anonymous, 401).code).toBe('unauthorized');
    expect(await writeCounts(env.stack)).toEqual({ dataverse: 0, oneflow: 0 });
  });
});
