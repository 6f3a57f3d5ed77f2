import {
  ConfidentialClientApplication,
  ServerError,
  type AuthenticationResult,
  type Configuration,
} from '@azure/msal-node';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { z } from 'zod';
import { THROTTLE_RETRY_AFTER_SECONDS } from './index';
import { seededEntities } from './seededEntities';
import { useIdentitySimulator } from './testSupport';
import { postFormTrusting, requestTrusting } from './tlsClient';

const seeded = seededEntities();
const dataverseUrl = 'http://127.0.0.1:7101';
const TOKEN_ROUTE = 'POST /:tenant/oauth2/v2.0/token';
const DISCOVERY_ROUTE = 'GET /:tenant/v2.0/.well-known/openid-configuration';
const identity = useIdentitySimulator({ resetBeforeEach: true });

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

/**
 * The backend's MSAL configuration pointed at the simulator. Only authority options change, plus
 * `customAgentOptions.ca`: MSAL's own HTTP client makes an https.Agent that trusts exactly the simulator's
 * self-signed certificate. No NODE_TLS_REJECT_UNAUTHORIZED, no rejectUnauthorized: false.
 */
function backendMsalConfiguration(
  authority: Pick<
    Configuration['auth'],
    'authority' | 'knownAuthorities' | 'authorityMetadata' | 'cloudDiscoveryMetadata'
  >,
  clientSecret: string = seeded.backendSecret,
): Configuration {
  return {
    auth: { clientId: seeded.backend.clientId, clientSecret, ...authority },
    system: { customAgentOptions: { ca: identity.certificatePem } },
  };
}

function knownAuthorityOnly(): Configuration {
  return backendMsalConfiguration({
    authority: identity.authority(seeded.homeTenantId),
    knownAuthorities: [new URL(identity.url).host],
  });
}

async function acquireForDataverse(
  application: ConfidentialClientApplication,
): Promise<AuthenticationResult> {
  const result = await application.acquireTokenByClientCredential({ scopes: [`${dataverseUrl}/.default`] });
  if (!result) throw new Error('msal-node returned no result');
  return result;
}

