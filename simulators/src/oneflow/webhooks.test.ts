import { z } from 'zod';
import { startOneflowSimulator } from './index';
import {
  client,
  OneflowErrorSchema,
  PageSchema,
  PUBLISH,
  sha1Hex,
  shape,
  sleep,
  until,
  useOneflowSimulator,
  WebhookReceiver,
} from './testSupport';
import { RETRY_DELAYS_SECONDS } from './webhooks';

const TIME_FACTOR = 0.0001;
const SIGN_KEY = 'demo-sign-key';
const DESK = '/v1/contracts/101/products/300001';

const DeliveriesSchema = z.object({
  total: z.number(),
  deliveries: z.array(
    z.object({
      callbackId: z.string(),
      state: z.enum(['held', 'pending', 'delivered', 'failed']),
      nextAttemptInMs: z.number().nullable(),
      attempts: z.array(z.object({ status: z.number().nullable(), retryInMs: z.number().nullable() })),
    }),
  ),
});

const receiver = new WebhookReceiver();

beforeAll(async () => {
  await receiver.start();
});

const { simulator, call } = useOneflowSimulator({ webhookTimeFactor: TIME_FACTOR });

// After the simulator's own hooks: cleared after its reset, closed after it.
beforeEach(() => {
  receiver.clear();
});

afterAll(async () => {
  await receiver.close();
});

async function registerWebhook(extra: Record<string, unknown> = {}): Promise<number> {
  const answer = await call('POST', '/v1/webhooks', {
    body: { callback_url: receiver.url, sign_key: SIGN_KEY, ...extra },
  });
  expect(answer.status).toBe(200);
  return shape(z.object({ webhook_id: z.number() }), answer.body).webhook_id;
}

async function deliveries(): Promise<z.output<typeof DeliveriesSchema>> {
  return shape(DeliveriesSchema, (await call('GET', '/_sim/webhooks/deliveries')).body);
}

const callsAtLeast = (count: number) =>
  until(() => (receiver.calls.length >= count ? receiver.calls : undefined));

const verifies = (payload: { callback_id: string; signature: string }, key = SIGN_KEY): boolean =>
  payload.signature === sha1Hex(payload.callback_id + key);

describe('Oneflow webhook registrations', () => {
  it('fact: POST /v1/webhooks registers {callback_url, sign_key, filters, template_group_id}; GET, PUT and DELETE /v1/webhooks/{id} work on it', async () => {
    const created = await call('POST', '/v1/webhooks', {
      body: {
        callback_url: receiver.url,
        sign_key: SIGN_KEY,
        filters: [{ filter_rules: [{ type: 'EVENT_TYPE', values: ['contract:publish'] }] }],
        template_group_id: null,
      },
    });
    expect(created.status).toBe(200);
    const webhook = shape(
      z.object({ webhook_id: z.number(), callback_url: z.string(), filters: z.array(z.unknown()) }),
      created.body,
    );
    expect(webhook.callback_url).toBe(receiver.url);
    // The sign key is a secret: Oneflow's webhook attributes do not include it.
    expect(created.text).not.toContain(SIGN_KEY);
    const path = `/v1/webhooks/${webhook.webhook_id}`;
    expect((await call('GET', path)).body).toEqual(created.body);
    expect(shape(PageSchema, (await call('GET', '/v1/webhooks')).body).count).toBe(1);
    const updated = await call('PUT', path, { body: { callback_url: 'https://example.com/hook' } });
    expect(updated.body).toMatchObject({ callback_url: 'https://example.com/hook', filters: null });
    const deleted = await call('DELETE', path);
    expect(deleted.status).toBe(200);
    expect((await call('GET', path)).status).toBe(404);
  });

  it('fact: a webhook needs a valid callback_url (400 naming it)', async () => {
    for (const body of [{}, { callback_url: 'not a url' }, { callback_url: 'x'.repeat(1001) }]) {
      const answer = await call('POST', '/v1/webhooks', { body });
      expect(answer.status).toBe(400);
      expect(Object.keys(shape(OneflowErrorSchema, answer.body).parameter_problems)).toEqual([
        'callback_url',
      ]);
    }
  });
});

