import { QueueClient } from '@azure/storage-queue';
import { FIXTURE, startStack, type Stack } from '../testing/stack';

let stack: Stack;
const of = { 'x-oneflow-api-token': FIXTURE.oneflowToken };
beforeAll(async () => {
  const t = Date.now();
  stack = await startStack();
  console.log('start ms', Date.now() - t);
}, 60_000);
afterAll(async () => {
  await stack.close();
});

test('scratch', async () => {
  const wh = await stack.sim('oneflow', 'POST', '/v1/webhooks', { callback_url: `${stack.host.url}/api/webhooks/oneflow/contoso`, sign_key: FIXTURE.signKeys.contoso }, of);
  console.log(wh.status, wh.text);
  const token = await stack.token('alex');
  const t = Date.now();
  const created = await stack.api('POST', '/contracts', { token, body: { entity: 'opportunity', recordId: FIXTURE.opportunity } });
  console.log('create ms', Date.now() - t, created.status, JSON.stringify(created.body).slice(0, 600));
  await new Promise((r) => setTimeout(r, 500));
  const d = await stack.sim('oneflow', 'GET', '/_sim/webhooks/deliveries');
  console.log(JSON.stringify(d.body).slice(0, 1500));
  const t2 = Date.now();
  console.log('drained', await stack.host.drainQueue(), Date.now() - t2);
  const act = await stack.services.store.activity.list(FIXTURE.contoso, { recordId: FIXTURE.opportunity });
  console.log(JSON.stringify(act.map((a) => [a.action, a.outcome, a.message, a.actor])));
  const q = new QueueClient(stack.azurite.connectionString, stack.services.config.webhookQueue);
  console.log(await q.getProperties());
  const contract = await stack.sim('oneflow', 'GET', '/v1/contracts/' + String((created.body as { contract: { contractId: number } }).contract.contractId), undefined, of);
  console.log(contract.text.slice(0, 3000));
  const dv = await stack.sim('dataverse', 'GET', '/_sim/requests');
  console.log(JSON.stringify((dv.body as { counts: unknown }).counts));
  const rq = (dv.body as { requests: unknown[] }).requests;
  console.log(JSON.stringify(rq.slice(-3)));
}, 60_000);
