import { decodeJwt } from 'jose';
import { z } from 'zod';
import { seededEntities } from './seededEntities';
import { useIdentitySimulator } from './testSupport';
import { postFormTrusting, requestTrusting, type TlsResponse } from './tlsClient';
import { APP_TOKEN_LIFETIME_SECONDS, BACKDATE_SECONDS } from './tokens';

const seeded = seededEntities();
/** The URL the Dataverse simulator listens at in `npm run sim`: a Dataverse environment URL to Entra. */
const dataverseUrl = 'http://127.0.0.1:7101';
const productApiUri = seeded.productApi.identifierUris[0] ?? '';
const identity = useIdentitySimulator();

const TokenAnswerSchema = z.object({
  token_type: z.literal('Bearer'),
  expires_in: z.number(),
  ext_expires_in: z.number(),
  access_token: z.string(),
});

const EntraErrorSchema = z.object({
  error: z.string(),
  error_description: z.string(),
  error_codes: z.array(z.number()).length(1),
  timestamp: z.string(),
  trace_id: z.uuid(),
  correlation_id: z.uuid(),
});

function tokenUrl(tenant: string = seeded.homeTenantId): string {
  return `${identity.url}/${tenant}/oauth2/v2.0/token`;
}

function requestToken(form: Record<string, string>, tenant?: string, headers?: Record<string, string>) {
  return postFormTrusting(identity.certificatePem, tokenUrl(tenant), form, headers);
}

const backendForDataverse = (): Record<string, string> => ({
  grant_type: 'client_credentials',
  client_id: seeded.backend.clientId,
  client_secret: seeded.backendSecret,
  scope: `${dataverseUrl}/.default`,
});

function expectEntraError(response: TlsResponse, status: number, error: string, code: number): void {
  expect(response.status).toBe(status);
  const body = EntraErrorSchema.parse(response.json);
  expect(body.error).toBe(error);
  expect(body.error_codes).toEqual([code]);
  expect(body.error_description.startsWith(`AADSTS${code}: `)).toBe(true);
}

