import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { APP_SETTINGS, perOrgSettingName, type AppSetting } from '../functions/src/config/appSettings';
import {
  evaluateOrgExpression,
  lintProblems,
  readTemplateSettings,
  settingProblems,
  templateParameters,
} from './infraCheck';

const INFRA = resolve(__dirname, '..', 'infra');
const TEMPLATE = readFileSync(resolve(INFRA, 'main.bicep'), 'utf8');

/** The template with `from` replaced by `to`; fails when `from` is not in it, so no mutation is silently a no-op. */
function mutated(from: string, to: string): string {
  if (!TEMPLATE.includes(from)) throw new Error(`infra/main.bicep no longer contains ${from}`);
  return TEMPLATE.replace(from, to);
}

describe('the Bicep template (infra/main.bicep)', () => {
  it('sets exactly the app settings the app and its host read, secrets as Key Vault references', () => {
    expect(settingProblems(TEMPLATE)).toEqual([]);
  });

  it('passes the lint: brackets, descriptions, no secrets, API versions, built-in roles, Flex Consumption', () => {
    expect(lintProblems(TEMPLATE)).toEqual([]);
  });

  it('generates each per-org setting under the name the app reads, for any org key', () => {
    const problems: string[] = [];
    const { perOrg } = readTemplateSettings(TEMPLATE, problems);
    expect(problems).toEqual([]);
    const perOrgSettings = APP_SETTINGS.filter((setting) => setting.perOrg);
    expect(perOrg.map((entry) => entry.pattern).sort()).toEqual(
      perOrgSettings.map((setting) => setting.name).sort(),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,39}$/), (orgKey) => {
        for (const entry of perOrg) {
          const setting = perOrgSettings.find((candidate) => candidate.name === entry.pattern);
          expect(setting).toBeDefined();
          if (setting) expect(entry.nameFor(orgKey)).toBe(perOrgSettingName(setting, orgKey));
        }
      }),
    );
  });

  it('evaluates only the expressions it knows', () => {
    expect(evaluateOrgExpression("toUpper(replace(org.orgKey, '-', '_'))", 'north-wind')).toBe('NORTH_WIND');
    expect(() => evaluateOrgExpression('substring(org.orgKey, 0, 3)', 'north-wind')).toThrow(
      /cannot evaluate/,
    );
  });
});

describe('the app settings check fails', () => {
  const withoutSetting = (name: string): AppSetting[] =>
    APP_SETTINGS.filter((setting) => setting.name !== name);

  it.each([
    [
      'a required setting is missing',
      mutated('  WEBHOOK_QUEUE_NAME: webhookQueueName\n', ''),
      /WEBHOOK_QUEUE_NAME is required/,
    ],
    [
      'a secret is a plain value',
      mutated(
        "BACKEND_CLIENT_SECRET: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=backend-client-secret)'",
        "BACKEND_CLIENT_SECRET: 'not-a-reference'",
      ),
      /BACKEND_CLIENT_SECRET is a secret but not a Key Vault reference/,
    ],
    [
      'a setting the app does not read is set',
      mutated(
        '  WEBHOOK_QUEUE_NAME: webhookQueueName\n',
        "  WEBHOOK_QUEUE_NAME: webhookQueueName\n  WEBHOOK_QUEUE: 'x'\n",
      ),
      /sets WEBHOOK_QUEUE, which neither the app nor the Functions host reads/,
    ],
    [
      'a setting Flex Consumption refuses is set',
      mutated(
        '  WEBHOOK_QUEUE_NAME: webhookQueueName\n',
        "  WEBHOOK_QUEUE_NAME: webhookQueueName\n  FUNCTIONS_WORKER_RUNTIME: 'node'\n",
      ),
      /sets FUNCTIONS_WORKER_RUNTIME, which Azure must not/,
    ],
    [
      'a per-org name differs from the app for org keys with a dash',
      mutated(
        "'ONEFLOW_SIGN_KEY__${toUpper(replace(org.orgKey, '-', '_'))}'",
        "'ONEFLOW_SIGN_KEY__${toUpper(org.orgKey)}'",
      ),
      /for org key north-wind the template sets ONEFLOW_SIGN_KEY__NORTH-WIND, the app reads ONEFLOW_SIGN_KEY__NORTH_WIND/,
    ],
    [
      'two settings read one secret',
      mutated('SecretName=oneflow-sign-key-${org.orgKey}', 'SecretName=oneflow-api-token-${org.orgKey}'),
      /read the same secret oneflow-api-token-\$\{org\.orgKey\}/,
    ],
    [
      'a backend credential choice sets no credential',
      mutated("BACKEND_FEDERATED_CREDENTIAL: 'managedidentity'", "BACKEND_FEDERATED_CLIENT_ID: ''"),
      /backendCredential managedidentity sets none of the backendCredential settings/,
    ],
    [
      'a choice has no settings',
      mutated("  'secret'\n])", '])'),
      /backendCredential allows managedidentity, certificate but the settings offer managedidentity, certificate, secret/,
    ],
    [
      'settings are set somewhere else too',
      mutated("      ftpsState: 'Disabled'\n", "      ftpsState: 'Disabled'\n      appSettings: []\n"),
      /app settings set outside appSettings/,
    ],
    [
      'a per-org list is not applied',
      mutated(', oneflowSignKeySettings)', ')'),
      /the settings applied must be exactly/,
    ],
  ])('when %s', (_name, template, expected) => {
    expect(settingProblems(template).join('\n')).toMatch(expected);
  });

  it('when the app stops reading a setting the template sets', () => {
    expect(settingProblems(TEMPLATE, withoutSetting('WEBHOOK_QUEUE_NAME')).join('\n')).toMatch(
      /commonAppSettings sets WEBHOOK_QUEUE_NAME, which neither the app nor the Functions host reads/,
    );
  });

  it('when the app needs a setting the template does not set', () => {
    const added: AppSetting = {
      name: 'NEW_REQUIRED_SETTING',
      required: 'required',
      secret: false,
      perOrg: false,
      readBy: 'app',
      description: 'A setting the template does not know yet.',
    };
    expect(settingProblems(TEMPLATE, [...APP_SETTINGS, added]).join('\n')).toMatch(
      /NEW_REQUIRED_SETTING is required \(required\) but the template does not set it/,
    );
  });
});

