/**
 * `npm start` as a person runs it: scripts/start.mjs as its own process, with every port left to the OS and a
 * temp state folder, so it never meets an `npm start` running on this machine. A contract created in one run
 * can be pushed in the next; `--fresh` and `npm run reset` start over; stopping leaves no process behind.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { acceptsConnections } from '@oneflow-sync/simulators/src/common/listen';
import { z } from 'zod';
import {
  localStartEnvironment,
  localUserToken,
  processesLeft,
  startLocalStack,
  stopLocalStack,
  type LocalStack,
} from '../testing/localStart';
import { FIXTURE } from '../testing/stack';

const REPO = join(__dirname, '..', '..', '..');
const LINE = FIXTURE.opportunityLines[0];

type RunningStack = LocalStack;

let folder: string;
const started: RunningStack[] = [];

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'oneflow-sync-local-'));
});

afterAll(async () => {
  await Promise.all(started.map((stack) => stop(stack, 'SIGTERM')));
  rmSync(folder, { recursive: true, force: true });
});

function environment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return localStartEnvironment(folder, extra);
}

async function start(args: string[] = []): Promise<RunningStack> {
  const stack = await startLocalStack(folder, { args });
  started.push(stack);
  return stack;
}

async function stop(stack: RunningStack, signal: NodeJS.Signals): Promise<number | null> {
  started.splice(started.indexOf(stack), 1);
  return stopLocalStack(stack, signal);
}

const client = axios.create({ validateStatus: () => true, responseType: 'json' });

const userToken = (stack: RunningStack, audience: string) => localUserToken(stack, audience);

async function api(stack: RunningStack, method: 'GET' | 'POST', path: string, body?: unknown) {
  const token = await userToken(stack, FIXTURE.apiClientId);
  return client.request<unknown>({
    method,
    url: `${stack.api}/${path}`,
    headers: { authorization: `Bearer ${token}` },
    data: body,
  });
}

const createContract = (stack: RunningStack) =>
  api(stack, 'POST', 'contracts', { entity: 'opportunity', recordId: FIXTURE.opportunity });

const WebhooksSchema = z.object({ data: z.array(z.object({ callback_url: z.string() })) });
const CreatedSchema = z.object({ contract: z.object({ contractId: z.number().int() }) });
const ProductsSchema = z.object({
  product_groups: z.array(
    z.object({
      products: z.array(
        z.object({
          _private_ownerside: z.object({ custom_id: z.string().nullable() }),
          quantity: z.object({ amount: z.number() }),
        }),
      ),
    }),
  ),
});

async function oneflowQuantityOf(stack: RunningStack, contractId: number): Promise<number | undefined> {
  const answer = await client.get<unknown>(`${stack.oneflow}/v1/contracts/${contractId}`, {
    headers: { 'x-oneflow-api-token': FIXTURE.oneflowToken },
  });
  expect(answer.status).toBe(200);
  return ProductsSchema.parse(answer.data)
    .product_groups.flatMap((group) => group.products)
    .find((product) => product._private_ownerside.custom_id?.includes(LINE))?.quantity.amount;
}

const BusySchema = z.object({
  error: z.object({ code: z.literal('contract_busy'), retryAfterSeconds: z.number() }),
});

/**
 * Push until the contract is free: a notification queued in the last run may be fetched right after the start,
 * and a push meanwhile is told the contract is busy. Asked again every second (at most as long as the answer's
 * `retryAfterSeconds`, which is the lease's time left, not the run's) rather than waiting that long each time.
 */
async function pushWhenFree(stack: RunningStack, contractId: number) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const answer = await api(stack, 'POST', `contracts/${contractId}/push`);
    const busy = BusySchema.safeParse(answer.data);
    if (answer.status !== 409 || !busy.success || Date.now() > deadline) return answer;
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(busy.data.error.retryAfterSeconds, 1) * 1000),
    );
  }
}

/** After a stop: start.mjs and everything it started are gone, and no port of the stack answers. */
async function expectNothingLeft(stack: RunningStack): Promise<void> {
  expect(stack.pids.length).toBeGreaterThanOrEqual(4);
  expect(await processesLeft(stack)).toEqual([]);
  for (const port of stack.ports) expect(await acceptsConnections(port)).toBe(false);
  expect(existsSync(stack.certificate)).toBe(false);
  expect(existsSync(join(folder, 'stack.pid'))).toBe(false);
}

