import defaultFixture from '../../fixtures/identity.json';
import {
  IdentityFixtureSchema,
  type Application,
  type IdentityFixture,
  type Resource,
  type User,
} from './fixture';

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the default identity fixture has no ${what}`);
  return value;
}

function application(fixture: IdentityFixture, displayName: string): Application {
  return required(
    fixture.applications.find((candidate) => candidate.displayName === displayName),
    `application "${displayName}"`,
  );
}

function resource(fixture: IdentityFixture, displayName: string): Resource {
  return required(
    fixture.resources.find((candidate) => candidate.displayName === displayName),
    `resource "${displayName}"`,
  );
}

function user(fixture: IdentityFixture, name: string): User {
  return required(
    fixture.users.find((candidate) => candidate.name === name),
    `user "${name}"`,
  );
}

/** The default fixture's tenants, apps, resources and users by role, so tests name what they use. */
export function seededEntities() {
  const fixture = IdentityFixtureSchema.parse(defaultFixture);
  const homeTenantId = fixture.homeTenantId;
  const otherTenant = required(
    fixture.tenants.find((tenant) => tenant.id !== homeTenantId),
    'second tenant',
  );
  const backend = application(fixture, 'Oneflow Product Sync (backend)');
  return {
    fixture,
    homeTenantId,
    homeDomain: required(
      fixture.tenants.find((tenant) => tenant.id === homeTenantId)?.domains[0],
      'home domain',
    ),
    otherTenantId: otherTenant.id,
    backend,
    backendSecret: required(backend.secrets[0], 'backend secret'),
    backendObjectIdAtHome: required(
      backend.servicePrincipals.find((principal) => principal.tenantId === homeTenantId)?.objectId,
      'backend service principal at home',
    ),
    widget: application(fixture, 'Oneflow Product Sync widget'),
    automation: application(fixture, 'Contoso sync automation'),
    dataverse: resource(fixture, 'Dataverse'),
    productApi: resource(fixture, 'Oneflow Product Sync API'),
    admin: user(fixture, 'Sam Admin'),
    rep: user(fixture, 'Alex Seller'),
    otherTenantUser: user(fixture, 'Megan Bowen'),
    storage: resource(fixture, 'Azure Storage'),
    managedIdentity: {
      identityHeader: required(fixture.managedIdentity, 'managed identity').identityHeader,
      systemAssigned: required(
        fixture.managedIdentity?.identities.find((identity) => identity.systemAssigned),
        'system-assigned identity',
      ),
      userAssigned: required(
        fixture.managedIdentity?.identities.find((identity) => !identity.systemAssigned),
        'user-assigned identity',
      ),
    },
  };
}
