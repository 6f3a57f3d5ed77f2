import type { ContractChangedMessage } from '../services';
import { FIXTURE, startStack, type Stack } from '../testing/stack';
import {
  activity,
  BATCH_ROUTE,
  clearRequestLogs,
  CONTRACT_ROUTE,
  countRoute,
  createContract,
  dynamicsLine,
  editProduct,
  fixtureWithOpportunities,
  LINE,
  LINES_ROUTE,
  messagesFor,
  notification,
  ONEFLOW_HEADERS,
  opportunity,
  postNotification,
  productFor,
  recordEnqueues,
  requestLog,
  settle,
  settledDeliveries,
  until,
  watchQueueTrigger,
  WEBHOOK_PATH,
  whileLeaseHeldUntilDelivered,
} from './webhookSupport';

/**
 * The webhook pipeline end to end, through real HTTP: the Oneflow simulator delivers signed notifications to the
 * backend's receiver (a webhook registered over Oneflow's API), the receiver queues them in Azurite's queue, the
 * local runner's queue trigger fetches the contract as the application user and writes Dynamics. Notifications
 * are also posted by hand where a test needs one Oneflow would not send (bad signatures, malformed bodies).
 */

jest.setTimeout(30_000);

let stack: Stack;
/** Every message the receiver queued, in order. */
let queued: ContractChangedMessage[];
let nextOpportunity = 1;
/** A fresh opportunity of the e2e fixture for each test (a record can have only one contract). */
const freshOpportunity = () => opportunity(nextOpportunity++);

const webhookEntries = async (contractId: number) =>
  (await activity(stack, contractId)).filter((entry) => entry.action === 'webhook');

beforeAll(async () => {
  stack = await startStack();
  queued = recordEnqueues(stack);
  const fixture = await stack.sim('dataverse', 'POST', '/_sim/fixture', fixtureWithOpportunities(12));
  if (fixture.status !== 200) throw new Error(`Dataverse fixture: ${fixture.text}`);
  const webhook = await stack.sim(
    'oneflow',
    'POST',
    '/v1/webhooks',
    { callback_url: `${stack.host.url}/api${WEBHOOK_PATH}`, sign_key: FIXTURE.signKeys.contoso },
    ONEFLOW_HEADERS,
  );
  if (webhook.status !== 200) throw new Error(`Oneflow webhook: ${webhook.text}`);
}, 60_000);

afterEach(async () => {
  await stack.sim('oneflow', 'PUT', '/_sim/webhooks/delivery', { duplicates: false, reorder: false });
  await stack.sim('oneflow', 'POST', '/_sim/webhooks/flush', {});
  await settle(stack);
});

afterAll(async () => {
  await stack.close();
});

