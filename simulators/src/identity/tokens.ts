import { createHash, randomBytes } from 'node:crypto';
import {
  compactVerify,
  createLocalJWKSet,
  errors as joseErrors,
  jwtVerify,
  SignJWT,
  type JWTPayload,
} from 'jose';
import { z } from 'zod';
import { SIGNING_ALGORITHM, type KeyRing } from './keys';

/** Entra backdates `iat`/`nbf` by five minutes so that clients with a slow clock accept a fresh token. */
export const BACKDATE_SECONDS = 300;
/** `expires_in` of client-credential answers (Entra answers 3599). */
export const APP_TOKEN_LIFETIME_SECONDS = 3599;
/** Entra's ID tokens are valid for an hour. */
const ID_TOKEN_LIFETIME_SECONDS = 3600;
/** Clock skew allowed when verifying, the default of Microsoft's token validators. */
const CLOCK_TOLERANCE_SECONDS = 300;

/** The claims of the access tokens this simulator issues, as a validator sees them. */
const AccessTokenClaimsSchema = z.object({
  aud: z.string(),
  iss: z.string(),
  iat: z.number(),
  nbf: z.number(),
  exp: z.number(),
  tid: z.string(),
  oid: z.string(),
  sub: z.string(),
  ver: z.enum(['1.0', '2.0']),
  idtyp: z.enum(['app', 'user']).optional(),
  /** v1: the calling application. */
  appid: z.string().optional(),
  appidacr: z.string().optional(),
  /** v2: the calling application. */
  azp: z.string().optional(),
  azpacr: z.string().optional(),
  roles: z.array(z.string()).optional(),
  scp: z.string().optional(),
  name: z.string().optional(),
  preferred_username: z.string().optional(),
  upn: z.string().optional(),
  unique_name: z.string().optional(),
  uti: z.string().optional(),
});
export type AccessTokenClaims = z.infer<typeof AccessTokenClaimsSchema>;

export type TokenVersion = 1 | 2;

/** v1 tokens name Entra's old STS as issuer whatever host issued them; Dataverse expects exactly this. */
function v1Issuer(tenantId: string): string {
  return `https://sts.windows.net/${tenantId}/`;
}

export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
}

export interface AppTokenRequest {
  tenantId: string;
  clientId: string;
  servicePrincipalObjectId: string;
  /** The resource as the client named it (scope without `/.default`): a v1 token's `aud`. */
  requestedResource: string;
  resourceAppId: string;
  version: TokenVersion;
  roles: readonly string[];
}

export interface UserTokenRequest {
  tenantId: string;
  oid: string;
  /** The audience; a v2 token for a known resource carries the resource's appId instead, as Entra does. */
  audience: string;
  version: TokenVersion;
  /** The client application the user signed in with (`azp` / `appid`). */
  clientId: string;
  preferredUsername?: string | undefined;
  name?: string | undefined;
  roles?: readonly string[] | undefined;
  scp: string;
  /** Negative for a token that expired that many seconds ago. */
  expiresInSeconds: number;
  /** A token not valid yet: `nbf` that many seconds from now. */
  notBeforeInSeconds?: number | undefined;
  /** The tenant the issuer names, when it is not `tenantId` (a token whose `tid` and `iss` disagree). */
  issuerTenantId?: string | undefined;
}

export interface IdTokenRequest {
  tenantId: string;
  oid: string;
  clientId: string;
  name: string;
  preferredUsername: string;
  /** The authorize request's nonce; MSAL refuses an ID token without it when it sent one. */
  nonce?: string | undefined;
  /** The optional `login_hint` claim, when the client asked for it. */
  loginHint?: string | undefined;
}

export interface VerificationExpectation {
  /** Accepted audiences; more than one when a resource answers to several spellings (with a trailing slash). */
  audience: string | readonly string[];
  /** When given, tokens of any other tenant fail. */
  tenantId?: string | undefined;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function uniqueTokenId(): string {
  return randomBytes(16).toString('base64url');
}

/** A user's `sub` is pairwise: the same user has a different `sub` for each application. */
function pairwiseSubject(oid: string, clientId: string): string {
  return createHash('sha256').update(`${oid}:${clientId}`).digest('base64url').slice(0, 43);
}

/** Signs and verifies the simulator's access tokens with its key ring. */
export class TokenService {
  private readonly keySet: ReturnType<typeof createLocalJWKSet>;

  constructor(
    private readonly keyRing: KeyRing,
    /** The v2 issuer of a tenant, which depends on the URL the simulator listens at. */
    private readonly v2Issuer: (tenantId: string) => string,
  ) {
    this.keySet = createLocalJWKSet({
      keys: keyRing.published.map((key) => ({ ...key.publicJwk, kid: key.kid })),
    });
  }

  issuerFor(version: TokenVersion, tenantId: string): string {
    return version === 1 ? v1Issuer(tenantId) : this.v2Issuer(tenantId);
  }

