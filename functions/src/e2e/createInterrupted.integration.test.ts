import { z } from 'zod';
import type { CreateIntent } from '../state/store';
import { FIXTURE, startStack, type Stack } from '../testing/stack';
import { fixtureWithOpportunities, opportunity, productsByLine } from './webhookSupport';

/**
 * A "Create contract" whose process died after Oneflow made the contract but before its row was stored left an
 * intent (name, workspace, template, time) and an empty draft in Oneflow. The record's next create finds that
 * draft and makes it the record's contract instead of a second one; when it cannot tell which draft is the dead
 * attempt's, it makes a new one.
 */

jest.setTimeout(120_000);

const tenantId = FIXTURE.contoso;
const nameOf = (n: number) => `E2E webhook opportunity ${String(n)}`;
const ActivitySchema = z.object({
  entries: z.array(
    z.object({ contractId: z.number().int(), action: z.string(), outcome: z.string(), message: z.string() }),
  ),
});
const CreatedSchema = z.object({ contract: z.object({ contractId: z.number().int() }) });

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
  const loaded = await stack.sim('dataverse', 'POST', '/_sim/fixture', fixtureWithOpportunities(5));
  if (loaded.status !== 200) throw new Error(`Dataverse fixture: ${loaded.text}`);
}, 60_000);

afterAll(async () => {
  await stack.close();
});

const oneflow = () => stack.services.tenant(tenantId).oneflow;

/** What a dead attempt left: its intent, and (unless `reached` is 0) the drafts Oneflow made for it. */
async function deadAttempt(n: number, reached: number): Promise<{ intent: CreateIntent; made: number[] }> {
  const intent: CreateIntent = {
    tenantId,
    mainEntity: 'opportunity',
    recordId: opportunity(n).id,
    name: nameOf(n),
    workspaceId: FIXTURE.workspaceId,
    templateId: FIXTURE.templateId,
    startedAt: new Date(Date.now() - 1_000).toISOString(),
  };
  await stack.services.store.createIntents.put(intent);
  const made: number[] = [];
  for (let i = 0; i < reached; i++) {
    const contract = await oneflow().createContract({
      workspace_id: intent.workspaceId,
      template_id: intent.templateId,
      name: intent.name,
    });
    made.push(contract.id);
  }
  return { intent, made };
}

/** Every contract Oneflow has, as the account sees it. */
async function oneflowContractIds(): Promise<number[]> {
  const ids: number[] = [];
  for (;;) {
    const page = await oneflow().listContracts({ offset: ids.length });
    ids.push(...page.data.map((contract) => contract.id));
    if (page.data.length === 0 || ids.length >= page.count) return ids.sort((a, b) => a - b);
  }
}

async function create(n: number): Promise<number> {
  const answer = await stack.api('POST', '/contracts', {
    token: await stack.token('alex'),
    body: { entity: 'opportunity', recordId: opportunity(n).id },
  });
  expect(answer.status).toBe(201);
  return CreatedSchema.parse(answer.body).contract.contractId;
}

test('the next create takes over the draft the dead attempt made: no second Oneflow contract, every line transferred', async () => {
  const { made } = await deadAttempt(1, 1);
  const before = await oneflowContractIds();
  const contractId = await create(1);
  expect(contractId).toBe(made[0]);
  expect(await oneflowContractIds()).toEqual(before);
  expect([...(await productsByLine(stack, contractId)).keys()].sort()).toEqual(
    [...opportunity(1).lines].sort(),
  );
  expect(await stack.services.store.createIntents.get(tenantId, 'opportunity', opportunity(1).id)).toBeNull();
  const stored = await stack.services.store.contracts.getByRecord(tenantId, 'opportunity', opportunity(1).id);
  expect(stored?.contractId).toBe(contractId);
  expect(stored?.lastSyncAt).not.toBeNull();
  const answer = await stack.api('GET', `/activity?recordId=${opportunity(1).id}&outcome=interrupted`, {
    token: await stack.token('alex'),
  });
  expect(ActivitySchema.parse(answer.body).entries).toEqual([]);
});

