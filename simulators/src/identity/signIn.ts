import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { entraErrors, EntraError } from './errors';
import {
  findResource,
  findTenant,
  type Application,
  type IdentityFixture,
  type Resource,
  type Tenant,
  type User,
} from './fixture';
import { renderSignedOutPage, renderSignInPage } from './signInPage';
import { APP_TOKEN_LIFETIME_SECONDS, type TokenService } from './tokens';

/** Entra's authorization codes live ten minutes. */
export const CODE_LIFETIME_SECONDS = 600;
/**
 * Refresh tokens issued to a single-page application expire 24 hours after the sign-in; the ones a refresh
 * returns keep that expiry (Entra's fixed SPA lifetime), so a tab cannot stay signed in forever.
 */
export const SPA_REFRESH_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;
/** How long the sign-in page's form stays good: like a code, ten minutes. */
const SIGN_IN_FORM_LIFETIME_SECONDS = 600;
/** Scopes about the user's sign-in itself, not any resource. */
const OPENID_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

const SESSION_COOKIE_PREFIX = 'idsim-session-';

/** One session cookie per tenant: a sign-in to one tenant never signs the browser in to another. */
export function sessionCookieName(tenantId: string): string {
  return `${SESSION_COOKIE_PREFIX}${tenantId}`;
}

/** A repeated parameter is not modeled: it counts as absent. */
const single = z.string().optional().catch(undefined);

export const AuthorizeQuerySchema = z.object({
  client_id: single,
  response_type: single,
  redirect_uri: single,
  scope: single,
  state: single,
  nonce: single,
  code_challenge: single,
  code_challenge_method: single,
  response_mode: single,
  prompt: single,
  login_hint: single,
  /** OpenID claims request; MSAL asks for the optional `login_hint` ID token claim here. */
  claims: single,
  'client-request-id': single,
});
export type AuthorizeQuery = z.infer<typeof AuthorizeQuerySchema>;

export const SignInFormSchema = z.object({ flow: single, account: single });
export type SignInForm = z.infer<typeof SignInFormSchema>;

/** The resource a request's scopes are for, and those scopes as the token names them. */
interface ResourceAccess {
  resource: Resource;
  /** The App ID URI (or appId) as the client wrote it: a v1 token's `aud` and the answer's `scope` prefix. */
  requestedAs: string;
  /** Scope names on the resource (`access_as_user`): the access token's `scp`. */
  names: string[];
}

/** A request the authorize endpoint accepted: every later step (page, code, redirect) works from this. */
interface AuthorizeRequest {
  tenant: Tenant;
  application: Application;
  redirectUri: string;
  responseMode: 'query' | 'fragment';
  scopes: string[];
  state: string | undefined;
  nonce: string | undefined;
  codeChallenge: string;
  loginHint: string | undefined;
  /** Whether the ID token carries the `login_hint` claim (asked for in `claims`). */
  loginHintClaim: boolean;
}

interface Session {
  tenantId: string;
  oid: string;
}

interface CodeGrant {
  request: AuthorizeRequest;
  oid: string;
  expiresAt: number;
  redeemed: boolean;
}

interface RefreshGrant {
  tenantId: string;
  clientId: string;
  oid: string;
  scopes: string[];
  expiresAt: number;
  loginHintClaim: boolean;
}

interface PendingSignIn {
  request: AuthorizeRequest;
  expiresAt: number;
}

/** What the HTTP layer does with a browser request to the authorize or logout endpoint. */
export type BrowserAnswer =
  | { kind: 'page'; status: number; html: string; setCookie?: string }
  | { kind: 'redirect'; location: string; setCookie?: string }
  /** An error that cannot go to the redirect URI (unknown tenant, app or redirect URI): Entra's error page. */
  | { kind: 'error-page'; error: EntraError; setCookie?: string };

export interface TokenGrantAnswer {
  token_type: 'Bearer';
  scope: string;
  expires_in: number;
  ext_expires_in: number;
  access_token?: string;
  refresh_token?: string;
  id_token?: string;
  client_info: string;
}

