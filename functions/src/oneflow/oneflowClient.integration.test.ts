import { z } from 'zod';
import { startOneflowSimulator, type RunningOneflowSimulator } from '@oneflow-sync/simulators/src/oneflow';
import {
  isOneflowAuthError,
  isOneflowConflictError,
  isOneflowError,
  isOneflowNetworkError,
  isOneflowNotFoundError,
  isOneflowServerError,
  isOneflowValidationError,
  type OneflowError,
} from './errors';
import { oneflowConformanceViolations } from '../testing/oneflowConformance';
import { createOneflowClient, type OneflowClientOptions } from './oneflowClient';

/** simulators/fixtures/oneflow.json */
const TOKEN = '0f1d2c3b4a5968778695a4b3c2d1e0f1a2b3c4d5';
const USER_EMAIL = 'alex.seller@contoso.example';
const CONTRACT = 101;
const GROUP = 20001;

const ConformanceCounts = z.object({ checked: z.record(z.string(), z.number()) });

let sim: RunningOneflowSimulator;

beforeAll(async () => {
  sim = await startOneflowSimulator({ port: 0, webhookTimeFactor: 0.001 });
});

afterAll(async () => {
  await sim.close();
});

beforeEach(async () => {
  await fetch(`${sim.url}/_sim/reset`, { method: 'POST' });
});

/** A client with no real waits; `delays` records each requested wait. */
function clientFor(overrides: Partial<OneflowClientOptions> = {}) {
  const delays: number[] = [];
  const client = createOneflowClient({
    baseUrl: `${sim.url}/v1`,
    token: TOKEN,
    userEmail: USER_EMAIL,
    random: () => 0.5,
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...overrides,
  });
  return { client, delays };
}

async function control(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<unknown> {
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.ok).toBe(true);
  return response.json();
}

const RequestLog = z.object({ total: z.number(), counts: z.record(z.string(), z.number()) });
async function requestCounts(): Promise<Record<string, number>> {
  return RequestLog.parse(await control('GET', '/_sim/requests')).counts;
}

