import { createHash, X509Certificate } from 'node:crypto';
import { compactVerify, decodeJwt, decodeProtectedHeader } from 'jose';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { generateClientCertificate } from '@oneflow-sync/simulators/src/identity/certificate';
import { clearAppTokenCache, createAppTokenProvider, isAppTokenError } from './appTokens';
import { parseBackendCertificate } from './backendCredential';

/**
 * The real-Entra path (authority host login.microsoftonline.com, no CA, no metadata of ours), with Entra
 * answered by msw: MSAL does its own discovery there, and nothing is fetched by us.
 */

const TENANT = '3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f';
const CLIENT_ID = 'a9900000-0000-4000-8000-000000000001';
const SECRET = 'entra-secret~do-not-leak-0123456789';
const ENTRA = 'https://login.microsoftonline.com';
const DATAVERSE = 'https://contoso.crm4.dynamics.com';

const seen: { method: string; url: string; body: string }[] = [];
const server = setupServer();

function openIdConfiguration() {
  return {
    token_endpoint: `${ENTRA}/${TENANT}/oauth2/v2.0/token`,
    authorization_endpoint: `${ENTRA}/${TENANT}/oauth2/v2.0/authorize`,
    end_session_endpoint: `${ENTRA}/${TENANT}/oauth2/v2.0/logout`,
    jwks_uri: `${ENTRA}/${TENANT}/discovery/v2.0/keys`,
    issuer: `${ENTRA}/${TENANT}/v2.0`,
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
  };
}

function entra(tokenAnswer: () => Response) {
  server.use(
    http.all(/.*/, async ({ request }) => {
      seen.push({ method: request.method, url: request.url, body: await request.text() });
      const url = new URL(request.url);
      if (url.origin !== ENTRA) return HttpResponse.error();
      if (url.pathname === '/common/discovery/instance') {
        return HttpResponse.json({
          tenant_discovery_endpoint: `${ENTRA}/${TENANT}/v2.0/.well-known/openid-configuration`,
          'api-version': '1.1',
          metadata: [
            {
              preferred_network: 'login.microsoftonline.com',
              preferred_cache: 'login.windows.net',
              aliases: [
                'login.microsoftonline.com',
                'login.windows.net',
                'login.microsoft.com',
                'sts.windows.net',
              ],
            },
          ],
        });
      }
      if (url.pathname === `/${TENANT}/v2.0/.well-known/openid-configuration`)
        return HttpResponse.json(openIdConfiguration());
      if (url.pathname === `/${TENANT}/oauth2/v2.0/token` && request.method === 'POST') return tokenAnswer();
      return HttpResponse.json({ error: 'not_found' }, { status: 404 });
    }),
  );
}

beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
});
beforeEach(() => {
  seen.length = 0;
  clearAppTokenCache();
});
afterEach(() => {
  server.resetHandlers();
});
afterAll(() => {
  server.close();
});

const provider = () =>
  createAppTokenProvider({
    authorityHost: ENTRA,
    tenantId: TENANT,
    clientId: CLIENT_ID,
    credential: { kind: 'secret', secret: SECRET },
  });

describe('app tokens against Entra (msw)', () => {
  it('MSAL talks only to login.microsoftonline.com (one token POST, no discovery), posts the client-credentials grant, and caches the token', async () => {
    entra(() =>
      HttpResponse.json({
        token_type: 'Bearer',
        expires_in: 3599,
        ext_expires_in: 3599,
        access_token: 'entra-access-token',
      }),
    );
    await expect(provider().getToken(`${DATAVERSE}/`)).resolves.toBe('entra-access-token');
    await expect(provider().getToken(DATAVERSE)).resolves.toBe('entra-access-token');
    // Measured (msal-node 7.2): Entra's endpoints are built into MSAL, so the only request is the token POST.
    expect(
      seen.map(
        (request) => `${request.method} ${new URL(request.url).origin}${new URL(request.url).pathname}`,
      ),
    ).toEqual([`POST ${ENTRA}/${TENANT}/oauth2/v2.0/token`]);
    const form = new URLSearchParams(seen[0]?.body);
    expect(form.get('grant_type')).toBe('client_credentials');
    expect(form.get('scope')).toBe(`${DATAVERSE}/.default`);
    expect(form.get('client_id')).toBe(CLIENT_ID);
  });

  it('an Entra error becomes an AppTokenError with the AADSTS code and without the secret', async () => {
    entra(() =>
      HttpResponse.json(
        {
          error: 'invalid_client',
          error_description: `AADSTS7000222: The provided client secret keys for app '${CLIENT_ID}' are expired.\r\nTrace ID: t\r\nCorrelation ID: c\r\nTimestamp: 2026-03-02 10:00:00Z`,
          error_codes: [7000222],
        },
        { status: 401 },
      ),
    );
    const error: unknown = await provider()
      .getToken(DATAVERSE)
      .catch((caught: unknown) => caught);
    if (!isAppTokenError(error)) throw error;
    expect(error).toMatchObject({ kind: 'credentials', aadstsCode: 7000222, errorCode: 'invalid_client' });
    expect(error.detail).toBe(
      `AADSTS7000222: The provided client secret keys for app '${CLIENT_ID}' are expired.`,
    );
    for (const text of [error.message, error.stack ?? '', JSON.stringify(error)])
      expect(text).not.toContain(SECRET);
  });

  it("with a certificate, MSAL posts a PS256 client assertion for Entra's token endpoint naming the certificate by x5t#S256, and no secret", async () => {
    entra(() =>
      HttpResponse.json({
        token_type: 'Bearer',
        expires_in: 3599,
        ext_expires_in: 3599,
        access_token: 'from-cert',
      }),
    );
    const generated = await generateClientCertificate('Oneflow Product Sync backend');
    const certificate = parseBackendCertificate(`${generated.privateKeyPem}${generated.certificatePem}`);
    const tokens = createAppTokenProvider({
      authorityHost: ENTRA,
      tenantId: TENANT,
      clientId: CLIENT_ID,
      credential: { kind: 'certificate', ...certificate },
    });
    await expect(tokens.getToken(DATAVERSE)).resolves.toBe('from-cert');
    const form = new URLSearchParams(seen[0]?.body);
    expect(form.get('client_secret')).toBeNull();
    expect(form.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    const assertion = form.get('client_assertion') ?? '';
    const x509 = new X509Certificate(generated.certificatePem);
    expect(decodeProtectedHeader(assertion)).toMatchObject({
      alg: 'PS256',
      'x5t#S256': createHash('sha256').update(x509.raw).digest('base64url'),
    });
    expect(decodeJwt(assertion)).toMatchObject({
      aud: `${ENTRA}/${TENANT}/oauth2/v2.0/token`,
      iss: CLIENT_ID,
      sub: CLIENT_ID,
    });
    // Signed with the certificate's key: its public key verifies the assertion.
    await expect(compactVerify(assertion, x509.publicKey)).resolves.toBeDefined();
    // Making the certificate takes node-forge about 2 s under jest.
  }, 30_000);
});