describe('the receiver refuses what it must not act on', () => {
  let contractId: number;

  beforeAll(async () => {
    contractId = await createContract(stack, freshOpportunity().id);
  });

  test('a notification with a bad signature is answered 401, nothing is queued and its callback id stays unused', async () => {
    const before = queued.length;
    const genuine = notification(contractId);
    const forgeries = [
      {
        ...genuine,
        signature: notification(contractId, {
          signKey: FIXTURE.signKeys.fabrikam,
          callbackId: genuine.callback_id,
        }).signature,
      },
      { ...genuine, signature: notification(contractId).signature },
      { ...genuine, signature: genuine.signature.slice(0, -1) },
      { ...genuine, signature: `${genuine.signature}0` },
      {
        ...genuine,
        signature: `${genuine.signature.slice(0, -1)}${genuine.signature.endsWith('0') ? '1' : '0'}`,
      },
    ];
    for (const forgery of forgeries) {
      const answer = await postNotification(stack, forgery);
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ error: { code: 'invalid_signature' } });
    }
    expect(queued.length).toBe(before);

    // The genuine notification with the same callback id is still taken: the forgeries marked nothing as seen.
    const answer = await postNotification(stack, genuine);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'queued' });
    expect(queued.slice(before).map((message) => message.source)).toEqual([
      { kind: 'webhook', callbackId: genuine.callback_id, events: ['contract:content_update'] },
    ]);
    await settle(stack);
  });

  test('the signature is accepted in upper-case hex', async () => {
    const before = queued.length;
    const signed = notification(contractId);
    const answer = await postNotification(stack, { ...signed, signature: signed.signature.toUpperCase() });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'queued' });
    expect(queued.length).toBe(before + 1);
    await settle(stack);
  });

  test('a notification for an org key that is not set up is answered as a wrong signature and nothing is queued', async () => {
    const before = queued.length;
    const answer = await postNotification(stack, notification(contractId), 'northwind');
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({
      error: { code: 'invalid_signature', message: 'The notification signature does not match', details: [] },
    });
    // Fabrikam is set up, but its key does not sign Contoso's address, nor Contoso's key Fabrikam's.
    const crossed = await postNotification(
      stack,
      notification(contractId, { signKey: FIXTURE.signKeys.contoso }),
      'fabrikam',
    );
    expect(crossed.status).toBe(401);
    expect(queued.length).toBe(before);
  });

  test.each([
    ['not JSON at all', '{"contract":', 'body'],
    ['no contract id', { contract: {}, callback_id: 'x1', events: [], signature: 'ab' }, 'body.contract.id'],
    [
      'a contract id as text',
      { contract: { id: 'twelve' }, callback_id: 'x1', events: [], signature: 'ab' },
      'body.contract.id',
    ],
    ['no callback id', { contract: { id: 1001 }, events: [], signature: 'ab' }, 'body.callback_id'],
    ['no signature', { contract: { id: 1001 }, callback_id: 'x1', events: [] }, 'body.signature'],
    [
      'events that are not a list',
      { contract: { id: 1001 }, callback_id: 'x1', events: 'all', signature: 'ab' },
      'body.events',
    ],
  ])(
    'a malformed notification (%s) is answered 400 naming the field, and nothing is queued',
    async (_case, body, field) => {
      const before = queued.length;
      const answer = await postNotification(stack, body);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({
        error: { code: 'bad_request', details: [expect.objectContaining({ field })] },
      });
      expect(queued.length).toBe(before);
    },
  );

  test('a correctly signed notification for a contract not synced here is answered 200 queued, and the processor never fetches it', async () => {
    const before = queued.length;
    await clearRequestLogs(stack);
    // Contract 101 exists in Oneflow (the seed's), but no record here was ever synced with it.
    const signed = notification(101);
    const first = await postNotification(stack, signed);
    expect({ status: first.status, body: first.body }).toEqual({ status: 200, body: { status: 'queued' } });
    const again = await postNotification(stack, signed);
    expect(again.body).toEqual({ status: 'queued' });
    expect(messagesFor(queued.slice(before), 101)).toHaveLength(2);
    await stack.host.drainQueue();

    // Dropped where it is processed: Oneflow is never asked for it, nothing is stored or written for it.
    expect(countRoute(await requestLog(stack, 'oneflow'), CONTRACT_ROUTE, '/contracts/101')).toBe(0);
    expect(await stack.services.store.contracts.getById(FIXTURE.contoso, 101)).toBeNull();
    expect(await activity(stack, 101)).toEqual([]);
    expect((await stack.services.store.pendingFetches.read(FIXTURE.contoso, 101)).pending).toBeNull();
  });
});