async function caught(promise: Promise<unknown>): Promise<OneflowError> {
  try {
    await promise;
  } catch (error) {
    if (isOneflowError(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('Oneflow client against the simulator (integration)', () => {
  it('pings and reads a contract, its groups and products', async () => {
    const { client } = clientFor();
    await client.ping();
    const contract = await client.getContract(CONTRACT);
    expect(contract).toMatchObject({ id: CONTRACT, state: 'draft' });
    const groups = await client.getProductGroups(CONTRACT);
    expect(groups.map((group) => group.id)).toEqual([GROUP]);
    const products = await client.listProducts(CONTRACT);
    expect(products.map((product) => product.id)).toEqual([300001, 300002, 300003]);
  });

  it('creates a contract from a template, with its product table copied', async () => {
    const { client } = clientFor();
    const contract = await client.createContract({ workspace_id: 130406, template_id: 756510, name: 'Deal' });
    expect(contract).toMatchObject({ state: 'draft', _private: { name: 'Deal' } });
    expect(contract.product_groups?.map((group) => group.products.length)).toEqual([0]);
    await expect(client.getContract(contract.id)).resolves.toMatchObject({ id: contract.id });
  });

  it("lists the workspaces the user may create contracts in, with their templates' product option and type", async () => {
    const { client } = clientFor();
    const workspaces = await client.listContractCreateData(130406);
    // Alex may not create in workspace 130407 (the fixture), so only the sales workspace comes back.
    expect(workspaces.map((workspace) => workspace.id)).toEqual([130406]);
    const [sales] = workspaces;
    expect(sales?.templates.map((template) => template.id)).toEqual([756510, 756520, 756540, 756550]);
    expect(sales?.templates[0]).toEqual({
      id: 756510,
      name: 'Sales agreement',
      available_options: { can_receive_products: true },
      template_type: { id: 4001, name: 'Dynamics 365 sales' },
    });
  });

  it('narrows the contract-create helper by template type, sends the workspace header, and retries a 500 like every call', async () => {
    let failuresLeft = 1;
    await control('PUT', '/_sim/faults', {
      routes: { 'GET /v1/helpers/contract_create_data/': { rates: { '500': 1 } } },
    });
    const { client, delays } = clientFor({
      sleep: async () => {
        delays.push(0);
        failuresLeft -= 1;
        if (failuresLeft === 0) await control('PUT', '/_sim/faults', {});
      },
    });
    const byType = await client.listContractCreateData(130406, { templateTypeId: 4002 });
    expect(byType.flatMap((workspace) => workspace.templates.map((template) => template.id))).toEqual([
      756520,
    ]);
    expect(delays).toHaveLength(1);
    const byExtension = await client.listContractCreateData(130406, { extensionType: 'hubspot' });
    expect(byExtension).toEqual([]);
    expect(await requestCounts()).toEqual({ 'GET /v1/helpers/contract_create_data/': 3 });
  });

  it('reads a template without a type (template_type null) from the contract-create helper', async () => {
    await control('POST', '/_sim/fixture', {
      api_tokens: [{ token: TOKEN }],
      users: [{ id: 1, email: USER_EMAIL, name: 'Alex' }],
      workspaces: [{ id: 1, name: 'Only', currency: 'EUR' }],
      templates: [
        { id: 2, name: 'Plain', workspace_ids: [1], available_options: { can_receive_products: true } },
      ],
    });
    const { client } = clientFor();
    await expect(client.listContractCreateData(1)).resolves.toEqual([
      {
        id: 1,
        name: 'Only',
        templates: [
          { id: 2, name: 'Plain', available_options: { can_receive_products: true }, template_type: null },
        ],
      },
    ]);
  });

  it('writes round-trip: create, update, delete', async () => {
    const { client } = clientFor();
    const created = await client.createProduct(CONTRACT, GROUP, {
      name: 'Chair',
      custom_id: 'line-chair',
      price_1: { base_amount: { amount: '120.00' }, discount_percent: '10' },
      quantity: { type: 'quantity', amount: 4 },
    });
    expect(created).toMatchObject({
      name: 'Chair',
      _private_ownerside: { custom_id: 'line-chair' },
      price_1: { amount: { amount: '108.00' } },
      quantity: { type: 'quantity', amount: 4 },
    });
    const updated = await client.updateProduct(CONTRACT, created.id, { name: 'Armchair' });
    expect(updated).toMatchObject({ id: created.id, name: 'Armchair' });
    expect((await client.listProducts(CONTRACT)).find((p) => p.id === created.id)?.name).toBe('Armchair');
    await client.deleteProduct(CONTRACT, created.id);
    expect((await client.listProducts(CONTRACT)).map((p) => p.id)).not.toContain(created.id);
  });

  it('follows pagination across more than 100 products (limit=100, offset)', async () => {
    const { client } = clientFor();
    const rows = Array.from({ length: 120 }, (_, i) => ({
      name: `Line ${i + 1}`,
      custom_id: `bulk-${i + 1}`,
    }));
    const group = await client.replaceGroupProducts(CONTRACT, GROUP, { products: rows });
    expect(group.products).toHaveLength(120);
    const products = await client.listProducts(CONTRACT);
    expect(products).toHaveLength(120);
    expect(new Set(products.map((p) => p.id)).size).toBe(120);
    expect(await requestCounts()).toMatchObject({ 'GET /v1/contracts/:id/products': 2 });
  });

  it('a 400 becomes a validation error naming the bad field', async () => {
    const { client } = clientFor();
    const error = await caught(client.createProduct(CONTRACT, GROUP, { name: 'x'.repeat(81) }));
    expect(isOneflowValidationError(error)).toBe(true);
    expect(error.status).toBe(400);
    expect(Object.keys(error.parameterProblems)).toContain('name');
    expect(error.requestId).toEqual(expect.any(String));
    expect(error.attempts).toBe(1);
  });

  it('a wrong token is an auth error (401), not retried, and the token is never in the error', async () => {
    const wrong = 'f'.repeat(40);
    const { client } = clientFor({ token: wrong });
    const error = await caught(client.getContract(CONTRACT));
    expect(isOneflowAuthError(error)).toBe(true);
    expect(error.status).toBe(401);
    expect(await requestCounts()).toEqual({ 'GET /v1/contracts/:id': 1 });
    for (const text of [error.message, JSON.stringify(error), String(error.stack)]) {
      expect(text).not.toContain(wrong);
    }
  });

  it('an unknown contract or product is a not-found error (404)', async () => {
    const { client } = clientFor();
    expect(isOneflowNotFoundError(await caught(client.getContract(999999)))).toBe(true);
    expect(isOneflowNotFoundError(await caught(client.deleteProduct(CONTRACT, 1)))).toBe(true);
  });

  it('a product write on a signed contract is a conflict error (409)', async () => {
    const { client } = clientFor();
    const publish = { subject: 'Contract to sign', message: 'Please review and sign.' };
    await control('POST', `/v1/contracts/${CONTRACT}/publish`, publish, { 'x-oneflow-api-token': TOKEN });
    await control('POST', `/_sim/contracts/${CONTRACT}/sign`);
    expect((await client.getContract(CONTRACT)).state).toBe('signed');
    const error = await caught(client.updateProduct(CONTRACT, 300001, { name: 'Changed' }));
    expect(isOneflowConflictError(error)).toBe(true);
    expect(error.status).toBe(409);
  });

  it('injected 500s are retried until one succeeds; the log shows every attempt', async () => {
    let failuresLeft = 2;
    const delays: number[] = [];
    await control('PUT', '/_sim/faults', { routes: { 'GET /v1/contracts/:id': { rates: { '500': 1 } } } });
    const { client } = clientFor({
      retry: { baseDelayMs: 100, maxDelayMs: 1000 },
      sleep: async (ms) => {
        delays.push(ms);
        failuresLeft -= 1;
        if (failuresLeft === 0) await control('PUT', '/_sim/faults', {});
      },
    });
    await expect(client.getContract(CONTRACT)).resolves.toMatchObject({ id: CONTRACT });
    expect(delays).toEqual([50, 100]);
    expect(await requestCounts()).toEqual({ 'GET /v1/contracts/:id': 3 });
  });

  it('an exhausted retry budget throws the typed error carrying the attempt count', async () => {
    await control('PUT', '/_sim/faults', { routes: { 'GET /v1/contracts/:id': { rates: { '500': 1 } } } });
    const { client, delays } = clientFor({ maxAttempts: 3 });
    const error = await caught(client.getContract(CONTRACT));
    expect(isOneflowServerError(error)).toBe(true);
    expect(error).toMatchObject({ status: 500, errorCode: 5000000, attempts: 3 });
    expect(delays).toHaveLength(2);
    expect(await requestCounts()).toEqual({ 'GET /v1/contracts/:id': 3 });
    expect(error.message).not.toContain(TOKEN);
    expect(JSON.stringify(error)).not.toContain(TOKEN);
  });

  it('dropped connections are retried as network failures', async () => {
    let dropsLeft = 2;
    await control('PUT', '/_sim/faults', { routes: { 'GET /v1/ping': { rates: { drop: 1 } } } });
    const { client } = clientFor({
      sleep: async () => {
        dropsLeft -= 1;
        if (dropsLeft === 0) await control('PUT', '/_sim/faults', {});
      },
    });
    await client.ping();
    expect(dropsLeft).toBe(0); // two drops, two waits, then the third attempt answered
    const counts = await requestCounts();
    // The simulator logs dropped requests too (status 0): two drops, then the answered attempt.
    expect(counts).toEqual({ 'GET /v1/ping': 3 });
  });

  it('dropped connections on every attempt end in a network error without the token', async () => {
    await control('PUT', '/_sim/faults', { routes: { 'GET /v1/ping': { rates: { drop: 1 } } } });
    const { client, delays } = clientFor({ maxAttempts: 3 });
    const error = await caught(client.ping());
    expect(isOneflowNetworkError(error)).toBe(true);
    expect(error).toMatchObject({ status: null, attempts: 3 });
    expect(delays).toHaveLength(2);
    expect(JSON.stringify(error)).not.toContain(TOKEN);
    expect(error.message).not.toContain(TOKEN);
    expect(String(error.cause)).not.toContain(TOKEN);
  });
});

describe('Oneflow client under a small rate limit (integration)', () => {
  let limited: RunningOneflowSimulator;

  beforeAll(async () => {
    limited = await startOneflowSimulator({ port: 0, rateLimit: { budget: 3, windowMs: 200 } });
  });

  afterAll(async () => {
    await limited.close();
  });

  it('a 429 is retried with backoff and succeeds once the window passes', async () => {
    const delays: number[] = [];
    const client = createOneflowClient({
      baseUrl: `${limited.url}/v1`,
      token: TOKEN,
      userEmail: USER_EMAIL,
      maxAttempts: 6,
      retry: { baseDelayMs: 60, maxDelayMs: 400 },
      random: () => 0.999,
      sleep: async (ms) => {
        delays.push(ms);
        await new Promise((resolve) => setTimeout(resolve, ms));
      },
    });
    for (let i = 0; i < 3; i++) await client.ping();
    await client.ping();
    expect(delays.length).toBeGreaterThanOrEqual(1);
    const log = RequestLog.parse(await (await fetch(`${limited.url}/_sim/requests`)).json());
    // Three allowed pings, then the fourth: one attempt per wait plus the one that succeeded.
    expect(log.counts).toEqual({ 'GET /v1/ping': 4 + delays.length });
  });
});

describe("the client against Oneflow's connector definition", () => {
  // Runs after the tests above (jest keeps a file's order): everything the client sent to the simulator and
  // everything it was answered was checked against the definition as it happened.
  it('sent no request the definition refuses, and was answered in its shapes', async () => {
    expect(await oneflowConformanceViolations(sim.url)).toEqual([]);
    const report = ConformanceCounts.parse(await (await fetch(`${sim.url}/_sim/conformance`)).json());
    expect(Object.keys(report.checked)).toEqual(
      expect.arrayContaining([
        'CreateAContract',
        'GetContract',
        'Product_For_Create → Product',
        'Product_Group bulk',
      ]),
    );
  });
});
