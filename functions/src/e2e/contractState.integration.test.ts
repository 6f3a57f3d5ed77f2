import { z } from 'zod';
import { FIXTURE } from '../testing/stack';
import { errorOf, expectError, fieldsOf, writeCounts } from './securitySupport';
import {
  clearLogs,
  createContract,
  dynamicsSide,
  expectStatus,
  publishContract,
  requestLog,
  runAction,
  useRecordStack,
} from './syncE2eSupport';

/**
 * The record's contract as the widget first reads it (`GET /api/contracts?entity&recordId`): its state and name
 * in Oneflow, and its last sync run (time, actor, action, outcome). Against the simulators and Azurite as
 * processes, through the local runner.
 */

jest.setTimeout(60_000);

const env = useRecordStack(6);
const { freshRecord } = env;

const ActorSchema = z.strictObject({
  kind: z.enum(['user', 'application']),
  id: z.string(),
  name: z.string().nullable(),
});

const ContractAnswer = z.object({
  contract: z.object({ contractId: z.number().int(), deletedInOneflowAt: z.string().nullable() }),
  status: z.enum(['linked', 'deleted_in_oneflow']),
  message: z.string().nullable(),
  oneflow: z
    .strictObject({ state: z.string(), name: z.string().nullable(), stateUpdatedAt: z.string().nullable() })
    .nullable(),
  links: z.strictObject({ active: z.number().int(), deletedInOneflow: z.number().int() }),
  lastSync: z
    .strictObject({
      activityId: z.string(),
      at: z.string(),
      action: z.string(),
      outcome: z.string(),
      actor: ActorSchema,
    })
    .nullable(),
  lastActivity: z.object({ action: z.string(), outcome: z.string() }).nullable(),
});

const contractOf = (recordId: string, token = env.alex) =>
  env.stack.api('GET', `contracts?entity=opportunity&recordId=${recordId}`, { token });

const oneflowHeaders = { 'x-oneflow-api-token': FIXTURE.oneflowToken };

