import { decodeJwt } from 'jose';
import { z } from 'zod';
import { startIdentitySimulator, type RunningIdentitySimulator } from '@oneflow-sync/simulators/src/identity';
import { seededEntities } from '@oneflow-sync/simulators/src/identity/seededEntities';
import { requestTrusting } from '@oneflow-sync/simulators/src/identity/tlsClient';
import {
  clearManagedIdentityCache,
  managedIdentityCredential,
  managedIdentityToken,
  ManagedIdentityError,
  STORAGE_RESOURCE,
} from './managedIdentity';

const seeded = seededEntities();
const MI_ROUTE = 'GET /msi/token';

let identity: RunningIdentitySimulator;
let ca: string;
const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };

beforeAll(async () => {
  identity = await startIdentitySimulator({ port: 0 });
  ca = identity.certificatePem;
  const environment = identity.managedIdentityEnvironment;
  if (environment === undefined) throw new Error('the seeded identity fixture has a managed identity');
  // What App Service and Azure Functions put in every process of the app; MSAL reads them on its first request.
  process.env.IDENTITY_ENDPOINT = environment.IDENTITY_ENDPOINT;
  process.env.IDENTITY_HEADER = environment.IDENTITY_HEADER;
});

afterAll(async () => {
  if (saved.endpoint === undefined) delete process.env.IDENTITY_ENDPOINT;
  else process.env.IDENTITY_ENDPOINT = saved.endpoint;
  if (saved.header === undefined) delete process.env.IDENTITY_HEADER;
  else process.env.IDENTITY_HEADER = saved.header;
  await identity.close();
});

const RequestLogSchema = z.object({ counts: z.record(z.string(), z.number()) });
async function identityRequests(): Promise<number> {
  const log = await requestTrusting(ca, `${identity.url}/_sim/requests`);
  return RequestLogSchema.parse(log.json).counts[MI_ROUTE] ?? 0;
}

describe('managed identity tokens (msal-node ManagedIdentityApplication against the App Service endpoint)', () => {
  // First in the file: MSAL keeps its own per-process cache, so only a first request shows what is shared.
  it('asks the endpoint once for concurrent first calls, then answers from the cache', async () => {
    const before = await identityRequests();
    const [first, second, third] = await Promise.all([
      managedIdentityToken(STORAGE_RESOURCE, { caCertificatePem: ca }),
      managedIdentityToken(`${STORAGE_RESOURCE}/.default`, { caCertificatePem: ca }),
      managedIdentityCredential({ caCertificatePem: ca }).getToken(`${STORAGE_RESOURCE}/.default`),
    ]);
    expect(await identityRequests()).toBe(before + 1);
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    const claims = decodeJwt(first.token);
    expect(claims).toMatchObject({
      aud: STORAGE_RESOURCE,
      iss: `https://sts.windows.net/${seeded.homeTenantId}/`,
      appid: seeded.managedIdentity.systemAssigned.clientId,
      oid: seeded.managedIdentity.systemAssigned.objectId,
    });
    // The SDKs read expiresOnTimestamp (ms) to decide when to ask again: it is the token's own exp.
    expect(first.expiresOnTimestamp).toBe((claims.exp ?? 0) * 1000);
    await managedIdentityToken(STORAGE_RESOURCE, { caCertificatePem: ca });
    expect(await identityRequests()).toBe(before + 1);
  });

  it("gets a user-assigned identity's token by its client id", async () => {
    const { clientId, objectId } = seeded.managedIdentity.userAssigned;
    const token = await managedIdentityToken(STORAGE_RESOURCE, { clientId, caCertificatePem: ca });
    expect(decodeJwt(token.token)).toMatchObject({ appid: clientId, oid: objectId, aud: STORAGE_RESOURCE });
  });

  it('fails with the endpoint’s reason, naming the resource and identity, never the header', async () => {
    clearManagedIdentityCache();
    const failure = managedIdentityToken('https://vault.example', { caCertificatePem: ca });
    await expect(failure).rejects.toBeInstanceOf(ManagedIdentityError);
    await expect(failure).rejects.toThrow(
      /^Could not get a managed identity token for https:\/\/vault\.example \(the system-assigned identity\): .*AADSTS500011/,
    );
    const message = await failure.catch((error: unknown) => String(error));
    expect(message).not.toContain(seeded.managedIdentity.identityHeader);
  });

  it('fails for a user-assigned identity the app does not have', async () => {
    const clientId = '00000000-0000-4000-8000-0000000000ff';
    await expect(managedIdentityToken(STORAGE_RESOURCE, { clientId, caCertificatePem: ca })).rejects.toThrow(
      `user-assigned identity ${clientId}`,
    );
  });

  it('refuses a credential request for more than one resource', async () => {
    await expect(
      managedIdentityCredential({ caCertificatePem: ca }).getToken([
        `${STORAGE_RESOURCE}/.default`,
        'https://vault.azure.net/.default',
      ]),
    ).rejects.toThrow('a managed identity token is for exactly one resource');
  });
});
