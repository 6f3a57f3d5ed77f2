import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import axios, { type AxiosRequestConfig } from 'axios';
import { z } from 'zod';
import { wholeEdit } from '../e2e/syncE2eSupport';
import { until as waitUntil } from '../e2e/webhookSupport';
import {
  localUserToken,
  processesLeft,
  startLocalStack,
  stopLocalStack,
  type LocalStack,
} from '../testing/localStart';
import { AZURITE_ACCOUNT_KEY } from '../testing/azurite';
import { FIXTURE } from '../testing/stack';
import { recordFigures, secretsIn, secretValuesOf } from './support';

/**
 * No secret in a log line: `npm start` (scripts/start.mjs, every process it starts) driven through the main flows
 * as the widget, an admin, Oneflow and failing services would drive it, every line it prints kept; then none may
 * hold a configured secret value (Oneflow API token, webhook sign key, the backend's client secret, the storage
 * account key), a token the session minted, or anything shaped like a bearer token. The answers the API gave are
 * checked the same way. Each flow's own lines are asserted present, so the check cannot pass on an empty log.
 */

jest.setTimeout(420_000);

const LINE = FIXTURE.opportunityLines[0];
const DATAVERSE_LINES_ROUTE = 'GET /api/data/v9.2/opportunityproducts';
const ONEFLOW_CONTRACT_ROUTE = 'GET /v1/contracts/:id';
/** An origin the example settings do not allow. */
const STRANGE_ORIGIN = 'https://evil.example';

/**
 * The Function app's settings as start.mjs gives them: local.settings.json, else the example (the session's
 * environment sets no setting of them).
 */
function sessionSettings(): Record<string, string> {
  const functions = join(__dirname, '..', '..');
  const file = ['local.settings.json', 'local.settings.json.example']
    .map((name) => join(functions, name))
    .find((path) => existsSync(path));
  if (file === undefined) throw new Error('neither functions/local.settings.json nor its example exists');
  const values = z
    .object({ Values: z.record(z.string(), z.string()) })
    .parse(JSON.parse(readFileSync(file, 'utf8'))).Values;
  return values;
}

const client = axios.create({
  validateStatus: () => true,
  responseType: 'text',
  transformResponse: (d: string) => d,
});

interface Answer {
  status: number;
  text: string;
  headers: Record<string, string>;
}

let folder: string;
let session: LocalStack | undefined;
/** The backend's client secret in the session whose credential the identity provider refuses. */
const REFUSED_SECRET = 'refused-client-secret~0123456789';
/** Every token minted for the session, and every answer's body and headers, checked with the lines. */
const minted: string[] = [];
const answers: string[] = [];

async function request(config: AxiosRequestConfig): Promise<Answer> {
  const response = await client.request<string>(config);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (typeof value === 'string') headers[name.toLowerCase()] = value;
  }
  answers.push(`${String(response.status)} ${JSON.stringify(headers)} ${response.data}`);
  return { status: response.status, text: response.data, headers };
}

async function token(
  user: keyof typeof FIXTURE.users,
  audience: string = FIXTURE.apiClientId,
): Promise<string> {
  if (!session) throw new Error('no session');
  const minted_ = await localUserToken(session, audience, user);
  minted.push(minted_);
  return minted_;
}

function running(): LocalStack {
  if (!session) throw new Error('no session');
  return session;
}