test('a dead attempt that never reached Oneflow: the next create makes the contract, once', async () => {
  await deadAttempt(2, 0);
  const before = await oneflowContractIds();
  const contractId = await create(2);
  expect(before).not.toContain(contractId);
  expect(await oneflowContractIds()).toEqual([...before, contractId].sort((a, b) => a - b));
  expect(await stack.services.store.createIntents.get(tenantId, 'opportunity', opportunity(2).id)).toBeNull();
});

test("two drafts fit the intent: neither is taken (either could be someone else's), a new contract is made", async () => {
  const { made } = await deadAttempt(3, 2);
  const contractId = await create(3);
  expect(made).not.toContain(contractId);
  for (const id of made) {
    expect(await stack.services.store.contracts.getById(tenantId, id)).toBeNull();
  }
  // The drafts that may be the dead attempt's are named in the record's activity, for someone to delete.
  const answer = await stack.api('GET', `/activity?recordId=${opportunity(3).id}&outcome=interrupted`, {
    token: await stack.token('alex'),
  });
  expect(answer.status).toBe(200);
  const { entries } = ActivitySchema.parse(answer.body);
  expect(entries).toHaveLength(1);
  const [entry] = entries;
  expect(entry?.contractId).toBe(contractId);
  expect(entry?.action).toBe('initial_transfer');
  for (const id of made) expect(entry?.message).toContain(String(id));
  expect(entry?.message).toContain(`"${nameOf(3)}"`);
  expect(entry?.message).toContain('can be deleted in Oneflow');
});

test("a draft of the intent's name made before the intent is not taken", async () => {
  const record = opportunity(4);
  const older = await oneflow().createContract({
    workspace_id: FIXTURE.workspaceId,
    template_id: FIXTURE.templateId,
    name: nameOf(4),
  });
  // Oneflow's times have whole seconds; the intent comes well after (beyond any clock skew allowed).
  const intent: CreateIntent = {
    tenantId,
    mainEntity: 'opportunity',
    recordId: record.id,
    name: nameOf(4),
    workspaceId: FIXTURE.workspaceId,
    templateId: FIXTURE.templateId,
    startedAt: new Date(Date.now() + 10 * 60_000).toISOString(),
  };
  await stack.services.store.createIntents.put(intent);
  const contractId = await create(4);
  expect(contractId).not.toBe(older.id);
  expect(await stack.services.store.contracts.getById(tenantId, older.id)).toBeNull();
});

test("a draft of the intent's name made long after the intent (someone else's) is not taken", async () => {
  const record = opportunity(5);
  const intent: CreateIntent = {
    tenantId,
    mainEntity: 'opportunity',
    recordId: record.id,
    name: nameOf(5),
    workspaceId: FIXTURE.workspaceId,
    templateId: FIXTURE.templateId,
    // A refused or abandoned attempt's intent, an hour old: the dead attempt's create would have reached
    // Oneflow within minutes of it.
    startedAt: new Date(Date.now() - 60 * 60_000).toISOString(),
  };
  await stack.services.store.createIntents.put(intent);
  const later = await oneflow().createContract({
    workspace_id: FIXTURE.workspaceId,
    template_id: FIXTURE.templateId,
    name: nameOf(5),
  });
  const contractId = await create(5);
  expect(contractId).not.toBe(later.id);
  expect(await stack.services.store.contracts.getById(tenantId, later.id)).toBeNull();
});

test('an intent left beside a stored contract (the attempt died just after storing it) is removed by the next create', async () => {
  // Record 1 has its synced contract (first test); its intent reappears as if the removal never happened.
  await deadAttempt(1, 0);
  const answer = await stack.api('POST', '/contracts', {
    token: await stack.token('alex'),
    body: { entity: 'opportunity', recordId: opportunity(1).id },
  });
  expect(answer.status).toBe(409);
  expect(answer.text).toContain('contract_exists');
  expect(await stack.services.store.createIntents.get(tenantId, 'opportunity', opportunity(1).id)).toBeNull();
});
