import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { z } from 'zod';
import { acceptsConnections } from './common/listen';
import { seededEntities } from './identity/seededEntities';
import { client } from './oneflow/testSupport';
import { startAllSimulators, type RunningSimulators } from './run';

const EPHEMERAL = { dataverse: 0, oneflow: 0, identity: 0 } as const;
const WORKSPACE = 130406;
const TEMPLATE = 756510;
const LINE = '2c3d0000-0000-4000-8000-000000000001';
const seeded = seededEntities();

let folder: string;
const running: RunningSimulators[] = [];

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'oneflow-sync-state-'));
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((simulators) => simulators.close()));
  rmSync(folder, { recursive: true, force: true });
});

async function start(stateDir?: string): Promise<RunningSimulators> {
  const simulators = await startAllSimulators(EPHEMERAL, { stateDir });
  running.push(simulators);
  return simulators;
}

async function stop(simulators: RunningSimulators): Promise<void> {
  running.splice(running.indexOf(simulators), 1);
  await simulators.close();
}

const ContractSchema = z.object({
  id: z.number(),
  product_groups: z.array(
    z.object({
      id: z.number(),
      products: z.array(
        z.object({
          id: z.number(),
          name: z.string(),
          price_1: z.object({ base_amount: z.object({ amount: z.string() }) }),
          quantity: z.object({ amount: z.union([z.string(), z.number()]) }),
        }),
      ),
    }),
  ),
});

async function createContract(simulators: RunningSimulators, name: string) {
  const answer = await client(simulators.oneflow.url)('POST', '/v1/contracts/create', {
    headers: { 'x-oneflow-user-email': 'alex.seller@contoso.example' },
    body: {
      workspace_id: WORKSPACE,
      template_id: TEMPLATE,
      name,
      product_groups: [
        {
          products: [
            {
              name: 'Exact widget',
              price_1: { base_amount: { amount: '12.35' } },
              quantity: { type: 'quantity', amount: 3 },
            },
          ],
        },
      ],
    },
  });
  expect(answer.status).toBe(200);
  return { ...ContractSchema.parse(answer.body), body: answer.body };
}

async function dataverse(
  simulators: RunningSimulators,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  const { identity, dataverse: server } = simulators;
  const token = await identity.mintUserToken({
    tid: seeded.homeTenantId,
    oid: seeded.rep.oid,
    aud: server.url,
  });
  return fetch(`${server.url}/api/data/v9.2/${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const LineSchema = z.object({ quantity: z.number(), '@odata.etag': z.string() });

async function line(simulators: RunningSimulators) {
  const response = await dataverse(simulators, 'GET', `opportunityproducts(${LINE})?$select=quantity`);
  expect(response.status).toBe(200);
  return LineSchema.parse(await response.json());
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

const etagVersion = (etag: string): number => Number(/W\/"(\d+)"/.exec(etag)?.[1]);

describe('simulator state kept in a folder (the local stack across restarts)', () => {
  it('a restart finds the Oneflow contracts, products, webhooks and Dataverse records of the last run, and hands out no id twice', async () => {
    const first = await start(folder);
    expect(first.restored).toBe(false);
    const contract = await createContract(first, 'Kept across restarts');
    const webhook = await client(first.oneflow.url)('POST', '/v1/webhooks', {
      body: { callback_url: 'http://127.0.0.1:9/hook', sign_key: 'kept-sign-key' },
    });
    expect(webhook.status).toBe(200);
    expect((await dataverse(first, 'PATCH', `opportunityproducts(${LINE})`, { quantity: 17 })).status).toBe(
      204,
    );
    const before = await line(first);
    await stop(first);

    const second = await start(folder);
    expect(second.restored).toBe(true);
    const kept = await client(second.oneflow.url)('GET', `/v1/contracts/${contract.id}`);
    expect(kept.status).toBe(200);
    // Everything Oneflow shows (name, products, exact amounts, times) is as it was.
    expect(kept.body).toEqual(contract.body);
    expect(JSON.stringify(kept.body)).toContain('"12.35"');
    const webhooks = await client(second.oneflow.url)('GET', '/v1/webhooks');
    expect(JSON.stringify(webhooks.body)).toContain('http://127.0.0.1:9/hook');
    const next = await createContract(second, 'Made after the restart');
    expect(next.id).toBe(contract.id + 1);
    const productIds = (c: z.output<typeof ContractSchema>): number[] =>
      c.product_groups.flatMap((group) => group.products.map((product) => product.id));
    expect(productIds(next).some((id) => productIds(contract).includes(id))).toBe(false);

    const after = await line(second);
    expect(after).toEqual(before);
    expect(after.quantity).toBe(17);
    // An etag seen before the restart must never name different data after it.
    expect((await dataverse(second, 'PATCH', `opportunityproducts(${LINE})`, { quantity: 18 })).status).toBe(
      204,
    );
    expect(etagVersion((await line(second))['@odata.etag'])).toBeGreaterThan(
      etagVersion(before['@odata.etag']),
    );
  }, 60_000);

  it('saves a change a moment after it is made, not only on a clean stop', async () => {
    const simulators = await start(folder);
    const contract = await createContract(simulators, 'Saved before any stop');
    const file = join(folder, 'oneflow.json');
    const deadline = Date.now() + 5000;
    while (!(existsSync(file) && readFileSync(file, 'utf8').includes('Saved before any stop'))) {
      if (Date.now() > deadline) throw new Error('the change was not saved within 5 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const saved = z
      .object({ contracts: z.array(z.object({ id: z.number(), name: z.string() })) })
      .parse(JSON.parse(readFileSync(file, 'utf8')));
    expect(saved.contracts).toContainEqual({ id: contract.id, name: 'Saved before any stop' });
  }, 30_000);

  it('without a folder every start is the seed, in memory', async () => {
    const first = await start();
    const contract = await createContract(first, 'Forgotten');
    await stop(first);
    const second = await start();
    expect(second.restored).toBe(false);
    expect((await client(second.oneflow.url)('GET', `/v1/contracts/${contract.id}`)).status).toBe(404);
  }, 30_000);

  it('a damaged state file stops the start with an error naming the file and the field, and nothing keeps running', async () => {
    const simulators = await start(folder);
    await createContract(simulators, 'About to be damaged');
    await stop(simulators);
    const file = join(folder, 'oneflow.json');
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { contracts: { name: unknown }[] };
    const [first] = saved.contracts;
    if (!first) throw new Error('no contract saved');
    first.name = 42;
    writeFileSync(file, JSON.stringify(saved));
    const identityPort = await freePort();
    await expect(
      startAllSimulators({ ...EPHEMERAL, identity: identityPort }, { stateDir: folder }),
    ).rejects.toThrow(/oneflow\.json: contracts\[\d+\]\.name: /);
    // The identity provider had started before the file was read: it must not be left listening.
    expect(await acceptsConnections(identityPort)).toBe(false);
    writeFileSync(file, '{ not json');
    await expect(startAllSimulators(EPHEMERAL, { stateDir: folder })).rejects.toThrow(
      /oneflow\.json: not JSON/,
    );
  }, 30_000);
});
