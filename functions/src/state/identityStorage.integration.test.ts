import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { generateServerCertificate } from '@oneflow-sync/simulators/src/identity/certificate';
import { startIdentitySimulator, type RunningIdentitySimulator } from '@oneflow-sync/simulators/src/identity';
import { seededEntities } from '@oneflow-sync/simulators/src/identity/seededEntities';
import { requestTrusting } from '@oneflow-sync/simulators/src/identity/tlsClient';
import { startAzurite, type RunningAzurite } from '../testing/azurite';

/**
 * Identity-based storage end to end: Azurite over https with OAuth (it checks a bearer token's issuer, audience
 * and lifetime), the identity simulator's App Service managed-identity endpoint, and the app's own start-up
 * (`configFromEnvironment` → `servicesFor`) in a process of its own, configured only by app settings.
 */

const seeded = seededEntities();
const MI_ROUTE = 'GET /msi/token';
const ACCOUNT = 'devstoreaccount1';
const QUEUE = 'oneflow-webhooks';

let identity: RunningIdentitySimulator;
let azurite: RunningAzurite;
let folder: string;
let azuriteCertificatePem: string;
/** Both certificates: what the app's process trusts besides the public CAs. */
let trustFile: string;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'identity-storage-'));
  const [started, certificate] = await Promise.all([
    startIdentitySimulator({ port: 0 }),
    generateServerCertificate(),
  ]);
  identity = started;
  azuriteCertificatePem = certificate.certificatePem;
  const certificateFile = join(folder, 'azurite-cert.pem');
  const keyFile = join(folder, 'azurite-key.pem');
  writeFileSync(certificateFile, certificate.certificatePem);
  writeFileSync(keyFile, certificate.privateKeyPem, { mode: 0o600 });
  trustFile = join(folder, 'trusted.pem');
  writeFileSync(trustFile, `${certificate.certificatePem}\n${identity.certificatePem}`);
  azurite = await startAzurite({ https: { certificateFile, keyFile, oauth: true } });
}, 60_000);

afterAll(async () => {
  await azurite.stop();
  await identity.close();
  rmSync(folder, { recursive: true, force: true });
});

const tableUrl = (): string => `https://127.0.0.1:${azurite.tablePort}/${ACCOUNT}`;
const queueUrl = (): string => `https://127.0.0.1:${azurite.queuePort}/${ACCOUNT}`;

/** The app settings of a Function app whose storage is reached with its managed identity. */
function appSettings(overrides: Record<string, string> = {}): Record<string, string> {
  const environment = identity.managedIdentityEnvironment;
  if (environment === undefined) throw new Error('the seeded identity fixture has a managed identity');
  return {
    PRODUCT_SYNC_TENANTS: JSON.stringify([
      {
        tenantId: seeded.homeTenantId,
        dataverseUrl: 'http://127.0.0.1:7101',
        orgKey: 'contoso',
        oneflow: { userEmail: 'sync@contoso.example', workspaceId: 1, templateId: 2 },
      },
    ]),
    ONEFLOW_API_TOKEN__CONTOSO: 'token',
    ONEFLOW_SIGN_KEY__CONTOSO: 'sign-key',
    ENTRA_AUTHORITY_HOST: identity.url,
    ENTRA_CA_CERTIFICATE_PEM: identity.certificatePem,
    API_AUDIENCES: seeded.backend.clientId,
    BACKEND_CLIENT_ID: seeded.backend.clientId,
    BACKEND_CLIENT_SECRET: seeded.backendSecret,
    AzureWebJobsStorage__tableServiceUri: tableUrl(),
    AzureWebJobsStorage__queueServiceUri: queueUrl(),
    // The app uses no blobs; the setting is there because the host's timers would need it.
    AzureWebJobsStorage__blobServiceUri: `https://127.0.0.1:${azurite.blobPort}/${ACCOUNT}`,
    // What App Service and Azure Functions give every process of an app with a managed identity.
    ...environment,
    ...overrides,
  };
}

