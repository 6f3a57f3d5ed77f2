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
  watchQueueTrigger,
} from './webhookSupport';

/**
 * Oneflow's callback ids, whatever characters they hold, over real HTTP into Azurite's queue and tables: every
 * correctly signed notification whose id the receiver allows (1–200 characters) is taken (200) and queued, and the
 * queue processor acts on the first copy of an id and drops every other copy as a duplicate. A 500 here would make
 * Oneflow retry for an hour and never queue the change.
 */

jest.setTimeout(60_000);

let stack: Stack;
let queued: ContractChangedMessage[];
let contractId: number;
let watch: ReturnType<typeof watchQueueTrigger>;

beforeAll(async () => {
  stack = await startStack();
  queued = recordEnqueues(stack);
  watch = watchQueueTrigger();
  const fixture = await stack.sim('dataverse', 'POST', '/_sim/fixture', fixtureWithOpportunities(1));
  if (fixture.status !== 200) throw new Error(`Dataverse fixture: ${fixture.text}`);
  contractId = await createContract(stack, opportunity(1).id);
}, 60_000);

afterEach(async () => {
  await stack.host.drainQueue();
});

afterAll(async () => {
  watch.restore();
  await stack.close();
});

const webhookRuns = async () =>
  (await activity(stack, contractId)).filter((entry) => entry.action === 'webhook').length;

/** What the processor made of each copy of the callback id, in the order it processed them. */
const outcomesOf = (callbackId: string) =>
  watch.attempts.filter((attempt) => attempt.callbackId === callbackId).map((attempt) => attempt.outcome);

describe('callback ids of up to 200 characters, escaped far past the table key limit', () => {
  test.each([
    ['underscores', '_'.repeat(200)],
    ['accented letters', 'é'.repeat(200)],
    ['emoji', '😀'.repeat(200)],
  ])(
    '%s × 200: both copies queued, the second dropped as a duplicate, and the fetch runs once',
    async (_, callbackId) => {
      const runsBefore = await webhookRuns();
      const queuedBefore = queued.length;
      const signed = notification(contractId, { callbackId });

      const first = await postNotification(stack, signed);
      expect({ status: first.status, body: first.body }).toEqual({ status: 200, body: { status: 'queued' } });
      const retry = await postNotification(stack, signed);
      expect({ status: retry.status, body: retry.body }).toEqual({ status: 200, body: { status: 'queued' } });

      const mine = messagesFor(queued.slice(queuedBefore), contractId);
      expect(mine).toHaveLength(2);
      expect(mine[0]?.source).toEqual({
        kind: 'webhook',
        callbackId,
        events: ['contract:content_update'],
      });
      await stack.host.drainQueue();
      const outcomes = outcomesOf(callbackId);
      expect(outcomes).toHaveLength(2);
      expect(outcomes.filter((outcome) => outcome === 'duplicate')).toHaveLength(1);
      expect(await webhookRuns()).toBe(runsBefore + 1);
    },
  );

  test('two ids that differ only in their last character are two notifications', async () => {
    const queuedBefore = queued.length;
    const [a, b] = [`${'é'.repeat(199)}a`, `${'é'.repeat(199)}b`];
    const answers = [
      await postNotification(stack, notification(contractId, { callbackId: a })),
      await postNotification(stack, notification(contractId, { callbackId: b })),
    ];
    expect(answers.map((answer) => answer.body)).toEqual([{ status: 'queued' }, { status: 'queued' }]);
    expect(messagesFor(queued.slice(queuedBefore), contractId)).toHaveLength(2);
    await stack.host.drainQueue();
    expect([...outcomesOf(a), ...outcomesOf(b)]).not.toContain('duplicate');
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

  test('any callback id of 1–200 characters is answered 200 twice, and processed once: the other copy is a duplicate', async () => {
    const ids: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 200, size: 'max' }),
        async (callbackId) => {
          const signed = notification(contractId, { callbackId });
          const first = await postNotification(stack, signed);
          const retry = await postNotification(stack, signed);
          expect([first.status, retry.status]).toEqual([200, 200]);
          expect([first.body, retry.body]).toEqual([{ status: 'queued' }, { status: 'queued' }]);
          ids.push(callbackId);
        },
      ),
      { numRuns: 40 },
    );
    await stack.host.drainQueue();
    // Every copy of an id but the first one processed is a duplicate, whichever id it is.
    for (const callbackId of new Set(ids)) {
      const outcomes = outcomesOf(callbackId);
      expect(outcomes).toHaveLength(2 * ids.filter((id) => id === callbackId).length);
      expect(outcomes.filter((outcome) => outcome !== 'duplicate')).toHaveLength(1);
    }
  });
});
