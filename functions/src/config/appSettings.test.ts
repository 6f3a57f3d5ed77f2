import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { APP_SETTINGS, ORG_KEY_PLACEHOLDER, appReadSettings, perOrgSettingName } from './appSettings';
import { completeSettings, configProblems } from '../testing/settings';
import { ConfigError, loadConfig, secretSettingNames } from './config';

const TENANTS = [
  {
    tenantId: '3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f',
    dataverseUrl: 'https://contoso.crm4.dynamics.com',
    orgKey: 'contoso',
    oneflow: { userEmail: 'sync@contoso.example', workspaceId: 1, templateId: 2 },
  },
  {
    tenantId: '4a7e1d2f-9b5c-4d3e-8f80-2b3c4d5e6f70',
    dataverseUrl: 'https://northwind.crm4.dynamics.com',
    orgKey: 'north-wind',
    oneflow: { userEmail: 'sync@northwind.example', workspaceId: 3, templateId: 4 },
  },
];

/** A complete configuration of two orgs: loadConfig accepts it. */
const COMPLETE = completeSettings({
  PRODUCT_SYNC_TENANTS: JSON.stringify(TENANTS),
  ONEFLOW_API_TOKEN__NORTH_WIND: 'token-north-wind',
  ONEFLOW_SIGN_KEY__NORTH_WIND: 'sign-key-north-wind',
});

/**
 * Settings in every form loadConfig takes them (each credential, each storage connection, the CA file), so that
 * every branch that reads a setting runs at least once. Invalid values are fine: a refused setting was read.
 */
const VARIANTS: Record<string, string>[] = [
  {},
  COMPLETE,
  {
    ...COMPLETE,
    ENTRA_AUTHORITY_HOST: 'https://login.microsoftonline.com',
    ENTRA_CA_CERTIFICATE_PEM: 'not a certificate',
    API_ADMIN_ROLE: 'Admin',
    API_SYNC_ROLE: 'Sync',
    WEBHOOK_QUEUE_NAME: 'webhooks',
    ACTIVITY_RETENTION_DAYS: '10',
    CALLBACK_RETENTION_DAYS: '10',
    CORS_ALLOWED_ORIGINS: 'https://contoso.crm4.dynamics.com',
    AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  },
  { ...COMPLETE, ENTRA_CA_CERTIFICATE_FILE: '/nonexistent/ca.pem' },
  { ...COMPLETE, BACKEND_CLIENT_SECRET: '', BACKEND_CLIENT_CERTIFICATE: 'not a pem' },
  {
    ...COMPLETE,
    BACKEND_CLIENT_SECRET: '',
    BACKEND_FEDERATED_CREDENTIAL: 'managedidentity',
    BACKEND_FEDERATED_CLIENT_ID: 'a9900000-0000-4000-8000-000000000003',
  },
  {
    ...COMPLETE,
    AzureWebJobsStorage__accountName: 'contosostorage',
    AzureWebJobsStorage__credential: 'managedidentity',
    AzureWebJobsStorage__clientId: 'a9900000-0000-4000-8000-000000000004',
  },
  {
    ...COMPLETE,
    AzureWebJobsStorage__tableServiceUri: 'https://contosostorage.table.core.windows.net',
    AzureWebJobsStorage__queueServiceUri: 'https://contosostorage.queue.core.windows.net',
    AzureWebJobsStorage__blobServiceUri: 'https://contosostorage.blob.core.windows.net',
  },
];

/** Every setting name loadConfig looks at (present or not), with per-org names as their `<ORGKEY>` pattern. */
function settingsLoadConfigReads(): string[] {
  const read = new Set<string>();
  const perOrgNames = new Map<string, string>();
  for (const tenant of TENANTS) {
    const names = secretSettingNames(tenant.orgKey);
    for (const setting of APP_SETTINGS.filter((candidate) => candidate.perOrg)) {
      const name = perOrgSettingName(setting, tenant.orgKey);
      if (Object.values(names).includes(name)) perOrgNames.set(name, setting.name);
    }
  }
  for (const variant of VARIANTS) {
    const env = new Proxy(variant, {
      get(target, key) {
        if (typeof key === 'string') read.add(key);
        return Reflect.get(target, key) as unknown;
      },
      has(target, key) {
        if (typeof key === 'string') read.add(key);
        return Reflect.has(target, key);
      },
    });
    try {
      loadConfig(env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
    }
  }
  return [...new Set([...read].map((name) => perOrgNames.get(name) ?? name))].sort();
}

describe('the app settings list (appSettings.ts)', () => {
  it('names every setting loadConfig reads, and no setting loadConfig does not read as read by the app', () => {
    const listed = appReadSettings()
      .map((setting) => setting.name)
      .sort();
    expect(settingsLoadConfigReads()).toEqual(listed);
  });

  it('lists each setting once', () => {
    const names = APP_SETTINGS.map((setting) => setting.name);
    expect(names.filter((name, index) => names.indexOf(name) !== index)).toEqual([]);
  });

  it('names per-org settings as loadConfig does, for any org key', () => {
    const perOrg = APP_SETTINGS.filter((setting) => setting.perOrg);
    expect(perOrg.every((setting) => setting.name.includes(ORG_KEY_PLACEHOLDER))).toBe(true);
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,39}$/), (orgKey) => {
        const expected = Object.values(secretSettingNames(orgKey)).sort();
        expect(perOrg.map((setting) => perOrgSettingName(setting, orgKey)).sort()).toEqual(expected);
      }),
    );
  });

  it.each(APP_SETTINGS.filter((setting) => setting.required === 'required' && !setting.perOrg))(
    'says $name is required, and loadConfig refuses to start without it',
    ({ name }) => {
      const env = Object.fromEntries(Object.entries(COMPLETE).filter(([key]) => key !== name));
      expect(() => loadConfig(env)).toThrow(new RegExp(name));
    },
  );

  it('says the per-org secrets are required, and loadConfig refuses to start without one', () => {
    expect(() => loadConfig({ ...COMPLETE, ONEFLOW_SIGN_KEY__NORTH_WIND: '' })).toThrow(
      /ONEFLOW_SIGN_KEY__NORTH_WIND/,
    );
  });

  it('says no other setting is required: loadConfig starts with the required ones alone', () => {
    expect(() => loadConfig(COMPLETE)).not.toThrow();
  });

  it('groups the backend credentials: loadConfig refuses none of them, naming each', () => {
    const group = APP_SETTINGS.filter(
      (setting) => typeof setting.required === 'object' && setting.required.oneOf === 'backendCredential',
    );
    expect(group.map((setting) => setting.name).sort()).toEqual([
      'BACKEND_CLIENT_CERTIFICATE',
      'BACKEND_CLIENT_SECRET',
      'BACKEND_FEDERATED_CREDENTIAL',
    ]);
    const env = { ...COMPLETE, BACKEND_CLIENT_SECRET: '' };
    for (const { name } of group) expect(() => loadConfig(env)).toThrow(new RegExp(name));
  });
});

