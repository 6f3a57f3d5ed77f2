import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import defaultFixture from '../../fixtures/identity.json';
import { installControl, type Control } from '../common/control';
import { listenLocal, type RunningServer } from '../common/listen';
import { generateServerCertificate } from './certificate';
import { verifyClientAssertion } from './clientAssertions';
import {
  instanceAliases,
  instanceDiscovery,
  isMultiTenantSegment,
  openIdConfiguration,
  type InstanceDiscovery,
  type InstanceDiscoveryQuery,
  type OpenIdConfiguration,
} from './discovery';
import { entraErrors, isEntraError, type EntraError } from './errors';
import {
  findResource,
  findTenant,
  IdentityFixtureSchema,
  type IdentityFixture,
  type Tenant,
} from './fixture';
import { generateKeyRing, publishKeys, type KeyRing, type PublishedKey } from './keys';
import {
  identityHeaderOf,
  MANAGED_IDENTITY_PATH,
  managedIdentityToken,
  ManagedIdentityEndpointError,
  ManagedIdentityQuerySchema,
  type ManagedIdentityAnswer,
  type ManagedIdentityQuery,
} from './managedIdentity';
import {
  AuthorizeQuerySchema,
  InteractiveSignIn,
  SignInFormSchema,
  type BrowserAnswer,
  type TokenGrantAnswer,
} from './signIn';
import { renderErrorPage } from './signInPage';
import {
  APP_TOKEN_LIFETIME_SECONDS,
  TokenService,
  type AccessTokenClaims,
  type TokenVersion,
  type VerificationExpectation,
} from './tokens';

export const DEFAULT_IDENTITY_PORT = 7103;
/** Seconds an injected 429 asks the client to wait. */
export const THROTTLE_RETRY_AFTER_SECONDS = 5;
const DEFAULT_USER_SCOPE = 'user_impersonation';
const CLIENT_CREDENTIALS_SUFFIX = '/.default';

export interface IdentitySimulatorOptions {
  /** Replaces simulators/fixtures/identity.json as the seeded state. */
  fixture?: unknown;
}

/** What `POST /_sim/tokens` and `mintUserToken` accept: the claims of a user's token for an API. */
const UserTokenClaimsSchema = z.object({
  /** Any tenant id, known or not: tokens for another tenant are what cross-tenant tests need. */
  tid: z.string().min(1),
  oid: z.string().min(1),
  aud: z.string().min(1),
  /** Defaults to the fixture user's UPN (the user found by tid and oid). */
  preferred_username: z.string().min(1).optional(),
  name: z.string().min(1).optional(),
  /** Defaults to the fixture user's roles. */
  roles: z.array(z.string()).optional(),
  /** Space-separated; defaults to the scopes the audience exposes. */
  scp: z.string().min(1).optional(),
  /** The client the user signed in with; defaults to the first application granted the audience (the widget). */
  azp: z.string().min(1).optional(),
  /** Negative: a token that expired that many seconds ago. Default 3599. */
  expiresInSeconds: z.number().int().optional(),
  /** Positive: a token not valid before that many seconds from now (`nbf` in the future). */
  notBeforeInSeconds: z.number().int().positive().optional(),
  /** A token whose issuer names this tenant while `tid` names another (a validator must refuse it). */
  issuerTenantId: z.string().min(1).optional(),
  /** Token version; defaults to the audience's accessTokenVersion (2 for an unknown audience). */
  version: z.union([z.literal(1), z.literal(2)]).optional(),
});
type UserTokenClaims = z.input<typeof UserTokenClaimsSchema>;

/** Options that point `@azure/msal-node` at this simulator without any network discovery. */
interface MsalAuthorityOptions {
  authority: string;
  knownAuthorities: string[];
  authorityMetadata: string;
  cloudDiscoveryMetadata: string;
}

const TokenFormSchema = z.record(z.string(), z.string());

interface ClientCredentialsAnswer {
  token_type: 'Bearer';
  expires_in: number;
  ext_expires_in: number;
  access_token: string;
}

/** The identity provider's state and behaviour, independent of HTTP. */
class IdentityProvider {
  private fixture: IdentityFixture;
  private readonly seededFixture: IdentityFixture;
  private readonly tokens: TokenService;
  /** The authorize endpoint, its sessions, codes and refresh tokens. */
  readonly signIn: InteractiveSignIn;
  /** Where the simulator listens; issuers and endpoint URLs are built from it. */
  private baseUrl = 'https://127.0.0.1';

