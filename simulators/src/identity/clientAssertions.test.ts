import { createHash, createPrivateKey, randomUUID, X509Certificate } from 'node:crypto';
import { decodeJwt, SignJWT, type JWTPayload } from 'jose';
import { z } from 'zod';
import { generateClientCertificate, type CertificateAndKey } from './certificate';
import { JWT_BEARER_ASSERTION_TYPE, TOKEN_EXCHANGE_AUDIENCE } from './clientAssertions';
import { MANAGED_IDENTITY_API_VERSION, MANAGED_IDENTITY_PATH } from './managedIdentity';
import { seededEntities } from './seededEntities';
import { useIdentitySimulator } from './testSupport';
import { postFormTrusting, postJsonTrusting, requestTrusting, type TlsResponse } from './tlsClient';

/** Making a certificate takes node-forge about 2 s under jest. */
const CERTIFICATES_TIMEOUT_MS = 30_000;

const seeded = seededEntities();
const dataverseUrl = 'http://127.0.0.1:7101';
const identity = useIdentitySimulator({ resetBeforeEach: true });

const EntraErrorSchema = z.object({
  error: z.string(),
  error_description: z.string(),
  error_codes: z.array(z.number()).length(1),
});
const TokenAnswerSchema = z.object({ token_type: z.literal('Bearer'), access_token: z.string() });

let registered: CertificateAndKey;
let unregistered: CertificateAndKey;

beforeAll(async () => {
  [registered, unregistered] = await Promise.all([
    generateClientCertificate('Oneflow Product Sync backend'),
    generateClientCertificate('A certificate nobody uploaded'),
  ]);
}, CERTIFICATES_TIMEOUT_MS);

function tokenEndpoint(tenant: string = seeded.homeTenantId): string {
  return `${identity.url}/${tenant}/oauth2/v2.0/token`;
}

/** The seeded fixture with a certificate uploaded to the backend app (its public part only). */
async function uploadBackendCertificate(certificatePem: string): Promise<void> {
  const fixture = {
    ...seeded.fixture,
    applications: seeded.fixture.applications.map((application) =>
      application.clientId === seeded.backend.clientId
        ? { ...application, certificates: [{ certificatePem }] }
        : application,
    ),
  };
  const response = await postJsonTrusting(identity.certificatePem, `${identity.url}/_sim/fixture`, fixture);
  expect(response.status).toBe(200);
}

function thumbprint(certificatePem: string, algorithm: 'sha1' | 'sha256'): string {
  return createHash(algorithm).update(new X509Certificate(certificatePem).raw).digest('base64url');
}

interface AssertionOptions {
  signWith?: CertificateAndKey;
  /** The certificate the header names; defaults to the signing one. */
  namedCertificate?: CertificateAndKey;
  sha256?: boolean;
  claims?: JWTPayload;
}

/** A client assertion as msal-node makes one (x5t with RS256, x5t#S256 with PS256; ten minutes of life). */
async function certificateAssertion(options: AssertionOptions = {}): Promise<string> {
  const signWith = options.signWith ?? registered;
  const named = options.namedCertificate ?? signWith;
  const sha256 = options.sha256 ?? true;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    aud: tokenEndpoint(),
    iss: seeded.backend.clientId,
    sub: seeded.backend.clientId,
    jti: randomUUID(),
    nbf: now,
    exp: now + 600,
    ...options.claims,
  })
    .setProtectedHeader(
      sha256
        ? { alg: 'PS256', typ: 'JWT', 'x5t#S256': thumbprint(named.certificatePem, 'sha256') }
        : { alg: 'RS256', typ: 'JWT', x5t: thumbprint(named.certificatePem, 'sha1') },
    )
    .sign(createPrivateKey(signWith.privateKeyPem));
}

function requestWithAssertion(assertion: string, extra: Record<string, string> = {}): Promise<TlsResponse> {
  return postFormTrusting(identity.certificatePem, tokenEndpoint(), {
    grant_type: 'client_credentials',
    client_id: seeded.backend.clientId,
    client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
    client_assertion: assertion,
    scope: `${dataverseUrl}/.default`,
    ...extra,
  });
}

function expectEntraError(response: TlsResponse, status: number, error: string, code: number): string {
  expect(response.status).toBe(status);
  const body = EntraErrorSchema.parse(response.json);
  expect(body.error).toBe(error);
  expect(body.error_codes).toEqual([code]);
  expect(body.error_description.startsWith(`AADSTS${code}: `)).toBe(true);
  return body.error_description;
}

async function expectDataverseToken(response: TlsResponse): Promise<void> {
  expect(response.status).toBe(200);
  const token = TokenAnswerSchema.parse(response.json).access_token;
  expect(decodeJwt(token)).toMatchObject({
    aud: dataverseUrl,
    appid: seeded.backend.clientId,
    oid: seeded.backendObjectIdAtHome,
  });
  await expect(
    identity.verifyAccessToken(token, { audience: dataverseUrl, tenantId: seeded.homeTenantId }),
  ).resolves.not.toBeNull();
}

