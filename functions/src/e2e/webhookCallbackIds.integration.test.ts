import fc from 'fast-check';
import type { ContractChangedMessage } from '../services';
import { startStack, type Stack } from '../testing/stack';
import {
  activity,
  createContract,
  fixtureWithOpportunities,
  messagesFor,
  notification,
  opportunity,
  postNotification,
  recordEnqueues,
} from './webhookSupport';

/**
 * Oneflow's callback ids, whatever characters they hold, over real HTTP into Azurite's tables: every correctly
 * signed notification whose id the receiver allows (1–200 characters) is taken (200) and queued once, and its
 * retry is recognised as a duplicate. A 500 here would make Oneflow retry for an hour and never queue the change.
 */

jest.setTimeout(60_000);

let stack: Stack;
let queued: ContractChangedMessage[];
let contractId: number;

beforeAll(async () => {
  stack = await startStack();
  queued = recordEnqueues(stack);
  const fixture = await stack.sim('dataverse', 'POST', '/_sim/fixture', fixtureWithOpportunities(1));
  if (fixture.status !== 200) throw new Error(`Dataverse fixture: ${fixture.text}`);
  contractId = await createContract(stack, opportunity(1).id);
}, 60_000);

afterEach(async () => {
  await stack.host.drainQueue();
});

afterAll(async () => {
  await stack.close();
});

const webhookRuns = async () =>
  (await activity(stack, contractId)).filter((entry) => entry.action === 'webhook').length;

describe('callback ids of up to 200 characters, escaped far past the table key limit', () => {
  test.each([
    ['underscores', '_'.repeat(200)],
    ['accented letters', 'é'.repeat(200)],
    ['emoji', '😀'.repeat(200)],
  ])('%s × 200: queued once, the retry is a duplicate, and the fetch runs', async (_, callbackId) => {
    const runsBefore = await webhookRuns();
    const queuedBefore = queued.length;
    const signed = notification(contractId, { callbackId });

    const first = await postNotification(stack, signed);
    expect({ status: first.status, body: first.body }).toEqual({ status: 200, body: { status: 'queued' } });
    const retry = await postNotification(stack, signed);
    expect({ status: retry.status, body: retry.body }).toEqual({
      status: 200,
      body: { status: 'duplicate' },
    });

    const mine = messagesFor(queued.slice(queuedBefore), contractId);
    expect(mine).toHaveLength(1);
    expect(mine[0]?.source).toEqual({
      kind: 'webhook',
      callbackId,
      events: ['contract:content_update'],
    });
    await stack.host.drainQueue();
    expect(await webhookRuns()).toBe(runsBefore + 1);
  });

  test('two ids that differ only in their last character are two notifications', async () => {
    const queuedBefore = queued.length;
    const a = await postNotification(stack, notification(contractId, { callbackId: `${'é'.repeat(199)}a` }));
    const b = await postNotification(stack, notification(contractId, { callbackId: `${'é'.repeat(199)}b` }));
    expect([a.body, b.body]).toEqual([{ status: 'queued' }, { status: 'queued' }]);
    expect(messagesFor(queued.slice(queuedBefore), contractId)).toHaveLength(2);
  });

  test('201 characters is refused with a 400 naming body.callback_id, and nothing is queued', async () => {
    const queuedBefore = queued.length;
    const answer = await postNotification(stack, notification(contractId, { callbackId: '😀'.repeat(201) }));
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      error: {
        code: 'bad_request',
        message: 'The request body is not valid',
        details: [{ field: 'body.callback_id', message: 'must have at most 200 characters' }],
      },
    });
    expect(queued.length).toBe(queuedBefore);
  });

  test('any callback id of 1–200 characters is answered 200: queued the first time, duplicate the second', async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 200, size: 'max' }),
        async (callbackId) => {
          const signed = notification(contractId, { callbackId });
          const first = await postNotification(stack, signed);
          const retry = await postNotification(stack, signed);
          expect([first.status, retry.status]).toEqual([200, 200]);
          expect(first.body).toEqual({ status: seen.has(callbackId) ? 'duplicate' : 'queued' });
          expect(retry.body).toEqual({ status: 'duplicate' });
          seen.add(callbackId);
        },
      ),
      { numRuns: 40 },
    );
  });
});