  constructor(
    seededFixture: IdentityFixture,
    private readonly keyRing: KeyRing,
  ) {
    this.seededFixture = seededFixture;
    this.fixture = seededFixture;
    this.tokens = new TokenService(keyRing, (tenantId) => this.issuer(tenantId));
    this.signIn = new InteractiveSignIn({ fixture: () => this.fixture, tokens: this.tokens });
  }

  /** Called once the server listens (the port is known only then). */
  listeningAt(baseUrl: string): void {
    this.baseUrl = baseUrl;
  }

  get url(): string {
    return this.baseUrl;
  }

  get homeTenantId(): string {
    return this.fixture.homeTenantId;
  }

  /** Sessions, codes and refresh tokens are state too: both forget them. */
  reset(): void {
    this.fixture = this.seededFixture;
    this.signIn.clear();
  }

  loadFixture(fixture: unknown): void {
    this.fixture = IdentityFixtureSchema.parse(fixture);
    this.signIn.clear();
  }

  /** The v2 issuer of a tenant, `{url}/{tenantId}/v2.0`, as the discovery document names it. */
  issuer(tenantId: string): string {
    return `${this.baseUrl}/${tenantId}/v2.0`;
  }

  /** The authority to give MSAL: `{url}/{tenantId}`. */
  authority(tenantId: string): string {
    return `${this.baseUrl}/${tenantId}`;
  }

  resolveTenant(segment: string): Tenant | undefined {
    return findTenant(this.fixture, segment);
  }

  discoveryDocument(pathSegment: string): OpenIdConfiguration {
    if (isMultiTenantSegment(pathSegment)) {
      return openIdConfiguration(this.baseUrl, pathSegment.toLowerCase(), '{tenantid}');
    }
    const tenant = this.resolveTenant(pathSegment);
    if (!tenant) throw entraErrors.tenantNotFound(pathSegment, true);
    return openIdConfiguration(this.baseUrl, tenant.id, tenant.id);
  }

  keysDocument(pathSegment: string): { keys: PublishedKey[] } {
    if (isMultiTenantSegment(pathSegment)) return publishKeys(this.keyRing, this.issuer('{tenantid}'));
    const tenant = this.resolveTenant(pathSegment);
    if (!tenant) throw entraErrors.tenantNotFound(pathSegment, true);
    return publishKeys(this.keyRing, this.issuer(tenant.id));
  }

  /** `GET /common/discovery/instance`, for this simulator's two names (see instanceDiscovery). */
  instanceDiscovery(query: InstanceDiscoveryQuery): InstanceDiscovery {
    return instanceDiscovery(query, instanceAliases(this.baseUrl));
  }

  msalAuthorityOptions(tenantId: string): MsalAuthorityOptions {
    return {
      authority: this.authority(tenantId),
      knownAuthorities: [new URL(this.baseUrl).host],
      authorityMetadata: JSON.stringify(this.discoveryDocument(tenantId)),
      // What Entra's instance discovery answers for the authority, as MSAL would have fetched it.
      cloudDiscoveryMetadata: JSON.stringify(
        this.instanceDiscovery({
          'api-version': '1.1',
          authorization_endpoint: `${this.authority(tenantId)}/oauth2/v2.0/authorize`,
        }),
      ),
    };
  }

  /** `POST /{tenant}/oauth2/v2.0/token`: the tenant, then the grant decides what else is checked. */
  async token(
    pathSegment: string,
    form: Readonly<Record<string, string>>,
    basic: { clientId: string; secret: string } | undefined,
    origin: string | undefined,
  ): Promise<ClientCredentialsAnswer | TokenGrantAnswer> {
    const tenant = this.resolveTenant(pathSegment);
    if (!tenant) throw entraErrors.tenantNotFound(pathSegment, false);
    const grantType = form.grant_type;
    if (grantType === undefined) throw entraErrors.missingParameter('grant_type');
    const delegated = { form, basicSecret: basic?.secret, origin };
    switch (grantType) {
      case 'client_credentials':
        return this.clientCredentials(tenant, pathSegment, form, basic);
      case 'authorization_code':
        return this.signIn.redeemCode(tenant, delegated);
      case 'refresh_token':
        return this.signIn.refresh(tenant, delegated);
      default:
        throw entraErrors.unsupportedGrantType(grantType);
    }
  }

