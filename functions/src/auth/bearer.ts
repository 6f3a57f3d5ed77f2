import { Agent } from 'node:https';
import { createRemoteJWKSet, decodeJwt, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';

/** The signed-in person (or application) a request acts for. */
export interface Principal {
  tenantId: string;
  /** Entra object id: the `CallerObjectId` for Dataverse calls made on this user's behalf. */
  objectId: string;
  name: string | null;
  roles: string[];
  /** Delegated (a person through the widget) or an application calling with its own token. */
  kind: 'user' | 'application';
}

export interface BearerOptions {
  authorityHost: string;
  authorityCaPem: string | undefined;
  audiences: string[];
  allowedTenantIds: readonly string[];
  /** Seconds of clock skew tolerated on exp/nbf. */
  clockToleranceSeconds?: number;
}

/** What a caller without a token is told. */
export const TOKEN_REQUIRED = 'A bearer token is required (Authorization: Bearer <token>)';
/**
 * What a caller whose token is refused is told, whatever was wrong with it: telling the checks apart would tell
 * an attacker which tenants are set up here (the tenant is checked before the signature) and which check a forged
 * token got past. Why it was refused is logged (`reason`).
 */
export const TOKEN_INVALID = 'The bearer token is not valid for this API';

/** A refused token: `message` is what the caller is told, `reason` (never the token) what the log says. */
export class AuthenticationError extends Error {
  readonly reason: string;
  constructor(reason: string, message: string = TOKEN_INVALID) {
    super(message);
    this.name = 'AuthenticationError';
    this.reason = reason;
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const ClaimsSchema = z.object({
  tid: z.string().min(1),
  oid: z.string().min(1),
  name: z.string().optional(),
  preferred_username: z.string().optional(),
  roles: z.array(z.string()).optional(),
  scp: z.string().optional(),
});

export type BearerValidator = (authorization: string | null | undefined) => Promise<Principal>;

/**
 * Validates Entra v2 access tokens for this API: signature by the tenant's published keys (chosen by `kid`),
 * issuer of an allowed tenant, audience, lifetime. The tenant is read from the token first only to pick the
 * keys and the expected issuer; nothing is trusted before the signature checks out.
 */
export function createBearerValidator(options: BearerOptions): BearerValidator {
  const agent = options.authorityCaPem ? new Agent({ ca: options.authorityCaPem }) : undefined;
  const allowed = new Set(options.allowedTenantIds);
  const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
  const keysFor = (tenantId: string) => {
    let keys = keySets.get(tenantId);
    if (!keys) {
      const url = new URL(`${options.authorityHost}/${tenantId}/discovery/v2.0/keys`);
      keys = createRemoteJWKSet(url, agent ? { agent } : {});
      keySets.set(tenantId, keys);
    }
    return keys;
  };

  return async (authorization) => {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '');
    const token = match?.[1];
    if (!token) throw new AuthenticationError('No bearer token', TOKEN_REQUIRED);
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      throw new AuthenticationError('The bearer token is not a JWT');
    }
    const tenantId = typeof unverified.tid === 'string' ? unverified.tid : '';
    if (!allowed.has(tenantId)) {
      // The claimed tenant is logged only when it looks like one: the claim is the caller's to write.
      const named = GUID.test(tenantId) ? ` (${tenantId})` : '';
      throw new AuthenticationError(`The token comes from a tenant this product is not set up for${named}`);
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keysFor(tenantId), {
        issuer: `${options.authorityHost}/${tenantId}/v2.0`,
        audience: options.audiences,
        algorithms: ['RS256'],
        clockTolerance: options.clockToleranceSeconds ?? 60,
        requiredClaims: ['exp', 'iat', 'tid', 'oid'],
      }));
    } catch (error) {
      throw new AuthenticationError(describeJoseError(error));
    }
    const claims = ClaimsSchema.safeParse(payload);
    if (!claims.success) throw new AuthenticationError('The token lacks the tid and oid claims');
    const { tid, oid, name, preferred_username: username, roles, scp } = claims.data;
    return {
      tenantId: tid,
      objectId: oid,
      name: name ?? username ?? null,
      roles: roles ?? [],
      kind: scp ? 'user' : 'application',
    };
  };
}

function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'The token has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return 'The token is not for this API (audience)';
    if (error.claim === 'iss') return 'The token was not issued by the tenant it names (issuer)';
    return `The token's ${error.claim} claim is not acceptable`;
  }
  if (
    error instanceof joseErrors.JWSSignatureVerificationFailed ||
    error instanceof joseErrors.JWKSNoMatchingKey
  ) {
    return 'The token signature does not verify';
  }
  if (error instanceof joseErrors.JOSEError) return `The token was refused (${error.code})`;
  return 'The token could not be checked';
}
