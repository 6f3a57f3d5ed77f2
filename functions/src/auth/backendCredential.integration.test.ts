import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { z } from 'zod';
import {
  generateClientCertificate,
  type CertificateAndKey,
} from '@oneflow-sync/simulators/src/identity/certificate';
import { seededEntities } from '@oneflow-sync/simulators/src/identity/seededEntities';
import { postJsonTrusting, requestTrusting } from '@oneflow-sync/simulators/src/identity/tlsClient';
import { startAllSimulators, type RunningSimulators } from '@oneflow-sync/simulators/src/run';
import { loadConfig } from '../config/config';
import { createDataverseClient } from '../dataverse/dataverseClient';
import { AppTokenError, clearAppTokenCache, createAppTokenProvider, isAppTokenError } from './appTokens';
import { appCredential, TOKEN_EXCHANGE_AUDIENCE } from './backendCredential';
import { clearManagedIdentityCache, managedIdentityToken } from './managedIdentity';
import { rejectionOf } from '../testing/rejection';

/** Making a certificate takes node-forge about 2 s under jest. */
const CERTIFICATES_TIMEOUT_MS = 30_000;

/**
 * The backend's credential without a client secret, end to end with the real msal-node: a certificate, and the
 * Function app's managed identity as a federated credential. The identity simulator checks the client assertion
 * as Entra does; the Dataverse simulator checks the token it issued.
 */

const seeded = seededEntities();
const TOKEN_ROUTE = 'POST /:tenant/oauth2/v2.0/token';
const WhoAmISchema = z.object({ UserId: z.string(), BusinessUnitId: z.string() });

let sims: RunningSimulators;
let certificate: CertificateAndKey;
let unregistered: CertificateAndKey;
const savedEnvironment = {
  IDENTITY_ENDPOINT: process.env.IDENTITY_ENDPOINT,
  IDENTITY_HEADER: process.env.IDENTITY_HEADER,
};

beforeAll(async () => {
  [sims, certificate, unregistered] = await Promise.all([
    startAllSimulators({ dataverse: 0, oneflow: 0, identity: 0 }),
    generateClientCertificate('Oneflow Product Sync backend'),
    generateClientCertificate('A certificate nobody uploaded'),
  ]);
  // What App Service and Azure Functions give the app's processes; msal-node reads it at its first request.
  const environment = sims.identity.managedIdentityEnvironment;
  if (environment === undefined) throw new Error('the identity fixture has no managed identity');
  Object.assign(process.env, environment);
}, CERTIFICATES_TIMEOUT_MS);

afterAll(async () => {
  for (const [name, value] of Object.entries(savedEnvironment)) {
    if (value === undefined) Reflect.deleteProperty(process.env, name);
    else process.env[name] = value;
  }
  await sims.close();
});

beforeEach(async () => {
  clearAppTokenCache();
  clearManagedIdentityCache();
  await requestTrusting(sims.identity.certificatePem, `${sims.identity.url}/_sim/reset`, { method: 'POST' });
});

/** The Function app's backend settings with one credential, as loadConfig reads them. */
function backendConfig(credential: Record<string, string>) {
  return loadConfig({
    PRODUCT_SYNC_TENANTS: JSON.stringify([
      {
        tenantId: seeded.homeTenantId,
        dataverseUrl: sims.dataverse.url,
        orgKey: 'contoso',
        oneflow: { userEmail: 'sync@contoso.example', workspaceId: 1, templateId: 2 },
      },
    ]),
    ONEFLOW_API_TOKEN__CONTOSO: 'token',
    ONEFLOW_SIGN_KEY__CONTOSO: 'sign-key',
    API_AUDIENCES: seeded.productApi.appId,
    ENTRA_AUTHORITY_HOST: sims.identity.url,
    ENTRA_CA_CERTIFICATE_PEM: sims.identity.certificatePem,
    BACKEND_CLIENT_ID: seeded.backend.clientId,
    ...credential,
  }).backend;
}

