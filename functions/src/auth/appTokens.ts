import { createHash } from 'node:crypto';
import { AuthError, ConfidentialClientApplication, type Configuration } from '@azure/msal-node';
import { z } from 'zod';
import type { BackendCertificate } from './backendCredential';
import { sendTrusting, trustingNetworkClient, type TrustedAnswer } from './networkClient';

/**
 * App-only tokens (client credentials) for Dataverse, through @azure/msal-node.
 *
 * One ConfidentialClientApplication per (authority host, tenant, client id) per process: MSAL's token cache
 * lives in the instance, so a second instance would ask Entra again (measured in the identity simulator's
 * msal.integration.test.ts). Against Entra (login.microsoftonline.com) MSAL discovers the authority itself. Any
 * other host (the local identity simulator) gets its tenant's openid-configuration fetched here, over TLS that
 * trusts only `caCertificatePem`, and handed to MSAL as authorityMetadata / cloudDiscoveryMetadata /
 * knownAuthorities, so MSAL never calls Microsoft's instance discovery on the internet. MSAL's own requests to
 * that host go through a network client with the same trust: msal-node 5+ sends with Node's fetch, which takes
 * no CA, and dropped `customAgentOptions`.
 *
 * After a 429 or 5xx MSAL itself refuses the same request until Entra's Retry-After has passed (60 s without
 * one), so nothing here retries; failures become an AppTokenError, which never holds the credential (secret,
 * private key or assertion) nor MSAL's error object.
 */

/**
 * How the app proves itself: a client secret, a certificate (MSAL signs a client assertion with its key), or a
 * client assertion obtained elsewhere (a managed identity's token, for a federated identity credential).
 */
export type AppCredential =
  | { kind: 'secret'; secret: string }
  | ({ kind: 'certificate' } & BackendCertificate)
  | {
      kind: 'assertion';
      /** Names the source (e.g. the managed identity): a different source gets a new MSAL instance. */
      source: string;
      /** A fresh assertion; MSAL asks for one with each token request it sends. */
      getAssertion: () => Promise<string>;
    };

export interface AppTokenProviderOptions {
  /** `https://login.microsoftonline.com`, or the identity simulator's `https://127.0.0.1:<port>`. */
  authorityHost: string;
  tenantId: string;
  clientId: string;
  credential: AppCredential;
  /** PEM of the one certificate to trust for a non-Entra authority host (the simulator's self-signed one). */
  caCertificatePem?: string;
}

export interface AppTokenProvider {
  /** A bearer token for `resource` (a Dataverse environment URL); scope `${resource}/.default`. */
  getToken(resource: string): Promise<string>;
}

export type AppTokenErrorKind =
  /**
   * invalid_client: wrong or expired secret, unregistered certificate, refused assertion (AADSTS7000215, 7000222,
   * 700027, 700024, …).
   */
  | 'credentials'
  /** The tenant, app, scope or resource is wrong or not consented (AADSTS90002, 700016, 500011, …). */
  | 'configuration'
  /** 429 from Entra; MSAL refuses to ask again until its Retry-After (60 s without one). */
  | 'throttled'
  /** 5xx or no answer; after a 5xx MSAL refuses to ask again until its Retry-After (60 s without one). */
  | 'unavailable';

export interface AppTokenErrorInit {
  kind: AppTokenErrorKind;
  /** Entra's `error`, e.g. `invalid_client`; MSAL's error code for client-side failures. */
  errorCode: string | null;
  /** The AADSTS number, e.g. 7000215. */
  aadstsCode: number | null;
  /** Entra's description (first line) or MSAL's message; never the credential. */
  detail: string | null;
  authorityHost: string;
  tenantId: string;
  clientId: string;
  resource: string | null;
  correlationId?: string | null;
}

export class AppTokenError extends Error {
  readonly kind: AppTokenErrorKind;
  readonly errorCode: string | null;
  readonly aadstsCode: number | null;
  readonly detail: string | null;
  readonly authorityHost: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly resource: string | null;
  readonly correlationId: string | null;
  /**
   * Worth trying again later (throttled, unavailable). How much later is Entra's Retry-After, which MSAL reads
   * and keeps to itself (its errors carry no headers), so no wait is given here.
   */
  readonly retryable: boolean;