describe('a Key Vault reference Azure could not resolve', () => {
  const reference = (secret: string) => `@Microsoft.KeyVault(VaultName=kv-oneflowsync;SecretName=${secret})`;

  it('stops the app, naming each setting that still holds one', () => {
    const problems = configProblems({
      ...COMPLETE,
      ONEFLOW_API_TOKEN__NORTH_WIND: reference('oneflow-api-token-north-wind'),
      BACKEND_CLIENT_SECRET: reference('backend-client-secret'),
    });
    expect(problems.sort()).toEqual([
      expect.stringMatching(/^BACKEND_CLIENT_SECRET is a Key Vault reference Azure could not resolve/),
      expect.stringMatching(
        /^ONEFLOW_API_TOKEN__NORTH_WIND is a Key Vault reference Azure could not resolve/,
      ),
    ]);
  });

  it('is told apart from a value that only mentions one', () => {
    expect(() =>
      loadConfig({ ...COMPLETE, BACKEND_CLIENT_SECRET: `secret-${reference('x')}` }),
    ).not.toThrow();
  });
});

describe('the documents that list app settings', () => {
  const repository = resolve(__dirname, '..', '..', '..');
  const names = new Set(APP_SETTINGS.map((setting) => setting.name));
  /** Backticked setting names in a markdown table's first column. */
  const firstColumnNames = (markdown: string): string[] =>
    markdown
      .split('\n')
      .filter((line) => line.startsWith('| '))
      .flatMap((line) => [
        ...(line.split('|')[1] ?? '').matchAll(/`([A-Za-z][A-Za-z0-9_]*(?:__<ORGKEY>|__\w+)?)`/g),
      ])
      .map((match) => match[1] ?? '')
      .filter((name) => /^[A-Z][A-Z0-9_]+(__<ORGKEY>)?$|^AzureWebJobsStorage/.test(name));
  const section = (markdown: string, heading: string): string => {
    const start = markdown.indexOf(`\n${heading}\n`);
    const end = markdown.indexOf('\n## ', start + heading.length + 2);
    return start === -1 ? '' : markdown.slice(start, end === -1 ? undefined : end);
  };

  it("docs/api.md's Configuration names every setting the app reads, and only settings of the list", () => {
    const configuration = section(
      readFileSync(resolve(repository, 'docs', 'api.md'), 'utf8'),
      '## Configuration',
    );
    expect(configuration).not.toBe('');
    expect(firstColumnNames(configuration).filter((name) => !names.has(name))).toEqual([]);
    const missing = appReadSettings().filter((setting) => !configuration.includes(`\`${setting.name}\``));
    expect(missing.map((setting) => setting.name)).toEqual([]);
  });

  it("the admin guide's settings table names only settings of the list, and every one Azure needs", () => {
    const guide = section(
      readFileSync(resolve(repository, 'docs', 'admin-guide.md'), 'utf8'),
      "## 4. The Function app's settings",
    );
    expect(guide).not.toBe('');
    const listed = firstColumnNames(guide);
    expect(listed.filter((name) => !names.has(name))).toEqual([]);
    const needed = APP_SETTINGS.filter(
      (setting) =>
        setting.required === 'required' ||
        setting.required === 'azure' ||
        typeof setting.required === 'object',
    ).filter((setting) => !setting.notInAzure);
    expect(needed.filter((setting) => !listed.includes(setting.name)).map((setting) => setting.name)).toEqual(
      [],
    );
  });
});
