import { FIXTURE, startStack, type ApiAnswer, type Stack } from '../testing/stack';
import { ContractNotSyncedError } from '../sync/errors';
import { runSyncUnless } from '../sync/syncService';
import { dynamicsSide } from './syncE2eSupport';
import {
  activity,
  clearRequestLogs,
  createContract,
  fixtureWithOpportunities,
  LINE,
  notification,
  ONEFLOW_HEADERS,
  opportunity,
  postNotification,
  productFor,
  requestLog,
} from './webhookSupport';

/**
 * A contract deleted in Oneflow never strands its record: whatever finds it gone (a push, a fetch, a preview, a
 * `contract:delete` notification, or the unlink itself) marks it; the record's contract answer says so in words a
 * sales rep can act on; any user who may read the record unlinks it; Create contract then makes a new one, and
 * push works on that. Through the API, against the simulators and Azurite as processes.
 */

jest.setTimeout(60_000);

let stack: Stack;
let alex: string;
let robin: string;

interface ErrorBody {
  error: { code: string; message: string };
}
interface ContractAnswer {
  contract: { contractId: number; deletedInOneflowAt: string | null };
  status: string;
  message: string | null;
  links: { active: number };
  lastActivity: { action: string; outcome: string; message: string } | null;
}

beforeAll(async () => {
  stack = await startStack();
  const loaded = await stack.sim('dataverse', 'POST', '/_sim/fixture', fixtureWithOpportunities(10));
  if (loaded.status !== 200) throw new Error(`Dataverse fixture: ${loaded.text}`);
  alex = await stack.token('alex');
  robin = await stack.token('robin');
}, 60_000);

afterAll(async () => {
  await stack.close();
});

async function deleteInOneflow(contractId: number): Promise<void> {
  const answer = await stack.sim(
    'oneflow',
    'DELETE',
    `/v1/contracts/${String(contractId)}`,
    undefined,
    ONEFLOW_HEADERS,
  );
  if (answer.status >= 300) throw new Error(`Oneflow delete: ${String(answer.status)} ${answer.text}`);
}

const contractOf = (recordId: string, token = alex): Promise<ApiAnswer> =>
  stack.api('GET', `contracts?entity=opportunity&recordId=${recordId}`, { token });

function expectError(answer: ApiAnswer, status: number, code: string): ErrorBody['error'] {
  expect({ status: answer.status, code: (answer.body as ErrorBody | null)?.error.code }).toEqual({
    status,
    code,
  });
  return (answer.body as ErrorBody).error;
}

test('found by a push: the record says so, its user unlinks it, Create contract makes a new one and push works', async () => {
  const record = opportunity(1);
  const contractId = await createContract(stack, record.id);
  await deleteInOneflow(contractId);

  const push = await stack.api('POST', `contracts/${String(contractId)}/push`, { token: alex });
  const refusal = expectError(push, 410, 'contract_deleted');
  expect(refusal.message).toBe(
    `The Oneflow contract ${String(contractId)} of this opportunity was deleted in Oneflow, so its products can no longer be synced. Unlink it from this opportunity, then create a new contract.`,
  );

  // The record's contract answer says so, in the same words.
  const answer = await contractOf(record.id);
  expect(answer.status).toBe(200);
  expect(answer.body).toMatchObject({
    contract: { contractId, deletedInOneflowAt: expect.any(String) as string },
    status: 'deleted_in_oneflow',
    message: refusal.message,
    lastActivity: { action: 'contract_deleted', outcome: 'applied' },
  });

  // Marked: a second push is refused without asking Oneflow, and Create contract points at the unlink.
  await clearRequestLogs(stack);
  expectError(
    await stack.api('POST', `contracts/${String(contractId)}/push`, { token: alex }),
    410,
    'contract_deleted',
  );
  expect((await requestLog(stack, 'oneflow')).total).toBe(0);
  expectError(
    await stack.api('POST', 'contracts', {
      token: alex,
      body: { entity: 'opportunity', recordId: record.id },
    }),
    410,
    'contract_deleted',
  );

  // Robin has no admin role; he may read the record in Dynamics, which is what unlinking needs.
  const unlink = await stack.api('POST', `contracts/${String(contractId)}/unlink`, { token: robin });
  expect(unlink.status).toBe(200);
  expect(unlink.body).toMatchObject({
    unlinked: { contractId, mainEntity: 'opportunity', recordId: record.id },
    linksDropped: 3,
  });
  expectError(await contractOf(record.id), 404, 'not_found');
  expect(await stack.services.store.links.list(FIXTURE.contoso, contractId)).toEqual([]);

  const created = await stack.api('POST', 'contracts', {
    token: alex,
    body: { entity: 'opportunity', recordId: record.id },
  });
  expect(created.status).toBe(201);
  const newContract = (created.body as { contract: { contractId: number } }).contract.contractId;
  expect(newContract).not.toBe(contractId);
  expect(created.body).toMatchObject({ outcome: 'applied', summary: { productsCreated: 3 } });

  await dynamicsSide(stack).update(record.lines[LINE.widget], { quantity: 4 });
  const pushed = await stack.api('POST', `contracts/${String(newContract)}/push`, { token: alex });
  expect(pushed.status).toBe(200);
  expect(pushed.body).toMatchObject({ outcome: 'applied', summary: { productsUpdated: 1 } });
  expect(Number((await productFor(stack, newContract, record.lines[LINE.widget])).quantity?.amount)).toBe(4);

  // The record's activity tells the whole story, newest first.
  const history = await stack.api('GET', `activity?recordId=${record.id}`, { token: alex });
  const entries = (
    history.body as { entries: { action: string; contractId: number; actor: { id: string } }[] }
  ).entries;
  expect(entries.map((entry) => [entry.action, entry.contractId])).toEqual([
    ['push', newContract],
    ['initial_transfer', newContract],
    ['unlink', contractId],
    ['contract_deleted', contractId],
    ['initial_transfer', contractId],
  ]);
  expect(entries[2]?.actor.id).toBe(FIXTURE.users.robin.oid);
  expect(entries[3]?.actor.id).toBe(FIXTURE.users.alex.oid);
});