describe('Oneflow webhook delivery', () => {
  it('fact: a product change POSTs {contract:{id}, callback_id, events:[{created_time, id, type}], signature} with signature = hex SHA-1(callback_id + sign_key)', async () => {
    await registerWebhook();
    await call('PUT', DESK, { body: { name: 'Sit-stand desk' } });
    const [received] = await callsAtLeast(1);
    const payload = received?.payload;
    expect(received?.headers['content-type']).toBe('application/json');
    expect(payload?.contract).toEqual({ id: 101 });
    expect(payload?.callback_id).toMatch(/^[0-9a-f]{40}$/);
    expect(payload && verifies(payload)).toBe(true);
    expect(payload?.events.map(({ type }) => type)).toEqual(['contract:content_update', 'product:update']);
    for (const event of payload?.events ?? []) {
      expect(event.created_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
    }
  });

  it('fact: product create and delete fire contract:content_update with product:create / product:delete (inferred types)', async () => {
    await registerWebhook();
    await call('POST', '/v1/contracts/101/product_groups/20001/products', { body: { name: 'Lamp' } });
    await call('DELETE', DESK);
    const calls = await callsAtLeast(2);
    const types = calls.map(({ payload }) => payload.events.map(({ type }) => type));
    expect(types).toEqual(
      expect.arrayContaining([
        ['contract:content_update', 'product:create'],
        ['contract:content_update', 'product:delete'],
      ]),
    );
  });

  it('fact: the product:* events can be switched off, leaving the documented contract:content_update', async () => {
    await registerWebhook();
    await call('PUT', '/_sim/webhooks/delivery', { body: { productEvents: false } });
    await call('PUT', DESK, { body: { name: 'Desk' } });
    const [received] = await callsAtLeast(1);
    expect(received?.payload.events.map(({ type }) => type)).toEqual(['contract:content_update']);
  });

  it('fact: publish, sign and delete fire contract:publish, contract:sign and contract:delete', async () => {
    await registerWebhook();
    await call('POST', '/v1/contracts/101/publish', { body: PUBLISH });
    await callsAtLeast(1);
    await call('POST', '/_sim/contracts/101/sign');
    await callsAtLeast(2);
    await call('DELETE', '/v1/contracts/101');
    const calls = await callsAtLeast(3);
    expect(calls.map(({ payload }) => payload.events.map(({ type }) => type))).toEqual([
      ['contract:publish'],
      ['contract:sign'],
      ['contract:delete'],
    ]);
  });

  it('fact: a write that changes nothing (PUT {}) fires no webhook', async () => {
    await registerWebhook();
    await call('PUT', DESK, { body: {} });
    await call('POST', '/v1/contracts/101/publish', { body: PUBLISH });
    await callsAtLeast(1);
    await sleep(20);
    expect(receiver.calls.map(({ payload }) => payload.events[0]?.type)).toEqual(['contract:publish']);
  });

  it('fact: only HTTP 200 counts as delivered; anything else is retried with the same callback_id and body', async () => {
    await registerWebhook();
    receiver.statuses.push(201, 500);
    await call('PUT', DESK, { body: { name: 'Retried' } });
    const calls = await callsAtLeast(3);
    const [first, second, third] = calls;
    expect(second?.payload).toEqual(first?.payload);
    expect(third?.payload).toEqual(first?.payload);
    const [record] = (
      await until(async () => {
        const log = await deliveries();
        return log.deliveries[0]?.state === 'delivered' ? log : undefined;
      })
    ).deliveries;
    expect(record?.attempts.map(({ status }) => status)).toEqual([201, 500, 200]);
  });

  it('fact: retries follow 1, 5, 10, 30, 60, 300, 600, 1800, 3600 s (scaled by webhookTimeFactor), at most 10 attempts', async () => {
    await registerWebhook();
    receiver.statuses.push(...Array.from({ length: 12 }, () => 500));
    await call('PUT', DESK, { body: { name: 'Never delivered' } });
    const log = await until(async () => {
      const current = await deliveries();
      return current.deliveries[0]?.state === 'failed' ? current : undefined;
    });
    const attempts = log.deliveries[0]?.attempts ?? [];
    expect(attempts).toHaveLength(10);
    expect(attempts.map(({ retryInMs }) => retryInMs)).toEqual([
      ...RETRY_DELAYS_SECONDS.map((seconds) => seconds * 1000 * TIME_FACTOR),
      null,
    ]);
    await sleep(20);
    expect(receiver.calls).toHaveLength(10);
    expect(new Set(receiver.calls.map(({ payload }) => payload.callback_id)).size).toBe(1);
  });

  it('fact: at real speed the first retry waits 1 s, and closing the simulator cancels pending retries', async () => {
    const realTime = await startOneflowSimulator({ port: 0 });
    const realCall = client(realTime.url);
    await realCall('POST', '/v1/webhooks', { body: { callback_url: receiver.url, sign_key: SIGN_KEY } });
    receiver.statuses.push(500);
    await realCall('PUT', DESK, { body: { name: 'Later' } });
    const log = await until(async () => {
      const current = shape(DeliveriesSchema, (await realCall('GET', '/_sim/webhooks/deliveries')).body);
      return current.deliveries[0]?.nextAttemptInMs === 1000 ? current : undefined;
    });
    expect(log.deliveries[0]?.attempts).toEqual([expect.objectContaining({ status: 500, retryInMs: 1000 })]);
    await realTime.close();
  });

  it('fact: with the duplicates option every notification arrives twice with the same callback_id', async () => {
    await registerWebhook();
    await call('PUT', '/_sim/webhooks/delivery', { body: { duplicates: true } });
    await call('PUT', DESK, { body: { name: 'Twice' } });
    const [first, second] = await callsAtLeast(2);
    expect(second?.payload).toEqual(first?.payload);
    expect(first && verifies(first.payload)).toBe(true);
  });

  it('fact: with the reorder option notifications are held and then arrive newest first', async () => {
    await registerWebhook();
    await call('PUT', '/_sim/webhooks/delivery', { body: { reorder: true, reorderWindowMs: 60_000 } });
    await call('PUT', DESK, { body: { name: 'First edit' } });
    await call('POST', '/v1/contracts/101/publish', { body: PUBLISH });
    await sleep(20);
    expect(receiver.calls).toHaveLength(0);
    expect((await call('POST', '/_sim/webhooks/flush')).body).toEqual({ released: 2 });
    const calls = await callsAtLeast(2);
    expect(calls.map(({ payload }) => payload.events[0]?.type)).toEqual([
      'contract:publish',
      'contract:content_update',
    ]);
  });

  it('fact: filters limit a webhook to event types (EVENT_TYPE) and workspaces (WORKSPACE)', async () => {
    await registerWebhook({
      filters: [{ filter_rules: [{ type: 'EVENT_TYPE', values: ['contract:publish'] }] }],
    });
    await registerWebhook({ filters: [{ filter_rules: [{ type: 'WORKSPACE', values: [999] }] }] });
    await call('PUT', DESK, { body: { name: 'Filtered out' } });
    await call('POST', '/v1/contracts/101/publish', { body: PUBLISH });
    await callsAtLeast(1);
    await sleep(20);
    expect(receiver.calls.map(({ payload }) => payload.events.map(({ type }) => type))).toEqual([
      ['contract:publish'],
    ]);
  });
});

describe('Oneflow page (counterparty edits)', () => {
  const form = (fields: Record<string, string>) =>
    fetch(`${simulator.url}/contracts/101/products/300001`, {
      method: 'POST',
      body: new URLSearchParams(fields),
      redirect: 'manual',
    });

  const deskForm = {
    name: 'Standing desk',
    description: 'Electric, 160 x 80 cm',
    base_amount: '549.00',
    discount_amount: '',
    discount_percent: '10.00',
    quantity_type: 'quantity',
    quantity_amount: '15',
  };

  it('fact: GET / lists the contracts and GET /contracts/{id} shows its products, as plain HTML', async () => {
    const list = await fetch(`${simulator.url}/`);
    expect(list.headers.get('content-type')).toMatch(/^text\/html/);
    const listHtml = await list.text();
    expect(listHtml).toContain('Fabrikam office fit-out (opportunity)');
    expect(listHtml).toContain('href="/contracts/102"');
    const page = await (await fetch(`${simulator.url}/contracts/101`)).text();
    expect(page).toContain('action="/contracts/101/products/300001"');
    expect(page).not.toMatch(/<script|<link/);
  });

  it('An edit made in the Oneflow page reaches a local receiver as a webhook whose signature verifies', async () => {
    await registerWebhook();
    const answer = await form(deskForm);
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/contracts/101');
    const [received] = await callsAtLeast(1);
    expect(received?.payload.contract.id).toBe(101);
    expect(received && verifies(received.payload)).toBe(true);
    expect(received?.payload.events[0]?.type).toBe('contract:content_update');
    expect((await call('GET', DESK)).body).toMatchObject({ quantity: { amount: 15 } });
  });

  it('fact: a page edit passes the same validation as the API (refused: 400 page naming the field, no webhook)', async () => {
    await registerWebhook();
    const answer = await form({ ...deskForm, discount_amount: '5' });
    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain('price_1.discount_amount');
    await sleep(20);
    expect(receiver.calls).toHaveLength(0);
    expect((await call('GET', DESK)).body).toMatchObject({ quantity: { amount: 12 } });
  });

  it('fact: the page refuses edits on a signed contract (409) and on products locked for counterparties', async () => {
    const locked = await fetch(`${simulator.url}/contracts/102/products/300013`, {
      method: 'POST',
      body: new URLSearchParams({ name: 'Changed' }),
      redirect: 'manual',
    });
    expect(locked.status).toBe(409);
    await call('POST', '/v1/contracts/101/publish', { body: PUBLISH });
    await call('POST', '/_sim/contracts/101/sign');
    expect((await form(deskForm)).status).toBe(409);
  });
});
