import { decodeJwt } from 'jose';
import { z } from 'zod';
import {
  startIdentitySimulator,
  THROTTLE_RETRY_AFTER_SECONDS,
  type RunningIdentitySimulator,
} from '@oneflow-sync/simulators/src/identity';
import { seededEntities } from '@oneflow-sync/simulators/src/identity/seededEntities';
import { requestTrusting } from '@oneflow-sync/simulators/src/identity/tlsClient';
import {
  AppTokenError,
  clearAppTokenCache,
  createAppTokenProvider,
  isAppTokenError,
  type AppTokenProviderOptions,
} from './appTokens';
import { rejectionOf } from '../testing/rejection';

const seeded = seededEntities();
const DATAVERSE = 'http://127.0.0.1:7101';
const TOKEN_ROUTE = 'POST /:tenant/oauth2/v2.0/token';
const DISCOVERY_ROUTE = 'GET /:tenant/v2.0/.well-known/openid-configuration';

let identity: RunningIdentitySimulator;

beforeAll(async () => {
  identity = await startIdentitySimulator({ port: 0 });
});

afterAll(async () => {
  await identity.close();
});

beforeEach(async () => {
  clearAppTokenCache();
  await requestTrusting(identity.certificatePem, `${identity.url}/_sim/reset`, { method: 'POST' });
});

function options(overrides: Partial<AppTokenProviderOptions> = {}): AppTokenProviderOptions {
  return {
    authorityHost: identity.url,
    tenantId: seeded.homeTenantId,
    clientId: seeded.backend.clientId,
    credential: { kind: 'secret', secret: seeded.backendSecret },
    caCertificatePem: identity.certificatePem,
    ...overrides,
  };
}

const RequestLogSchema = z.object({ total: z.number(), counts: z.record(z.string(), z.number()) });
async function requestCounts(): Promise<Record<string, number>> {
  const log = await requestTrusting(identity.certificatePem, `${identity.url}/_sim/requests`);
  return RequestLogSchema.parse(log.json).counts;
}