test('told by a contract:delete notification: the webhook run marks it once, and later notifications read nothing', async () => {
  const record = opportunity(2);
  const contractId = await createContract(stack, record.id);
  await deleteInOneflow(contractId);

  const posted = await postNotification(stack, notification(contractId, { type: 'contract:delete' }));
  expect(posted.body).toEqual({ status: 'queued' });
  await stack.host.drainQueue();

  expect((await contractOf(record.id)).body).toMatchObject({ status: 'deleted_in_oneflow' });
  const deletions = (await activity(stack, contractId)).filter(
    (entry) => entry.action === 'contract_deleted',
  );
  expect(deletions).toHaveLength(1);
  expect(deletions[0]).toMatchObject({
    outcome: 'applied',
    actor: { kind: 'application', id: FIXTURE.apiClientId },
  });
  expect(deletions[0]?.message).toContain('Found by processing an Oneflow notification');

  await clearRequestLogs(stack);
  await postNotification(stack, notification(contractId, { type: 'contract:delete' }));
  await stack.host.drainQueue();
  expect((await requestLog(stack, 'oneflow')).total).toBe(0);
  expect(
    (await activity(stack, contractId)).filter((entry) => entry.action === 'contract_deleted'),
  ).toHaveLength(1);
});

test('found by a fetch, or by a preview that writes nothing else: marked all the same', async () => {
  const fetched = opportunity(3);
  const previewed = opportunity(4);
  const fetchedContract = await createContract(stack, fetched.id);
  const previewedContract = await createContract(stack, previewed.id);
  await deleteInOneflow(fetchedContract);
  await deleteInOneflow(previewedContract);

  expectError(
    await stack.api('POST', `contracts/${String(fetchedContract)}/fetch`, { token: alex }),
    410,
    'contract_deleted',
  );
  expectError(
    await stack.api('GET', `contracts/${String(previewedContract)}/plan?action=push`, { token: alex }),
    410,
    'contract_deleted',
  );
  for (const id of [fetched.id, previewed.id]) {
    expect(((await contractOf(id)).body as ContractAnswer).status).toBe('deleted_in_oneflow');
  }
  expect((await activity(stack, fetchedContract)).at(-1)?.message).toContain('Found by Fetch from Oneflow');
  expect((await activity(stack, previewedContract)).at(-1)?.message).toContain('Found by Push to Oneflow');
});

test('unlink asks Oneflow when nothing has noticed the deletion yet: marked, then unlinked, both in the activity', async () => {
  const record = opportunity(5);
  const contractId = await createContract(stack, record.id);
  await deleteInOneflow(contractId);

  const unlink = await stack.api('POST', `contracts/${String(contractId)}/unlink`, { token: alex });
  expect(unlink.status).toBe(200);
  const entries = await activity(stack, contractId);
  expect(entries.map((entry) => entry.action)).toEqual(['initial_transfer', 'contract_deleted', 'unlink']);
  expect(entries[1]?.message).toContain('Found by Unlink');
  expect(entries[2]?.message).toBe(
    `Unlinked from Oneflow contract ${String(contractId)}, which was deleted in Oneflow (3 line links dropped). Create contract makes a new one for this opportunity.`,
  );
});

