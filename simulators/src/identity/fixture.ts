import { X509Certificate } from 'node:crypto';
import { z } from 'zod';

const Guid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'expected a GUID')
  .transform((value) => value.toLowerCase());

const TenantSchema = z.object({
  id: Guid,
  displayName: z.string().min(1),
  /** Verified domains: Entra accepts them in place of the tenant id in every URL. */
  domains: z.array(z.string().min(1)).default([]),
});

/**
 * An API that tokens can be issued for. Entra decides the token version by the resource's manifest
 * (`accessTokenAcceptedVersion`), not by the endpoint the client called: Dataverse, a Microsoft resource,
 * always gets v1 tokens; an own API registered with version 2 gets v2 tokens.
 */
const ResourceSchema = z.object({
  displayName: z.string().min(1),
  /** The resource's application (client) id: a v2 token's `aud`. */
  appId: Guid,
  /**
   * The App ID URIs the resource answers to (`<uri>/.default`). A `*` stands for one host label or a port:
   * Entra knows Dataverse under every environment's URL, and the local Dataverse simulator's port can move.
   */
  identifierUris: z.array(z.string().min(1)).min(1),
  accessTokenVersion: z.union([z.literal(1), z.literal(2)]),
  /** App roles the resource defines (`roles` claim values). */
  appRoles: z.array(z.string().min(1)).default([]),
  /** Delegated scopes the resource exposes (`scp` claim values of user tokens). */
  scopes: z.array(z.string().min(1)).default([]),
  /** When true, only applications assigned a role (listed in their `resourceAccess`) get a token. */
  appRoleAssignmentRequired: z.boolean().default(false),
});

const ServicePrincipalSchema = z.object({
  tenantId: Guid,
  /** The service principal's object id: the `oid` (and `sub`) of the app's tokens in that tenant. */
  objectId: Guid,
});

const ResourceAccessSchema = z.object({
  /** One of the resource's identifierUris or its appId. */
  resource: z.string().min(1),
  /** App roles assigned to this application on that resource. */
  roles: z.array(z.string().min(1)).default([]),
});

/**
 * A certificate uploaded to the app registration ("Certificates & secrets"): only its public part. Client
 * assertions whose `x5t` / `x5t#S256` header names its thumbprint must be signed with its key.
 */
const CertificateCredentialSchema = z.object({
  certificatePem: z.string().refine((pem) => {
    try {
      new X509Certificate(pem);
      return true;
    } catch {
      return false;
    }
  }, 'not a PEM certificate'),
});

/**
 * A federated identity credential: a token from `issuer` about `subject` for one of `audiences` is accepted as the
 * app's client assertion. Matching is exact and case-sensitive, as Entra's; a `*` in the issuer stands for the
 * simulator's port, which moves between runs.
 */
const FederatedIdentityCredentialSchema = z.object({
  name: z.string().min(1),
  issuer: z.string().min(1),
  subject: z.string().min(1),
  audiences: z.array(z.string().min(1)).min(1).default(['api://AzureADTokenExchange']),
});

const ApplicationSchema = z.object({
  displayName: z.string().min(1),
  clientId: Guid,
  /** Client secret values (not their ids). Dev-only values: the fixture is checked in. */
  secrets: z.array(z.string().min(1)).default([]),
  certificates: z.array(CertificateCredentialSchema).default([]),
  federatedIdentityCredentials: z.array(FederatedIdentityCredentialSchema).default([]),
  /** Tenants where the app has a service principal (its home tenant, and tenants that consented). */
  servicePrincipals: z.array(ServicePrincipalSchema).min(1),
  /** The resources the app was granted and the app roles it holds on them. */
  resourceAccess: z.array(ResourceAccessSchema).default([]),
  /**
   * Redirect URIs registered on the "Single-page application" platform: the only ones the authorize endpoint
   * sends a code to, and their codes may only be redeemed cross-origin (with PKCE), as Entra has it for SPAs.
   */
  spaRedirectUris: z.array(z.url({ protocol: /^https?$/ })).default([]),
});

const UserSchema = z.object({
  tenantId: Guid,
  oid: Guid,
  userPrincipalName: z.string().min(1),
  name: z.string().min(1),
  /** App roles assigned to the user on the product API, e.g. `ProductSync.Admin`. */
  roles: z.array(z.string().min(1)).default([]),
});