/** The token endpoint's request as the code and refresh grants need it. */
export interface DelegatedTokenRequest {
  form: Readonly<Record<string, string>>;
  /** A client secret sent as HTTP Basic: a public client must not send one. */
  basicSecret: string | undefined;
  /** The `Origin` header: SPA codes and refresh tokens are only redeemed by a browser, cross-origin. */
  origin: string | undefined;
}

interface Dependencies {
  fixture(): IdentityFixture;
  tokens: TokenService;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function opaque(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** `client_info` as Entra sends it: base64url JSON of the user's object id and tenant, MSAL's homeAccountId. */
function clientInfo(oid: string, tenantId: string): string {
  return Buffer.from(JSON.stringify({ uid: oid, utid: tenantId })).toString('base64url');
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

const ClaimsRequestSchema = z.object({
  id_token: z.object({ login_hint: z.unknown().optional() }).loose().optional(),
});

function asksForLoginHintClaim(claims: string | undefined): boolean {
  if (claims === undefined) return false;
  try {
    const parsed = ClaimsRequestSchema.safeParse(JSON.parse(claims));
    return parsed.success && parsed.data.id_token?.login_hint !== undefined;
  } catch {
    return false;
  }
}

/**
 * Entra's `login_hint` ID token claim: an opaque value naming the account, which MSAL sends back as
 * `login_hint` on later silent requests instead of the user name.
 */
function loginHintClaimOf(user: User): string {
  return `O.${Buffer.from(JSON.stringify({ oid: user.oid, tid: user.tenantId })).toString('base64url')}`;
}

/** A `login_hint` names a user by UPN (any case) or by the opaque value of the ID token's `login_hint` claim. */
function hintNames(user: User, hint: string): boolean {
  return hint.toLowerCase() === user.userPrincipalName.toLowerCase() || hint === loginHintClaimOf(user);
}

function splitScopes(scope: string): string[] {
  return scope.split(' ').filter((part) => part !== '');
}

/** The Cookie header's pairs; the simulator only reads its own cookies, whose values are base64url. */
function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const pair of (header ?? '').split(';')) {
    const separator = pair.indexOf('=');
    if (separator > 0) cookies.set(pair.slice(0, separator).trim(), pair.slice(separator + 1).trim());
  }
  return cookies;
}

/**
 * A cross-site cookie (the sign-in runs in a pop-up or hidden iframe on another origin), so SameSite=None,
 * which browsers accept only with Secure; HttpOnly because no page script has any business with it.
 */
function sessionCookie(tenantId: string, value: string, maxAgeSeconds?: number): string {
  const expiry = maxAgeSeconds === undefined ? '' : `; Max-Age=${maxAgeSeconds}`;
  return `${sessionCookieName(tenantId)}=${value}; Path=/; Secure; HttpOnly; SameSite=None${expiry}`;
}

function appendResponse(
  redirectUri: string,
  mode: 'query' | 'fragment',
  params: Record<string, string>,
): string {
  const target = new URL(redirectUri);
  if (mode === 'query') {
    for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
    return target.href;
  }
  target.hash = new URLSearchParams(params).toString();
  return target.href;
}

/**
 * The interactive side of the identity provider: the authorize endpoint (sign-in page, session cookie,
 * prompt=none), authorization codes with PKCE, refresh tokens and logout, as Entra serves a single-page
 * application. Sessions, codes and refresh tokens live in memory; reset forgets them.
 */
export class InteractiveSignIn {
  private readonly sessions = new Map<string, Session>();
  private readonly pending = new Map<string, PendingSignIn>();
  private readonly codes = new Map<string, CodeGrant>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();

  constructor(private readonly dependencies: Dependencies) {}

  clear(): void {
    this.sessions.clear();
    this.pending.clear();
    this.codes.clear();
    this.refreshTokens.clear();
  }

  private get fixture(): IdentityFixture {
    return this.dependencies.fixture();
  }

  private applicationIn(tenant: Tenant, clientId: string): Application | undefined {
    const application = this.fixture.applications.find((app) => app.clientId === clientId.toLowerCase());
    const present = application?.servicePrincipals.some((principal) => principal.tenantId === tenant.id);
    return present === true ? application : undefined;
  }