describe('a change in Oneflow reaches Dynamics without anyone pressing a button', () => {
  test('F3: a quantity edited over the Oneflow API is written to the Dynamics line by the webhook, as the application user', async () => {
    const record = freshOpportunity();
    const widget = record.lines[LINE.widget];
    const contractId = await createContract(stack, record.id);
    const before = await webhookEntries(contractId);
    const product = await productFor(stack, contractId, widget);
    expect((await dynamicsLine(stack, record.id, widget)).values.quantity).toBe(10);
    await clearRequestLogs(stack);
    const queuedBefore = queued.length;

    await editProduct(stack, contractId, product.id, { quantity: { amount: 7 } });
    const deliveries = (await settledDeliveries(stack)).filter(
      (delivery) => delivery.contractId === contractId,
    );
    await stack.host.drainQueue();

    // Oneflow's notification arrived signed and was queued as this contract's change.
    const last = deliveries.at(-1);
    expect(last?.state).toBe('delivered');
    expect(last?.events.map((event) => event.type)).toEqual(['contract:content_update', 'product:update']);
    expect(queued.slice(queuedBefore)).toEqual([
      expect.objectContaining({
        contractId,
        source: {
          kind: 'webhook',
          callbackId: last?.callbackId,
          events: ['contract:content_update', 'product:update'],
        },
      }),
    ]);
    // The fetch wrote Dynamics in one change set, as the app itself (no CallerObjectId: nobody to impersonate).
    const dataverse = await requestLog(stack, 'dataverse');
    const writes = dataverse.requests.filter(
      (request) => request.route === BATCH_ROUTE || request.method === 'PATCH',
    );
    expect(writes.map((request) => request.route)).toEqual([BATCH_ROUTE]);
    for (const request of dataverse.requests) expect(request.headers.callerobjectid).toBeUndefined();

    const entries = (await webhookEntries(contractId)).slice(before.length);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: 'webhook',
      outcome: 'applied',
      actor: { kind: 'application', id: FIXTURE.apiClientId },
      summary: { linesUpdated: 1, productsUpdated: 0 },
      changes: [
        expect.objectContaining({
          lineId: widget,
          productId: product.id,
          dynamicsField: 'quantity',
          oneflowField: 'quantity',
          side: 'dynamics',
          old: 10,
          new: 7,
        }),
        // The line's discount of 25.00 was 2.50 per unit in the contract: it stays 2.50 for each of 7 units.
        expect.objectContaining({
          lineId: widget,
          dynamicsField: 'manualdiscountamount',
          side: 'dynamics',
          old: 25,
          new: 17.5,
        }),
        expect.objectContaining({
          dynamicsField: 'manualdiscountamount',
          note: 'Manual Discount 25.00 → 17.50: the quantity changed in Oneflow (10 → 7), and the contract keeps its discount of 2.50 per unit, so the line now has 7 × 2.50 off.',
        }),
      ],
    });
    expect((await dynamicsLine(stack, record.id, widget)).values).toMatchObject({
      quantity: 7,
      manualdiscountamount: 17.5,
    });
    expect((await productFor(stack, contractId, widget)).price_1?.discount_amount?.amount).toBe('2.50');
  });

  test('F3: a quantity edited on the Oneflow page is written to the Dynamics line by the webhook', async () => {
    const record = freshOpportunity();
    const support = record.lines[LINE.support];
    const contractId = await createContract(stack, record.id);
    const before = await webhookEntries(contractId);
    const product = await productFor(stack, contractId, support);
    expect((await dynamicsLine(stack, record.id, support)).values.quantity).toBe(12);

    // The page's form for the product, with every field as it is except the quantity.
    const form = new URLSearchParams({
      name: product.name,
      description: product.description ?? '',
      base_amount: String(product.price_1?.base_amount?.amount ?? ''),
      discount_amount: String(product.price_1?.discount_amount?.amount ?? ''),
      discount_percent: String(product.price_1?.discount_percent ?? ''),
      quantity_type: product.quantity?.type ?? 'quantity',
      quantity_amount: '15',
    });
    const page = await fetch(
      `${stack.simulators.oneflowUrl}/contracts/${String(contractId)}/products/${String(product.id)}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        redirect: 'manual',
      },
    );
    expect(page.status).toBe(303);
    await settle(stack);

    const entries = (await webhookEntries(contractId)).slice(before.length);
    expect(entries).toHaveLength(1);
    expect(entries[0]?.outcome).toBe('applied');
    // Only the quantity moved: the page re-sent the other fields unchanged.
    expect(entries[0]?.changes).toEqual([
      expect.objectContaining({
        lineId: support,
        dynamicsField: 'quantity',
        side: 'dynamics',
        old: 12,
        new: 15,
      }),
    ]);
    expect((await dynamicsLine(stack, record.id, support)).values.quantity).toBe(15);
  });
});

describe('duplicated notifications', () => {
  test('the same callback_id posted twice, and again after its fetch: every copy is answered 200 queued, and only one fetch runs', async () => {
    const record = freshOpportunity();
    const contractId = await createContract(stack, record.id);
    const before = await webhookEntries(contractId);
    await clearRequestLogs(stack);
    const queuedBefore = queued.length;
    const watch = watchQueueTrigger();
    try {
      const signed = notification(contractId);
      const first = await postNotification(stack, signed);
      const second = await postNotification(stack, signed);
      expect([first.status, second.status]).toEqual([200, 200]);
      expect([first.body, second.body]).toEqual([{ status: 'queued' }, { status: 'queued' }]);
      await stack.host.drainQueue();
      // Oneflow's retry, long after the fetch began: only the callback id tells it from a new change.
      expect((await postNotification(stack, signed)).body).toEqual({ status: 'queued' });
      await stack.host.drainQueue();

      expect(messagesFor(queued.slice(queuedBefore), contractId)).toHaveLength(3);
      // The first copy processed is the one acted on; the other two are dropped as duplicates.
      const outcomes = watch.attempts
        .filter((attempt) => attempt.callbackId === signed.callback_id)
        .map((attempt) => attempt.outcome);
      expect(outcomes).toHaveLength(3);
      expect(outcomes.filter((outcome) => outcome === 'duplicate')).toHaveLength(2);
    } finally {
      watch.restore();
    }

    expect((await webhookEntries(contractId)).slice(before.length)).toHaveLength(1);
    expect(
      countRoute(await requestLog(stack, 'oneflow'), CONTRACT_ROUTE, `/contracts/${String(contractId)}`),
    ).toBe(1);
  });

  test("Oneflow's doubled delivery of a change (same callback_id, at once) is processed once and writes Dynamics once", async () => {
    const record = freshOpportunity();
    const widget = record.lines[LINE.widget];
    const contractId = await createContract(stack, record.id);
    const product = await productFor(stack, contractId, widget);
    const before = await webhookEntries(contractId);
    await stack.sim('oneflow', 'PUT', '/_sim/webhooks/delivery', { duplicates: true });
    await stack.sim('oneflow', 'DELETE', '/_sim/webhooks/deliveries');
    await clearRequestLogs(stack);
    const queuedBefore = queued.length;

    // Held lease: nothing of this contract is processed until both copies have been answered.
    await whileLeaseHeldUntilDelivered(stack, contractId, async () => {
      await editProduct(stack, contractId, product.id, { quantity: { amount: 3 } });
    });
    await stack.host.drainQueue();

    const deliveries = (await settledDeliveries(stack)).filter(
      (delivery) => delivery.contractId === contractId,
    );
    expect(deliveries).toHaveLength(2);
    expect(deliveries[0]?.callbackId).toBe(deliveries[1]?.callbackId);
    expect(deliveries.map((delivery) => delivery.attempts[0]?.status)).toEqual([200, 200]);
    // Both copies are queued (the receiver stores nothing); the processor drops the second by its callback id.
    expect(messagesFor(queued.slice(queuedBefore), contractId)).toHaveLength(2);

    const entries = (await webhookEntries(contractId)).slice(before.length);
    expect(entries).toHaveLength(1);
    expect(entries[0]?.changes.filter((change) => change.side === 'dynamics')).toEqual([
      expect.objectContaining({ lineId: widget, dynamicsField: 'quantity', old: 10, new: 3 }),
      expect.objectContaining({ lineId: widget, dynamicsField: 'manualdiscountamount', old: 25, new: 7.5 }),
    ]);
    expect(countRoute(await requestLog(stack, 'dataverse'), BATCH_ROUTE)).toBe(1);
    expect((await dynamicsLine(stack, record.id, widget)).values.quantity).toBe(3);
  });
});

describe('reordered and many notifications', () => {
  test('notifications queued before processing, delivered newest first, coalesce into one fetch with the final values', async () => {
    const record = freshOpportunity();
    const [widget, support] = [record.lines[LINE.widget], record.lines[LINE.support]];
    const contractId = await createContract(stack, record.id);
    const widgetProduct = await productFor(stack, contractId, widget);
    const supportProduct = await productFor(stack, contractId, support);
    const before = await webhookEntries(contractId);
    await stack.sim('oneflow', 'PUT', '/_sim/webhooks/delivery', { reorder: true, reorderWindowMs: 600_000 });
    await stack.sim('oneflow', 'DELETE', '/_sim/webhooks/deliveries');
    await clearRequestLogs(stack);
    const queuedBefore = queued.length;

    const edits: [number, number][] = [
      [widgetProduct.id, 11],
      [supportProduct.id, 20],
      [widgetProduct.id, 12],
      [supportProduct.id, 21],
      [widgetProduct.id, 13],
      [widgetProduct.id, 14],
    ];
    await whileLeaseHeldUntilDelivered(stack, contractId, async () => {
      for (const [productId, amount] of edits)
        await editProduct(stack, contractId, productId, { quantity: { amount } });
      const flushed = await stack.sim('oneflow', 'POST', '/_sim/webhooks/flush', {});
      expect(flushed.body).toEqual({ released: edits.length });
      await until('every notification to be queued', async () =>
        messagesFor(queued.slice(queuedBefore), contractId).length === edits.length ? true : undefined,
      );
    });
    await stack.host.drainQueue();

    // Six notifications, sent newest first, all queued.
    const deliveries = (await settledDeliveries(stack)).filter(
      (delivery) => delivery.contractId === contractId,
    );
    expect(deliveries).toHaveLength(edits.length);
    const firstAttempts = [...deliveries]
      .sort((a, b) => b.id - a.id)
      .map((delivery) => delivery.attempts[0]?.at ?? '');
    expect(firstAttempts).toEqual([...firstAttempts].sort());
    const messages = messagesFor(queued.slice(queuedBefore), contractId);
    expect(messages).toHaveLength(edits.length);

    // One fetch run for all of them: one activity entry, one read of the contract, one change set.
    const entries = (await webhookEntries(contractId)).slice(before.length);
    expect(entries.length).toBeLessThan(messages.length);
    expect(entries).toHaveLength(1);
    const oneflow = await requestLog(stack, 'oneflow');
    const dataverse = await requestLog(stack, 'dataverse');
    expect(countRoute(oneflow, CONTRACT_ROUTE, `/contracts/${String(contractId)}`)).toBe(1);
    expect(countRoute(dataverse, LINES_ROUTE)).toBe(1);
    expect(countRoute(dataverse, BATCH_ROUTE)).toBe(1);

    // The end state is Oneflow's last state, not whichever notification happened to arrive last.
    expect(entries[0]?.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ lineId: widget, dynamicsField: 'quantity', old: 10, new: 14 }),
        expect.objectContaining({ lineId: widget, dynamicsField: 'manualdiscountamount', old: 25, new: 35 }),
        expect.objectContaining({ lineId: support, dynamicsField: 'quantity', old: 12, new: 21 }),
      ]),
    );
    expect(entries[0]?.changes.filter((change) => change.side === 'dynamics')).toHaveLength(3);
    expect((await dynamicsLine(stack, record.id, widget)).values.quantity).toBe(14);
    expect((await dynamicsLine(stack, record.id, support)).values.quantity).toBe(21);
  });
});

describe('echo suppression', () => {
  test('the webhooks caused by a push write nothing to Dynamics: the fetch they run finds nothing to change', async () => {
    const record = freshOpportunity();
    const widget = record.lines[LINE.widget];
    const contractId = await createContract(stack, record.id);
    const dynamics = stack.services.tenant(FIXTURE.contoso).dynamics;
    const line = await dynamicsLine(stack, record.id, widget);
    await dynamics.updateLines(
      'opportunityproduct',
      [{ lineId: widget, etag: line.etag, values: { quantity: 9 } }],
      {},
    );
    const before = await activity(stack, contractId);
    await clearRequestLogs(stack);
    await stack.sim('oneflow', 'DELETE', '/_sim/webhooks/deliveries');
    const queuedBefore = queued.length;

    const push = await stack.api('POST', `/contracts/${String(contractId)}/push`, {
      token: await stack.token('alex'),
    });
    expect(push.status).toBe(200);
    expect(push.body).toMatchObject({ outcome: 'applied', summary: { productsUpdated: 1, linesUpdated: 0 } });
    await settle(stack);

    // The push changed Oneflow, and Oneflow told us so.
    expect((await productFor(stack, contractId, widget)).quantity?.amount).toBe(9);
    const deliveries = (await settledDeliveries(stack)).filter(
      (delivery) => delivery.contractId === contractId,
    );
    expect(deliveries.length).toBeGreaterThan(0);
    expect(deliveries.every((delivery) => delivery.state === 'delivered')).toBe(true);
    expect(messagesFor(queued.slice(queuedBefore), contractId)).toHaveLength(deliveries.length);

    // Processing them wrote nothing to Dynamics, from the push on (notifications that arrive together may share
    // one fetch).
    const dataverse = await requestLog(stack, 'dataverse');
    expect(
      dataverse.requests.filter((request) => request.method === 'PATCH' || request.route === BATCH_ROUTE),
    ).toEqual([]);
    const entries = (await activity(stack, contractId)).slice(before.length);
    expect(entries[0]?.action).toBe('push');
    expect(entries.length).toBeGreaterThan(1);
    expect(entries.length).toBeLessThanOrEqual(1 + deliveries.length);
    for (const entry of entries.slice(1)) {
      expect(entry.action).toBe('webhook');
      expect(entry).toMatchObject({
        outcome: 'nothing_to_do',
        message: 'Fetch from Oneflow: nothing to change.',
        changes: [],
      });
    }
    expect((await dynamicsLine(stack, record.id, widget)).values.quantity).toBe(9);
  });
});