  constructor(init: AppTokenErrorInit) {
    const code = init.aadstsCode === null ? '' : ` AADSTS${init.aadstsCode}`;
    const what = init.resource === null ? 'a token' : `a token for ${init.resource}`;
    super(
      `Could not get ${what} from ${init.authorityHost} (tenant ${init.tenantId}, app ${init.clientId}): ` +
        `${init.errorCode ?? init.kind}${code}${init.detail ? `: ${init.detail}` : ''}`,
    );
    this.name = 'AppTokenError';
    this.kind = init.kind;
    this.errorCode = init.errorCode;
    this.aadstsCode = init.aadstsCode;
    this.detail = init.detail;
    this.authorityHost = init.authorityHost;
    this.tenantId = init.tenantId;
    this.clientId = init.clientId;
    this.resource = init.resource;
    this.correlationId = init.correlationId ?? null;
    this.retryable = init.kind === 'throttled' || init.kind === 'unavailable';
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      errorCode: this.errorCode,
      aadstsCode: this.aadstsCode,
      detail: this.detail,
      authorityHost: this.authorityHost,
      tenantId: this.tenantId,
      clientId: this.clientId,
      resource: this.resource,
      correlationId: this.correlationId,
      retryable: this.retryable,
    };
  }
}

export const isAppTokenError = (e: unknown): e is AppTokenError => e instanceof AppTokenError;

const ENTRA_HOST = 'login.microsoftonline.com';
/** Entra's transient server-side failures (50000 server error, 90033 transient error). */
const TRANSIENT_AADSTS = new Set([50000, 90033]);

interface CachedApplication {
  /** A hash of the credential the instance was made with: a rotated one gets a new instance. */
  credentialFingerprint: string;
  application: Promise<ConfidentialClientApplication>;
  /** Acquisitions under way per scope, so concurrent first calls share one token request. */
  inFlight: Map<string, Promise<string>>;
  /** The assertions handed to MSAL lately, so none of them can reach an error message. */
  assertions: string[];
}

/** How many recent assertions are kept for redaction: one is in use, one may be about to expire. */
const KEPT_ASSERTIONS = 2;

const applications = new Map<string, CachedApplication>();

/** Forgets every MSAL instance (and so every cached token) of this process. For tests. */
export function clearAppTokenCache(): void {
  applications.clear();
}

function fingerprint(credential: AppCredential): string {
  const material =
    credential.kind === 'secret'
      ? credential.secret
      : credential.kind === 'certificate'
        ? `${credential.thumbprintSha256}\n${credential.privateKeyPem}`
        : credential.source;
  return createHash('sha256').update(`${credential.kind}\n${material}`).digest('hex');
}

/** The credential as msal-node's configuration takes it. */
function msalCredential(
  credential: AppCredential,
  assertions: string[],
): Pick<Configuration['auth'], 'clientSecret' | 'clientCertificate' | 'clientAssertion'> {
  switch (credential.kind) {
    case 'secret':
      return { clientSecret: credential.secret };
    case 'certificate':
      // SHA-256 thumbprint (x5t#S256, PS256): Entra's current form; x5c lets Entra match by subject and issuer.
      return {
        clientCertificate: {
          thumbprintSha256: credential.thumbprintSha256,
          privateKey: credential.privateKeyPem,
          x5c: credential.certificatePem,
        },
      };
    case 'assertion':
      return {
        clientAssertion: async () => {
          let assertion: string;
          try {
            assertion = await credential.getAssertion();
          } catch (cause) {
            throw new AssertionSourceError(credential.source, cause);
          }
          assertions.unshift(assertion);
          assertions.splice(KEPT_ASSERTIONS);
          return assertion;
        },
      };
  }
}

/** The assertion's source (the managed identity) failed: MSAL sent nothing to Entra. */
class AssertionSourceError extends Error {
  /** The source's own code (e.g. `network`, `managed_identity_endpoint`), when it gives one. */
  readonly code: string | null;