const api = (method: string, path: string, bearer: string | null, body?: unknown, headers = {}) =>
  request({
    method,
    url: `${running().api}/${path}`,
    headers: {
      ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    data: body === undefined ? undefined : JSON.stringify(body),
  });

const ONEFLOW_HEADERS = { 'x-oneflow-api-token': FIXTURE.oneflowToken };
const oneflow = (method: string, path: string, body?: unknown) =>
  request({
    method,
    url: `${running().oneflow}${path}`,
    headers: { ...ONEFLOW_HEADERS, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    data: body === undefined ? undefined : JSON.stringify(body),
  });

const faults = (service: 'oneflow' | 'dataverse', routes: Record<string, unknown>) =>
  request({
    method: 'PUT',
    url: `${service === 'oneflow' ? running().oneflow : running().dataverse}/_sim/faults`,
    headers: { 'content-type': 'application/json' },
    data: JSON.stringify({ seed: 1, routes }),
  });

const CreatedSchema = z.object({ contract: z.object({ contractId: z.number().int() }) });
const ContractSchema = z.object({
  product_groups: z.array(
    z.object({
      products: z.array(
        z.looseObject({
          id: z.number(),
          _private_ownerside: z.object({ custom_id: z.string().nullable() }).nullable().optional(),
        }),
      ),
    }),
  ),
});
const LineSchema = z.object({ quantity: z.number() });
const BusySchema = z.object({ error: z.object({ code: z.literal('contract_busy') }) });
const SettingsSchema = z.object({ settings: z.record(z.string(), z.unknown()), etag: z.string().nullable() });

/** Waits as the e2e suites do (90 s here: the session shares the machine), naming the session's last output. */
async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  try {
    return await waitUntil(what, probe, 90_000);
  } catch (error) {
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}:\n${running().output().slice(-3000)}`,
    );
  }
}

/** A push or fetch, asked again while the contract is busy (a notification's fetch may be running). */
async function whenFree(alex: string, contractId: number, action: 'push' | 'fetch'): Promise<Answer> {
  return until(`${action} to find the contract free`, async () => {
    const answer = await api('POST', `contracts/${String(contractId)}/${action}`, alex);
    return answer.status === 409 && BusySchema.safeParse(JSON.parse(answer.text)).success
      ? undefined
      : answer;
  });
}

async function dynamicsQuantity(dynamicsToken: string): Promise<number> {
  const answer = await request({
    method: 'GET',
    url: `${running().dataverse}/api/data/v9.2/opportunityproducts(${LINE})?$select=quantity`,
    headers: { authorization: `Bearer ${dynamicsToken}` },
  });
  expect(answer.status).toBe(200);
  return LineSchema.parse(JSON.parse(answer.text)).quantity;
}

/** The Oneflow API path of the contract's product for the line. */
async function productPath(contractId: number): Promise<string> {
  const stored = await oneflow('GET', `/v1/contracts/${String(contractId)}`);
  expect(stored.status).toBe(200);
  const product = ContractSchema.parse(JSON.parse(stored.text))
    .product_groups.flatMap((group) => group.products)
    .find((candidate) => candidate._private_ownerside?.custom_id?.includes(LINE));
  if (!product) throw new Error(`contract ${String(contractId)} has no product for ${LINE}`);
  return `/v1/contracts/${String(contractId)}/products/${String(product.id)}`;
}

/** The product's quantity set as a counterparty would, which fires Oneflow's webhook. */
async function editInOneflow(path: string, quantity: number): Promise<void> {
  const current = await oneflow('GET', path);
  expect(current.status).toBe(200);
  const edited = await oneflow(
    'PUT',
    path,
    wholeEdit(JSON.parse(current.text) as Record<string, unknown>, { quantity: { amount: quantity } }),
  );
  expect(edited.status).toBe(200);
}

const linesOf = (pattern: string): string[] =>
  running()
    .output()
    .split('\n')
    .filter((line) => line.includes(pattern));

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'oneflow-sync-secrets-'));
  // Room for building the controls' bundles first, when their sources changed since they were built.
  session = await startLocalStack(folder, { args: ['--fresh'], readyTimeoutMs: 330_000 });
}, 360_000);

/** What the sessions printed and answered, and what was found in it (docs/reliability.md quotes them). */
const figures: Record<string, unknown> = {};

afterAll(async () => {
  if (session && session.child.exitCode === null) await stopLocalStack(session, 'SIGINT');
  rmSync(folder, { recursive: true, force: true });
  if (Object.keys(figures).length > 0) recordFigures('secrets', figures);
});

test('the secret checks find what they look for: each configured secret, the development storage key, a JWT, a bearer value', () => {
  const secrets = secretValuesOf({
    ONEFLOW_API_TOKEN__CONTOSO: 'a-token-of-forty-chars-000000000000000000',
    ONEFLOW_SIGN_KEY__CONTOSO: 'sign-key-value',
    BACKEND_CLIENT_SECRET: 'client~secret~value',
    AzureWebJobsStorage: 'UseDevelopmentStorage=true',
    API_AUDIENCES: 'api://not-a-secret',
  });
  expect(secrets.sort()).toEqual(
    [
      'a-token-of-forty-chars-000000000000000000',
      'sign-key-value',
      'client~secret~value',
      AZURITE_ACCOUNT_KEY,
    ].sort(),
  );
  const lines = [
    '{"message":"fine","audience":"api://not-a-secret"}',
    '{"message":"leak","key":"sign-key-value"}',
    `{"authorization":"Bearer ${'x'.repeat(20)}"}`,
    `token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhYmMifQ.c2lnbmF0dXJl`,
    `AccountKey=${AZURITE_ACCOUNT_KEY}`,
  ];
  expect(secretsIn(lines, secrets)).toEqual([
    'line 2: a configured secret (14 chars)',
    'line 3: a bearer token',
    'line 4: a bearer token',
    `line 5: a configured secret (${String(AZURITE_ACCOUNT_KEY.length)} chars)`,
  ]);
});

/** A log call's arguments passing a caught value (whose headers may hold a token) rather than what it says. */
const CAUGHT = '(?:error|err|cause|reason|failure)';
const PASSES_CAUGHT = [
  // `{ error }`, `(cause)`, `, err)`: the value itself.
  new RegExp(`[({,]\\s*${CAUGHT}\\s*[,})]`),
  new RegExp(`\\.\\.\\.\\s*${CAUGHT}\\b`),
  // Its request or answer, or all of it turned into text.
  new RegExp(`\\b${CAUGHT}\\??\\.(?:config|request|response|headers)\\b`),
  new RegExp(`\\b(?:stringify|inspect|format)\\(\\s*${CAUGHT}\\b`),
];

/** Every log call (`log.*`, `context.*`, `console.*`) in `source` that passes a caught value, with its line. */
function logCallsPassingCaught(source: string): string[] {
  const found: string[] = [];
  for (const call of source.matchAll(/\b(?:log|context|console|logger)\.(?:info|warn|error|log|debug)\(/g)) {
    let end = call.index + call[0].length;
    for (let depth = 1; depth > 0 && end < source.length; end++) {
      if (source[end] === '(') depth++;
      else if (source[end] === ')') depth--;
    }
    const text = source.slice(call.index, end).replace(/\s+/g, ' ');
    if (PASSES_CAUGHT.some((pattern) => pattern.test(text))) {
      found.push(`line ${String(source.slice(0, call.index).split('\n').length)}: ${text.slice(0, 160)}`);
    }
  }
  return found;
}

/** The backend's own source files (no tests, no test machinery). */
function backendSources(folder = join(__dirname, '..')): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory())
      return ['testing', 'e2e', 'reliability'].includes(entry.name) ? [] : backendSources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

test('no log call of the backend passes a caught error (an HTTP client error carries its request headers): only names, messages and counts', () => {
  // The check finds what it looks for.
  expect(
    logCallsPassingCaught(
      [
        "log.error('a', { error });",
        "log.warn('b', { contractId, cause });",
        "context.error('c', error);",
        "log.error('d', { headers: error.config.headers });",
        'console.error(JSON.stringify(err));',
        "log.error('e', { ...failure });",
        "log.error('fine', { error: error instanceof Error ? error.message : 'unknown' });",
        "log.warn('fine', { reason: error.reason, contractId });",
      ].join('\n'),
    ).map((found) => found.split(':')[0]),
  ).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6']);
  const sources = backendSources();
  const names = sources.map((path) => relative(join(__dirname, '..'), path));
  const known = ['http/dispatch.ts', 'queue/processContractChanged.ts', 'host/localHost.ts'];
  expect(known.filter((name) => !names.includes(name))).toEqual([]);
  const found = sources.flatMap((path) =>
    logCallsPassingCaught(readFileSync(path, 'utf8')).map(
      (call) => `${relative(join(__dirname, '..'), path)} ${call}`,
    ),
  );
  expect(found).toEqual([]);
});

test('npm start driven through the main flows and their failures prints no secret, token or storage key', async () => {
  const stack = running();
  const alex = await token('alex');
  const sam = await token('sam');
  const dynamicsToken = await token('alex', stack.dataverse);

  // The widget opening on a record: the settings, the record's contract state.
  expect((await api('GET', 'settings/opportunity', alex)).status).toBe(200);
  const state = await api('GET', `contracts?entity=opportunity&recordId=${FIXTURE.opportunity}`, alex);
  expect(state.status).toBeLessThan(500);

  // Create contract, then a Dynamics change pushed.
  const created = await api('POST', 'contracts', alex, {
    entity: 'opportunity',
    recordId: FIXTURE.opportunity,
  });
  expect(created.status).toBe(201);
  const contractId = CreatedSchema.parse(JSON.parse(created.text)).contract.contractId;
  const patched = await request({
    method: 'PATCH',
    url: `${stack.dataverse}/api/data/v9.2/opportunityproducts(${LINE})`,
    headers: {
      authorization: `Bearer ${dynamicsToken}`,
      'if-match': '*',
      'content-type': 'application/json',
    },
    data: JSON.stringify({ quantity: 14 }),
  });
  expect(patched.status).toBe(204);
  const pushed = await whenFree(alex, contractId, 'push');
  expect(pushed.status).toBe(200);
  expect(JSON.parse(pushed.text)).toMatchObject({ applied: true });

  // A counterparty's edit in Oneflow: Oneflow's signed webhook reaches the app, whose queue fetches it.
  const product = await productPath(contractId);
  await editInOneflow(product, 21);
  await until('the Oneflow edit to reach Dynamics through the webhook', async () =>
    (await dynamicsQuantity(dynamicsToken)) === 21 ? true : undefined,
  );
  await until('the processed webhook to be logged', async () =>
    linesOf('"message":"contract change processed"').length > 0 ? true : undefined,
  );
  expect((await whenFree(alex, contractId, 'fetch')).status).toBe(200);

  // The admin saving settings; the CSV export; the activity.
  const current = await api('GET', 'settings/opportunity', sam);
  expect(current.status).toBe(200);
  const { settings, etag } = SettingsSchema.parse(JSON.parse(current.text));
  const saved = await api('PUT', 'settings/opportunity', sam, settings, { 'if-match': etag ?? '*' });
  expect(saved.status).toBe(200);
  const csv = await api('GET', 'links/export.csv', alex);
  expect(csv.status).toBe(200);
  expect(csv.text).toContain(LINE);
  expect((await api('GET', `activity?contractId=${String(contractId)}`, alex)).status).toBe(200);

  // Refusals: a malformed and a tampered token, a forged webhook, a preflight from an origin not allowed.
  expect((await api('GET', 'settings/opportunity', 'not-a-token')).status).toBe(401);
  expect((await api('GET', 'settings/opportunity', `${alex.slice(0, -4)}AAAA`)).status).toBe(401);
  const callbackId = 'f'.repeat(40);
  const forged = await api('POST', 'webhooks/oneflow/contoso', null, {
    contract: { id: contractId },
    callback_id: callbackId,
    events: [{ created_time: '2025-01-15T09:30:00+0000', id: 1, type: 'contract:content_update' }],
    signature: createHash('sha1').update(`${callbackId}another-org-key`).digest('hex'),
  });
  expect(forged.status).toBe(401);
  const preflight = await request({
    method: 'OPTIONS',
    url: `${stack.api}/settings/opportunity`,
    headers: { origin: STRANGE_ORIGIN, 'access-control-request-method': 'GET' },
  });
  expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  await until('the preflight from an origin not allowed to be logged', async () =>
    linesOf('CORS preflight from an origin not in CORS_ALLOWED_ORIGINS').length > 0 ? true : undefined,
  );

  // Dataverse failing: 500s and dropped connections refuse a push and a fetch.
  expect((await faults('dataverse', { [DATAVERSE_LINES_ROUTE]: { rates: { '500': 1 } } })).status).toBe(200);
  expect((await whenFree(alex, contractId, 'push')).status).toBeGreaterThanOrEqual(400);
  expect((await faults('dataverse', { [DATAVERSE_LINES_ROUTE]: { rates: { drop: 1 } } })).status).toBe(200);
  expect((await whenFree(alex, contractId, 'fetch')).status).toBeGreaterThanOrEqual(400);
  expect((await faults('dataverse', {})).status).toBe(200);

  // Oneflow failing: 500s refuse a fetch; dropped connections (a transport error) fail a webhook's processing.
  expect((await faults('oneflow', { [ONEFLOW_CONTRACT_ROUTE]: { rates: { '500': 1 } } })).status).toBe(200);
  expect((await whenFree(alex, contractId, 'fetch')).status).toBeGreaterThanOrEqual(400);
  expect((await oneflow('GET', `/v1/contracts/${String(contractId)}`)).status).toBe(500);
  expect((await faults('oneflow', { [ONEFLOW_CONTRACT_ROUTE]: { rates: { drop: 1 } } })).status).toBe(200);
  const notProcessedBefore = linesOf('contract change not processed').length;
  // The edit's own routes are not faulted; its webhook's fetch meets the dropped contract reads.
  await editInOneflow(product, 33);
  await until('a webhook whose fetch failed to be logged', async () =>
    linesOf('contract change not processed').length > notProcessedBefore ? true : undefined,
  );
  expect((await faults('oneflow', {})).status).toBe(200);
  // Once Oneflow answers again, the retried notification brings the edit.
  await until('the retried notification to bring the edit', async () =>
    (await dynamicsQuantity(dynamicsToken)) === 33 ? true : undefined,
  );
  const activity = await api('GET', `activity?contractId=${String(contractId)}`, alex);
  expect(activity.status).toBe(200);
  expect(activity.text).toContain('failed');

  const stopped = await stopLocalStack(stack, 'SIGINT');
  expect(stopped).toBe(0);
  expect(await processesLeft(stack)).toEqual([]);

  const lines = stack.output().split('\n');
  const secrets = [...secretValuesOf(sessionSettings()), ...minted];
  // The settings the session really ran with: the example's secrets are among them.
  const expected = [
    FIXTURE.oneflowToken,
    'local-demo-sign-key',
    'sim-backend-secret~not-a-real-secret',
    AZURITE_ACCOUNT_KEY,
  ];
  expect(expected.filter((secret) => !secrets.includes(secret))).toEqual([]);
  // Each part of the stack printed, and its lines were kept.
  for (const part of ['[sim]', '[functions]', '[forms]', 'Local stack stopped']) {
    expect(lines.some((line) => line.includes(part))).toBe(true);
  }
  const functionsLines = lines.filter((line) => line.startsWith('[functions]'));
  figures.mainFlows = {
    sessionLines: lines.length,
    functionAppLines: functionsLines.length,
    webhooksProcessedLines: linesOf('"message":"contract change processed"').length,
    failureLines: linesOf('"level":"warn"').length + linesOf('"level":"error"').length,
    apiAnswersChecked: answers.length,
    secretValuesChecked: secrets.length - minted.length,
    tokensMinted: minted.length,
    found: secretsIn(lines, secrets).length + secretsIn(answers, secrets).length,
  };
  expect(secretsIn(lines, secrets)).toEqual([]);
  expect(secretsIn(answers, secrets)).toEqual([]);
});

test('with a client secret the identity provider refuses, every Dataverse call fails and neither the log nor the answers hold that secret or a token', async () => {
  if (session?.child.exitCode === null) await stopLocalStack(session, 'SIGINT');
  const answersBefore = answers.length;
  const mintedBefore = minted.length;
  session = await startLocalStack(folder, {
    args: ['--fresh'],
    env: { BACKEND_CLIENT_SECRET: REFUSED_SECRET },
    readyTimeoutMs: 330_000,
  });
  const stack = session;
  const alex = await token('alex');
  const sam = await token('sam');
  // Reading the record's state needs no Dynamics; creating a contract and reading Dynamics' fields do.
  const state = await api('GET', `contracts?entity=opportunity&recordId=${FIXTURE.opportunity}`, alex);
  expect(state.status).toBe(404);
  const refused = [
    await api('POST', 'contracts', alex, { entity: 'opportunity', recordId: FIXTURE.opportunity }),
    await api('GET', 'metadata/fields?entity=opportunity', sam),
  ];
  expect(refused.map((answer): unknown[] => [answer.status, JSON.parse(answer.text)])).toEqual(
    refused.map(() => [
      502,
      {
        error: {
          code: 'identity_unavailable',
          message: 'Could not sign in to Dynamics as the product sync application',
          details: [],
        },
      },
    ]),
  );
  expect(await stopLocalStack(stack, 'SIGINT')).toBe(0);
  expect(await processesLeft(stack)).toEqual([]);
  expect(stack.output()).toContain('[functions] Functions: http://127.0.0.1:');
  const secrets = [
    ...secretValuesOf({ ...sessionSettings(), BACKEND_CLIENT_SECRET: REFUSED_SECRET }),
    ...minted.slice(mintedBefore),
  ];
  expect(secrets).toContain(REFUSED_SECRET);
  const lines = stack.output().split('\n');
  const checked = answers.slice(answersBefore);
  figures.refusedCredential = {
    sessionLines: lines.length,
    apiAnswersChecked: checked.length,
    refusals: refused.length,
    found: secretsIn(lines, secrets).length + secretsIn(checked, secrets).length,
  };
  expect(secretsIn(lines, secrets)).toEqual([]);
  expect(secretsIn(checked, secrets)).toEqual([]);
});
