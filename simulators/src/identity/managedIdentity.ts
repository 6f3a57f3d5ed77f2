import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { findResource, type IdentityFixture } from './fixture';
import type { TokenService } from './tokens';

/**
 * The managed-identity endpoint of App Service and Azure Functions (`IDENTITY_ENDPOINT`, API version
 * 2019-08-01), as `@azure/msal-node`'s ManagedIdentityApplication calls it when `IDENTITY_ENDPOINT` and
 * `IDENTITY_HEADER` are set: `GET {endpoint}?api-version=2019-08-01&resource=<uri>[&client_id=<guid>]` with the
 * header `X-IDENTITY-HEADER: <IDENTITY_HEADER>`. The answer is App Service's: `access_token`, `expires_on` (epoch
 * seconds, as a string), `resource`, `token_type`, `client_id`. The identities live in the fixture's home tenant.
 */

export const MANAGED_IDENTITY_PATH = '/msi/token';
export const MANAGED_IDENTITY_API_VERSION = '2019-08-01';
const IDENTITY_HEADER = 'x-identity-header';

export interface ManagedIdentityAnswer {
  access_token: string;
  expires_on: string;
  resource: string;
  token_type: 'Bearer';
  client_id: string;
}

/** A refusal: the status and App Service's error body (`statusCode`, `message`, `correlationId`). */
export class ManagedIdentityEndpointError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ManagedIdentityEndpointError';
  }
}

/** A repeated parameter is not modeled: it counts as absent. */
const queryValue = z.string().optional().catch(undefined);
export const ManagedIdentityQuerySchema = z.object({
  'api-version': queryValue,
  resource: queryValue,
  client_id: queryValue,
  principal_id: queryValue,
  object_id: queryValue,
  mi_res_id: queryValue,
});
export type ManagedIdentityQuery = z.infer<typeof ManagedIdentityQuerySchema>;

function sameSecret(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * One token request, checked in the order the platform does: the secret header (only a process of the app knows
 * it), the API version, the identity, the resource.
 */
export async function managedIdentityToken(
  fixture: IdentityFixture,
  tokens: TokenService,
  query: ManagedIdentityQuery,
  identityHeader: string | undefined,
): Promise<ManagedIdentityAnswer> {
  const settings = fixture.managedIdentity;
  if (settings === undefined) {
    throw new ManagedIdentityEndpointError(400, 'This app has no managed identity.');
  }
  if (!sameSecret(settings.identityHeader, identityHeader)) {
    throw new ManagedIdentityEndpointError(
      401,
      'The X-IDENTITY-HEADER header is missing or is not this app’s IDENTITY_HEADER.',
    );
  }
  if (query['api-version'] !== MANAGED_IDENTITY_API_VERSION) {
    throw new ManagedIdentityEndpointError(
      400,
      `api-version must be ${MANAGED_IDENTITY_API_VERSION}, got ${query['api-version'] ?? 'none'}.`,
    );
  }
  if (query.principal_id !== undefined || query.object_id !== undefined || query.mi_res_id !== undefined) {
    throw new ManagedIdentityEndpointError(
      400,
      'Only client_id selects a user-assigned identity here (object and resource ids are not modeled).',
    );
  }
  const wanted = query.client_id?.toLowerCase();
  const identity =
    wanted === undefined
      ? settings.identities.find((candidate) => candidate.systemAssigned)
      : settings.identities.find((candidate) => !candidate.systemAssigned && candidate.clientId === wanted);
  if (identity === undefined) {
    throw new ManagedIdentityEndpointError(
      400,
      wanted === undefined
        ? 'The app has no system-assigned identity.'
        : `No user-assigned identity with client id ${wanted} is assigned to this app.`,
    );
  }
  const requested = query.resource;
  if (requested === undefined || requested === '') {
    throw new ManagedIdentityEndpointError(400, 'The resource parameter is required.');
  }
  const resource = findResource(fixture.resources, requested);
  if (resource === undefined) {
    throw new ManagedIdentityEndpointError(
      400,
      `AADSTS500011: The resource principal named ${requested} was not found in the tenant ${fixture.homeTenantId}.`,
    );
  }
  const issued = await tokens.issueAppToken({
    tenantId: fixture.homeTenantId,
    clientId: identity.clientId,
    servicePrincipalObjectId: identity.objectId,
    requestedResource: requested,
    resourceAppId: resource.appId,
    version: resource.accessTokenVersion,
    // Storage and similar Azure resources decide by role assignments on the resource, not by app roles.
    roles: [],
  });
  return {
    access_token: issued.accessToken,
    expires_on: String(Math.floor(Date.now() / 1000) + issued.expiresIn),
    resource: requested,
    token_type: 'Bearer',
    client_id: identity.clientId,
  };
}

export function identityHeaderOf(headers: Record<string, string | string[] | undefined>): string | undefined {
  const value = headers[IDENTITY_HEADER];
  return typeof value === 'string' ? value : undefined;
}