  constructor(source: string, cause: unknown) {
    super(`${source}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'AssertionSourceError';
    const code: unknown =
      typeof cause === 'object' && cause !== null ? Reflect.get(cause, 'errorCode') : null;
    this.code = typeof code === 'string' && code !== '' ? code : null;
  }
}

/** What must never appear in an error: the secret, the private key, the assertions. */
function secretsOf(credential: AppCredential, assertions: readonly string[]): string[] {
  if (credential.kind === 'secret') return [credential.secret];
  if (credential.kind === 'certificate') return [credential.privateKeyPem];
  return [...assertions];
}

function normalisedHost(authorityHost: string): URL {
  const url = new URL(authorityHost);
  if (url.protocol !== 'https:') throw new Error(`the authority host must be https, got ${url.protocol}`);
  return url;
}

/** Entra's error body, leniently. */
const EntraErrorSchema = z.object({
  error: z.string().optional().catch(undefined),
  error_description: z.string().optional().catch(undefined),
  error_codes: z.array(z.number()).optional().catch(undefined),
});

const DiscoverySchema = z.object({
  issuer: z.string(),
  token_endpoint: z.url(),
  authorization_endpoint: z.url(),
});

function aadstsOf(errorNo: unknown, description: string | undefined): number | null {
  const number = typeof errorNo === 'number' ? errorNo : Number(errorNo);
  if (Number.isInteger(number) && number > 0) return number;
  const match = /AADSTS(\d+)/.exec(description ?? '');
  return match?.[1] === undefined ? null : Number(match[1]);
}

/** The first line of Entra's description (Trace ID, Correlation ID … follow), without MSAL's "Error(s): …" prefix. */
function firstLine(text: string | undefined): string | null {
  const line = text?.split(/\r?\n/)[0]?.trim();
  if (line === undefined || line === '') return null;
  return /^Error\(s\):.* - Description: (.+)$/.exec(line)?.[1] ?? line;
}

type Identity = Pick<AppTokenErrorInit, 'authorityHost' | 'tenantId' | 'clientId'>;

/**
 * The authority options for a non-Entra host: its tenant's discovery document, fetched once, passed to MSAL so
 * it makes no discovery request of its own (and none to Microsoft's instance discovery).
 */
async function localAuthorityOptions(
  host: URL,
  identity: Identity,
  ca: string | undefined,
): Promise<Pick<Configuration['auth'], 'knownAuthorities' | 'authorityMetadata' | 'cloudDiscoveryMetadata'>> {
  const authority = `${host.origin}/${identity.tenantId}`;
  const discoveryUrl = `${authority}/v2.0/.well-known/openid-configuration`;
  const fail = (
    kind: AppTokenErrorKind,
    errorCode: string,
    detail: string,
    aadstsCode: number | null = null,
  ) => new AppTokenError({ ...identity, kind, errorCode, aadstsCode, detail, resource: null });
  let answer: TrustedAnswer;
  try {
    answer = await sendTrusting('GET', discoveryUrl, ca);
  } catch (cause) {
    throw fail(
      'unavailable',
      'network',
      `discovery ${discoveryUrl}: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(answer.text) as unknown;
  } catch {
    throw fail(
      answer.status >= 500 ? 'unavailable' : 'configuration',
      'invalid_discovery',
      `discovery ${discoveryUrl} answered ${answer.status} without JSON`,
    );
  }
  if (answer.status !== 200) {
    const entra = EntraErrorSchema.safeParse(body);
    const description = entra.success ? entra.data.error_description : undefined;
    const kind: AppTokenErrorKind =
      answer.status === 429 ? 'throttled' : answer.status >= 500 ? 'unavailable' : 'configuration';
    throw fail(
      kind,
      (entra.success ? entra.data.error : undefined) ?? 'invalid_discovery',
      firstLine(description) ?? `discovery ${discoveryUrl} answered ${answer.status}`,
      aadstsOf(entra.success ? entra.data.error_codes?.[0] : undefined, description),
    );
  }
  const document = DiscoverySchema.safeParse(body);
  if (!document.success)
    throw fail(
      'configuration',
      'invalid_discovery',
      `discovery ${discoveryUrl} is not an OpenID configuration`,
    );
  // The secret goes to the token endpoint: it must be on the authority host itself.
  if (new URL(document.data.token_endpoint).host !== host.host) {
    throw fail(
      'configuration',
      'invalid_discovery',
      `the token endpoint ${document.data.token_endpoint} is not on ${host.host}`,
    );
  }
  return {
    knownAuthorities: [host.host],
    authorityMetadata: answer.text,
    cloudDiscoveryMetadata: JSON.stringify({
      tenant_discovery_endpoint: discoveryUrl,
      'api-version': '1.1',
      metadata: [{ preferred_network: host.host, preferred_cache: host.host, aliases: [host.host] }],
    }),
  };
}

async function buildApplication(
  options: AppTokenProviderOptions,
  host: URL,
  assertions: string[],
): Promise<ConfidentialClientApplication> {
  const identity: Identity = {
    authorityHost: host.origin,
    tenantId: options.tenantId,
    clientId: options.clientId,
  };
  const isEntra = host.hostname.toLowerCase() === ENTRA_HOST;
  const authorityOptions = isEntra
    ? {}
    : await localAuthorityOptions(host, identity, options.caCertificatePem);
  return new ConfidentialClientApplication({
    auth: {
      clientId: options.clientId,
      ...msalCredential(options.credential, assertions),
      authority: `${host.origin}/${options.tenantId}`,
      ...authorityOptions,
    },
    // Entra has a public certificate: MSAL's own client (Node's fetch) is the one to use there.
    ...(options.caCertificatePem === undefined || isEntra
      ? {}
      : { system: { networkClient: trustingNetworkClient(options.caCertificatePem) } }),
  });
}

/** MSAL's failure as an AppTokenError: Entra's error code and AADSTS number, never the credential. */
function tokenError(
  error: unknown,
  identity: Identity,
  resource: string,
  secrets: readonly string[],
): AppTokenError {
  const redact = (text: string | null): string | null =>
    text === null
      ? text
      : secrets.reduce(
          (redacted, secret) => (secret === '' ? redacted : redacted.split(secret).join('[redacted]')),
          text,
        );
  if (error instanceof AppTokenError) return error;
  if (error instanceof AssertionSourceError) {
    // An endpoint that cannot be reached is worth trying again; one that refuses (no identity, wrong header,
    // unknown resource) is a credentials problem an admin has to fix.
    const unreachable = /network|timeout|timed out|ECONNREFUSED|unavailable|server/i.test(
      `${error.code ?? ''} ${error.message}`,
    );
    return new AppTokenError({
      ...identity,
      resource,
      kind: unreachable ? 'unavailable' : 'credentials',
      errorCode: error.code ?? 'client_assertion',
      aadstsCode: aadstsOf(undefined, error.message),
      detail: redact(`the client assertion could not be obtained from the ${error.message}`),
    });
  }
  if (!(error instanceof AuthError)) {
    return new AppTokenError({
      ...identity,
      resource,
      kind: 'unavailable',
      errorCode: 'network',
      aadstsCode: null,
      detail: redact(error instanceof Error ? error.message : String(error)),
    });
  }
  // After a 429 or 5xx, MSAL's own refusal (no request sent) carries the AADSTS numbers as its error code.
  const refusedByMsal = /^\d+( \d+)*$/.test(error.errorCode);
  const errorCode = refusedByMsal || error.errorCode === '' ? null : error.errorCode;
  const status = 'status' in error && typeof error.status === 'number' ? error.status : null;
  const errorNo: unknown =
    'errorNo' in error ? error.errorNo : refusedByMsal ? error.errorCode.split(' ')[0] : undefined;
  const aadstsCode = aadstsOf(errorNo, error.errorMessage);
  let kind: AppTokenErrorKind = 'configuration';
  if (errorCode === 'invalid_client') kind = 'credentials';
  else if (status === 429 || errorCode === 'temporarily_unavailable' || aadstsCode === 90055)
    kind = 'throttled';
  else if (
    (status !== null && status >= 500) ||
    errorCode === 'server_error' ||
    (aadstsCode !== null && TRANSIENT_AADSTS.has(aadstsCode)) ||
    /network|timeout|endpoint_resolution/i.test(errorCode ?? '')
  )
    kind = 'unavailable';
  const detail = redact(firstLine(error.errorMessage));
  return new AppTokenError({
    ...identity,
    resource,
    kind,
    errorCode,
    aadstsCode,
    detail:
      refusedByMsal && detail !== null
        ? `MSAL refuses to ask again until Entra's Retry-After has passed (60 s without one) after: ${detail}`
        : detail,
    correlationId: error.correlationId || null,
  });
}

export function createAppTokenProvider(options: AppTokenProviderOptions): AppTokenProvider {
  const host = normalisedHost(options.authorityHost);
  const identity: Identity = {
    authorityHost: host.origin,
    tenantId: options.tenantId,
    clientId: options.clientId,
  };
  const key = [host.origin, options.tenantId, options.clientId].map((part) => part.toLowerCase()).join('|');

  function cached(): CachedApplication {
    const credentialFingerprint = fingerprint(options.credential);
    const existing = applications.get(key);
    if (existing?.credentialFingerprint === credentialFingerprint) return existing;
    const assertions: string[] = [];
    const entry: CachedApplication = {
      credentialFingerprint,
      application: buildApplication(options, host, assertions),
      inFlight: new Map(),
      assertions,
    };
    // A failed start (discovery unreachable) is not kept: the next call tries again.
    entry.application.catch(() => {
      if (applications.get(key) === entry) applications.delete(key);
    });
    applications.set(key, entry);
    return entry;
  }

  async function acquire(entry: CachedApplication, resource: string, scope: string): Promise<string> {
    try {
      const application = await entry.application;
      const result = await application.acquireTokenByClientCredential({ scopes: [scope] });
      if (!result?.accessToken) throw new Error('MSAL returned no token');
      return result.accessToken;
    } catch (error) {
      throw tokenError(error, identity, resource, secretsOf(options.credential, entry.assertions));
    }
  }

  return {
    async getToken(resource) {
      const normalised = resource.replace(/\/+$/, '');
      const scope = `${normalised}/.default`;
      const entry = cached();
      const running = entry.inFlight.get(scope);
      if (running) return running;
      const pending = acquire(entry, normalised, scope).finally(() => {
        entry.inFlight.delete(scope);
      });
      entry.inFlight.set(scope, pending);
      return pending;
    },
  };
}
