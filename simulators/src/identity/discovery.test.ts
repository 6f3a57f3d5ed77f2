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
