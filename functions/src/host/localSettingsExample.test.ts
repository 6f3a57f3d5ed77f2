import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import {
  certificateFileFor,
  generateServerCertificate,
} from '@oneflow-sync/simulators/src/identity/certificate';
import { DEFAULT_IDENTITY_PORT } from '@oneflow-sync/simulators/src/identity';
import { APP_SETTINGS, perOrgSettingName, type AppSetting } from '../config/appSettings';
import { ConfigError, loadConfig } from '../config/config';
import { localStorageConnection } from './main';

/**
 * functions/local.settings.json.example as Core Tools (`func start`) reads it, and as the local runner reads it
 * when there is no local.settings.json: the file both are told to copy.
 */

const EXAMPLE = join(__dirname, '..', '..', 'local.settings.json.example');

const LocalSettingsSchema = z
  .object({
    IsEncrypted: z.literal(false),
    Values: z.record(z.string(), z.string()),
    Host: z.record(z.string(), z.unknown()).optional(),
    ConnectionStrings: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const example = LocalSettingsSchema.parse(JSON.parse(readFileSync(EXAMPLE, 'utf8')));
const values = example.Values;

let folder: string;
let certificateFile: string;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'local-settings-'));
  certificateFile = join(folder, 'identity.pem');
  writeFileSync(certificateFile, (await generateServerCertificate()).certificatePem);
}, 30_000);

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

/** The example's values with the identity certificate the simulator would have written. */
const withCertificate = (): NodeJS.ProcessEnv => ({ ...values, ENTRA_CA_CERTIFICATE_FILE: certificateFile });

function orgKeys(): string[] {
  const tenants = z
    .array(z.object({ orgKey: z.string() }))
    .parse(JSON.parse(values.PRODUCT_SYNC_TENANTS ?? '[]'));
  return tenants.map((tenant) => tenant.orgKey);
}

function namesOf(setting: AppSetting): string[] {
  return setting.perOrg ? orgKeys().map((orgKey) => perOrgSettingName(setting, orgKey)) : [setting.name];
}

describe('functions/local.settings.json.example', () => {
  it('is what Core Tools reads: IsEncrypted false, string values, the node worker, and Azurite for the triggers', () => {
    expect(example.IsEncrypted).toBe(false);
    expect(values.FUNCTIONS_WORKER_RUNTIME).toBe('node');
    // The queue trigger and the timers need a storage connection under `func start`: Azurite on its usual ports.
    expect(values.AzureWebJobsStorage).toBe('UseDevelopmentStorage=true');
  });

  it('sets every setting the app needs, the settings the host binds, and exactly one of each group', () => {
    const missing = APP_SETTINGS.filter(
      (setting) =>
        setting.required === 'required' || (setting.required === 'azure' && setting.readBy !== 'host'),
    )
      .flatMap(namesOf)
      .filter((name) => !values[name]);
    expect(missing).toEqual([]);
    const groups = new Map<string, string[]>();
    for (const setting of APP_SETTINGS) {
      if (typeof setting.required !== 'object') continue;
      const set = groups.get(setting.required.oneOf) ?? [];
      if (values[setting.name]) set.push(setting.name);
      groups.set(setting.required.oneOf, set);
    }
    expect(Object.fromEntries(groups)).toEqual({
      storage: ['AzureWebJobsStorage'],
      backendCredential: ['BACKEND_CLIENT_SECRET'],
    });
  });

  it('sets only settings of the list (no stray or misspelt names)', () => {
    const known = new Set(APP_SETTINGS.flatMap(namesOf));
    expect(Object.keys(values).filter((name) => !known.has(name))).toEqual([]);
  });

  it('leaves CORS to the app: no Host.CORS, which would make Core Tools answer preflights itself', () => {
    expect(example.Host?.CORS).toBeUndefined();
    expect(values.CORS_ALLOWED_ORIGINS).toBe('http://127.0.0.1:7100,http://localhost:7100');
  });

  it('points at the certificate file the identity simulator writes on its default port', () => {
    expect(values.ENTRA_CA_CERTIFICATE_FILE).toBe(certificateFileFor(DEFAULT_IDENTITY_PORT));
    expect(values.ENTRA_CA_CERTIFICATE_PEM).toBeUndefined();
  });

  it('is accepted by loadConfig, which reads the certificate file itself (as under `func start`)', () => {
    const certificatePem = readFileSync(certificateFile, 'utf8');
    const config = loadConfig(withCertificate());
    expect(config.auth.authorityCaPem).toBe(certificatePem);
    expect(config.storage).toEqual({
      kind: 'connectionString',
      connectionString: 'UseDevelopmentStorage=true',
    });
    expect(config.tenants.map((tenant) => tenant.orgKey)).toEqual(['contoso']);
  });

  it('names ENTRA_CA_CERTIFICATE_FILE when the simulator has not written it', () => {
    const missing = join(folder, 'not-written.pem');
    expect(() => loadConfig({ ...values, ENTRA_CA_CERTIFICATE_FILE: missing })).toThrow(ConfigError);
    expect(() => loadConfig({ ...values, ENTRA_CA_CERTIFICATE_FILE: missing })).toThrow(
      `ENTRA_CA_CERTIFICATE_FILE ${missing} does not exist`,
    );
  });

  it('makes the local runner start its own Azurite, as before', () => {
    expect(localStorageConnection(loadConfig(withCertificate()).storage)).toBeUndefined();
  });
});
