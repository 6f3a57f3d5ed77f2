import https from 'node:https';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { z } from 'zod';
import { seededEntities } from './seededEntities';
import { useIdentitySimulator } from './testSupport';
import { requestTrusting } from './tlsClient';

const seeded = seededEntities();
const identity = useIdentitySimulator();

const JwksSchema = z.object({
  keys: z.array(
    z.object({
      kty: z.literal('RSA'),
      use: z.literal('sig'),
      kid: z.string().min(1),
      n: z.string().min(1),
      e: z.string().min(1),
      issuer: z.string(),
      cloud_instance_name: z.string(),
    }),
  ),
});

const EntraErrorSchema = z.object({
  error: z.string(),
  error_description: z.string(),
  error_codes: z.array(z.number()),
  timestamp: z.string().regex(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/),
  trace_id: z.uuid(),
  correlation_id: z.uuid(),
});

function getJson(path: string) {
  return requestTrusting(identity.certificatePem, `${identity.url}${path}`);
}

describe('discovery', () => {
  it('fact: the v2.0 discovery document names the tenant issuer, the token and keys endpoints and RS256 like Entra', async () => {
    const response = await getJson(`/${seeded.homeTenantId}/v2.0/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    const tenantBase = `${identity.url}/${seeded.homeTenantId}`;
    expect(response.json).toMatchObject({
      issuer: `${tenantBase}/v2.0`,
      token_endpoint: `${tenantBase}/oauth2/v2.0/token`,
      authorization_endpoint: `${tenantBase}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${tenantBase}/oauth2/v2.0/logout`,
      jwks_uri: `${tenantBase}/discovery/v2.0/keys`,
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      cloud_instance_name: 'microsoftonline.com',
    });
    expect(identity.issuer(seeded.homeTenantId)).toBe(`${tenantBase}/v2.0`);
  });

  it('fact: a verified domain works in place of the tenant id, and the answer names the tenant by id', async () => {
    const response = await getJson(`/${seeded.homeDomain}/v2.0/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ issuer: `${identity.url}/${seeded.homeTenantId}/v2.0` });
  });

  it('fact: common keeps the {tenantid} placeholder in its issuer, for multi-tenant validators, and has no tenant region', async () => {
    const response = await getJson('/common/v2.0/.well-known/openid-configuration');
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      issuer: `${identity.url}/{tenantid}/v2.0`,
      token_endpoint: `${identity.url}/common/oauth2/v2.0/token`,
      tenant_region_scope: null,
    });
    const tenant = await getJson(`/${seeded.homeTenantId}/v2.0/.well-known/openid-configuration`);
    expect(tenant.json).toMatchObject({ tenant_region_scope: 'EU' });
  });

  it('fact: discovery for an unknown tenant answers 400 invalid_tenant with AADSTS90002 in Entra error shape', async () => {
    const response = await getJson(
      '/00000000-0000-0000-0000-00000000dead/v2.0/.well-known/openid-configuration',
    );
    expect(response.status).toBe(400);
    const body = EntraErrorSchema.parse(response.json);
    expect(body.error).toBe('invalid_tenant');
    expect(body.error_codes).toEqual([90002]);
    expect(body.error_description).toMatch(
      /^AADSTS90002: Tenant '00000000-0000-0000-0000-00000000dead' not found\..*\r\nTrace ID: .+\r\nCorrelation ID: .+\r\nTimestamp: /s,
    );
  });

  it('fact: the JWKS publishes RSA signing keys with kid, kty, use, n and e, more than one like Entra', async () => {
    const response = await getJson(`/${seeded.homeTenantId}/discovery/v2.0/keys`);
    expect(response.status).toBe(200);
    const { keys } = JwksSchema.parse(response.json);
    expect(keys.length).toBeGreaterThanOrEqual(2);
    expect(new Set(keys.map((key) => key.kid)).size).toBe(keys.length);
    for (const key of keys) {
      expect(key.e).toBe('AQAB');
      expect(key.issuer).toBe(identity.issuer(seeded.homeTenantId));
    }
  });

  it('fact: a token minted by the simulator verifies against the published JWKS fetched over HTTPS, key chosen by kid', async () => {
    // The way a resource server validates: jose fetches the JWKS through an agent trusting only this certificate.
    const agent = new https.Agent({ ca: identity.certificatePem, keepAlive: false });
    const keySet = createRemoteJWKSet(new URL(`${identity.url}/${seeded.homeTenantId}/discovery/v2.0/keys`), {
      agent,
    });
    const token = await identity.mintUserToken({
      tid: seeded.homeTenantId,
      oid: seeded.admin.oid,
      aud: seeded.productApi.appId,
    });
    const published = JwksSchema.parse((await getJson(`/${seeded.homeTenantId}/discovery/v2.0/keys`)).json);
    expect(published.keys.map((key) => key.kid)).toContain(decodeProtectedHeader(token).kid);
    const { payload, protectedHeader } = await jwtVerify(token, keySet, {
      issuer: identity.issuer(seeded.homeTenantId),
      audience: seeded.productApi.appId,
      algorithms: ['RS256'],
    });
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(payload.oid).toBe(seeded.admin.oid);
    agent.destroy();
  });

  it('fact: the token endpoint only accepts POST (AADSTS900561)', async () => {
    const response = await getJson(`/${seeded.homeTenantId}/oauth2/v2.0/token`);
    expect(response.status).toBe(400);
    expect(EntraErrorSchema.parse(response.json)).toMatchObject({
      error: 'invalid_request',
      error_codes: [900561],
    });
  });
});