  /**
   * The client-credentials grant, checked in the order Entra reports problems: application in that tenant,
   * client secret or assertion, scope, resource, role assignment.
   */
  private async clientCredentials(
    tenant: Tenant,
    pathSegment: string,
    form: Readonly<Record<string, string>>,
    basic: { clientId: string; secret: string } | undefined,
  ): Promise<ClientCredentialsAnswer> {
    const clientId = form.client_id ?? basic?.clientId;
    if (clientId === undefined) throw entraErrors.missingParameter('client_id');
    const application = this.fixture.applications.find((app) => app.clientId === clientId.toLowerCase());
    const servicePrincipal = application?.servicePrincipals.find(
      (principal) => principal.tenantId === tenant.id,
    );
    if (!application || !servicePrincipal) throw entraErrors.applicationNotFound(clientId, tenant.id);
    const secret = form.client_secret ?? basic?.secret;
    const assertion = form.client_assertion;
    if (assertion !== undefined) {
      await verifyClientAssertion(form.client_assertion_type, assertion, {
        application,
        tokenEndpoints: [tenant.id, pathSegment].map(
          (segment) => `${this.baseUrl}/${segment}/oauth2/v2.0/token`,
        ),
        signedBySimulator: (token) => this.tokens.signedByPublishedKey(token),
        audienceMatches: (expected, presented) =>
          expected === presented || findResource(this.fixture.resources, expected)?.appId === presented,
      });
    } else {
      if (secret === undefined) throw entraErrors.missingClientCredential();
      if (!application.secrets.includes(secret)) throw entraErrors.invalidClientSecret(application.clientId);
    }
    const scope = form.scope;
    if (scope === undefined) throw entraErrors.missingParameter('scope');
    const scopes = scope.split(' ').filter((part) => part !== '');
    const [onlyScope] = scopes;
    if (scopes.length !== 1 || onlyScope === undefined || !onlyScope.endsWith(CLIENT_CREDENTIALS_SUFFIX)) {
      throw entraErrors.scopeWithoutDefault(scope);
    }
    const requestedResource = onlyScope.slice(0, -CLIENT_CREDENTIALS_SUFFIX.length);
    const resource = findResource(this.fixture.resources, requestedResource);
    if (!resource) throw entraErrors.resourceNotFound(requestedResource, tenant.displayName);
    const access = application.resourceAccess.find(
      (entry) => findResource(this.fixture.resources, entry.resource) === resource,
    );
    const roles = access?.roles ?? [];
    if (resource.appRoleAssignmentRequired && roles.length === 0) {
      throw entraErrors.applicationNotAssigned(
        application.clientId,
        application.displayName,
        requestedResource,
      );
    }
    const issued = await this.tokens.issueAppToken({
      tenantId: tenant.id,
      clientId: application.clientId,
      servicePrincipalObjectId: servicePrincipal.objectId,
      requestedResource,
      resourceAppId: resource.appId,
      version: resource.accessTokenVersion,
      roles,
    });
    return {
      token_type: 'Bearer',
      expires_in: issued.expiresIn,
      ext_expires_in: issued.expiresIn,
      access_token: issued.accessToken,
    };
  }

  /** The Function app's managed-identity endpoint (see managedIdentity.ts). */
  managedIdentityToken(
    query: ManagedIdentityQuery,
    identityHeader: string | undefined,
  ): Promise<ManagedIdentityAnswer> {
    return managedIdentityToken(this.fixture, this.tokens, query, identityHeader);
  }

  /** What a Function app process would find in `IDENTITY_ENDPOINT` and `IDENTITY_HEADER`. */
  get managedIdentityEnvironment(): { IDENTITY_ENDPOINT: string; IDENTITY_HEADER: string } | undefined {
    const settings = this.fixture.managedIdentity;
    return settings === undefined
      ? undefined
      : {
          IDENTITY_ENDPOINT: `${this.baseUrl}${MANAGED_IDENTITY_PATH}`,
          IDENTITY_HEADER: settings.identityHeader,
        };
  }