describe('GET /api/contracts?entity&recordId', () => {
  it("gives the contract's Oneflow state and name and its last sync (time, actor, action, outcome) from one Oneflow request", async () => {
    const record = freshRecord();
    const created = await createContract(env.stack, env.alex, record.id);
    await clearLogs(env.stack);
    const answer = await contractOf(record.id);
    expectStatus(answer, 200);
    const body = ContractAnswer.parse(answer.body);
    expect(body.status).toBe('linked');
    expect(body.oneflow).toMatchObject({ state: 'draft', name: 'E2E record 1' });
    expect(body.lastSync).toMatchObject({
      activityId: created.activityId,
      action: 'initial_transfer',
      outcome: 'applied',
      actor: { kind: 'user', id: FIXTURE.users.alex.oid },
    });
    expect(Date.parse(body.lastSync?.at ?? '')).not.toBeNaN();
    expect(body.links).toEqual({ active: 3, deletedInOneflow: 0 });
    const log = await requestLog(env.stack, 'oneflow');
    expect(log.counts).toEqual({ 'GET /v1/contracts/:id': 1 });
    expect(log.requests.map((logged) => logged.url)).toEqual([
      `/v1/contracts/${String(created.contract.contractId)}`,
    ]);
    expect((await requestLog(env.stack, 'dataverse')).total).toBe(0);
  });

  it('follows the contract through a push, publishing and signing: the widget knows it is signed before a push is refused', async () => {
    const record = freshRecord();
    const { contract } = await createContract(env.stack, env.alex, record.id);
    await dynamicsSide(env.stack).update(record.lines[2], { quantity: 7 });
    const pushed = await runAction(env.stack, env.alex, contract.contractId, 'push');
    const afterPush = ContractAnswer.parse((await contractOf(record.id)).body);
    expect(afterPush.lastSync).toMatchObject({
      activityId: pushed.activityId,
      action: 'push',
      outcome: 'applied',
    });
    await publishContract(env.stack, contract.contractId);
    expect(ContractAnswer.parse((await contractOf(record.id)).body).oneflow?.state).toBe('pending');
    expectStatus(
      await env.stack.sim('oneflow', 'POST', `/_sim/contracts/${String(contract.contractId)}/sign`, {}),
      200,
    );
    const signed = ContractAnswer.parse((await contractOf(record.id)).body);
    expect(signed.oneflow?.state).toBe('signed');
    expect(signed.oneflow?.stateUpdatedAt).not.toBeNull();
  });

  it('looks past newer entries that are not sync runs (a link edit) for the last sync', async () => {
    const record = freshRecord();
    const created = await createContract(env.stack, env.alex, record.id);
    await env.stack.services.store.activity.record({
      id: 'e0000000-0000-4000-8000-00000000ed17',
      tenantId: FIXTURE.contoso,
      contractId: created.contract.contractId,
      mainEntity: 'opportunity',
      recordId: record.id,
      action: 'link_edit',
      outcome: 'applied',
      actor: { kind: 'user', id: FIXTURE.users.sam.oid, name: 'Sam' },
      at: new Date(Date.now() + 60_000).toISOString(),
      message: 'Link edited',
      summary: null,
      changes: [],
    });
    const body = ContractAnswer.parse((await contractOf(record.id)).body);
    expect(body.lastActivity).toMatchObject({ action: 'link_edit' });
    expect(body.lastSync).toMatchObject({ activityId: created.activityId, action: 'initial_transfer' });
  });

  it('says a contract deleted in Oneflow is deleted, with what to do, and writes nothing', async () => {
    const record = freshRecord();
    const { contract } = await createContract(env.stack, env.alex, record.id);
    const deleted = await env.stack.sim(
      'oneflow',
      'DELETE',
      `/v1/contracts/${String(contract.contractId)}`,
      undefined,
      oneflowHeaders,
    );
    expect(deleted.status).toBeLessThan(300);
    await clearLogs(env.stack);
    const before = await env.stack.services.store.contracts.getById(FIXTURE.contoso, contract.contractId);
    const answer = await contractOf(record.id);
    expectStatus(answer, 200);
    const body = ContractAnswer.parse(answer.body);
    expect(body.status).toBe('deleted_in_oneflow');
    expect(body.oneflow).toBeNull();
    expect(body.message).toMatch(/was deleted in Oneflow.*Unlink it/);
    expect(await writeCounts(env.stack)).toEqual({ dataverse: 0, oneflow: 0 });
    expect(await env.stack.services.store.contracts.getById(FIXTURE.contoso, contract.contractId)).toEqual(
      before,
    );
  });

  it('400 naming the parameter for a bad entity or record id, before anything is read', async () => {
    const badEntity = await env.stack.api(
      'GET',
      `contracts?entity=Opportunity!&recordId=${FIXTURE.opportunity}`,
      {
        token: env.alex,
      },
    );
    expect(fieldsOf(badEntity)).toEqual(['query.entity']);
    const badRecord = await env.stack.api('GET', 'contracts?entity=opportunity&recordId=42', {
      token: env.alex,
    });
    expect(fieldsOf(badRecord)).toEqual(['query.recordId']);
    const missing = await env.stack.api('GET', 'contracts?entity=opportunity', { token: env.alex });
    expect(fieldsOf(missing)).toEqual(['query.recordId']);
    expect((await requestLog(env.stack, 'oneflow')).total).toBe(0);
  });

  it('404 for a record without a contract; 401 without a token', async () => {
    const none = env.lastRecord();
    expectError(await contractOf(none.id), 404, 'not_found', /has no Oneflow contract yet/);
    expect(
      errorOf(await env.stack.api('GET', `contracts?entity=opportunity&recordId=${none.id}`), 401).code,
    ).toBe('unauthorized');
  });

  it("maps Oneflow's failure to read the contract as the other routes do (502 after every retry)", async () => {
    const record = freshRecord();
    const { contract } = await createContract(env.stack, env.alex, record.id);
    const route = 'GET /v1/contracts/:id';
    await env.stack.sim('oneflow', 'PUT', '/_sim/faults', { routes: { [route]: { rates: { '500': 1 } } } });
    expectError(await contractOf(record.id), 502, 'oneflow_unavailable', /Oneflow could not be reached/);
    expect(contract.contractId).toBeGreaterThan(0);
  });
});
