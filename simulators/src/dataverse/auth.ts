import { missingPrivilege, principalFor, type Principal } from './access';
import { DataverseError, ErrorCodes, notMemberOfOrganization, unauthenticated } from './errors';
import type { SimulatorState } from './state';
import type { StoredRecord } from './store';
import { isGuid, isPlainObject } from './util';

/**
 * Who is calling. The bearer token must be a well-formed JWT; with a `tokenVerifier` (the local runner wires
 * one against the identity simulator) its signature, audience and issuer are checked there, otherwise the payload
 * is decoded without verifying the signature, and only `oid` and `exp` are read. The token's `oid` must be the
 * Entra object id of a systemuser of the organization, as in Dataverse.
 */

interface VerifiedClaims {
  oid: string;
  tid?: string;
  aud?: string;
}

export type TokenVerifier = (token: string) => Promise<VerifiedClaims | null>;

const AUTHORIZATION_URI = 'https://login.microsoftonline.com/common/oauth2/authorize';

function decodeSegment(segment: string): unknown {
  if (!/^[A-Za-z0-9_-]+$/.test(segment)) return undefined;
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** The claims of an unverified JWT, or null when the token is not a JWT at all. */
function decodeJwt(token: string): Record<string, unknown> | null {
  const [header, payload, signature, ...extra] = token.split('.');
  if (!header || !payload || signature === undefined || extra.length > 0) return null;
  const decodedHeader = decodeSegment(header);
  const claims = decodeSegment(payload);
  if (!isPlainObject(decodedHeader) || typeof decodedHeader.alg !== 'string' || !isPlainObject(claims))
    return null;
  return claims;
}

function disabledUser(user: StoredRecord, organizationId: string): DataverseError {
  return new DataverseError(
    403,
    '0x80040225',
    `The user with SystemUserId=${user.id} in OrganizationContext=${organizationId} is disabled. Disabled users cannot access the system.`,
  );
}

/** The systemuser behind the bearer token; throws Dataverse's 401 or 403. */
export async function authenticateCaller(
  state: SimulatorState,
  authorization: string | undefined,
  verifier: TokenVerifier | undefined,
  now: Date,
): Promise<StoredRecord> {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token)
    throw unauthenticated(
      'The request has no bearer token (Authorization: Bearer <token>).',
      AUTHORIZATION_URI,
    );
  const decoded = decodeJwt(token);
  if (!decoded) throw unauthenticated('The bearer token is not a well-formed JWT.', AUTHORIZATION_URI);
  let objectId: unknown = decoded.oid;
  if (verifier) {
    const claims = await verifier(token).catch(() => null);
    if (!claims)
      throw unauthenticated('The bearer token is not valid for this organization.', AUTHORIZATION_URI);
    objectId = claims.oid;
  } else if (typeof decoded.exp === 'number' && decoded.exp * 1000 <= now.getTime()) {
    throw unauthenticated('The bearer token has expired.', AUTHORIZATION_URI);
  }
  if (typeof objectId !== 'string')
    throw unauthenticated('The bearer token has no oid claim.', AUTHORIZATION_URI);
  const user = state.userByObjectId(objectId);
  if (!user) throw notMemberOfOrganization();
  if (user.values.isdisabled === true) throw disabledUser(user, state.organization.organizationid);
  return user;
}

/**
 * The principal of one operation: the caller, or the user named by `CallerObjectId` (Entra object id) or the
 * legacy `MSCRMCallerID` (systemuserid), which needs prvActOnBehalfOfAnotherUser.
 */
export function principalForRequest(
  state: SimulatorState,
  caller: StoredRecord,
  headers: Readonly<Record<string, string>>,
): Principal {
  const objectId = headers.callerobjectid;
  const systemUserId = headers.mscrmcallerid;
  if (objectId === undefined && systemUserId === undefined) return principalFor(state, caller.id);
  const callerOnly = principalFor(state, caller.id);
  if (!state.userAccess(caller.id).actOnBehalfOfAnotherUser) {
    throw missingPrivilege(state, callerOnly, 'prvActOnBehalfOfAnotherUser');
  }
  const headerValue = objectId ?? systemUserId ?? '';
  const wanted = headerValue;
  if (!isGuid(wanted)) {
    throw new DataverseError(
      400,
      ErrorCodes.invalidArgument,
      `The impersonation header value '${headerValue}' is not a GUID.`,
    );
  }
  const user =
    objectId !== undefined
      ? state.userByObjectId(objectId)
      : state.store.get('systemuser', systemUserId ?? '');
  if (!user) {
    const attribute = objectId !== undefined ? 'azureactivedirectoryobjectid' : 'systemuserid';
    throw new DataverseError(
      404,
      ErrorCodes.recordNotFound,
      `systemuser With ${attribute} = ${wanted} Does Not Exist`,
    );
  }
  if (user.values.isdisabled === true) throw disabledUser(user, state.organization.organizationid);
  return principalFor(state, caller.id, user.id);
}
