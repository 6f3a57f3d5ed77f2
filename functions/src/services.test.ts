import { QueueClient } from '@azure/storage-queue';
import { loadConfig } from './config/config';
import { UnknownTenantError } from './config/errors';
import { ApiError } from './http/errors';
import { createServices } from './services';
import type { StateStore } from './state/store';

const CONTOSO = '3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f';

const config = loadConfig({
  PRODUCT_SYNC_TENANTS: JSON.stringify([
    {
      tenantId: CONTOSO,
      dataverseUrl: 'https://contoso.crm4.dynamics.com/',
      orgKey: 'contoso',
      oneflow: { userEmail: 'sync@contoso.example', workspaceId: 1, templateId: 2 },
    },
  ]),
  ONEFLOW_API_TOKEN__CONTOSO: 'token',
  ONEFLOW_SIGN_KEY__CONTOSO: 'sign-key',
  API_AUDIENCES: 'api://a9900000-0000-4000-8000-000000000001',
  BACKEND_CLIENT_ID: 'a9900000-0000-4000-8000-000000000001',
  BACKEND_CLIENT_SECRET: 'client-secret',
});

// Connecting a tenant touches neither storage nor the queue: both stay unused here.
const services = createServices(
  config,
  {} as StateStore,
  new QueueClient('UseDevelopmentStorage=true', 'contract-changes'),
);

describe('a tenant’s connections', () => {
  it('are built once per tenant', () => {
    expect(services.tenant(CONTOSO)).toBe(services.tenant(CONTOSO));
    expect(services.tenant(CONTOSO).config.orgKey).toBe('contoso');
  });

  it('refuse a tenant not set up here with a domain error, not an HTTP answer (the queue meets no 401)', () => {
    const stranger = '5c1e0000-0000-4000-8000-0000000000aa';
    let thrown: unknown;
    try {
      services.tenant(stranger);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UnknownTenantError);
    expect(thrown).not.toBeInstanceOf(ApiError);
    expect(thrown).toMatchObject({
      tenantId: stranger,
      message: 'This tenant is not set up for product sync',
    });
  });
});