  /** A user's access token; what the fixture knows about the user fills what the claims leave out. */
  async mintUserToken(claims: UserTokenClaims): Promise<string> {
    const request = UserTokenClaimsSchema.parse(claims);
    const tenantId = request.tid.toLowerCase();
    const user = this.fixture.users.find(
      (candidate) => candidate.tenantId === tenantId && candidate.oid === request.oid,
    );
    const resource = findResource(this.fixture.resources, request.aud);
    const version: TokenVersion = request.version ?? resource?.accessTokenVersion ?? 2;
    // Like Entra, a v2 token names its resource by application id even when the client asked by App ID URI.
    const audience = version === 2 && resource ? resource.appId : request.aud;
    const defaultScope =
      resource && resource.scopes.length > 0 ? resource.scopes.join(' ') : DEFAULT_USER_SCOPE;
    const issued = await this.tokens.issueUserToken({
      tenantId,
      oid: request.oid,
      audience,
      version,
      clientId: request.azp ?? this.signInClientFor(resource?.appId) ?? randomUUID(),
      preferredUsername: request.preferred_username ?? user?.userPrincipalName,
      name: request.name ?? user?.name,
      roles: request.roles ?? user?.roles,
      scp: request.scp ?? defaultScope,
      expiresInSeconds: request.expiresInSeconds ?? APP_TOKEN_LIFETIME_SECONDS,
      notBeforeInSeconds: request.notBeforeInSeconds,
      issuerTenantId: request.issuerTenantId?.toLowerCase(),
    });
    return issued.accessToken;
  }

  /** The application a user would sign in with to call a resource: the first one granted access to it. */
  private signInClientFor(resourceAppId: string | undefined): string | undefined {
    const granted = this.fixture.applications.find((application) =>
      application.resourceAccess.some(
        (entry) => findResource(this.fixture.resources, entry.resource)?.appId === resourceAppId,
      ),
    );
    return (granted ?? this.fixture.applications[0])?.clientId;
  }

  /** The claims of a valid token for `expected.audience` (and tenant), or null; see TokenService.verify. */
  verifyAccessToken(token: string, expected: VerificationExpectation): Promise<AccessTokenClaims | null> {
    return this.tokens.verify(token, expected);
  }
}

interface IdentitySimulator {
  app: FastifyInstance;
  control: Control;
  provider: IdentityProvider;
  /** PEM of the self-signed server certificate: the one CA a client should trust for this simulator. */
  certificatePem: string;
}

