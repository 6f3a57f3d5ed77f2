import { completeSettings, configProblems } from '../testing/settings';
import { loadConfig, secretSettingNames } from './config';

const TENANT = {
  tenantId: '3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f',
  dataverseUrl: 'https://contoso.crm4.dynamics.com/',
  orgKey: 'contoso',
  oneflow: { userEmail: 'sync@contoso.example', workspaceId: 1, templateId: 2 },
};

const SECRET_TOKEN = 'token-value-that-must-not-leak';

function environment(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return completeSettings({
    PRODUCT_SYNC_TENANTS: JSON.stringify([TENANT]),
    ONEFLOW_API_TOKEN__CONTOSO: SECRET_TOKEN,
    API_AUDIENCES: 'api://a9900000-0000-4000-8000-000000000001, a9900000-0000-4000-8000-000000000001',
    BACKEND_CLIENT_SECRET: 'client-secret',
    ...overrides,
  });
}

describe('loadConfig', () => {
  it('reads a complete configuration with defaults', () => {
    const config = loadConfig(environment());
    expect(config.tenants).toEqual([
      {
        ...TENANT,
        dataverseUrl: 'https://contoso.crm4.dynamics.com',
        oneflow: {
          ...TENANT.oneflow,
          apiUrl: 'https://api.oneflow.com/v1',
          bulkDraftWrites: true,
          requestBudget: 1800,
        },
        secrets: { oneflowToken: SECRET_TOKEN, webhookSignKey: 'sign-key' },
      },
    ]);
    expect(config.auth).toEqual({
      authorityHost: 'https://login.microsoftonline.com',
      authorityCaPem: undefined,
      audiences: ['api://a9900000-0000-4000-8000-000000000001', 'a9900000-0000-4000-8000-000000000001'],
      adminRole: 'ProductSync.Admin',
      syncRole: 'ProductSync.Sync',
    });
    expect(config.storage).toBeUndefined();
    expect(config.webhookQueue).toBe('oneflow-webhooks');
    expect(config.retention).toEqual({ activityDays: 180, callbackDays: 30 });
  });

  it('names every missing setting at once', () => {
    const problems = configProblems({});
    expect(problems.join('\n')).toMatch(/PRODUCT_SYNC_TENANTS/);
    expect(problems.join('\n')).toMatch(/API_AUDIENCES/);
    expect(problems.join('\n')).toMatch(/BACKEND_CLIENT_ID/);
    expect(problems.join('\n')).toMatch(/BACKEND_CLIENT_SECRET/);
  });

  it('names a tenant field by its path', () => {
    const broken = {
      ...TENANT,
      dataverseUrl: 'not a url',
      oneflow: { ...TENANT.oneflow, userEmail: 'nope' },
    };
    const problems = configProblems(environment({ PRODUCT_SYNC_TENANTS: JSON.stringify([broken]) }));
    expect(problems.some((problem) => problem.startsWith('PRODUCT_SYNC_TENANTS.0.dataverseUrl'))).toBe(true);
    expect(problems.some((problem) => problem.startsWith('PRODUCT_SYNC_TENANTS.0.oneflow.userEmail'))).toBe(
      true,
    );
  });

  it("reads an org's bulk draft writes and request budget, and names a bad one by its path", () => {
    const own = { ...TENANT, oneflow: { ...TENANT.oneflow, bulkDraftWrites: false, requestBudget: 1000 } };
    const [tenant] = loadConfig(environment({ PRODUCT_SYNC_TENANTS: JSON.stringify([own]) })).tenants;
    expect(tenant?.oneflow).toMatchObject({ bulkDraftWrites: false, requestBudget: 1000 });
    const broken = { ...TENANT, oneflow: { ...TENANT.oneflow, bulkDraftWrites: 'no', requestBudget: 2001 } };
    const problems = configProblems(environment({ PRODUCT_SYNC_TENANTS: JSON.stringify([broken]) }));
    expect(problems.map((problem) => problem.split(' ')[0])).toEqual([
      'PRODUCT_SYNC_TENANTS.0.oneflow.bulkDraftWrites',
      'PRODUCT_SYNC_TENANTS.0.oneflow.requestBudget',
    ]);
  });

  it('refuses JSON that is not JSON', () => {
    expect(configProblems(environment({ PRODUCT_SYNC_TENANTS: '[{' }))).toEqual([
      'PRODUCT_SYNC_TENANTS is not valid JSON',
    ]);
  });

  it('names the secret setting a tenant lacks, never its value', () => {
    const problems = configProblems(environment({ ONEFLOW_SIGN_KEY__CONTOSO: undefined }));
    expect(problems).toEqual(["ONEFLOW_SIGN_KEY__CONTOSO is required (the contoso org's secret)"]);
    const error = (() => {
      try {
        loadConfig(environment({ ONEFLOW_SIGN_KEY__CONTOSO: '' }));
      } catch (caught) {
        return caught as Error;
      }
      return null;
    })();
    expect(error?.message).not.toContain(SECRET_TOKEN);
  });

  it('refuses a tenant or org key listed twice', () => {
    const second = { ...TENANT, orgKey: 'contoso' };
    const problems = configProblems(environment({ PRODUCT_SYNC_TENANTS: JSON.stringify([TENANT, second]) }));
    expect(problems).toEqual([
      `PRODUCT_SYNC_TENANTS lists tenantId ${TENANT.tenantId} twice`,
      'PRODUCT_SYNC_TENANTS lists orgKey contoso twice',
    ]);
  });

  it('refuses an insecure authority and a bad queue name', () => {
    const problems = configProblems(
      environment({ ENTRA_AUTHORITY_HOST: 'http://127.0.0.1:7103', WEBHOOK_QUEUE_NAME: 'Bad_Name' }),
    );
    expect(problems.some((problem) => problem.startsWith('ENTRA_AUTHORITY_HOST'))).toBe(true);
    expect(problems.some((problem) => problem.startsWith('WEBHOOK_QUEUE_NAME'))).toBe(true);
  });
});