  private async sign(claims: JWTPayload): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ typ: 'JWT', alg: SIGNING_ALGORITHM, kid: this.keyRing.signing.kid })
      .sign(this.keyRing.signing.privateKey);
  }

  /** A client-credentials token, with the claims Entra puts in app-only tokens of that version. */
  async issueAppToken(request: AppTokenRequest): Promise<IssuedToken> {
    const now = nowSeconds();
    const issuer = this.issuerFor(request.version, request.tenantId);
    const common = {
      iss: issuer,
      iat: now - BACKDATE_SECONDS,
      nbf: now - BACKDATE_SECONDS,
      exp: now + APP_TOKEN_LIFETIME_SECONDS,
      idtyp: 'app',
      oid: request.servicePrincipalObjectId,
      sub: request.servicePrincipalObjectId,
      tid: request.tenantId,
      uti: uniqueTokenId(),
      ...(request.roles.length > 0 ? { roles: [...request.roles] } : {}),
    };
    const claims =
      request.version === 1
        ? {
            aud: request.requestedResource,
            ...common,
            appid: request.clientId,
            appidacr: '1',
            idp: issuer,
            ver: '1.0',
          }
        : { aud: request.resourceAppId, ...common, azp: request.clientId, azpacr: '1', ver: '2.0' };
    return { accessToken: await this.sign(claims), expiresIn: APP_TOKEN_LIFETIME_SECONDS };
  }

  /** A delegated (user) token, as the widget would get it from Entra; for tests and the local host page. */
  async issueUserToken(request: UserTokenRequest): Promise<IssuedToken> {
    const now = nowSeconds();
    const exp = now + request.expiresInSeconds;
    // Entra backdates issue time; an already expired token must still have been issued before it expired.
    const issuedAt = Math.min(now - BACKDATE_SECONDS, exp - BACKDATE_SECONDS);
    const common = {
      aud: request.audience,
      iss: this.issuerFor(request.version, request.issuerTenantId ?? request.tenantId),
      iat: issuedAt,
      nbf: request.notBeforeInSeconds === undefined ? issuedAt : now + request.notBeforeInSeconds,
      exp,
      oid: request.oid,
      sub: pairwiseSubject(request.oid, request.clientId),
      tid: request.tenantId,
      scp: request.scp,
      uti: uniqueTokenId(),
      ...(request.name === undefined ? {} : { name: request.name }),
      ...(request.roles && request.roles.length > 0 ? { roles: [...request.roles] } : {}),
    };
    const username = request.preferredUsername;
    const claims =
      request.version === 1
        ? {
            ...common,
            appid: request.clientId,
            appidacr: '0',
            ...(username === undefined ? {} : { upn: username, unique_name: username }),
            ver: '1.0',
          }
        : {
            ...common,
            azp: request.clientId,
            azpacr: '0',
            ...(username === undefined ? {} : { preferred_username: username }),
            ver: '2.0',
          };
    return { accessToken: await this.sign(claims), expiresIn: request.expiresInSeconds };
  }

  /**
   * An OpenID Connect ID token for the client the user signed in to, v2 as Entra issues them to v2 endpoints:
   * `aud` is the client, `sub` the pairwise subject, `nonce` the authorize request's.
   */
  async issueIdToken(request: IdTokenRequest): Promise<string> {
    const now = nowSeconds();
    return this.sign({
      aud: request.clientId,
      iss: this.v2Issuer(request.tenantId),
      iat: now - BACKDATE_SECONDS,
      nbf: now - BACKDATE_SECONDS,
      exp: now + ID_TOKEN_LIFETIME_SECONDS,
      name: request.name,
      ...(request.nonce === undefined ? {} : { nonce: request.nonce }),
      ...(request.loginHint === undefined ? {} : { login_hint: request.loginHint }),
      oid: request.oid,
      preferred_username: request.preferredUsername,
      sub: pairwiseSubject(request.oid, request.clientId),
      tid: request.tenantId,
      uti: uniqueTokenId(),
      ver: '2.0',
    });
  }

  /** Whether one of this simulator's published keys signed `token` (RS256); no claim is checked. */
  async signedByPublishedKey(token: string): Promise<boolean> {
    try {
      await compactVerify(token, this.keySet, { algorithms: [SIGNING_ALGORITHM] });
      return true;
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) return false;
      throw error;
    }
  }

  /**
   * What a careful resource server checks: signature by a published key, RS256, audience, lifetime (with five
   * minutes of skew), an issuer that matches the token's version and tenant, and the tenant when one is expected.
   * Any failure gives null, as a resource server answers 401 whatever the reason.
   */
  async verify(token: string, expected: VerificationExpectation): Promise<AccessTokenClaims | null> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keySet, {
        algorithms: [SIGNING_ALGORITHM],
        audience: typeof expected.audience === 'string' ? expected.audience : [...expected.audience],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      }));
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) return null;
      throw error;
    }
    const parsed = AccessTokenClaimsSchema.safeParse(payload);
    if (!parsed.success) return null;
    const claims = parsed.data;
    if (claims.iss !== this.issuerFor(claims.ver === '1.0' ? 1 : 2, claims.tid)) return null;
    if (expected.tenantId !== undefined && claims.tid !== expected.tenantId.toLowerCase()) return null;
    return claims;
  }
}