  private user(tenantId: string, oid: string): User | undefined {
    return this.fixture.users.find((user) => user.tenantId === tenantId && user.oid === oid);
  }

  /**
   * The one resource the scopes are for, checked as Entra checks them: a known resource, one resource per
   * request, scopes it exposes (or `.default`), and an application that was granted it. OpenID scopes alone
   * ask for no resource.
   */
  private resourceAccess(
    tenant: Tenant,
    application: Application,
    scopes: readonly string[],
  ): ResourceAccess | undefined {
    const resourceScopes = scopes.filter((scope) => !OPENID_SCOPES.has(scope.toLowerCase()));
    let access: ResourceAccess | undefined;
    for (const scope of resourceScopes) {
      const slash = scope.lastIndexOf('/');
      // A bare scope name (`User.Read`) means Microsoft Graph, which the simulator does not serve.
      const requestedAs = slash < 0 ? 'https://graph.microsoft.com' : scope.slice(0, slash);
      const name = scope.slice(slash + 1);
      const resource = findResource(this.fixture.resources, requestedAs);
      if (!resource) throw entraErrors.resourceNotFound(requestedAs, tenant.displayName);
      if (access !== undefined && access.resource !== resource) throw entraErrors.scopesOfSeveralResources();
      const names = name === '.default' ? resource.scopes : [name];
      if (!names.every((candidate) => resource.scopes.includes(candidate))) {
        throw entraErrors.scopeNotExposed(scope);
      }
      access = { resource, requestedAs, names: [...new Set([...(access?.names ?? []), ...names])] };
    }
    if (access === undefined) return undefined;
    const granted = application.resourceAccess.some(
      (entry) => findResource(this.fixture.resources, entry.resource) === access.resource,
    );
    if (!granted) throw entraErrors.consentRequired(application.clientId, application.displayName);
    return access;
  }

  /**
   * `GET /{tenant}/oauth2/v2.0/authorize`. Until the tenant, the application and the redirect URI are known
   * good, problems are shown as an error page (a code must never reach an unregistered URI); after that they
   * go to the redirect URI with `error`, `error_description` and `state`, as Entra does.
   */
  authorize(
    tenantSegment: string,
    query: AuthorizeQuery,
    cookieHeader: string | undefined,
    baseUrl: string,
  ): BrowserAnswer {
    const tenant = findTenant(this.fixture, tenantSegment);
    if (!tenant) return { kind: 'error-page', error: entraErrors.tenantNotFound(tenantSegment, false) };
    if (query.client_id === undefined)
      return { kind: 'error-page', error: entraErrors.missingParameter('client_id') };
    const application = this.applicationIn(tenant, query.client_id);
    if (!application) {
      return { kind: 'error-page', error: entraErrors.applicationNotFound(query.client_id, tenant.id) };
    }
    const redirectUri = query.redirect_uri;
    if (redirectUri === undefined) {
      return { kind: 'error-page', error: entraErrors.missingParameter('redirect_uri') };
    }
    if (!application.spaRedirectUris.includes(redirectUri)) {
      return {
        kind: 'error-page',
        error: entraErrors.redirectUriMismatch(redirectUri, application.clientId),
      };
    }
    // Entra's default for the code flow is the query string.
    const responseMode = query.response_mode ?? 'query';
    if (responseMode !== 'query' && responseMode !== 'fragment') {
      return { kind: 'error-page', error: entraErrors.unsupportedResponseMode(responseMode) };
    }
    const redirectError = (error: EntraError): BrowserAnswer => ({
      kind: 'redirect',
      location: appendResponse(redirectUri, responseMode, this.errorParameters(error, query, baseUrl)),
    });
    try {
      const request = this.checkRequest(tenant, application, redirectUri, responseMode, query);
      const prompt = query.prompt?.toLowerCase();
      if (prompt === 'none') return this.silent(request, cookieHeader);
      return this.showPage(request);
    } catch (error) {
      if (error instanceof EntraError) return redirectError(error);
      throw error;
    }
  }

  private errorParameters(error: EntraError, query: AuthorizeQuery, baseUrl: string): Record<string, string> {
    const body = error.body(baseUrl, query['client-request-id']);
    return {
      error: body.error,
      error_description: body.error_description,
      error_uri: body.error_uri,
      ...(query.state === undefined ? {} : { state: query.state }),
    };
  }