/** A token provider as services.ts builds one from the settings. */
function providerFor(credential: Record<string, string>) {
  const backend = backendConfig(credential);
  return createAppTokenProvider({
    authorityHost: sims.identity.url,
    tenantId: seeded.homeTenantId,
    clientId: backend.clientId,
    credential: appCredential(backend.credential, sims.identity.certificatePem),
    caCertificatePem: sims.identity.certificatePem,
  });
}

/** The backend app with these credentials registered (what an admin uploads or adds in the portal). */
function registerOnBackend(changes: Record<string, unknown>): Promise<void> {
  return loadIdentityFixture({
    ...seeded.fixture,
    applications: seeded.fixture.applications.map((application) =>
      application.clientId === seeded.backend.clientId ? { ...application, ...changes } : application,
    ),
  });
}

async function loadIdentityFixture(fixture: unknown): Promise<void> {
  const response = await postJsonTrusting(
    sims.identity.certificatePem,
    `${sims.identity.url}/_sim/fixture`,
    fixture,
  );
  expect(response.status).toBe(200);
}

/** Dataverse takes the token: WhoAmI answers as the backend's application user. */
async function expectDataverseAccepts(provider: ReturnType<typeof createAppTokenProvider>): Promise<string> {
  const token = await provider.getToken(sims.dataverse.url);
  expect(decodeJwt(token)).toMatchObject({
    aud: sims.dataverse.url,
    appid: seeded.backend.clientId,
    oid: seeded.backendObjectIdAtHome,
    tid: seeded.homeTenantId,
  });
  const client = createDataverseClient({
    environmentUrl: sims.dataverse.url,
    getAccessToken: () => provider.getToken(sims.dataverse.url),
  });
  const whoAmI = await client.get('WhoAmI', WhoAmISchema);
  expect(whoAmI.UserId).toMatch(/^[0-9a-f-]{36}$/i);
  return token;
}

function failureOf(promise: Promise<unknown>): Promise<AppTokenError> {
  return rejectionOf(promise, isAppTokenError);
}

/** Every way an error is shown (message, stack, JSON for the activity log) leaves these out. */
function expectNowhere(error: AppTokenError, secrets: readonly string[]): void {
  for (const text of [error.message, error.stack ?? '', JSON.stringify(error), String(error.detail)]) {
    for (const secret of secrets) expect(text).not.toContain(secret);
  }
}

/** The base64 body lines of a PEM: any of them in a message would leak part of the key. */
function pemLines(pem: string): string[] {
  return pem.split(/\r?\n/).filter((line) => line.length > 16 && !line.startsWith('-----'));
}

async function tokenRequests(): Promise<number> {
  const log = await requestTrusting(sims.identity.certificatePem, `${sims.identity.url}/_sim/requests`);
  return z.object({ counts: z.record(z.string(), z.number()) }).parse(log.json).counts[TOKEN_ROUTE] ?? 0;
}

describe('BACKEND_CLIENT_CERTIFICATE (integration)', () => {
  it('a certificate uploaded to the backend app gets a Dataverse token that Dataverse accepts; no secret is sent', async () => {
    await registerOnBackend({ secrets: [], certificates: [{ certificatePem: certificate.certificatePem }] });
    const provider = providerFor({
      BACKEND_CLIENT_CERTIFICATE: `${certificate.certificatePem}${certificate.privateKeyPem}`,
    });
    await expectDataverseAccepts(provider);
    // MSAL keeps the token: the second read asked Entra nothing more.
    expect(await tokenRequests()).toBe(1);
  });

  it('a certificate the app does not hold is refused as a credentials error (AADSTS700027), the key appearing nowhere', async () => {
    await registerOnBackend({ certificates: [{ certificatePem: certificate.certificatePem }] });
    const provider = providerFor({
      BACKEND_CLIENT_CERTIFICATE: `${unregistered.privateKeyPem}${unregistered.certificatePem}`,
    });
    const error = await failureOf(provider.getToken(sims.dataverse.url));
    expect(error).toMatchObject({
      kind: 'credentials',
      errorCode: 'invalid_client',
      aadstsCode: 700027,
      retryable: false,
      clientId: seeded.backend.clientId,
      resource: sims.dataverse.url,
    });
    expectNowhere(error, pemLines(unregistered.privateKeyPem));
  });
});