interface ProbeRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** functions/src/testing/storageProbe.ts with exactly these settings (no AzureWebJobsStorage, no account key). */
function runProbe(settings: Record<string, string>): Promise<ProbeRun> {
  const child = spawn(
    process.execPath,
    [require.resolve('tsx/cli'), join(__dirname, '..', 'testing', 'storageProbe.ts')],
    {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? tmpdir(),
        NODE_OPTIONS: '',
        NODE_EXTRA_CA_CERTS: trustFile,
        ...settings,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

const ProbeSchema = z.object({
  firstSeen: z.boolean(),
  secondSeen: z.boolean(),
  messages: z.array(z.object({ contractId: z.number(), source: z.object({ kind: z.string() }) })),
  forgotten: z.number(),
});

const RequestLogSchema = z.object({ counts: z.record(z.string(), z.number()) });
async function identityRequests(): Promise<number> {
  const log = await requestTrusting(identity.certificatePem, `${identity.url}/_sim/requests`);
  return RequestLogSchema.parse(log.json).counts[MI_ROUTE] ?? 0;
}

async function storageToken(): Promise<string> {
  const environment = identity.managedIdentityEnvironment;
  if (environment === undefined) throw new Error('no managed identity');
  const answer = await requestTrusting(
    identity.certificatePem,
    `${environment.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=https://storage.azure.com`,
    { headers: { 'X-IDENTITY-HEADER': environment.IDENTITY_HEADER } },
  );
  return z.object({ access_token: z.string() }).parse(answer.json).access_token;
}

/** Azurite's table list, asked directly: what a client without the app's code gets. */
function listTables(authorization?: string) {
  return requestTrusting(azuriteCertificatePem, `${tableUrl()}/Tables`, {
    headers: {
      accept: 'application/json;odata=nometadata',
      'x-ms-version': '2019-02-02',
      ...(authorization === undefined ? {} : { authorization }),
    },
  });
}

describe('identity-based storage (AzureWebJobsStorage__*ServiceUri with the managed identity)', () => {
  it('starts, writes and reads a table and enqueues and peeks a message with the system-assigned identity’s token', async () => {
    const before = await identityRequests();
    const run = await runProbe(appSettings());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = ProbeSchema.parse(JSON.parse(run.stdout));
    expect(result.firstSeen).toBe(true);
    expect(result.secondSeen).toBe(false);
    expect(result.forgotten).toBe(1);
    expect(result.messages).toContainEqual(
      expect.objectContaining({ contractId: 4711, source: { kind: 'reconcile' } }),
    );
    // One token for every table and queue request of the run: cached, one request in flight.
    expect((await identityRequests()) - before).toBe(1);
  });

  it('uses a user-assigned identity when AzureWebJobsStorage__clientId names it', async () => {
    const before = await identityRequests();
    const run = await runProbe(
      appSettings({
        AzureWebJobsStorage__credential: 'managedidentity',
        AzureWebJobsStorage__clientId: seeded.managedIdentity.userAssigned.clientId,
      }),
    );
    expect(run.stderr).toBe('');
    expect(ProbeSchema.parse(JSON.parse(run.stdout)).firstSeen).toBe(true);
    expect((await identityRequests()) - before).toBe(1);
    const log = await requestTrusting(identity.certificatePem, `${identity.url}/_sim/requests`);
    const { requests } = z
      .object({ requests: z.array(z.object({ route: z.string(), url: z.string() })) })
      .parse(log.json);
    const tokenRequests = requests.filter((request) => request.route === MI_ROUTE);
    expect(tokenRequests.at(-1)?.url).toContain(`client_id=${seeded.managedIdentity.userAssigned.clientId}`);
  });

  it('does not start with a wrong IDENTITY_HEADER: the endpoint refuses, and the header is not in the message', async () => {
    const wrong = 'sim-identity-header~not-this-apps-header';
    const run = await runProbe(appSettings({ IDENTITY_HEADER: wrong }));
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(
      'Could not get a managed identity token for https://storage.azure.com (the system-assigned identity)',
    );
    expect(run.stderr).toContain('X-IDENTITY-HEADER header is missing or is not this app');
    expect(run.stderr).not.toContain(wrong);
  });

  it('Azurite refuses a request without a token and one with a token of another issuer, and takes the identity’s', async () => {
    const anonymous = await listTables();
    expect(anonymous.status).toBe(403);
    const userToken = await identity.mintUserToken({
      tid: seeded.homeTenantId,
      oid: seeded.admin.oid,
      aud: 'https://storage.azure.com',
      version: 2,
    });
    const wrongIssuer = await listTables(`Bearer ${userToken}`);
    expect(wrongIssuer.status).toBe(403);
    expect(wrongIssuer.text).toContain('Invalid token issuer');
    const accepted = await listTables(`Bearer ${await storageToken()}`);
    expect(accepted.status).toBe(200);
    const tables = z.object({ value: z.array(z.object({ TableName: z.string() })) }).parse(accepted.json);
    expect(tables.value.map((table) => table.TableName)).toContain('ofsyncCallbacks');
  });

  it('the queue too: no token, no messages', async () => {
    const peek = (authorization?: string) =>
      requestTrusting(azuriteCertificatePem, `${queueUrl()}/${QUEUE}/messages?peekonly=true`, {
        headers: { 'x-ms-version': '2025-11-05', ...(authorization === undefined ? {} : { authorization }) },
      });
    expect((await peek()).status).toBe(403);
    const withToken = await peek(`Bearer ${await storageToken()}`);
    expect(withToken.status).toBe(200);
    expect(withToken.text).toContain('<QueueMessagesList>');
  });
});