  private checkRequest(
    tenant: Tenant,
    application: Application,
    redirectUri: string,
    responseMode: 'query' | 'fragment',
    query: AuthorizeQuery,
  ): AuthorizeRequest {
    if (query.response_type === undefined) throw entraErrors.missingParameter('response_type');
    if (query.response_type !== 'code') throw entraErrors.unsupportedResponseType(query.response_type);
    if (query.code_challenge === undefined) throw entraErrors.pkceRequired();
    // RFC 7636 makes a missing method mean `plain`; MSAL always sends S256, the only one modeled.
    const method = query.code_challenge_method ?? 'plain';
    if (method !== 'S256') throw entraErrors.unsupportedChallengeMethod(method);
    if (query.scope === undefined) throw entraErrors.missingParameter('scope');
    const scopes = splitScopes(query.scope);
    this.resourceAccess(tenant, application, scopes);
    return {
      tenant,
      application,
      redirectUri,
      responseMode,
      scopes,
      state: query.state,
      nonce: query.nonce,
      codeChallenge: query.code_challenge,
      loginHint: query.login_hint,
      loginHintClaim: asksForLoginHintClaim(query.claims),
    };
  }

  private sessionOf(tenantId: string, cookieHeader: string | undefined): User | undefined {
    const sessionId = parseCookies(cookieHeader).get(sessionCookieName(tenantId));
    const session = sessionId === undefined ? undefined : this.sessions.get(sessionId);
    return session === undefined ? undefined : this.user(session.tenantId, session.oid);
  }

  /** prompt=none: a code at once for the session's user, or `login_required`; never a page. */
  private silent(request: AuthorizeRequest, cookieHeader: string | undefined): BrowserAnswer {
    const user = this.sessionOf(request.tenant.id, cookieHeader);
    if (!user) throw entraErrors.noSession();
    if (request.loginHint !== undefined && !hintNames(user, request.loginHint)) {
      throw entraErrors.sessionHintMismatch();
    }
    return { kind: 'redirect', location: this.codeRedirect(request, user) };
  }

  private showPage(request: AuthorizeRequest, problem?: string, flow: string = opaque()): BrowserAnswer {
    this.pending.set(flow, { request, expiresAt: nowSeconds() + SIGN_IN_FORM_LIFETIME_SECONDS });
    const accounts = this.fixture.users.filter((user) => user.tenantId === request.tenant.id);
    const hint = request.loginHint;
    const html = renderSignInPage({
      action: `/${request.tenant.id}/oauth2/v2.0/authorize`,
      flow,
      applicationName: request.application.displayName,
      tenantName: request.tenant.displayName,
      accounts,
      selectedOid: hint === undefined ? undefined : accounts.find((user) => hintNames(user, hint))?.oid,
      problem,
    });
    return { kind: 'page', status: problem === undefined ? 200 : 400, html };
  }

  /** `POST /{tenant}/oauth2/v2.0/authorize`: the sign-in page's form. Signs the browser in and sends a code. */
  completeSignIn(tenantSegment: string, form: SignInForm): BrowserAnswer {
    const tenant = findTenant(this.fixture, tenantSegment);
    const pending = form.flow === undefined ? undefined : this.pending.get(form.flow);
    if (
      !tenant ||
      !pending ||
      form.flow === undefined ||
      pending.request.tenant.id !== tenant.id ||
      pending.expiresAt < nowSeconds()
    ) {
      return { kind: 'error-page', error: entraErrors.signInExpired() };
    }
    const user = form.account === undefined ? undefined : this.user(tenant.id, form.account);
    if (!user) return this.showPage(pending.request, 'Pick one of the accounts to sign in with.', form.flow);
    this.pending.delete(form.flow);
    const sessionId = opaque();
    this.sessions.set(sessionId, { tenantId: tenant.id, oid: user.oid });
    return {
      kind: 'redirect',
      location: this.codeRedirect(pending.request, user),
      setCookie: sessionCookie(tenant.id, sessionId),
    };
  }