describe('client credentials with a certificate assertion', () => {
  it.each([
    ['x5t#S256 header, PS256 (msal-node with thumbprintSha256)', true],
    ['x5t header, RS256 (SHA-1 thumbprint)', false],
  ])('a certificate uploaded to the app signs a valid assertion: %s', async (_label, sha256) => {
    await uploadBackendCertificate(registered.certificatePem);
    await expectDataverseToken(await requestWithAssertion(await certificateAssertion({ sha256 })));
  });

  it('the seeded backend has no certificate: any certificate assertion is refused (AADSTS700027, key not found)', async () => {
    const description = expectEntraError(
      await requestWithAssertion(await certificateAssertion()),
      401,
      'invalid_client',
      700027,
    );
    expect(description).toContain('The key was not found');
  });

  it('an unregistered thumbprint is refused with AADSTS700027 naming the thumbprint as hex', async () => {
    await uploadBackendCertificate(registered.certificatePem);
    const description = expectEntraError(
      await requestWithAssertion(await certificateAssertion({ signWith: unregistered, sha256: false })),
      401,
      'invalid_client',
      700027,
    );
    const sha1Hex = new X509Certificate(unregistered.certificatePem).fingerprint.replace(/:/g, '');
    expect(description).toContain(`Thumbprint of key used by client: '${sha1Hex}'`);
  });

  it("the registered thumbprint with another key's signature is refused (AADSTS700027, signature did not match)", async () => {
    await uploadBackendCertificate(registered.certificatePem);
    const description = expectEntraError(
      await requestWithAssertion(
        await certificateAssertion({ signWith: unregistered, namedCertificate: registered }),
      ),
      401,
      'invalid_client',
      700027,
    );
    expect(description).toContain('did not match the expected signature value');
  });

  it("an audience other than the tenant's token endpoint is refused (AADSTS700023)", async () => {
    await uploadBackendCertificate(registered.certificatePem);
    for (const aud of [
      tokenEndpoint(seeded.otherTenantId),
      `${identity.url}/${seeded.homeTenantId}/v2.0`,
      'https://login.microsoftonline.com/common/oauth2/v2.0/token',
    ]) {
      expectEntraError(
        await requestWithAssertion(await certificateAssertion({ claims: { aud } })),
        401,
        'invalid_client',
        700023,
      );
    }
  });

  it('the tenant addressed by its domain takes the assertion made for that URL', async () => {
    await uploadBackendCertificate(registered.certificatePem);
    const assertion = await certificateAssertion({ claims: { aud: tokenEndpoint(seeded.homeDomain) } });
    const response = await postFormTrusting(identity.certificatePem, tokenEndpoint(seeded.homeDomain), {
      grant_type: 'client_credentials',
      client_id: seeded.backend.clientId,
      client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
      client_assertion: assertion,
      scope: `${dataverseUrl}/.default`,
    });
    await expectDataverseToken(response);
  });

  it('iss or sub other than the client id is refused (AADSTS700021)', async () => {
    await uploadBackendCertificate(registered.certificatePem);
    for (const claims of [{ iss: seeded.widget.clientId }, { sub: seeded.widget.clientId }]) {
      expectEntraError(
        await requestWithAssertion(await certificateAssertion({ claims })),
        401,
        'invalid_client',
        700021,
      );
    }
  });

  it('an expired assertion, or one not yet valid, is refused (AADSTS700024); five minutes of skew are allowed', async () => {
    await uploadBackendCertificate(registered.certificatePem);
    const now = Math.floor(Date.now() / 1000);
    const expired = expectEntraError(
      await requestWithAssertion(await certificateAssertion({ claims: { nbf: now - 1200, exp: now - 301 } })),
      401,
      'invalid_client',
      700024,
    );
    expect(expired).toContain('Client assertion is not within its valid time range');
    expectEntraError(
      await requestWithAssertion(await certificateAssertion({ claims: { nbf: now + 400, exp: now + 1000 } })),
      401,
      'invalid_client',
      700024,
    );
    await expectDataverseToken(
      await requestWithAssertion(await certificateAssertion({ claims: { nbf: now - 900, exp: now - 240 } })),
    );
  });

  it('an assertion without jti, or that is not a JWT, or of another assertion type is refused (AADSTS50027)', async () => {
    await uploadBackendCertificate(registered.certificatePem);
    expectEntraError(
      await requestWithAssertion(await certificateAssertion({ claims: { jti: undefined } })),
      400,
      'invalid_request',
      50027,
    );
    expectEntraError(await requestWithAssertion('not-a-jwt'), 400, 'invalid_request', 50027);
    expectEntraError(
      await requestWithAssertion(await certificateAssertion(), {
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer',
      }),
      400,
      'invalid_request',
      50027,
    );
  });

  it('the secret still works beside an uploaded certificate', async () => {
    await uploadBackendCertificate(registered.certificatePem);
    const response = await postFormTrusting(identity.certificatePem, tokenEndpoint(), {
      grant_type: 'client_credentials',
      client_id: seeded.backend.clientId,
      client_secret: seeded.backendSecret,
      scope: `${dataverseUrl}/.default`,
    });
    await expectDataverseToken(response);
  });

  it('a fixture with a certificate that is not one is refused, naming the field', async () => {
    const fixture = {
      ...seeded.fixture,
      applications: seeded.fixture.applications.map((application) =>
        application.clientId === seeded.backend.clientId
          ? { ...application, certificates: [{ certificatePem: 'not a certificate' }] }
          : application,
      ),
    };
    const response = await postJsonTrusting(identity.certificatePem, `${identity.url}/_sim/fixture`, fixture);
    expect(response.status).toBe(400);
    expect(response.text).toContain('certificatePem');
  });
});