describe('the lint fails', () => {
  it.each([
    ['a brace is not closed', mutated('var roles = {', 'var roles = {{'), /"\{" is never closed/],
    [
      'a param has no description',
      mutated("@description('Tags set on every resource.')\n", ''),
      /param tags has no @description/,
    ],
    [
      'a role id is not a built-in role',
      mutated('4633458b-17de-408a-b874-0445c86b69e6', '00000000-0000-0000-0000-000000000000'),
      /roles\.keyVaultSecretsUser is not a known built-in role id/,
    ],
    [
      'the app identity cannot read the vault',
      mutated(
        "roleDefinitions', roles.keyVaultSecretsUser)",
        "roleDefinitions', roles.storageBlobDataOwner)",
      ),
      /lacks Key Vault Secrets User on keyVault/,
    ],
    [
      'a Web resource predates Flex Consumption',
      mutated("'Microsoft.Web/serverfarms@2024-04-01'", "'Microsoft.Web/serverfarms@2022-03-01'"),
      /Microsoft\.Web\/serverfarms needs 2023-12-01 or later/,
    ],
    [
      'a resource has no API version',
      mutated("'Microsoft.Insights/components@2020-02-02'", "'Microsoft.Insights/components'"),
      /resource appInsights names no API version/,
    ],
    [
      'storage accepts keys',
      mutated('allowSharedKeyAccess: false', 'allowSharedKeyAccess: true'),
      /lacks "allowSharedKeyAccess: false"/,
    ],
    [
      'the vault can be purged',
      mutated('enablePurgeProtection: true', 'enablePurgeProtection: false'),
      /lacks "enablePurgeProtection: true"/,
    ],
    [
      'a secret is written into the template',
      mutated(
        "  AzureWebJobsStorage__credential: 'managedidentity'\n",
        "  AzureWebJobsStorage: 'DefaultEndpointsProtocol=https;AccountKey=abc'\n",
      ),
      /looks like a secret in the template/,
    ],
  ])('when %s', (_name, template, expected) => {
    expect(lintProblems(template).join('\n')).toMatch(expected);
  });
});

describe("the template's documents", () => {
  const parameters = templateParameters(TEMPLATE);

  it("infra/README.md's parameter table lists every parameter, required exactly when it has no default", () => {
    const readme = readFileSync(resolve(INFRA, 'README.md'), 'utf8');
    const section = readme.split(/^## /m).find((part) => part.startsWith('Parameters'));
    expect(section).toBeDefined();
    const rows = [...(section ?? '').matchAll(/^\| `(\w+)`\s*\|\s*([^|]+?)\s*\|/gm)].map((match) => ({
      name: match[1] ?? '',
      required: (match[2] ?? '').startsWith('yes'),
    }));
    expect(rows).toEqual(parameters.map(({ name, hasDefault }) => ({ name, required: !hasDefault })));
  });

  it('main.bicepparam.example sets every required parameter and only parameters the template has', () => {
    const example = readFileSync(resolve(INFRA, 'main.bicepparam.example'), 'utf8');
    expect(example).toMatch(/^using '\.\/main\.bicep'$/m);
    const set = [...example.matchAll(/^param (\w+) =/gm)].map((match) => match[1] ?? '');
    const names = parameters.map(({ name }) => name);
    expect(set.filter((name) => !names.includes(name))).toEqual([]);
    for (const { name, hasDefault } of parameters) if (!hasDefault) expect(set).toContain(name);
  });
});
