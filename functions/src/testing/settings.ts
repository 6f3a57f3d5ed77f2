import { ConfigError, loadConfig } from '../config/config';

/** The one org the settings tests configure. */
const TEST_TENANT = {
  tenantId: '3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f',
  dataverseUrl: 'https://contoso.crm4.dynamics.com',
  orgKey: 'contoso',
  oneflow: { userEmail: 'sync@contoso.example', workspaceId: 1, templateId: 2 },
};

/** A client secret the tests look for in every message: it must never appear in one. */
export const TEST_BACKEND_SECRET = 'client-secret-that-must-not-leak';

/**
 * App settings complete for that org, with the backend's client secret and no storage: `overrides` replaces a
 * setting, or removes it when `undefined`.
 */
export function completeSettings(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const settings: Record<string, string | undefined> = {
    PRODUCT_SYNC_TENANTS: JSON.stringify([TEST_TENANT]),
    ONEFLOW_API_TOKEN__CONTOSO: 'token',
    ONEFLOW_SIGN_KEY__CONTOSO: 'sign-key',
    API_AUDIENCES: 'api://a9900000-0000-4000-8000-000000000001',
    BACKEND_CLIENT_ID: 'a9900000-0000-4000-8000-000000000001',
    BACKEND_CLIENT_SECRET: TEST_BACKEND_SECRET,
    ...overrides,
  };
  return Object.fromEntries(
    Object.entries(settings).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/** What `loadConfig` refuses in these settings; fails the test when it accepts them. */
export function configProblems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}