describe('CORS_ALLOWED_ORIGINS', () => {
  it('allows no origin when unset', () => {
    expect(loadConfig(environment()).cors).toEqual({ allowedOrigins: [] });
  });

  it('reads https origins and loopback http origins, comma separated, once each', () => {
    const config = loadConfig(
      environment({
        CORS_ALLOWED_ORIGINS:
          ' https://contoso.crm4.dynamics.com, https://fabrikam.crm.dynamics.com:8443,,http://127.0.0.1:7100,http://localhost:7100,https://contoso.crm4.dynamics.com',
      }),
    );
    expect(config.cors.allowedOrigins).toEqual([
      'https://contoso.crm4.dynamics.com',
      'https://fabrikam.crm.dynamics.com:8443',
      'http://127.0.0.1:7100',
      'http://localhost:7100',
    ]);
  });

  it.each([
    ['*', 'wildcards are not allowed'],
    ['https://*.crm4.dynamics.com', 'wildcards are not allowed'],
    ['http://contoso.crm4.dynamics.com', 'must be https (http only for 127.0.0.1 or localhost)'],
    ['https://contoso.crm4.dynamics.com/', 'no path or trailing slash'],
    ['https://contoso.crm4.dynamics.com/main.aspx', 'no path or trailing slash'],
    ['https://Contoso.crm4.dynamics.com', 'lower case'],
    ['https://contoso.crm4.dynamics.com:443', 'scheme://host[:port]'],
    ['contoso.crm4.dynamics.com', 'is not an origin'],
    ['null', 'is not an origin'],
  ])('refuses %s, naming the setting', (entry, message) => {
    const problems = configProblems(
      environment({ CORS_ALLOWED_ORIGINS: `https://contoso.crm4.dynamics.com,${entry}` }),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^CORS_ALLOWED_ORIGINS /);
    expect(problems[0]).toContain(`"${entry}"`);
    expect(problems[0]).toContain(message);
  });

  it('names every bad origin at once', () => {
    const problems = configProblems(environment({ CORS_ALLOWED_ORIGINS: 'http://contoso.example,*' }));
    expect(problems).toHaveLength(2);
  });
});

describe('secretSettingNames', () => {
  it('derives setting names from the org key', () => {
    expect(secretSettingNames('contoso-eu')).toEqual({
      oneflowToken: 'ONEFLOW_API_TOKEN__CONTOSO_EU',
      webhookSignKey: 'ONEFLOW_SIGN_KEY__CONTOSO_EU',
    });
  });
});

describe('ids in the configuration', () => {
  it('reads tenant and client ids as any GUID, lower case (Dataverse and Entra ids alike)', () => {
    const config = loadConfig(
      environment({
        PRODUCT_SYNC_TENANTS: JSON.stringify([
          { ...TENANT, tenantId: 'A1B2C3D4-E5F6-EF11-0000-00224880D1C2' },
        ]),
        BACKEND_CLIENT_ID: 'A9900000-0000-0000-0000-000000000001',
      }),
    );
    expect(config.tenants[0]?.tenantId).toBe('a1b2c3d4-e5f6-ef11-0000-00224880d1c2');
    expect(config.backend.clientId).toBe('a9900000-0000-0000-0000-000000000001');
  });

  it('refuses a tenant id in braces, naming the setting', () => {
    const problems = configProblems(
      environment({
        PRODUCT_SYNC_TENANTS: JSON.stringify([{ ...TENANT, tenantId: `{${TENANT.tenantId}}` }]),
      }),
    );
    expect(problems).toEqual(['PRODUCT_SYNC_TENANTS.0.tenantId must be a GUID']);
  });

  test.each([
    ['one character', 'c', false],
    ['two characters', 'c1', true],
    ['40 characters', `c${'o'.repeat(39)}`, true],
    ['41 characters', `c${'o'.repeat(40)}`, false],
    ['a leading dash', '-contoso', false],
    ['upper case', 'Contoso', false],
    ['an underscore (secret setting names turn dashes into underscores)', 'contoso_eu', false],
  ])('org key with %s: accepted %s', (_, orgKey, accepted) => {
    const env = environment({
      PRODUCT_SYNC_TENANTS: JSON.stringify([{ ...TENANT, orgKey }]),
      ...Object.fromEntries(
        Object.values(secretSettingNames(orgKey)).map((name) => [name, 'secret-of-the-org']),
      ),
    });
    if (accepted) expect(loadConfig(env).tenants[0]?.orgKey).toBe(orgKey);
    else
      expect(configProblems(env)).toContain(
        'PRODUCT_SYNC_TENANTS.0.orgKey must be 2-40 lowercase letters, digits or dashes, starting alphanumeric',
      );
  });
});