describe('instance discovery (GET /common/discovery/instance)', () => {
  const host = () => new URL(identity.url).host;
  const localhostHost = () => host().replace('127.0.0.1', 'localhost');
  const instance = (query: Record<string, string>) =>
    getJson(`/common/discovery/instance?${new URLSearchParams(query).toString()}`);
  const authorize = (origin: string, tenant: string = seeded.homeTenantId) =>
    `${origin}/${tenant}/oauth2/v2.0/authorize`;

  it("fact: api-version 1.1 names the tenant's v2.0 document and the simulator's two names as aliases of one instance, as Entra lists login.microsoftonline.com's", async () => {
    const response = await instance({
      'api-version': '1.1',
      authorization_endpoint: authorize(identity.url),
    });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      tenant_discovery_endpoint: `${identity.url}/${seeded.homeTenantId}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host(), preferred_cache: host(), aliases: [host(), localhostHost()] }],
    });
    const advertised = await requestTrusting(
      identity.certificatePem,
      z.object({ tenant_discovery_endpoint: z.url() }).parse(response.json).tenant_discovery_endpoint,
    );
    expect(advertised.status).toBe(200);
  });

  it('fact: asked about the other name, the document is named on that host while the preferred host stays the one listened on', async () => {
    const localhost = `https://${localhostHost()}`;
    const response = await instance({
      'api-version': '1.1',
      authorization_endpoint: authorize(localhost, 'common'),
    });
    expect(response.json).toMatchObject({
      tenant_discovery_endpoint: `${localhost}/common/v2.0/.well-known/openid-configuration`,
      metadata: [{ preferred_network: host() }],
    });
  });

  it('fact: api-version 1.0 answers the document alone, and a v1 authorize endpoint points at the v1 document', async () => {
    const response = await instance({
      'api-version': '1.0',
      authorization_endpoint: `${identity.url}/${seeded.homeTenantId}/oauth2/authorize`,
    });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      tenant_discovery_endpoint: `${identity.url}/${seeded.homeTenantId}/.well-known/openid-configuration`,
    });
  });

  it("fact: msalAuthorityOptions' cloudDiscoveryMetadata is this answer for the tenant's authority", async () => {
    const response = await instance({
      'api-version': '1.1',
      authorization_endpoint: authorize(identity.url),
    });
    const { cloudDiscoveryMetadata } = identity.msalAuthorityOptions(seeded.homeTenantId);
    expect(JSON.parse(cloudDiscoveryMetadata)).toEqual(response.json);
  });

  it('fact: another host is an unknown instance: 400 invalid_instance, AADSTS50049, in Entra error shape', async () => {
    const response = await instance({
      'api-version': '1.1',
      authorization_endpoint: authorize('https://login.example.org'),
    });
    expect(response.status).toBe(400);
    expect(EntraErrorSchema.parse(response.json)).toMatchObject({
      error: 'invalid_instance',
      error_codes: [50049],
    });
    expect(EntraErrorSchema.parse(response.json).error_description).toMatch(
      /^AADSTS50049: Unknown or invalid instance\./,
    );
  });

  it.each([
    ['no api-version', { authorization_endpoint: 'AUTHORIZE' }, 500501],
    [
      'an api-version other than 1.0 and 1.1',
      { 'api-version': '2.0', authorization_endpoint: 'AUTHORIZE' },
      500501,
    ],
    ['neither issuer nor authorization_endpoint', { 'api-version': '1.1' }, 500502],
    [
      'both issuer and authorization_endpoint',
      { 'api-version': '1.1', authorization_endpoint: 'AUTHORIZE', issuer: 'AUTHORIZE' },
      500502,
    ],
    ['an http:// authorization_endpoint', { 'api-version': '1.1', authorization_endpoint: 'HTTP' }, 50050],
    [
      'an authorization_endpoint that is no URL',
      { 'api-version': '1.1', authorization_endpoint: 'not a url' },
      50050,
    ],
  ])('fact: %s is 400 invalid_request (AADSTS%i)', async (_case, query, code) => {
    const values = Object.fromEntries(
      Object.entries(query).map(([name, value]) => [
        name,
        value === 'AUTHORIZE'
          ? authorize(identity.url)
          : value === 'HTTP'
            ? authorize(identity.url.replace('https:', 'http:'))
            : value,
      ]),
    );
    const response = await instance(values);
    expect(response.status).toBe(400);
    expect(EntraErrorSchema.parse(response.json)).toMatchObject({
      error: 'invalid_request',
      error_codes: [code],
    });
  });
});