// The tests share one state folder and run in order, as a person would: start, restart, start fresh, reset.
describe('npm start (integration, the real script as a process)', () => {
  let contractId: number | undefined;

  it('a contract created in one run can be pushed in the next: every part keeps its state across a stop (SIGINT) and a start', async () => {
    const first = await start();
    expect(first.output()).toContain('seeded demo data');
    // The controls' host page origin is allowed out of the box (functions/local.settings.json.example).
    const preflight = await client.options(`${first.api}/settings/opportunity`, {
      headers: { origin: 'http://127.0.0.1:7100', 'access-control-request-method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('http://127.0.0.1:7100');
    const created = await createContract(first);
    expect(created.status).toBe(201);
    contractId = CreatedSchema.parse(created.data).contract.contractId;
    // A change in Dynamics made before the stop: the push after the restart must still see it.
    const dynamicsToken = await userToken(first, first.dataverse);
    const edited = await client.patch(
      `${first.dataverse}/api/data/v9.2/opportunityproducts(${LINE})`,
      { quantity: 14 },
      { headers: { authorization: `Bearer ${dynamicsToken}`, 'if-match': '*' } },
    );
    expect(edited.status).toBe(204);
    // At once: what was written a moment before Ctrl-C is kept too (Azurite saves on its own only every 5 s).
    expect(await stop(first, 'SIGINT')).toBe(0);
    expect(first.output()).toContain('Local stack stopped; its state is kept');
    await expectNothingLeft(first);

    const second = await start();
    expect(second.output()).toContain('continued from the state saved in');
    // Every run has other ports here: the webhook moved with the Function app, and only one is left.
    const webhooks = await client.get<unknown>(`${second.oneflow}/v1/webhooks`, {
      headers: { 'x-oneflow-api-token': FIXTURE.oneflowToken },
    });
    expect(WebhooksSchema.parse(webhooks.data).data.map((webhook) => webhook.callback_url)).toEqual([
      `${second.api}/webhooks/oneflow/contoso`,
    ]);
    expect(await oneflowQuantityOf(second, contractId)).toBe(10);
    const pushed = await pushWhenFree(second, contractId);
    expect(pushed.status).toBe(200);
    expect(pushed.data).toMatchObject({ applied: true, outcome: 'applied' });
    expect(await oneflowQuantityOf(second, contractId)).toBe(14);
    // Azurite kept the contract too: Create does not make a second one.
    expect((await createContract(second)).status).toBe(409);
    expect(await stop(second, 'SIGTERM')).toBe(0);
    await expectNothingLeft(second);
  }, 360_000);

  it('--fresh starts from the seeded demo data; a second start on the same folder and a reset are refused while it runs; npm run reset forgets the state', async () => {
    if (contractId === undefined) throw new Error('the previous test made no contract to forget');
    const fresh = await start(['--fresh']);
    expect(fresh.output()).toContain(`Starting fresh: removed the saved state in ${folder}`);
    expect(fresh.output()).toContain('seeded demo data');
    const missing = await client.get(`${fresh.oneflow}/v1/contracts/${contractId}`, {
      headers: { 'x-oneflow-api-token': FIXTURE.oneflowToken },
    });
    expect(missing.status).toBe(404);
    const created = await createContract(fresh);
    expect(created.status).toBe(201);
    expect(CreatedSchema.parse(created.data).contract.contractId).toBe(contractId);

    const second = spawnSync(process.execPath, [join('scripts', 'start.mjs')], {
      cwd: REPO,
      env: environment(),
      encoding: 'utf8',
    });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(
      `A local stack is already running from ${folder} (pid ${String(fresh.child.pid)})`,
    );
    const refusedReset = spawnSync(process.execPath, [join('scripts', 'reset.mjs')], {
      cwd: REPO,
      env: environment(),
      encoding: 'utf8',
    });
    expect(refusedReset.status).toBe(1);
    expect(refusedReset.stderr).toContain('stop it (Ctrl-C) first');
    expect(existsSync(join(folder, 'simulators', 'oneflow.json'))).toBe(true);
    expect(await stop(fresh, 'SIGTERM')).toBe(0);
    await expectNothingLeft(fresh);

    const reset = spawnSync(process.execPath, [join('scripts', 'reset.mjs')], {
      cwd: REPO,
      env: environment(),
      encoding: 'utf8',
    });
    expect(reset.status).toBe(0);
    expect(reset.stdout).toContain(`Removed the saved state in ${folder}`);
    expect(existsSync(join(folder, 'azurite'))).toBe(false);
    expect(existsSync(join(folder, 'simulators'))).toBe(false);
  }, 360_000);

  it('Azurite data without the simulators’ state (an older version’s folder) is not continued: the stack starts fresh and says why', async () => {
    mkdirSync(join(folder, 'azurite'), { recursive: true });
    const stack = await start();
    expect(stack.output()).toContain("held Azurite's data without the simulators' state");
    expect(stack.output()).toContain('seeded demo data');
    expect(await stop(stack, 'SIGTERM')).toBe(0);
    await expectNothingLeft(stack);
  }, 240_000);

  it('refuses a port that is not a number and an unknown option, naming them, before starting anything', () => {
    const badPort = spawnSync(process.execPath, [join('scripts', 'start.mjs')], {
      cwd: REPO,
      env: environment({ AZURITE_TABLE_PORT: 'tables' }),
      encoding: 'utf8',
    });
    expect(badPort.status).toBe(1);
    expect(badPort.stderr).toContain('AZURITE_TABLE_PORT must be a port number (0-65535), got "tables"');
    const badOption = spawnSync(process.execPath, [join('scripts', 'start.mjs'), '--frsh'], {
      cwd: REPO,
      env: environment(),
      encoding: 'utf8',
    });
    expect(badOption.status).toBe(1);
    expect(badOption.stderr).toContain('unknown option "--frsh"');
    expect(badPort.stdout + badOption.stdout).not.toContain('[sim]');
  });
});
