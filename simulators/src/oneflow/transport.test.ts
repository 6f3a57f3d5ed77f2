import { z } from 'zod';
import { startOneflowSimulator } from './index';
import {
  client,
  OneflowErrorSchema,
  PageSchema,
  shape,
  TOKEN,
  useOneflowSimulator,
  USER_EMAIL,
} from './testSupport';

const RATE_LIMIT_BODY = {
  detail: 'You have reached the 5 minute rate limit for requests. Try again in a few minutes.',
  error_code: 4290000,
  parameter_problems: {},
  status: 429,
  title: 'Too Many Requests',
};

const { simulator, call } = useOneflowSimulator();

describe('Oneflow transport: token, errors, paging, limits, faults', () => {
  it('fact: GET /v1/ping with a valid token answers 200 {}', async () => {
    const answer = await call('GET', '/v1/ping');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({});
  });

  it("fact: a request without a valid x-oneflow-api-token gets 401 with Oneflow's error body", async () => {
    for (const token of [null, 'x'.repeat(40), TOKEN.slice(1)]) {
      const answer = await call('GET', '/v1/ping', { token });
      expect(answer.status).toBe(401);
      expect(shape(OneflowErrorSchema, answer.body)).toMatchObject({
        status: 401,
        title: 'Unauthorized',
        error_code: 4010000,
        type: 'https://api.oneflow.com/v1/error_codes/4010000',
      });
    }
  });

  it('fact: an x-oneflow-user-email that names no user gets 401 ("the API token or the user email is invalid")', async () => {
    const unknown = await call('GET', '/v1/ping', {
      headers: { 'x-oneflow-user-email': 'nobody@example.com' },
    });
    expect(unknown.status).toBe(401);
    shape(OneflowErrorSchema, unknown.body);
    const known = await call('GET', '/v1/ping', { headers: { 'x-oneflow-user-email': USER_EMAIL } });
    expect(known.status).toBe(200);
  });

  it("fact: an unknown entity gets 404 with Oneflow's documented error body", async () => {
    const answer = await call('GET', '/v1/contracts/999999');
    expect(answer.status).toBe(404);
    expect(shape(OneflowErrorSchema, answer.body)).toMatchObject({
      error_code: 4040000,
      status: 404,
      title: 'Not Found',
      parameter_problems: {},
      type: 'https://api.oneflow.com/v1/error_codes/4040000',
    });
    expect((await call('GET', '/v1/no/such/route')).status).toBe(404);
  });

  it("fact: malformed JSON gets 400 with Oneflow's error body", async () => {
    const response = await fetch(`${simulator.url}/v1/contracts/create`, {
      method: 'POST',
      headers: { 'x-oneflow-api-token': TOKEN, 'content-type': 'application/json' },
      body: '{"workspace_id": ',
    });
    expect(response.status).toBe(400);
    expect(shape(OneflowErrorSchema, await response.json())).toMatchObject({
      status: 400,
      error_code: 4000000,
    });
  });

  it('fact: lists are paged with limit (default 100, 1–100) and offset (0–19900) as {_links, count, data}; count is the total', async () => {
    const first = shape(PageSchema, (await call('GET', '/v1/contracts/102/products?limit=3')).body);
    expect(first.count).toBe(4);
    expect(first.data).toHaveLength(3);
    expect(first._links.previous).toBeNull();
    expect(first._links.next?.href).toMatch(/\/v1\/contracts\/102\/products\?limit=3&offset=3$/);
    expect(first._links.self.href).toMatch(/limit=3&offset=0$/);
    const next = new URL(first._links.next?.href ?? '');
    const second = shape(PageSchema, (await call('GET', `${next.pathname}${next.search}`)).body);
    expect(second.count).toBe(4);
    expect(second.data).toHaveLength(1);
    expect(second._links.next).toBeNull();
    expect(second._links.previous?.href).toMatch(/limit=3&offset=0$/);
    const all = shape(PageSchema, (await call('GET', '/v1/contracts/102/products')).body);
    expect(all.data).toHaveLength(4);
  });

  it('fact: limit outside 1–100 or offset outside 0–19900 gets 400 naming the parameter', async () => {
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['offset=-1', 'offset'],
      ['offset=19901', 'offset'],
    ] as const) {
      const answer = await call('GET', `/v1/contracts/102/products?${query}`);
      expect(answer.status).toBe(400);
      expect(Object.keys(shape(OneflowErrorSchema, answer.body).parameter_problems)).toEqual([field]);
    }
    expect((await call('GET', '/v1/contracts/102/products?offset=19900')).status).toBe(200);
  });

  it("fact: over the rate limit (2000 per token per 5 minutes; budget configurable) a request gets 429 with Oneflow's documented body and no Retry-After", async () => {
    const limited = await startOneflowSimulator({ port: 0, rateLimit: { budget: 3, windowMs: 400 } });
    try {
      const limitedCall = client(limited.url);
      for (let index = 0; index < 3; index += 1)
        expect((await limitedCall('GET', '/v1/ping')).status).toBe(200);
      const refused = await limitedCall('GET', '/v1/ping');
      expect(refused.status).toBe(429);
      expect(refused.body).toEqual(RATE_LIMIT_BODY);
      expect(refused.headers.get('retry-after')).toBeNull();
      // The budget is per token: a bad token is still told it is unauthorized, not limited.
      expect((await limitedCall('GET', '/v1/ping', { token: null })).status).toBe(401);
      await new Promise((resolve) => setTimeout(resolve, 450));
      expect((await limitedCall('GET', '/v1/ping')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('fact: the default rate limit is 2000 requests per 5-minute window', async () => {
    expect((await call('GET', '/_sim/rate-limit')).body).toEqual({ budget: 2000, windowMs: 300_000 });
  });

  it("fact: an injected 429 fault answers with Oneflow's documented 429 body and no Retry-After", async () => {
    await call('PUT', '/_sim/faults', { body: { routes: { 'GET /v1/ping': { rates: { '429': 1 } } } } });
    const answer = await call('GET', '/v1/ping');
    expect(answer.status).toBe(429);
    expect(answer.body).toEqual(RATE_LIMIT_BODY);
    expect(answer.headers.get('retry-after')).toBeNull();
  });

  it("fact: an injected 500 fault answers with Oneflow's error body", async () => {
    await call('PUT', '/_sim/faults', { body: { routes: { '*': { rates: { '500': 1 } } } } });
    const answer = await call('GET', '/v1/contracts/101');
    expect(answer.status).toBe(500);
    expect(shape(OneflowErrorSchema, answer.body)).toMatchObject({ status: 500, error_code: 5000000 });
  });

  it('fact: an injected drop closes the connection with no answer, and the log records it with status 0', async () => {
    await call('DELETE', '/_sim/requests');
    await call('PUT', '/_sim/faults', { body: { routes: { 'GET /v1/ping': { rates: { drop: 1 } } } } });
    await expect(call('GET', '/v1/ping')).rejects.toThrow();
    await call('PUT', '/_sim/faults', { body: {} });
    expect((await call('GET', '/v1/ping')).status).toBe(200);
    const log = (await call('GET', '/_sim/requests')).body as {
      requests: { route: string; status: number }[];
    };
    expect(log.requests.map((entry) => [entry.route, entry.status])).toEqual([
      ['GET /v1/ping', 0],
      ['GET /v1/ping', 200],
    ]);
  });

  it('fact: the request log counts requests by route and records x-oneflow-user-email, never the token', async () => {
    await call('GET', '/v1/ping', { headers: { 'x-oneflow-user-email': USER_EMAIL } });
    await call('GET', '/v1/ping');
    await call('GET', '/v1/contracts/101');
    const log = shape(
      z.object({
        total: z.number(),
        counts: z.record(z.string(), z.number()),
        requests: z.array(
          z.object({ route: z.string(), status: z.number(), headers: z.record(z.string(), z.string()) }),
        ),
      }),
      (await call('GET', '/_sim/requests')).body,
    );
    expect(log.total).toBe(3);
    expect(log.counts).toEqual({ 'GET /v1/ping': 2, 'GET /v1/contracts/:id': 1 });
    expect(log.requests[0]?.headers).toEqual({ 'x-oneflow-user-email': USER_EMAIL });
    expect(JSON.stringify(log)).not.toContain(TOKEN);
  });

  it('fact: a malformed fixture is refused with a message naming the field, and the state stays as it was', async () => {
    const answer = await call('POST', '/_sim/fixture', {
      body: {
        api_tokens: [{ token: TOKEN }],
        workspaces: [{ id: 1, name: 'W', currency: 'EUR' }],
        templates: [
          { id: 2, name: 'T', workspace_ids: [1], available_options: { can_receive_products: true } },
        ],
        contracts: [
          {
            id: 3,
            workspace_id: 1,
            template_id: 2,
            name: 'C',
            product_groups: [{ id: 4, products: [{ id: 5, name: 'x'.repeat(81) }] }],
          },
        ],
      },
    });
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('contracts[0].product_groups[0].products[0].name');
    const tooShortToken = await call('POST', '/_sim/fixture', { body: { api_tokens: [{ token: 'short' }] } });
    expect(tooShortToken.text).toContain('api_tokens[0].token');
    expect((await call('GET', '/v1/contracts/101')).status).toBe(200);
  });

  it('fact: a valid fixture replaces the state and reset brings back the seed', async () => {
    const loaded = await call('POST', '/_sim/fixture', {
      body: {
        api_tokens: [{ token: TOKEN }],
        workspaces: [{ id: 1, name: 'W', currency: 'SEK' }],
        templates: [],
        contracts: [],
      },
    });
    expect(loaded.status).toBe(200);
    expect((await call('GET', '/v1/contracts/101')).status).toBe(404);
    await call('POST', '/_sim/reset');
    expect((await call('GET', '/v1/contracts/101')).status).toBe(200);
  });
});