async function setFaults(faults: unknown): Promise<void> {
  await requestTrusting(identity.certificatePem, `${identity.url}/_sim/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
}

function failureOf(promise: Promise<unknown>): Promise<AppTokenError> {
  return rejectionOf(promise, isAppTokenError);
}

describe('app tokens (msal-node client credentials) against the identity simulator (integration)', () => {
  it('gets a Dataverse token: one discovery fetch of ours, one token request, nothing else', async () => {
    const token = await createAppTokenProvider(options()).getToken(DATAVERSE);
    expect(decodeJwt(token)).toMatchObject({
      aud: DATAVERSE,
      oid: seeded.backendObjectIdAtHome,
      appid: seeded.backend.clientId,
      tid: seeded.homeTenantId,
    });
    expect(await requestCounts()).toEqual({ [DISCOVERY_ROUTE]: 1, [TOKEN_ROUTE]: 1 });
  });

  it("a second call, even through a second provider with the same app, makes no request (MSAL's cache, one instance per process)", async () => {
    const first = await createAppTokenProvider(options()).getToken(DATAVERSE);
    const second = await createAppTokenProvider(options()).getToken(`${DATAVERSE}/`);
    expect(second).toBe(first);
    expect(await requestCounts()).toEqual({ [DISCOVERY_ROUTE]: 1, [TOKEN_ROUTE]: 1 });
  });

  it('concurrent first calls share one token request', async () => {
    const provider = createAppTokenProvider(options());
    const tokens = await Promise.all([provider.getToken(DATAVERSE), provider.getToken(DATAVERSE)]);
    expect(tokens[0]).toBe(tokens[1]);
    expect((await requestCounts())[TOKEN_ROUTE]).toBe(1);
  });

  it('clearAppTokenCache forgets the instance: the next call asks again', async () => {
    await createAppTokenProvider(options()).getToken(DATAVERSE);
    clearAppTokenCache();
    await createAppTokenProvider(options()).getToken(DATAVERSE);
    expect((await requestCounts())[TOKEN_ROUTE]).toBe(2);
  });

  it('a wrong secret is a typed credentials error with AADSTS7000215, and the secret appears nowhere', async () => {
    const secret = 'wrong-secret~0123456789abcdef';
    const error = await failureOf(
      createAppTokenProvider(options({ credential: { kind: 'secret', secret } })).getToken(DATAVERSE),
    );
    expect(error).toBeInstanceOf(AppTokenError);
    expect(error).toMatchObject({
      kind: 'credentials',
      errorCode: 'invalid_client',
      aadstsCode: 7000215,
      retryable: false,
      tenantId: seeded.homeTenantId,
      clientId: seeded.backend.clientId,
      resource: DATAVERSE,
    });
    expect(error.message).toContain('AADSTS7000215');
    for (const text of [error.message, error.stack ?? '', JSON.stringify(error), String(error.cause)]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(seeded.backendSecret);
    }
  });

  it('an unknown resource is a configuration error (AADSTS500011)', async () => {
    const error = await failureOf(createAppTokenProvider(options()).getToken('https://nothing.example.org'));
    expect(error).toMatchObject({ kind: 'configuration', aadstsCode: 500011, retryable: false });
  });

  it('an unknown tenant fails at discovery with Entra’s code (AADSTS90002), before any token request', async () => {
    const error = await failureOf(
      createAppTokenProvider(options({ tenantId: '00000000-0000-4000-8000-00000000dead' })).getToken(
        DATAVERSE,
      ),
    );
    expect(error).toMatchObject({ kind: 'configuration', aadstsCode: 90002 });
    expect((await requestCounts())[TOKEN_ROUTE]).toBeUndefined();
  });

  it('TLS trusts only the given certificate: without it the simulator cannot be reached', async () => {
    const withoutCa = options();
    delete withoutCa.caCertificatePem;
    const error = await failureOf(createAppTokenProvider(withoutCa).getToken(DATAVERSE));
    expect(error).toMatchObject({ kind: 'unavailable', errorCode: 'network', retryable: true });
    expect(error.message).toMatch(/self-signed|certificate/i);
  });

  it("a 429 from the token endpoint is a throttled error; MSAL then refuses without asking again until Entra's Retry-After has passed", async () => {
    const provider = createAppTokenProvider(options());
    await setFaults({ routes: { [TOKEN_ROUTE]: { rates: { '429': 1 } } } });
    const first = await failureOf(provider.getToken(DATAVERSE));
    expect(first).toMatchObject({ kind: 'throttled', retryable: true, aadstsCode: 90055 });
    await setFaults({});
    const second = await failureOf(provider.getToken(DATAVERSE));
    expect(second).toMatchObject({ kind: 'throttled', aadstsCode: 90055, errorCode: null });
    expect(second.detail).toMatch(/^MSAL refuses to ask again until Entra's Retry-After has passed/);
    expect((await requestCounts())[TOKEN_ROUTE]).toBe(1);

    // The simulator's 429 says Retry-After: 5. MSAL reads the clock with Date.now().
    const startedAt = Date.now();
    const clock = jest
      .spyOn(Date, 'now')
      .mockReturnValue(startedAt + (THROTTLE_RETRY_AFTER_SECONDS + 1) * 1000);
    try {
      // A token again: a JWT (header, claims, signature).
      await expect(provider.getToken(DATAVERSE)).resolves.toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    } finally {
      clock.mockRestore();
    }
    expect((await requestCounts())[TOKEN_ROUTE]).toBe(2);
  });

  it('a 500 from the token endpoint is an unavailable error, retryable later', async () => {
    await setFaults({ routes: { [TOKEN_ROUTE]: { rates: { '500': 1 } } } });
    const error = await failureOf(createAppTokenProvider(options()).getToken(DATAVERSE));
    expect(error).toMatchObject({ kind: 'unavailable', retryable: true, aadstsCode: 50000 });
  });

  it('refuses an http:// authority host', () => {
    expect(() =>
      createAppTokenProvider(options({ authorityHost: identity.url.replace('https:', 'http:') })),
    ).toThrow(/https/);
  });
});