const ManagedIdentitySchema = z.object({
  displayName: z.string().min(1),
  /** The identity's application (client) id: `appid` of its tokens, `client_id` for a user-assigned one. */
  clientId: Guid,
  /** Its service principal's object id in the home tenant: the `oid` and `sub` of its tokens. */
  objectId: Guid,
  /** The app's own identity (asked for without a client id); the others are user-assigned. */
  systemAssigned: z.boolean().default(false),
});

/** The Function app's managed identities and the endpoint secret the platform gives its processes. */
const ManagedIdentitySettingsSchema = z
  .object({
    /** `IDENTITY_HEADER`: a dev-only value, checked in like the client secrets. */
    identityHeader: z.string().min(16),
    identities: z.array(ManagedIdentitySchema).min(1),
  })
  .refine((settings) => settings.identities.filter((identity) => identity.systemAssigned).length <= 1, {
    message: 'at most one system-assigned identity',
  });

export const IdentityFixtureSchema = z
  .object({
    /** The tenant the product is installed in; the second tenant exists for cross-tenant tests. */
    homeTenantId: Guid,
    tenants: z.array(TenantSchema).min(1),
    resources: z.array(ResourceSchema).default([]),
    applications: z.array(ApplicationSchema).default([]),
    users: z.array(UserSchema).default([]),
    /** Absent: the managed-identity endpoint answers that the app has none. */
    managedIdentity: ManagedIdentitySettingsSchema.optional(),
  })
  .superRefine((fixture, context) => {
    const tenantIds = new Set(fixture.tenants.map((tenant) => tenant.id));
    if (!tenantIds.has(fixture.homeTenantId)) {
      context.addIssue({ code: 'custom', path: ['homeTenantId'], message: 'not one of the tenants' });
    }
    fixture.applications.forEach((application, applicationIndex) => {
      application.servicePrincipals.forEach((principal, principalIndex) => {
        if (!tenantIds.has(principal.tenantId)) {
          context.addIssue({
            code: 'custom',
            path: ['applications', applicationIndex, 'servicePrincipals', principalIndex, 'tenantId'],
            message: 'unknown tenant',
          });
        }
      });
      application.resourceAccess.forEach((access, accessIndex) => {
        const resource = findResource(fixture.resources, access.resource);
        const path = ['applications', applicationIndex, 'resourceAccess', accessIndex];
        if (!resource) {
          context.addIssue({ code: 'custom', path: [...path, 'resource'], message: 'unknown resource' });
          return;
        }
        access.roles.forEach((role, roleIndex) => {
          if (!resource.appRoles.includes(role)) {
            context.addIssue({
              code: 'custom',
              path: [...path, 'roles', roleIndex],
              message: `not an app role of ${resource.displayName}`,
            });
          }
        });
      });
    });
    fixture.users.forEach((user, userIndex) => {
      if (!tenantIds.has(user.tenantId)) {
        context.addIssue({
          code: 'custom',
          path: ['users', userIndex, 'tenantId'],
          message: 'unknown tenant',
        });
      }
    });
  });

export type IdentityFixture = z.output<typeof IdentityFixtureSchema>;
export type Tenant = IdentityFixture['tenants'][number];
export type Resource = IdentityFixture['resources'][number];
export type Application = IdentityFixture['applications'][number];
export type User = IdentityFixture['users'][number];

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether a requested resource names this App ID URI; `*` matches one host label or a port. */
function identifierUriMatches(pattern: string, requested: string): boolean {
  const expression = pattern.split('*').map(escapeRegExp).join('[^/.:]+');
  return new RegExp(`^${expression}$`, 'i').test(requested);
}

/** The resource a scope or `aud` names, by App ID URI (with or without a trailing slash) or by appId. */
export function findResource(resources: readonly Resource[], requested: string): Resource | undefined {
  const withoutSlash = requested.replace(/\/+$/, '');
  return resources.find(
    (resource) =>
      resource.appId === requested.toLowerCase() ||
      resource.identifierUris.some((uri) => identifierUriMatches(uri, withoutSlash)),
  );
}

/** A tenant by id or verified domain, as Entra resolves the first path segment. */
export function findTenant(fixture: IdentityFixture, idOrDomain: string): Tenant | undefined {
  const wanted = idOrDomain.toLowerCase();
  return fixture.tenants.find(
    (tenant) => tenant.id === wanted || tenant.domains.some((domain) => domain.toLowerCase() === wanted),
  );
}