  private codeRedirect(request: AuthorizeRequest, user: User): string {
    const code = opaque(48);
    this.codes.set(code, {
      request,
      oid: user.oid,
      expiresAt: nowSeconds() + CODE_LIFETIME_SECONDS,
      redeemed: false,
    });
    return appendResponse(request.redirectUri, request.responseMode, {
      code,
      client_info: clientInfo(user.oid, request.tenant.id),
      ...(request.state === undefined ? {} : { state: request.state }),
      session_state: opaque(16),
    });
  }

  /**
   * `GET /{tenant}/oauth2/v2.0/logout`: forgets the tenant's session and clears its cookie, then goes back to
   * `post_logout_redirect_uri` when the application registered it (else Entra's signed-out page).
   */
  logout(
    tenantSegment: string,
    query: {
      post_logout_redirect_uri?: string | undefined;
      client_id?: string | undefined;
      state?: string | undefined;
    },
    cookieHeader: string | undefined,
  ): BrowserAnswer {
    const tenant = findTenant(this.fixture, tenantSegment);
    if (!tenant) return { kind: 'error-page', error: entraErrors.tenantNotFound(tenantSegment, false) };
    const sessionId = parseCookies(cookieHeader).get(sessionCookieName(tenant.id));
    if (sessionId !== undefined) this.sessions.delete(sessionId);
    const setCookie = sessionCookie(tenant.id, '', 0);
    const target = query.post_logout_redirect_uri;
    const registered = this.fixture.applications.some(
      (application) =>
        (query.client_id === undefined || application.clientId === query.client_id.toLowerCase()) &&
        application.servicePrincipals.some((principal) => principal.tenantId === tenant.id) &&
        target !== undefined &&
        application.spaRedirectUris.includes(target),
    );
    if (target === undefined || !registered) {
      return { kind: 'page', status: 200, html: renderSignedOutPage(), setCookie };
    }
    const location = new URL(target);
    if (query.state !== undefined) location.searchParams.set('state', query.state);
    return { kind: 'redirect', location: location.href, setCookie };
  }

  private publicClient(tenant: Tenant, request: DelegatedTokenRequest): Application {
    const clientId = request.form.client_id;
    if (clientId === undefined) throw entraErrors.missingParameter('client_id');
    const application = this.applicationIn(tenant, clientId);
    if (!application) throw entraErrors.applicationNotFound(clientId, tenant.id);
    if (
      application.secrets.length === 0 &&
      (request.form.client_secret ?? request.basicSecret) !== undefined
    ) {
      throw entraErrors.publicClientSecret();
    }
    return application;
  }

  /** `grant_type=authorization_code`: a code from the authorize endpoint, its PKCE verifier, the same redirect URI. */
  async redeemCode(tenant: Tenant, request: DelegatedTokenRequest): Promise<TokenGrantAnswer> {
    const application = this.publicClient(tenant, request);
    const { form } = request;
    if (form.code === undefined) throw entraErrors.missingParameter('code');
    const grant = this.codes.get(form.code);
    if (!grant) throw entraErrors.unknownGrant('code');
    if (grant.redeemed) throw entraErrors.codeRedeemed();
    if (grant.expiresAt < nowSeconds()) throw entraErrors.grantExpired();
    if (
      grant.request.application.clientId !== application.clientId ||
      grant.request.tenant.id !== tenant.id
    ) {
      throw entraErrors.grantOfAnotherClient();
    }
    if (request.origin === undefined) throw entraErrors.crossOriginRequired();
    if (form.redirect_uri === undefined) throw entraErrors.missingParameter('redirect_uri');
    if (form.redirect_uri !== grant.request.redirectUri) throw entraErrors.redirectUriChanged();
    if (form.code_verifier === undefined) throw entraErrors.missingParameter('code_verifier');
    if (s256(form.code_verifier) !== grant.request.codeChallenge) throw entraErrors.codeVerifierMismatch();
    grant.redeemed = true;
    const user = this.user(tenant.id, grant.oid);
    if (!user) throw entraErrors.unknownGrant('code');
    const scopes = form.scope === undefined ? grant.request.scopes : splitScopes(form.scope);
    return this.issue(tenant, application, user, scopes, {
      nonce: grant.request.nonce,
      loginHintClaim: grant.request.loginHintClaim,
      refreshExpiresAt: nowSeconds() + SPA_REFRESH_TOKEN_LIFETIME_SECONDS,
    });
  }

