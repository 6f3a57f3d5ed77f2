import { decodeJwt } from 'jose';
import { z } from 'zod';
import { MANAGED_IDENTITY_API_VERSION, MANAGED_IDENTITY_PATH } from './managedIdentity';
import { seededEntities } from './seededEntities';
import { useIdentitySimulator } from './testSupport';
import { requestTrusting, type TlsResponse } from './tlsClient';
import { APP_TOKEN_LIFETIME_SECONDS } from './tokens';

const seeded = seededEntities();
const STORAGE = 'https://storage.azure.com';
const identity = useIdentitySimulator({ resetBeforeEach: true });

const AnswerSchema = z.object({
  access_token: z.string(),
  expires_on: z.string().regex(/^\d+$/),
  resource: z.string(),
  token_type: z.literal('Bearer'),
  client_id: z.string(),
});
const ErrorSchema = z.object({ statusCode: z.number(), message: z.string(), correlationId: z.uuid() });

function ask(
  query: Record<string, string>,
  header: string | null = seeded.managedIdentity.identityHeader,
): Promise<TlsResponse> {
  const url = new URL(`${identity.url}${MANAGED_IDENTITY_PATH}`);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return requestTrusting(identity.certificatePem, url.toString(), {
    headers: header === null ? {} : { 'X-IDENTITY-HEADER': header },
  });
}

const storageQuery = { 'api-version': MANAGED_IDENTITY_API_VERSION, resource: STORAGE };

describe('managed-identity endpoint (App Service / Functions)', () => {
  it('names itself to a process as IDENTITY_ENDPOINT and IDENTITY_HEADER', () => {
    expect(identity.managedIdentityEnvironment).toEqual({
      IDENTITY_ENDPOINT: `${identity.url}${MANAGED_IDENTITY_PATH}`,
      IDENTITY_HEADER: seeded.managedIdentity.identityHeader,
    });
  });

  it("gives the system-assigned identity a v1 storage token that Azure Storage's checks accept", async () => {
    const before = Math.floor(Date.now() / 1000);
    const response = await ask(storageQuery);
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store, no-cache');
    const answer = AnswerSchema.parse(response.json);
    expect(answer).toMatchObject({
      resource: STORAGE,
      client_id: seeded.managedIdentity.systemAssigned.clientId,
    });
    const expiresOn = Number(answer.expires_on);
    expect(expiresOn).toBeGreaterThanOrEqual(before + APP_TOKEN_LIFETIME_SECONDS);
    expect(expiresOn).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + APP_TOKEN_LIFETIME_SECONDS);
    const claims = decodeJwt(answer.access_token);
    expect(claims).toMatchObject({
      aud: STORAGE,
      iss: `https://sts.windows.net/${seeded.homeTenantId}/`,
      appid: seeded.managedIdentity.systemAssigned.clientId,
      oid: seeded.managedIdentity.systemAssigned.objectId,
      tid: seeded.homeTenantId,
      idtyp: 'app',
      ver: '1.0',
      exp: expiresOn,
    });
    expect(claims.roles).toBeUndefined();
    await expect(
      identity.verifyAccessToken(answer.access_token, { audience: STORAGE }),
    ).resolves.not.toBeNull();
  });

  it('gives a user-assigned identity its own token when asked by client_id', async () => {
    const { clientId, objectId } = seeded.managedIdentity.userAssigned;
    const response = await ask({ ...storageQuery, client_id: clientId.toUpperCase() });
    expect(response.status).toBe(200);
    const answer = AnswerSchema.parse(response.json);
    expect(answer.client_id).toBe(clientId);
    expect(decodeJwt(answer.access_token)).toMatchObject({ appid: clientId, oid: objectId });
  });

  it.each([
    ['no X-IDENTITY-HEADER', null],
    ['a wrong X-IDENTITY-HEADER', 'sim-identity-header~a-wrong-one'],
    ['a header that is a prefix of the right one', seeded.managedIdentity.identityHeader.slice(0, -1)],
  ])('refuses %s with 401 and no token', async (_case, header) => {
    const response = await ask(storageQuery, header);
    expect(response.status).toBe(401);
    const body = ErrorSchema.parse(response.json);
    expect(body.statusCode).toBe(401);
    expect(body.message).toContain('X-IDENTITY-HEADER');
    expect(response.text).not.toContain('access_token');
  });

  it.each([
    ['a missing api-version', { resource: STORAGE }, 'api-version must be 2019-08-01'],
    [
      'an old api-version',
      { 'api-version': '2017-09-01', resource: STORAGE },
      'api-version must be 2019-08-01',
    ],
    ['no resource', { 'api-version': MANAGED_IDENTITY_API_VERSION }, 'resource parameter is required'],
    ['an unknown resource', { ...storageQuery, resource: 'https://vault.example' }, 'AADSTS500011'],
    [
      'an unknown user-assigned identity',
      { ...storageQuery, client_id: '00000000-0000-4000-8000-000000000000' },
      'No user-assigned identity with client id 00000000-0000-4000-8000-000000000000',
    ],
    [
      'an object id',
      { ...storageQuery, object_id: seeded.managedIdentity.userAssigned.objectId },
      'Only client_id',
    ],
  ])('answers 400 for %s', async (_case, query, message) => {
    const response = await ask(query);
    expect(response.status).toBe(400);
    expect(ErrorSchema.parse(response.json).message).toContain(message);
  });

  it('answers that the app has no identity when the fixture has none', async () => {
    identity.provider.loadFixture({ ...seeded.fixture, managedIdentity: undefined });
    const response = await ask(storageQuery);
    expect(response.status).toBe(400);
    expect(ErrorSchema.parse(response.json).message).toBe('This app has no managed identity.');
    expect(identity.managedIdentityEnvironment).toBeUndefined();
  });
});