describe('BACKEND_FEDERATED_CREDENTIAL=managedidentity (integration)', () => {
  it("the system-assigned identity's token is the assertion: a Dataverse token that Dataverse accepts, with no secret or key anywhere", async () => {
    await registerOnBackend({ secrets: [] });
    await expectDataverseAccepts(providerFor({ BACKEND_FEDERATED_CREDENTIAL: 'managedidentity' }));
  });

  it('a user-assigned identity works once the app trusts it (BACKEND_FEDERATED_CLIENT_ID)', async () => {
    const userAssigned = seeded.managedIdentity.userAssigned;
    await registerOnBackend({
      secrets: [],
      federatedIdentityCredentials: [
        {
          name: 'user-assigned',
          issuer: sims.identity.issuer(seeded.homeTenantId),
          subject: userAssigned.objectId,
          audiences: [TOKEN_EXCHANGE_AUDIENCE],
        },
      ],
    });
    await expectDataverseAccepts(
      providerFor({
        BACKEND_FEDERATED_CREDENTIAL: 'managedidentity',
        BACKEND_FEDERATED_CLIENT_ID: userAssigned.clientId,
      }),
    );
  });

  it('an identity the app does not trust is refused with AADSTS70021, the assertion appearing nowhere', async () => {
    const userAssigned = seeded.managedIdentity.userAssigned;
    const error = await failureOf(
      providerFor({
        BACKEND_FEDERATED_CREDENTIAL: 'managedidentity',
        BACKEND_FEDERATED_CLIENT_ID: userAssigned.clientId,
      }).getToken(sims.dataverse.url),
    );
    expect(error).toMatchObject({ kind: 'configuration', errorCode: 'invalid_request', aadstsCode: 70021 });
    expect(error.detail).toContain(`Assertion Subject: '${userAssigned.objectId}'`);
    const assertion = await managedIdentityToken(TOKEN_EXCHANGE_AUDIENCE, {
      clientId: userAssigned.clientId,
      caCertificatePem: sims.identity.certificatePem,
    });
    expectNowhere(error, [assertion.token]);
  });

  it('a federated credential for another audience is refused (AADSTS70021 names the audience presented)', async () => {
    await registerOnBackend({
      federatedIdentityCredentials: [
        {
          name: 'wrong-audience',
          issuer: sims.identity.issuer(seeded.homeTenantId),
          subject: seeded.managedIdentity.systemAssigned.objectId,
          audiences: ['api://SomethingElse'],
        },
      ],
    });
    const error = await failureOf(
      providerFor({ BACKEND_FEDERATED_CREDENTIAL: 'managedidentity' }).getToken(sims.dataverse.url),
    );
    expect(error).toMatchObject({ aadstsCode: 70021 });
  });

  it('an identity the endpoint does not know (a wrong BACKEND_FEDERATED_CLIENT_ID) is a credentials error, nothing sent to Entra', async () => {
    const error = await failureOf(
      providerFor({
        BACKEND_FEDERATED_CREDENTIAL: 'managedidentity',
        BACKEND_FEDERATED_CLIENT_ID: randomUUID(),
      }).getToken(sims.dataverse.url),
    );
    expect(error).toMatchObject({
      kind: 'credentials',
      errorCode: 'client_assertion',
      retryable: false,
    });
    expect(error.detail).toMatch(/^the client assertion could not be obtained from the managed identity/);
    expect(error.detail).toContain('is assigned to this app');
    expectNowhere(error, [seeded.managedIdentity.identityHeader]);
    expect(await tokenRequests()).toBe(0);
  });
});