describe('@azure/msal-node against the identity simulator', () => {
  it('fact: msal-node acquireTokenByClientCredential gets a token that verifies against the JWKS (integration)', async () => {
    const application = new ConfidentialClientApplication(knownAuthorityOnly());
    const result = await acquireForDataverse(application);
    expect(result.tokenType).toBe('Bearer');
    expect(result.fromCache).toBe(false);

    const jwks = await requestTrusting(
      identity.certificatePem,
      `${identity.url}/${seeded.homeTenantId}/discovery/v2.0/keys`,
    );
    const keySet = createLocalJWKSet(
      z
        .object({
          keys: z.array(z.object({ kty: z.string(), kid: z.string(), n: z.string(), e: z.string() })),
        })
        .parse(jwks.json),
    );
    const { payload } = await jwtVerify(result.accessToken, keySet, {
      audience: dataverseUrl,
      issuer: `https://sts.windows.net/${seeded.homeTenantId}/`,
      algorithms: ['RS256'],
    });
    expect(payload).toMatchObject({ oid: seeded.backendObjectIdAtHome, appid: seeded.backend.clientId });
  });

  it('fact: with knownAuthorities only, msal-node fetches the tenant discovery document once, then posts to its token_endpoint', async () => {
    const application = new ConfidentialClientApplication(knownAuthorityOnly());
    await acquireForDataverse(application);
    expect(await requestCounts()).toEqual({ [DISCOVERY_ROUTE]: 1, [TOKEN_ROUTE]: 1 });
  });

  it('fact: with authorityMetadata and cloudDiscoveryMetadata, msal-node makes no discovery request at all', async () => {
    const application = new ConfidentialClientApplication(
      backendMsalConfiguration(identity.msalAuthorityOptions(seeded.homeTenantId)),
    );
    await acquireForDataverse(application);
    expect(await requestCounts()).toEqual({ [TOKEN_ROUTE]: 1 });
  });

  it('fact: msal-node caches app tokens: a second acquire on the same instance makes no request (measured)', async () => {
    const application = new ConfidentialClientApplication(knownAuthorityOnly());
    const first = await acquireForDataverse(application);
    const second = await acquireForDataverse(application);
    expect(second.fromCache).toBe(true);
    expect(second.accessToken).toBe(first.accessToken);
    expect(await requestCounts()).toEqual({ [DISCOVERY_ROUTE]: 1, [TOKEN_ROUTE]: 1 });
  });

  it("fact: a second msal-node instance does not share the first one's cache (one instance per process)", async () => {
    await acquireForDataverse(new ConfidentialClientApplication(knownAuthorityOnly()));
    await acquireForDataverse(new ConfidentialClientApplication(knownAuthorityOnly()));
    expect((await requestCounts())[TOKEN_ROUTE]).toBe(2);
  });

  it('fact: msal-node surfaces a wrong secret as ServerError invalid_client carrying AADSTS7000215', async () => {
    const application = new ConfidentialClientApplication(
      backendMsalConfiguration(identity.msalAuthorityOptions(seeded.homeTenantId), 'wrong-secret'),
    );
    const failure: unknown = await acquireForDataverse(application).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ServerError);
    const serverError = failure as ServerError;
    expect(serverError.errorCode).toBe('invalid_client');
    // error_codes are numbers in Entra's answer, and MSAL passes the first one on as it came.
    expect(String(serverError.errorNo)).toBe('7000215');
    expect(serverError.errorMessage).toContain('AADSTS7000215');
  });

  /**
   * Measured with msal-node 3.8: after a 429 or any 5xx, MSAL's throttling cache refuses the same request for
   * 60 seconds whatever Retry-After says. msal-common reads the header as `Retry-After` while Node lowercases
   * header names, so it always falls back to its 60 s default. The backend must not expect a retry to reach
   * Entra sooner on the same instance.
   */
  it.each([
    ['429', 'temporarily_unavailable'],
    ['500', 'server_error'],
  ] as const)(
    'fact: after a %s, msal-node refuses the same request itself for 60 s, ignoring Retry-After (measured)',
    async (fault, errorCode) => {
      const application = new ConfidentialClientApplication(
        backendMsalConfiguration(identity.msalAuthorityOptions(seeded.homeTenantId)),
      );
      await setFaults({ routes: { [TOKEN_ROUTE]: { rates: { [fault]: 1 } } } });
      const failure: unknown = await acquireForDataverse(application).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ServerError);
      expect((failure as ServerError).errorCode).toBe(errorCode);
      await setFaults({});

      // MSAL reads the clock with Date.now(), so moving it shows when MSAL lets the request through again.
      const startedAt = Date.now();
      const clock = jest.spyOn(Date, 'now');
      try {
        for (const secondsLater of [0, THROTTLE_RETRY_AFTER_SECONDS + 1, 59]) {
          clock.mockReturnValue(startedAt + secondsLater * 1000);
          await expect(acquireForDataverse(application)).rejects.toBeInstanceOf(ServerError);
        }
        expect((await requestCounts())[TOKEN_ROUTE]).toBe(1);
        clock.mockReturnValue(startedAt + 61 * 1000);
        await expect(acquireForDataverse(application)).resolves.toMatchObject({ fromCache: false });
      } finally {
        clock.mockRestore();
      }
      expect((await requestCounts())[TOKEN_ROUTE]).toBe(2);
    },
  );

  it('fact: the injected 429 carries Retry-After and an Entra error body', async () => {
    await setFaults({ routes: { [TOKEN_ROUTE]: { rates: { '429': 1 } } } });
    const response = await postFormTrusting(
      identity.certificatePem,
      `${identity.url}/${seeded.homeTenantId}/oauth2/v2.0/token`,
      { grant_type: 'client_credentials' },
    );
    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toBe(String(THROTTLE_RETRY_AFTER_SECONDS));
    expect(response.json).toMatchObject({ error: 'temporarily_unavailable', error_codes: [90055] });
  });

  it('fact: msal-node refuses an http:// authority before any request, which is why the simulator speaks TLS', async () => {
    const application = new ConfidentialClientApplication({
      auth: {
        clientId: seeded.backend.clientId,
        clientSecret: seeded.backendSecret,
        authority: identity.authority(seeded.homeTenantId).replace('https:', 'http:'),
        knownAuthorities: [new URL(identity.url).host],
      },
    });
    await expect(acquireForDataverse(application)).rejects.toThrow(/authority_uri_insecure/);
    expect(await requestCounts()).toEqual({});
  });
});
