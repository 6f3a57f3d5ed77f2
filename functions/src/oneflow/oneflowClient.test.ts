import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  isOneflowBudgetSpentError,
  isOneflowInvalidResponseError,
  isOneflowNetworkError,
  isOneflowRateLimitedError,
  isOneflowServerError,
} from './errors';
import { createOneflowClient } from './oneflowClient';
import { RequestBudget } from './requestBudget';

/**
 * Edge shapes the simulator does not produce, answered by msw: bodies that are not Oneflow's (a proxy's HTML, a
 * changed shape), a 429 without Retry-After, connections dropped on every attempt.
 */

const BASE = 'https://api.oneflow.example/v1';
const TOKEN = 'a'.repeat(40);

const server = setupServer();
beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
});
afterEach(() => {
  server.resetHandlers();
});
afterAll(() => {
  server.close();
});

/** Answers each request with the next answer (the last repeats); counts the attempts. */
function answerInTurn(answers: (() => Response)[]): { attempts: number } {
  const seen = { attempts: 0 };
  server.use(
    http.all(/^https:\/\/api\.oneflow\.example\//, () => {
      const answer = answers[Math.min(seen.attempts, answers.length - 1)];
      seen.attempts += 1;
      if (!answer) throw new Error('no answer');
      return answer();
    }),
  );
  return seen;
}

function client() {
  const waits: number[] = [];
  const oneflow = createOneflowClient({
    baseUrl: BASE,
    token: TOKEN,
    userEmail: 'sync@contoso.example',
    random: () => 0.5,
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
  return { oneflow, waits };
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('Oneflow client edge shapes (msw)', () => {
  it('an answer of the wrong shape is an invalid-response error, not retried', async () => {
    const seen = answerInTurn([() => HttpResponse.json({ id: 'not-a-number', state: 'draft' })]);
    const error = await caught(client().oneflow.getContract(101));
    expect(isOneflowInvalidResponseError(error)).toBe(true);
    expect(seen.attempts).toBe(1);
  });

  it("a proxy's HTML 502 is a server error, retried, then typed", async () => {
    const seen = answerInTurn([
      () =>
        new HttpResponse('<html><body>Bad gateway</body></html>', {
          status: 502,
          headers: { 'Content-Type': 'text/html' },
        }),
    ]);
    const { oneflow, waits } = client();
    const error = await caught(oneflow.getContract(101));
    expect(isOneflowServerError(error)).toBe(true);
    expect(seen.attempts).toBe(4);
    expect(waits).toHaveLength(3);
  });

  it('a 429 without Retry-After backs off on our own schedule and then succeeds', async () => {
    answerInTurn([
      () =>
        HttpResponse.json({ error_code: 4290000, status: 429, title: 'Too Many Requests' }, { status: 429 }),
      () => HttpResponse.json({ id: 101, state: 'draft' }),
    ]);
    const { oneflow, waits } = client();
    await expect(oneflow.getContract(101)).resolves.toMatchObject({ id: 101 });
    expect(waits).toEqual([250]);
  });

  it('a 429 on every attempt ends in a rate-limited error', async () => {
    answerInTurn([() => HttpResponse.json({ error_code: 4290000, status: 429 }, { status: 429 })]);
    expect(isOneflowRateLimitedError(await caught(client().oneflow.getContract(101)))).toBe(true);
  });

  it('every attempt, a retry included, takes a slot of the budget; a spent budget sends nothing and says when', async () => {
    const seen = answerInTurn([
      () => HttpResponse.json({ error_code: 4290000, status: 429 }, { status: 429 }),
      () => HttpResponse.json({ id: 101, state: 'draft' }),
    ]);
    const clock = { now: 0 };
    const budget = new RequestBudget({ limit: 2, windowMs: 300_000, maxWaitMs: 5000, now: () => clock.now });
    const oneflow = createOneflowClient({
      baseUrl: BASE,
      token: TOKEN,
      userEmail: 'sync@contoso.example',
      random: () => 0.5,
      sleep: () => Promise.resolve(),
      budget,
    });
    await expect(oneflow.getContract(101)).resolves.toMatchObject({ id: 101 });
    expect(seen.attempts).toBe(2);
    expect(budget.state()).toMatchObject({ used: 2, left: 0 });
    clock.now = 60_000;
    const error = await caught(oneflow.getContract(101));
    expect(seen.attempts).toBe(2);
    expect(isOneflowBudgetSpentError(error)).toBe(true);
    expect(error).toMatchObject({ retryAfterMs: 240_000, url: `${BASE}/contracts/101` });
  });

  it('a product group without configuration (as in Oneflow’s connector definition) reads with precisions 2 and 0', async () => {
    answerInTurn([
      () =>
        HttpResponse.json({
          id: 101,
          state: 'draft',
          product_groups: [
            { id: 20001, products: [{ id: 1, name: 'Desk', quantity: { type: 'quantity', amount: 2 } }] },
          ],
        }),
    ]);
    const contract = await client().oneflow.getContract(101);
    expect(contract.product_groups?.[0]?.configuration).toEqual({
      price_precision: 2,
      quantity_precision: 0,
    });
  });

  it('a contract-create helper template without available_options, template_type or a name still reads', async () => {
    answerInTurn([
      () =>
        HttpResponse.json([
          {
            id: 130406,
            templates: [
              { id: 756510, name: null },
              { id: 756511, name: 'T' },
            ],
          },
        ]),
    ]);
    await expect(client().oneflow.listContractCreateData(130406)).resolves.toEqual([
      {
        id: 130406,
        templates: [
          { id: 756510, name: null },
          { id: 756511, name: 'T' },
        ],
      },
    ]);
  });

  it("a contract-create helper answer of bare templates (the connector script's output, not Oneflow's) is an invalid-response error", async () => {
    const seen = answerInTurn([
      () =>
        HttpResponse.json([
          { id: 756510, name: 'Sales agreement', available_options: { can_receive_products: true } },
        ]),
    ]);
    const error = await caught(client().oneflow.listContractCreateData(130406));
    expect(isOneflowInvalidResponseError(error)).toBe(true);
    expect(seen.attempts).toBe(1);
  });

  it('a body that cannot be serialised is thrown at once: nothing sent, no retries, not a network error', async () => {
    const seen = answerInTurn([() => HttpResponse.json({ id: 1, name: 'Desk' })]);
    const { oneflow, waits } = client();
    // A BigInt reaches the client only through a programming error; the types refuse it.
    const quantity = { amount: 2n as unknown as number };
    const error = await caught(oneflow.updateProduct(101, 1, { quantity }));
    expect(error).toBeInstanceOf(TypeError);
    expect(isOneflowNetworkError(error)).toBe(false);
    expect(seen.attempts).toBe(0);
    expect(waits).toEqual([]);
  });

  it('connections dropped on every attempt end in a network error that does not carry the token', async () => {
    const seen = answerInTurn([() => HttpResponse.error()]);
    const error = await caught(client().oneflow.listProducts(101));
    expect(isOneflowNetworkError(error)).toBe(true);
    expect(seen.attempts).toBe(4);
    expect(JSON.stringify(error)).not.toContain(TOKEN);
    expect(String((error as Error).stack)).not.toContain(TOKEN);
  });
});
