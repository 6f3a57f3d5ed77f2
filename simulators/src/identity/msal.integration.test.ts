import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  ClientAuthError,
  ConfidentialClientApplication,
  ServerError,
  type AuthenticationResult,
  type Configuration,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
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
const UNKNOWN_TENANT = '00000000-0000-4000-8000-00000000dead';
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
 * msal-node 5+ sends with Node's fetch, which cannot be given a CA, and no longer has `customAgentOptions`.
 * Its supported way to change the transport is `system.networkClient`: this one sends over node:https trusting
 * exactly the simulator's self-signed certificate (no NODE_TLS_REJECT_UNAUTHORIZED, no rejectUnauthorized:
 * false), and answers MSAL the way its own client does (lower-case headers, parsed JSON body).
 */
function trustingNetworkClient(certificatePem: string): INetworkModule {
  async function send<T>(
    method: 'GET' | 'POST',
    url: string,
    options: NetworkRequestOptions | undefined,
  ): Promise<NetworkResponse<T>> {
    const answer = await requestTrusting(certificatePem, url, {
      method,
      headers: options?.headers ?? {},
      body: options?.body,
    });
    if (answer.json === undefined) throw new Error(`${method} ${url} answered ${answer.status} without JSON`);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    return { status: answer.status, headers, body: answer.json as T };
  }
  return {
    sendGetRequestAsync: (url, options) => send('GET', url, options),
    sendPostRequestAsync: (url, options) => send('POST', url, options),
  };
}

type AuthorityOptions = Pick<
  Configuration['auth'],
  'authority' | 'knownAuthorities' | 'authorityMetadata' | 'cloudDiscoveryMetadata'
>;

/** The backend's MSAL configuration pointed at the simulator: only authority options and the transport change. */
function backendMsalConfiguration(
  authority: AuthorityOptions,
  clientSecret: string = seeded.backendSecret,
): Configuration {
  return {
    auth: { clientId: seeded.backend.clientId, clientSecret, ...authority },
    system: { networkClient: trustingNetworkClient(identity.certificatePem) },
  };
}

function knownAuthorityOnly(tenant: string = seeded.homeTenantId): Configuration {
  return backendMsalConfiguration({
    authority: identity.authority(tenant),
    knownAuthorities: [new URL(identity.url).host],
  });
}

/** The simulator's URL under its other name (the certificate holds both 127.0.0.1 and localhost). */
function asLocalhost(url: string): string {
  const renamed = new URL(url);
  renamed.hostname = 'localhost';
  return renamed.href.replace(/\/$/, '');
}

async function acquireForDataverse(
  application: ConfidentialClientApplication,
): Promise<AuthenticationResult> {
  const result = await application.acquireTokenByClientCredential({ scopes: [`${dataverseUrl}/.default`] });
  if (!result) throw new Error('msal-node returned no result');
  return result;
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error('expected a rejection'),
    (error: unknown) => error,
  );
}

/**
 * msal-node in a process of its own, configured with authority options only (no `system` at all), trusting the
 * certificate the way any Node process can: NODE_EXTRA_CA_CERTS, read by Node at start for every TLS client,
 * fetch included. Prints what it got as JSON.
 */
const PLAIN_MSAL_CLIENT = `
const { ConfidentialClientApplication } = require('@azure/msal-node');
const env = process.env;
new ConfidentialClientApplication({
  auth: {
    clientId: env.CLIENT_ID,
    clientSecret: env.CLIENT_SECRET,
    authority: env.AUTHORITY,
    knownAuthorities: [env.KNOWN_AUTHORITY],
  },
})
  .acquireTokenByClientCredential({ scopes: [env.SCOPE] })
  .then(
    (result) => process.stdout.write(JSON.stringify({ token: result.accessToken })),
    (error) => process.stdout.write(JSON.stringify({ errorCode: error.errorCode })),
  );
`;