  /** `grant_type=refresh_token`: MSAL's silent renewal; a new refresh token with the first one's expiry. */
  async refresh(tenant: Tenant, request: DelegatedTokenRequest): Promise<TokenGrantAnswer> {
    const application = this.publicClient(tenant, request);
    const { form } = request;
    if (form.refresh_token === undefined) throw entraErrors.missingParameter('refresh_token');
    const grant = this.refreshTokens.get(form.refresh_token);
    if (!grant) throw entraErrors.unknownGrant('refresh token');
    if (grant.expiresAt < nowSeconds()) throw entraErrors.grantExpired();
    if (grant.clientId !== application.clientId || grant.tenantId !== tenant.id) {
      throw entraErrors.grantOfAnotherClient();
    }
    if (request.origin === undefined) throw entraErrors.crossOriginRequired();
    const user = this.user(tenant.id, grant.oid);
    if (!user) throw entraErrors.unknownGrant('refresh token');
    const scopes = form.scope === undefined ? grant.scopes : splitScopes(form.scope);
    return this.issue(tenant, application, user, scopes, {
      nonce: undefined,
      loginHintClaim: grant.loginHintClaim,
      refreshExpiresAt: grant.expiresAt,
    });
  }

  private async issue(
    tenant: Tenant,
    application: Application,
    user: User,
    scopes: string[],
    options: { nonce: string | undefined; loginHintClaim: boolean; refreshExpiresAt: number },
  ): Promise<TokenGrantAnswer> {
    const access = this.resourceAccess(tenant, application, scopes);
    const lowerScopes = new Set(scopes.map((scope) => scope.toLowerCase()));
    const { tokens } = this.dependencies;
    let accessToken: string | undefined;
    if (access) {
      const { resource } = access;
      const issued = await tokens.issueUserToken({
        tenantId: tenant.id,
        oid: user.oid,
        // Like Entra, a v2 token names its resource by application id, a v1 token as the client asked.
        audience: resource.accessTokenVersion === 2 ? resource.appId : access.requestedAs,
        version: resource.accessTokenVersion,
        clientId: application.clientId,
        preferredUsername: user.userPrincipalName,
        name: user.name,
        roles: user.roles.filter((role) => resource.appRoles.includes(role)),
        scp: access.names.join(' '),
        expiresInSeconds: APP_TOKEN_LIFETIME_SECONDS,
      });
      accessToken = issued.accessToken;
    }
    const idToken = lowerScopes.has('openid')
      ? await tokens.issueIdToken({
          tenantId: tenant.id,
          oid: user.oid,
          clientId: application.clientId,
          name: user.name,
          preferredUsername: user.userPrincipalName,
          nonce: options.nonce,
          loginHint: options.loginHintClaim ? loginHintClaimOf(user) : undefined,
        })
      : undefined;
    let refreshToken: string | undefined;
    if (lowerScopes.has('offline_access')) {
      refreshToken = opaque(64);
      this.refreshTokens.set(refreshToken, {
        tenantId: tenant.id,
        clientId: application.clientId,
        oid: user.oid,
        scopes,
        expiresAt: options.refreshExpiresAt,
        loginHintClaim: options.loginHintClaim,
      });
    }
    // Entra names the resource's scopes it granted; OpenID scopes only when no resource was asked for.
    const granted = access
      ? access.names.map((name) => `${access.requestedAs}/${name}`)
      : scopes.filter((scope) => OPENID_SCOPES.has(scope.toLowerCase()));
    return {
      token_type: 'Bearer',
      scope: granted.join(' '),
      expires_in: APP_TOKEN_LIFETIME_SECONDS,
      ext_expires_in: APP_TOKEN_LIFETIME_SECONDS,
      ...(accessToken === undefined ? {} : { access_token: accessToken }),
      ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
      ...(idToken === undefined ? {} : { id_token: idToken }),
      client_info: clientInfo(user.oid, tenant.id),
    };
  }
}