describe('client credentials', () => {
  it.each([
    'https://contoso.crm.dynamics.com',
    'https://contoso.crm4.dynamics.com',
    'https://contoso.crm11.dynamics.com',
  ])(
    'fact: Dataverse environments answer at <org>.crm<N>.dynamics.com, and each is a resource tokens are issued for (%s)',
    async (environment) => {
      const response = await requestToken({ ...backendForDataverse(), scope: `${environment}/.default` });
      expect(response.status).toBe(200);
      expect(decodeJwt(TokenAnswerSchema.parse(response.json).access_token).aud).toBe(environment);
    },
  );

  it("fact: a valid client-credentials request answers Entra's shape {token_type, expires_in, ext_expires_in, access_token}", async () => {
    const response = await requestToken(backendForDataverse());
    expect(response.status).toBe(200);
    const answer = TokenAnswerSchema.parse(response.json);
    expect(answer.expires_in).toBe(APP_TOKEN_LIFETIME_SECONDS);
    expect(answer.ext_expires_in).toBe(APP_TOKEN_LIFETIME_SECONDS);
    expect(response.headers['cache-control']).toBe('no-store, no-cache');
  });

  it("fact: a Dataverse token is a v1 token: aud is the environment URL, iss is sts.windows.net/{tid}/, oid is the app's service principal", async () => {
    const answer = TokenAnswerSchema.parse((await requestToken(backendForDataverse())).json);
    const claims = decodeJwt(answer.access_token);
    expect(claims).toMatchObject({
      aud: dataverseUrl,
      iss: `https://sts.windows.net/${seeded.homeTenantId}/`,
      tid: seeded.homeTenantId,
      oid: seeded.backendObjectIdAtHome,
      sub: seeded.backendObjectIdAtHome,
      appid: seeded.backend.clientId,
      appidacr: '1',
      idtyp: 'app',
      ver: '1.0',
    });
    expect(claims).not.toHaveProperty('roles');
    const now = Math.floor(Date.now() / 1000);
    // Entra backdates iat/nbf by five minutes and lets the token live 3599 s from now.
    expect(claims.iat).toBe(claims.nbf);
    expect(Math.abs((claims.iat ?? 0) - (now - BACKDATE_SECONDS))).toBeLessThanOrEqual(2);
    expect(Math.abs((claims.exp ?? 0) - (now + APP_TOKEN_LIFETIME_SECONDS))).toBeLessThanOrEqual(2);
    await expect(
      identity.verifyAccessToken(answer.access_token, {
        audience: dataverseUrl,
        tenantId: seeded.homeTenantId,
      }),
    ).resolves.toMatchObject({ oid: seeded.backendObjectIdAtHome });
  });

  it('fact: a token for a v2 API carries aud = the API app id, the v2 issuer, azp and the app roles assigned', async () => {
    const response = await requestToken({
      grant_type: 'client_credentials',
      client_id: seeded.automation.clientId,
      client_secret: seeded.automation.secrets[0] ?? '',
      scope: `${productApiUri}/.default`,
    });
    const claims = decodeJwt(TokenAnswerSchema.parse(response.json).access_token);
    expect(claims).toMatchObject({
      aud: seeded.productApi.appId,
      iss: identity.issuer(seeded.homeTenantId),
      azp: seeded.automation.clientId,
      azpacr: '1',
      roles: ['ProductSync.Sync'],
      idtyp: 'app',
      ver: '2.0',
    });
  });

  it('fact: the secret may also come as HTTP Basic (client_secret_basic)', async () => {
    const { client_id: clientId, client_secret: secret, ...form } = backendForDataverse();
    const basic = Buffer.from(`${clientId ?? ''}:${secret ?? ''}`).toString('base64');
    const response = await requestToken(form, undefined, { authorization: `Basic ${basic}` });
    expect(response.status).toBe(200);
  });

  it('fact: the token endpoint answers a wrong client secret with 401 invalid_client AADSTS7000215 in Entra error shape', async () => {
    const response = await requestToken({
      ...backendForDataverse(),
      client_secret: 'the-secret-id-not-its-value',
    });
    expectEntraError(response, 401, 'invalid_client', 7000215);
  });

  it('fact: an unknown client id answers 400 unauthorized_client AADSTS700016', async () => {
    const response = await requestToken({
      ...backendForDataverse(),
      client_id: '11111111-2222-4333-8444-555555555555',
    });
    expectEntraError(response, 400, 'unauthorized_client', 700016);
    expect(EntraErrorSchema.parse(response.json).error_description).toContain(
      `not found in the directory '${seeded.homeTenantId}'`,
    );
  });

  it('fact: an app without a service principal in the tenant asked is unknown there (AADSTS700016)', async () => {
    const response = await requestToken(
      {
        grant_type: 'client_credentials',
        client_id: seeded.automation.clientId,
        client_secret: seeded.automation.secrets[0] ?? '',
        scope: `${productApiUri}/.default`,
      },
      seeded.otherTenantId,
    );
    expectEntraError(response, 400, 'unauthorized_client', 700016);
  });

  it('fact: a multi-tenant app gets a token in another tenant with that tenant as tid and that tenant’s service principal as oid', async () => {
    const response = await requestToken(backendForDataverse(), seeded.otherTenantId);
    const claims = decodeJwt(TokenAnswerSchema.parse(response.json).access_token);
    const otherPrincipal = seeded.backend.servicePrincipals.find(
      (sp) => sp.tenantId === seeded.otherTenantId,
    );
    expect(claims).toMatchObject({ tid: seeded.otherTenantId, oid: otherPrincipal?.objectId });
  });

  it('fact: an unknown tenant answers 400 invalid_request AADSTS90002', async () => {
    const response = await requestToken(backendForDataverse(), 'nosuchtenant.onmicrosoft.com');
    expectEntraError(response, 400, 'invalid_request', 90002);
  });

  it('fact: a client-credentials scope without /.default answers 400 invalid_scope AADSTS1002012', async () => {
    const response = await requestToken({
      ...backendForDataverse(),
      scope: `${dataverseUrl}/user_impersonation`,
    });
    expectEntraError(response, 400, 'invalid_scope', 1002012);
  });

  it('fact: a scope naming no known resource answers 400 invalid_resource AADSTS500011', async () => {
    const response = await requestToken({
      ...backendForDataverse(),
      scope: 'https://unknown.example.com/.default',
    });
    expectEntraError(response, 400, 'invalid_resource', 500011);
  });

  it('fact: an API that requires assignment refuses an app with no role on it (AADSTS501051)', async () => {
    const response = await requestToken({ ...backendForDataverse(), scope: `${productApiUri}/.default` });
    expectEntraError(response, 400, 'invalid_grant', 501051);
  });

  it.each([
    ['grant_type', 400, 'invalid_request', 900144],
    ['client_id', 400, 'invalid_request', 900144],
    ['client_secret', 401, 'invalid_client', 7000218],
    ['scope', 400, 'invalid_request', 900144],
  ] as const)('fact: a request without %s answers %i %s AADSTS%i', async (missing, status, error, code) => {
    const form = Object.fromEntries(
      Object.entries(backendForDataverse()).filter(([name]) => name !== missing),
    );
    expectEntraError(await requestToken(form), status, error, code);
  });

  it('fact: another grant type answers 400 unsupported_grant_type AADSTS70003', async () => {
    const response = await requestToken({ ...backendForDataverse(), grant_type: 'password' });
    expectEntraError(response, 400, 'unsupported_grant_type', 70003);
  });

  it('fact: the error correlation_id echoes the client-request-id header the client sent', async () => {
    const correlationId = 'f0e1d2c3-b4a5-4697-8899-aabbccddeeff';
    const response = await requestToken({ ...backendForDataverse(), client_secret: 'wrong' }, undefined, {
      'client-request-id': correlationId,
    });
    expect(EntraErrorSchema.parse(response.json).correlation_id).toBe(correlationId);
  });

  it('fact: the request log keeps the route, status and content type, never the secret or the token', async () => {
    await requestTrusting(identity.certificatePem, `${identity.url}/_sim/requests`, { method: 'DELETE' });
    const answer = TokenAnswerSchema.parse((await requestToken(backendForDataverse())).json);
    const log = await requestTrusting(identity.certificatePem, `${identity.url}/_sim/requests`);
    expect(log.json).toMatchObject({
      total: 1,
      counts: { 'POST /:tenant/oauth2/v2.0/token': 1 },
      requests: [{ status: 200, headers: { 'content-type': 'application/x-www-form-urlencoded' } }],
    });
    expect(log.text).not.toContain(seeded.backendSecret);
    expect(log.text).not.toContain(answer.access_token);
  });
});
