/** A tenant this deployment has no configuration for: its users signed in, but there is nothing to sync with. */
export class UnknownTenantError extends Error {
  readonly tenantId: string;

  constructor(tenantId: string) {
    super('This tenant is not set up for product sync');
    this.name = 'UnknownTenantError';
    this.tenantId = tenantId;
  }
}
