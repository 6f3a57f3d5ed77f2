import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { AuthenticationError, createBearerValidator, TOKEN_INVALID, TOKEN_REQUIRED } from './bearer';

const CONTOSO = '3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f';
const ELSEWHERE = '5e7a0000-0000-4000-8000-00000000d0d0';
const AUDIENCE = 'a9900000-0000-4000-8000-000000000001';

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

let server: Server;
let authorityHost: string;
let signingKey: SigningKey;
let otherKey: SigningKey;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  signingKey = pair.privateKey;
  otherKey = (await generateKeyPair('RS256')).privateKey;
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', use: 'sig' }] });
  server = createServer((_, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  authorityHost = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const validate = () =>
  createBearerValidator({
    authorityHost,
    authorityCaPem: undefined,
    audiences: [AUDIENCE],
    allowedTenantIds: [CONTOSO],
  });

async function token(claims: JWTPayload, key: SigningKey = signingKey): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    tid: CONTOSO,
    oid: 'aad00000-0000-4000-8000-000000000002',
    scp: 'access_as_user',
    aud: AUDIENCE,
    iss: `${authorityHost}/${CONTOSO}/v2.0`,
    iat: now - 300,
    nbf: now - 300,
    exp: now + 3600,
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .sign(key);
}

async function refusal(authorization: string | null): Promise<AuthenticationError> {
  const error: unknown = await validate()(authorization).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof AuthenticationError)) throw new Error(`not refused: ${String(error)}`);
  return error;
}

describe('a refused token', () => {
  it('is accepted when valid (the refusals below are not vacuous)', async () => {
    await expect(validate()(`Bearer ${await token({})}`)).resolves.toMatchObject({ tenantId: CONTOSO });
  });

  it('tells the caller one message whatever was wrong, and the log why', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: [string | null, RegExp][] = [
      ['Bearer not-a-jwt', /not a JWT/],
      [`Bearer ${await token({ exp: now - 600 })}`, /expired/],
      [`Bearer ${await token({ nbf: now + 1800 })}`, /nbf/],
      [`Bearer ${await token({ aud: 'someone-else' })}`, /audience/],
      [`Bearer ${await token({ iss: 'https://sts.windows.net/x/' })}`, /issuer/],
      [
        `Bearer ${await token({ tid: ELSEWHERE }, otherKey)}`,
        new RegExp(`not set up for \\(${ELSEWHERE}\\)`),
      ],
      [`Bearer ${await token({}, otherKey)}`, /signature/],
      [`Bearer ${await token({ tid: '<script>' })}`, /not set up for$/],
    ];
    for (const [authorization, reason] of cases) {
      const error = await refusal(authorization);
      expect(error.message).toBe(TOKEN_INVALID);
      expect(error.reason).toMatch(reason);
    }
  });

  it('a missing token is told that one is required', async () => {
    for (const authorization of [null, '', 'Basic YWxleDpzZWNyZXQ=', 'Bearer ']) {
      expect((await refusal(authorization)).message).toBe(TOKEN_REQUIRED);
    }
  });
});