function parseBasicAuthorization(
  header: string | undefined,
): { clientId: string; secret: string } | undefined {
  if (header?.startsWith('Basic ') !== true) return undefined;
  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  if (separator < 0) return undefined;
  return {
    clientId: decodeURIComponent(decoded.slice(0, separator)),
    secret: decodeURIComponent(decoded.slice(separator + 1)),
  };
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function sendEntraError(
  provider: IdentityProvider,
  error: EntraError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const body = error.body(provider.url, headerValue(request, 'client-request-id'));
  return reply
    .code(error.status)
    .headers({ ...error.headers, 'x-ms-request-id': body.trace_id, 'cache-control': 'no-store, no-cache' })
    .send(body);
}

/**
 * What a browser page on another origin reads (MSAL in a single-page application): Entra answers these with
 * `Access-Control-Allow-Origin: *`. The authorize and logout endpoints are navigations, never read by script.
 */
const CORS_ROUTES: Readonly<Record<string, string>> = {
  '/:tenant/v2.0/.well-known/openid-configuration': 'GET, OPTIONS',
  '/:tenant/discovery/v2.0/keys': 'GET, OPTIONS',
  '/common/discovery/instance': 'GET, OPTIONS',
  '/:tenant/oauth2/v2.0/token': 'POST, OPTIONS',
};
/** How long a browser may keep a preflight's answer. */
const PREFLIGHT_MAX_AGE_SECONDS = 86400;

function sendBrowserAnswer(
  provider: IdentityProvider,
  answer: BrowserAnswer,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  // The pages are for people: never cached, never framed (a hidden iframe only ever gets redirects).
  const headers: Record<string, string> = {
    'cache-control': 'no-store, no-cache',
    'x-frame-options': 'DENY',
  };
  if (answer.setCookie !== undefined) headers['set-cookie'] = answer.setCookie;
  if (answer.kind === 'redirect') {
    return reply
      .code(302)
      .headers({ ...headers, location: answer.location })
      .send();
  }
  headers['content-type'] = 'text/html; charset=utf-8';
  if (answer.kind === 'page') return reply.code(answer.status).headers(headers).send(answer.html);
  const body = answer.error.body(provider.url, headerValue(request, 'client-request-id'));
  return reply
    .code(answer.error.status)
    .headers(headers)
    .send(renderErrorPage(answer.error, body.trace_id, body.correlation_id));
}

const TenantParams = z.object({ tenant: z.string() });
const LogoutQuerySchema = z.object({
  post_logout_redirect_uri: z.string().optional().catch(undefined),
  client_id: z.string().optional().catch(undefined),
  state: z.string().optional().catch(undefined),
});
/** A repeated parameter is not modeled: it counts as absent. */
const queryValue = z.string().optional().catch(undefined);
const InstanceDiscoveryQuerySchema = z.object({
  'api-version': queryValue,
  authorization_endpoint: queryValue,
  issuer: queryValue,
});

/** Builds the identity simulator (not listening yet): keys and TLS certificate are made here. */
async function createIdentitySimulator(options: IdentitySimulatorOptions = {}): Promise<IdentitySimulator> {
  const seededFixture = IdentityFixtureSchema.parse(options.fixture ?? defaultFixture);
  const [keyRing, certificate] = await Promise.all([generateKeyRing(), generateServerCertificate()]);
  const provider = new IdentityProvider(seededFixture, keyRing);
  const app = Fastify({ https: { key: certificate.privateKeyPem, cert: certificate.certificatePem } });

  // Entra's token endpoint takes form posts; fastify has no form parser of its own.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body.toString())));
    },
  );

  app.setErrorHandler((error, request, reply) => {
    if (isEntraError(error)) return sendEntraError(provider, error, request, reply);
    return reply.send(error);
  });

  const control = installControl(app, {
    reset: () => {
      provider.reset();
    },
    loadFixture: (fixture) => {
      provider.loadFixture(fixture);
    },
    sendFault: (kind, request, reply) =>
      sendEntraError(
        provider,
        kind === '429' ? entraErrors.throttled(THROTTLE_RETRY_AFTER_SECONDS) : entraErrors.serverError(),
        request,
        reply,
      ),
    // Token requests carry secrets in the body and tokens in answers: only the content type is worth logging.
    loggedHeaders: ['content-type'],
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const route = request.routeOptions.url;
    if (route !== undefined && CORS_ROUTES[route] !== undefined) {
      reply.header('access-control-allow-origin', '*');
    }
    return payload;
  });

  for (const [route, methods] of Object.entries(CORS_ROUTES)) {
    app.options(route, async (request, reply) =>
      reply
        .code(204)
        .headers({
          'access-control-allow-methods': methods,
          // MSAL adds X-AnchorMailbox to token requests, so whatever the browser asks to send is allowed.
          'access-control-allow-headers': headerValue(request, 'access-control-request-headers') ?? '',
          'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
        })
        .send(),
    );
  }

  app.get('/:tenant/oauth2/v2.0/authorize', async (request, reply) => {
    const { tenant } = TenantParams.parse(request.params);
    const answer = provider.signIn.authorize(
      tenant,
      AuthorizeQuerySchema.parse(request.query),
      headerValue(request, 'cookie'),
      provider.url,
    );
    return sendBrowserAnswer(provider, answer, request, reply);
  });

  app.post('/:tenant/oauth2/v2.0/authorize', async (request, reply) => {
    const { tenant } = TenantParams.parse(request.params);
    const answer = provider.signIn.completeSignIn(tenant, SignInFormSchema.parse(request.body ?? {}));
    return sendBrowserAnswer(provider, answer, request, reply);
  });

  app.get('/:tenant/oauth2/v2.0/logout', async (request, reply) => {
    const { tenant } = TenantParams.parse(request.params);
    const answer = provider.signIn.logout(
      tenant,
      LogoutQuerySchema.parse(request.query),
      headerValue(request, 'cookie'),
    );
    return sendBrowserAnswer(provider, answer, request, reply);
  });

  app.get('/:tenant/v2.0/.well-known/openid-configuration', async (request) => {
    const { tenant } = TenantParams.parse(request.params);
    return provider.discoveryDocument(tenant);
  });

  app.get('/common/discovery/instance', async (request) =>
    provider.instanceDiscovery(InstanceDiscoveryQuerySchema.parse(request.query)),
  );

  app.get('/:tenant/discovery/v2.0/keys', async (request) => {
    const { tenant } = TenantParams.parse(request.params);
    return provider.keysDocument(tenant);
  });

  app.post('/:tenant/oauth2/v2.0/token', async (request, reply) => {
    const { tenant } = TenantParams.parse(request.params);
    const form = TokenFormSchema.safeParse(request.body);
    const answer = await provider.token(
      tenant,
      form.success ? form.data : {},
      parseBasicAuthorization(headerValue(request, 'authorization')),
      headerValue(request, 'origin'),
    );
    const clientRequestId = headerValue(request, 'client-request-id');
    return reply
      .headers({
        'cache-control': 'no-store, no-cache',
        pragma: 'no-cache',
        'x-ms-request-id': randomUUID(),
        ...(clientRequestId === undefined ? {} : { 'client-request-id': clientRequestId }),
      })
      .send(answer);
  });

  app.get('/:tenant/oauth2/v2.0/token', async () => {
    throw entraErrors.postOnly('GET');
  });

  app.get(MANAGED_IDENTITY_PATH, async (request, reply) => {
    try {
      const answer = await provider.managedIdentityToken(
        ManagedIdentityQuerySchema.parse(request.query),
        identityHeaderOf(request.headers),
      );
      return await reply.header('cache-control', 'no-store, no-cache').send(answer);
    } catch (error) {
      if (!(error instanceof ManagedIdentityEndpointError)) throw error;
      // App Service's error body: the status again, a message and a correlation id.
      return reply
        .code(error.status)
        .send({ statusCode: error.status, message: error.message, correlationId: randomUUID() });
    }
  });

  app.post('/_sim/tokens', async (request, reply) => {
    const parsed = UserTokenClaimsSchema.safeParse(request.body);
    if (!parsed.success) {
      return reply.code(400).send({ error: 'invalid token request', issues: parsed.error.issues });
    }
    const accessToken = await provider.mintUserToken(parsed.data);
    return {
      token_type: 'Bearer',
      expires_in: parsed.data.expiresInSeconds ?? APP_TOKEN_LIFETIME_SECONDS,
      access_token: accessToken,
    };
  });

  return { app, control, provider, certificatePem: certificate.certificatePem };
}