test('a contract Oneflow still has is not unlinked (409), nor is another tenant’s (404); nothing changes', async () => {
  const record = opportunity(6);
  const contractId = await createContract(stack, record.id);
  const links = await stack.services.store.links.list(FIXTURE.contoso, contractId);
  const before = await activity(stack, contractId);

  const refused = expectError(
    await stack.api('POST', `contracts/${String(contractId)}/unlink`, { token: alex }),
    409,
    'contract_not_deleted',
  );
  expect(refused.message).toContain(`Oneflow contract ${String(contractId)} still exists`);
  expectError(
    await stack.api('POST', `contracts/${String(contractId)}/unlink`, { token: await stack.token('megan') }),
    404,
    'not_found',
  );

  expect(((await contractOf(record.id)).body as ContractAnswer).status).toBe('linked');
  expect(await stack.services.store.links.list(FIXTURE.contoso, contractId)).toEqual(links);
  expect(await activity(stack, contractId)).toEqual(before);
});

test('a user Dynamics does not let read the record cannot unlink it (403); it stays linked', async () => {
  const record = opportunity(7);
  const contractId = await createContract(stack, record.id);
  await deleteInOneflow(contractId);
  // Robin may now read quotes only.
  const fixture = fixtureWithOpportunities(10) as unknown as {
    systemusers: { fullname: string; privileges: Record<string, string[]> }[];
  };
  const robinUser = fixture.systemusers.find((user) => user.fullname === 'Robin Viewer');
  if (!robinUser) throw new Error('the seed fixture has no Robin Viewer');
  robinUser.privileges = { quote: ['read'] };
  expect((await stack.sim('dataverse', 'POST', '/_sim/fixture', fixture)).status).toBe(200);

  const answer = await stack.api('POST', `contracts/${String(contractId)}/unlink`, { token: robin });
  expectError(answer, 403, 'dynamics_forbidden');
  expect(await stack.services.store.contracts.getById(FIXTURE.contoso, contractId)).not.toBeNull();
  expect((await activity(stack, contractId)).map((entry) => entry.action)).toEqual(['initial_transfer']);
});

test('a run that read the contract before it was unlinked writes nothing: the old contract stays unlinked, the new one untouched', async () => {
  const record = opportunity(9);
  const { store } = stack.services;
  const oldId = await createContract(stack, record.id);
  await deleteInOneflow(oldId);
  // What a queued notification read before it waited for the lease, which the unlink then held.
  const stale = await store.contracts.getById(FIXTURE.contoso, oldId);
  if (!stale) throw new Error('no contract row');
  expect((await stack.api('POST', `contracts/${String(oldId)}/unlink`, { token: alex })).status).toBe(200);
  const newId = await createContract(stack, record.id);
  const before = await activity(stack, oldId);

  const run = runSyncUnless(
    { tenant: stack.services.tenant(FIXTURE.contoso), store, clock: () => new Date() },
    {
      record: stale,
      action: 'fetch',
      actor: { kind: 'application', id: 'test', name: null, self: true },
      dryRun: false,
    },
    () => false,
  );
  await expect(run).rejects.toBeInstanceOf(ContractNotSyncedError);

  expect(await store.contracts.getById(FIXTURE.contoso, oldId)).toBeNull();
  expect(await activity(stack, oldId)).toEqual(before);
  const answer = (await contractOf(record.id)).body as ContractAnswer;
  expect(answer.contract.contractId).toBe(newId);
  expect(answer.status).toBe('linked');
  expect((await stack.api('POST', `contracts/${String(newId)}/push`, { token: alex })).status).toBe(200);
});

test('a contract marked deleted that Oneflow still has is not unlinked: the mark is taken back (409)', async () => {
  const record = opportunity(10);
  const { store } = stack.services;
  const contractId = await createContract(stack, record.id);
  const row = await store.contracts.getById(FIXTURE.contoso, contractId);
  if (!row) throw new Error('no contract row');
  // Marked by a 404 that did not last (a routing fault, a user who lost access for a moment).
  await store.contracts.put({ ...row, deletedInOneflowAt: new Date().toISOString() });
  expect(((await contractOf(record.id)).body as ContractAnswer).status).not.toBe('linked');

  expectError(
    await stack.api('POST', `contracts/${String(contractId)}/unlink`, { token: alex }),
    409,
    'contract_not_deleted',
  );
  const answer = (await contractOf(record.id)).body as ContractAnswer;
  expect(answer.contract.deletedInOneflowAt).toBeNull();
  expect(answer.status).toBe('linked');
  expect((await stack.api('POST', `contracts/${String(contractId)}/push`, { token: alex })).status).toBe(200);
});