/** A managed identity's token from the simulator's App Service endpoint. */
async function managedIdentityToken(resource: string, clientId?: string): Promise<string> {
  const url = new URL(`${identity.url}${MANAGED_IDENTITY_PATH}`);
  url.searchParams.set('api-version', MANAGED_IDENTITY_API_VERSION);
  url.searchParams.set('resource', resource);
  if (clientId !== undefined) url.searchParams.set('client_id', clientId);
  const response = await requestTrusting(identity.certificatePem, url.toString(), {
    headers: { 'X-IDENTITY-HEADER': seeded.managedIdentity.identityHeader },
  });
  expect(response.status).toBe(200);
  return z.object({ access_token: z.string() }).parse(response.json).access_token;
}

describe('client credentials with a federated credential (the managed identity’s token)', () => {
  it("the system-assigned identity's token for api://AzureADTokenExchange is the backend's assertion", async () => {
    const assertion = await managedIdentityToken(TOKEN_EXCHANGE_AUDIENCE);
    expect(decodeJwt(assertion)).toMatchObject({
      iss: identity.issuer(seeded.homeTenantId),
      sub: seeded.managedIdentity.systemAssigned.objectId,
    });
    await expectDataverseToken(await requestWithAssertion(assertion));
  });

  it("the home tenant's identity vouches for the multi-tenant backend in another tenant too (its service principal there)", async () => {
    const assertion = await managedIdentityToken(TOKEN_EXCHANGE_AUDIENCE);
    const response = await postFormTrusting(identity.certificatePem, tokenEndpoint(seeded.otherTenantId), {
      grant_type: 'client_credentials',
      client_id: seeded.backend.clientId,
      client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
      client_assertion: assertion,
      scope: `${dataverseUrl}/.default`,
    });
    expect(response.status).toBe(200);
    const token = TokenAnswerSchema.parse(response.json).access_token;
    expect(decodeJwt(token)).toMatchObject({ tid: seeded.otherTenantId, appid: seeded.backend.clientId });
  });

  it('a token for another audience is refused (AADSTS70021, naming issuer, subject and audience)', async () => {
    const assertion = await managedIdentityToken('https://storage.azure.com');
    const description = expectEntraError(
      await requestWithAssertion(assertion),
      400,
      'invalid_request',
      70021,
    );
    expect(description).toContain(`Assertion Subject: '${seeded.managedIdentity.systemAssigned.objectId}'`);
    expect(description).toContain("Assertion Audience: 'https://storage.azure.com'");
  });

  it('an identity no federated credential names is refused (AADSTS70021)', async () => {
    const assertion = await managedIdentityToken(
      TOKEN_EXCHANGE_AUDIENCE,
      seeded.managedIdentity.userAssigned.clientId,
    );
    expectEntraError(await requestWithAssertion(assertion), 400, 'invalid_request', 70021);
  });

  it('an expired token is refused (AADSTS700024)', async () => {
    const assertion = await managedIdentityToken(TOKEN_EXCHANGE_AUDIENCE);
    const expiresAt = (decodeJwt(assertion).exp ?? 0) * 1000;
    const clock = jest.spyOn(Date, 'now').mockReturnValue(expiresAt + 10 * 60 * 1000);
    try {
      expectEntraError(await requestWithAssertion(assertion), 401, 'invalid_client', 700024);
    } finally {
      clock.mockRestore();
    }
  });

  it('a token with the right claims but not signed by the issuer is refused (AADSTS700027)', async () => {
    const genuine = decodeJwt(await managedIdentityToken(TOKEN_EXCHANGE_AUDIENCE));
    const forged = await new SignJWT(genuine)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'forged' })
      .sign(createPrivateKey(unregistered.privateKeyPem));
    expectEntraError(await requestWithAssertion(forged), 401, 'invalid_client', 700027);
  });
});