describe('@azure/msal-node 7 against the identity simulator', () => {
  it("fact: msal-node 7 sends with Node's fetch, which does not trust the self-signed certificate: with authority options alone it fails with endpoints_resolution_error before any request arrives", async () => {
    const application = new ConfidentialClientApplication({
      auth: {
        clientId: seeded.backend.clientId,
        clientSecret: seeded.backendSecret,
        authority: identity.authority(seeded.homeTenantId),
        knownAuthorities: [new URL(identity.url).host],
      },
    });
    const failure = await failureOf(acquireForDataverse(application));
    expect(failure).toBeInstanceOf(ClientAuthError);
    expect((failure as ClientAuthError).errorCode).toBe('endpoints_resolution_error');
    expect(await requestCounts()).toEqual({});
  });

  it('fact: a plain msal-node 7 configuration (authority and knownAuthorities, nothing else) gets a token in a process that trusts the certificate through NODE_EXTRA_CA_CERTS', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'identity-ca-'));
    try {
      const certificateFile = join(folder, 'identity-certificate.pem');
      await writeFile(certificateFile, identity.certificatePem);
      const { stdout } = await promisify(execFile)(process.execPath, ['-e', PLAIN_MSAL_CLIENT], {
        cwd: __dirname,
        timeout: 30_000,
        env: {
          ...process.env,
          NODE_EXTRA_CA_CERTS: certificateFile,
          CLIENT_ID: seeded.backend.clientId,
          CLIENT_SECRET: seeded.backendSecret,
          AUTHORITY: identity.authority(seeded.homeTenantId),
          KNOWN_AUTHORITY: new URL(identity.url).host,
          SCOPE: `${dataverseUrl}/.default`,
        },
      });
      const answer = z.object({ token: z.string() }).parse(JSON.parse(stdout));
      await expect(
        identity.verifyAccessToken(answer.token, { audience: dataverseUrl, tenantId: seeded.homeTenantId }),
      ).resolves.toMatchObject({ appid: seeded.backend.clientId });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
    expect(await requestCounts()).toEqual({ [DISCOVERY_ROUTE]: 1, [TOKEN_ROUTE]: 1 });
  });

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
    const failure = await failureOf(acquireForDataverse(application));
    expect(failure).toBeInstanceOf(ServerError);
    const serverError = failure as ServerError;
    expect(serverError.errorCode).toBe('invalid_client');
    // error_codes are numbers in Entra's answer, and MSAL passes the first one on as it came.
    expect(String(serverError.errorNo)).toBe('7000215');
    expect(serverError.errorMessage).toContain('AADSTS7000215');
  });

  it("fact: for an unknown tenant the simulator's discovery answers AADSTS90002, which msal-node 7 reports as endpoints_resolution_error, before any token request", async () => {
    const failure = await failureOf(
      acquireForDataverse(new ConfidentialClientApplication(knownAuthorityOnly(UNKNOWN_TENANT))),
    );
    expect(failure).toBeInstanceOf(ClientAuthError);
    expect((failure as ClientAuthError).errorCode).toBe('endpoints_resolution_error');
    expect(await requestCounts()).toEqual({ [DISCOVERY_ROUTE]: 1 });
  });

  it("fact: msal-node 7 checks the discovery document's issuer against the authority's host: asked as localhost, the simulator's 127.0.0.1 issuer is refused (issuer_validation_failed, reported as endpoints_resolution_error)", async () => {
    const localhost = asLocalhost(identity.url);
    const application = new ConfidentialClientApplication(
      backendMsalConfiguration({
        authority: `${localhost}/${seeded.homeTenantId}`,
        knownAuthorities: [new URL(localhost).host],
      }),
    );
    const failure = await failureOf(acquireForDataverse(application));
    expect((failure as ClientAuthError).errorCode).toBe('endpoints_resolution_error');
    expect(await requestCounts()).toEqual({ [DISCOVERY_ROUTE]: 1 });
  });

  it("fact: with the simulator's instance discovery (both names as aliases, like Entra's), msal-node 7 sends a localhost authority to 127.0.0.1 and gets a token", async () => {
    const localhost = asLocalhost(identity.url);
    const { cloudDiscoveryMetadata } = identity.msalAuthorityOptions(seeded.homeTenantId);
    const application = new ConfidentialClientApplication(
      backendMsalConfiguration({
        authority: `${localhost}/${seeded.homeTenantId}`,
        knownAuthorities: [new URL(localhost).host],
        cloudDiscoveryMetadata,
      }),
    );
    const result = await acquireForDataverse(application);
    await expect(
      identity.verifyAccessToken(result.accessToken, {
        audience: dataverseUrl,
        tenantId: seeded.homeTenantId,
      }),
    ).resolves.toMatchObject({ appid: seeded.backend.clientId });
    expect(await requestCounts()).toEqual({ [DISCOVERY_ROUTE]: 1, [TOKEN_ROUTE]: 1 });
  });

  /**
   * Measured with msal-node 7.2: after a 429 or any 5xx, MSAL's throttling cache refuses the same request itself
   * (no request sent) until the answer's Retry-After has passed, or for 60 s without one (at most an hour).
   * msal-node 3 looked the header up as `Retry-After` while Node names headers in lower case, so it always
   * waited 60 s; msal-common 16 reads it case-insensitively. The simulator's 429 says Retry-After: 5, its 500
   * says nothing.
   */
  it.each([
    ['429', 'temporarily_unavailable', THROTTLE_RETRY_AFTER_SECONDS],
    ['500', 'server_error', 60],
  ] as const)(
    'fact: after a %s, msal-node 7 refuses the same request itself until Retry-After has passed (%s, %i s) (measured)',
    async (fault, errorCode, refusedSeconds) => {
      const application = new ConfidentialClientApplication(
        backendMsalConfiguration(identity.msalAuthorityOptions(seeded.homeTenantId)),
      );
      await setFaults({ routes: { [TOKEN_ROUTE]: { rates: { [fault]: 1 } } } });
      const failure = await failureOf(acquireForDataverse(application));
      expect(failure).toBeInstanceOf(ServerError);
      expect((failure as ServerError).errorCode).toBe(errorCode);
      await setFaults({});

      // MSAL reads the clock with Date.now(), so moving it shows when MSAL lets the request through again.
      const startedAt = Date.now();
      const clock = jest.spyOn(Date, 'now');
      try {
        for (const secondsLater of [0, refusedSeconds - 1]) {
          clock.mockReturnValue(startedAt + secondsLater * 1000);
          await expect(acquireForDataverse(application)).rejects.toBeInstanceOf(ServerError);
        }
        expect((await requestCounts())[TOKEN_ROUTE]).toBe(1);
        clock.mockReturnValue(startedAt + (refusedSeconds + 1) * 1000);
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