export interface RunningIdentitySimulator extends RunningServer {
  certificatePem: string;
  control: Control;
  provider: IdentityProvider;
  homeTenantId: string;
  /** `IDENTITY_ENDPOINT` and `IDENTITY_HEADER` for msal-node's managed identity; undefined without one in the fixture. */
  readonly managedIdentityEnvironment: { IDENTITY_ENDPOINT: string; IDENTITY_HEADER: string } | undefined;
  issuer(tenantId: string): string;
  authority(tenantId: string): string;
  msalAuthorityOptions(tenantId: string): MsalAuthorityOptions;
  mintUserToken(claims: UserTokenClaims): Promise<string>;
  verifyAccessToken(token: string, expected: VerificationExpectation): Promise<AccessTokenClaims | null>;
}

/** Starts the identity simulator over HTTPS on 127.0.0.1 (port 0: an ephemeral port, for tests). */
export async function startIdentitySimulator(
  options: IdentitySimulatorOptions & { port?: number } = {},
): Promise<RunningIdentitySimulator> {
  const simulator = await createIdentitySimulator(options);
  const listening = await listenLocal(simulator.app, options.port ?? 0);
  // listenLocal names the scheme http; this server speaks TLS.
  const url = listening.url.replace(/^http:/, 'https:');
  const { provider } = simulator;
  provider.listeningAt(url);
  return {
    url,
    port: listening.port,
    close: () => listening.close(),
    certificatePem: simulator.certificatePem,
    control: simulator.control,
    provider,
    get homeTenantId() {
      return provider.homeTenantId;
    },
    get managedIdentityEnvironment() {
      return provider.managedIdentityEnvironment;
    },
    issuer: (tenantId) => provider.issuer(tenantId),
    authority: (tenantId) => provider.authority(tenantId),
    msalAuthorityOptions: (tenantId) => provider.msalAuthorityOptions(tenantId),
    mintUserToken: (claims) => provider.mintUserToken(claims),
    verifyAccessToken: (token, expected) => provider.verifyAccessToken(token, expected),
  };
}
