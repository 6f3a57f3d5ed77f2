/**
 * Every app setting the Function app reads, in one list: what `loadConfig` reads, what the Functions host reads for
 * the app (the storage connection its queue trigger and timers use, Application Insights), and nothing else. The
 * Bicep templates (`infra/`), `local.settings.json.example` and the settings table in docs/api.md are checked
 * against it, so none of them can drift from the code.
 */

/** Groups of settings of which exactly one is set (`storage`: in Azure only; the local runner starts Azurite). */
type OneOfGroup = 'storage' | 'backendCredential';

/**
 * - `required`: the app does not start without it.
 * - `azure`: needed in Azure only (the local runner does without, e.g. the queue trigger's `%WEBHOOK_QUEUE_NAME%`).
 * - `optional`: has a default, or is only needed in some setups.
 * - `oneOf`: exactly one setting of the group.
 */
type Requirement = 'required' | 'azure' | 'optional' | { oneOf: OneOfGroup };

/** Who reads it: the app's own configuration (`loadConfig`), the Functions host, or both. */
type Reader = 'app' | 'host' | 'app and host';

export interface AppSetting {
  /** The exact name; a per-org setting holds `<ORGKEY>` where the org key's suffix goes (see `perOrgSettingName`). */
  readonly name: string;
  readonly required: Requirement;
  /** A credential: in Azure a Key Vault reference, never a plain value. */
  readonly secret: boolean;
  /** One setting per org of `PRODUCT_SYNC_TENANTS`. */
  readonly perOrg: boolean;
  readonly readBy: Reader;
  /** One line, in an admin's words. */
  readonly description: string;
  /** Why the Azure deployment never sets it, when it must not (the Bicep templates are checked against this). */
  readonly notInAzure?: string;
}

/** Stands for the org key's suffix in a per-org setting's name. */
export const ORG_KEY_PLACEHOLDER = '<ORGKEY>';

export const APP_SETTINGS: readonly AppSetting[] = [
  {
    name: 'PRODUCT_SYNC_TENANTS',
    required: 'required',
    secret: false,
    perOrg: false,
    readBy: 'app',
    description:
      'JSON array of the organisations served: tenant, Dynamics environment, org key, Oneflow account.',
  },
  {
    name: 'ONEFLOW_API_TOKEN__<ORGKEY>',
    required: 'required',
    secret: true,
    perOrg: true,
    readBy: 'app',
    description: "The organisation's Oneflow API token.",
  },
  {
    name: 'ONEFLOW_SIGN_KEY__<ORGKEY>',
    required: 'required',
    secret: true,
    perOrg: true,
    readBy: 'app',
    description: "The sign key of the organisation's Oneflow webhook.",
  },
  {
    name: 'ENTRA_AUTHORITY_HOST',
    required: 'optional',
    secret: false,
    perOrg: false,
    readBy: 'app',
    description: "Entra's host (default https://login.microsoftonline.com).",
  },
  {
    name: 'ENTRA_CA_CERTIFICATE_PEM',
    required: 'optional',
    secret: false,
    perOrg: false,
    readBy: 'app',
    description: 'PEM of a certificate to trust for the authority host (a local identity provider only).',
    notInAzure: "Entra's certificates are publicly trusted; only a local identity provider needs this.",
  },
  {
    name: 'ENTRA_CA_CERTIFICATE_FILE',
    required: 'optional',
    secret: false,
    perOrg: false,
    readBy: 'app',
    description:
      'A PEM file read into ENTRA_CA_CERTIFICATE_PEM when that is unset (a local identity provider only).',
    notInAzure: "Entra's certificates are publicly trusted; only a local identity provider needs this.",
  },
  {
    name: 'API_AUDIENCES',
    required: 'required',
    secret: false,
    perOrg: false,
    readBy: 'app',
    description:
      "Accepted audiences of callers' tokens: the API's client id and/or App ID URI, comma separated.",
  },
  {
    name: 'API_ADMIN_ROLE',
    required: 'optional',
    secret: false,
    perOrg: false,
    readBy: 'app',
    description: 'App role the admin routes require (default ProductSync.Admin).',
  },
  {
    name: 'API_SYNC_ROLE',
    required: 'optional',
    secret: false,
    perOrg: false,
    readBy: 'app',
    description:
      'App role an application needs to call the API with its own token (default ProductSync.Sync).',
  },
  {
    name: 'BACKEND_CLIENT_ID',
    required: 'required',
    secret: false,
    perOrg: false,
    readBy: 'app',
    description: 'Client id of the app registration the backend signs in with to reach Dataverse.',
  },
  {
    name: 'BACKEND_CLIENT_SECRET',
    required: { oneOf: 'backendCredential' },
    secret: true,
    perOrg: false,
    readBy: 'app',
    description: "The backend app registration's client secret.",
  },
  {
    name: 'BACKEND_CLIENT_CERTIFICATE',
    required: { oneOf: 'backendCredential' },
    secret: true,
    perOrg: false,
    readBy: 'app',
    description: "PEM holding the backend app registration's certificate and its private key.",
  },
  {
    name: 'BACKEND_FEDERATED_CREDENTIAL',
    required: { oneOf: 'backendCredential' },
    secret: false,
    perOrg: false,
    readBy: 'app',
    description:
      "`managedidentity`: the Function app's managed identity is a federated credential of the backend app registration.",
  },
  {
    name: 'BACKEND_FEDERATED_CLIENT_ID',
    required: 'optional',
    secret: false,
    perOrg: false,
    readBy: 'app',
    description:
      'Client id of the user-assigned managed identity to federate with (unset: the system-assigned one).',
  },
  {
    name: 'AzureWebJobsStorage',
    required: { oneOf: 'storage' },
    secret: true,
    perOrg: false,
    readBy: 'app and host',
    description:
      'Storage connection string: state tables, the webhook queue, the queue trigger and the timers.',
    notInAzure: 'The storage account refuses shared keys: the app reaches it with its managed identity.',
  },
  {
    name: 'AzureWebJobsStorage__accountName',
    required: { oneOf: 'storage' },
    secret: false,
    perOrg: false,
    readBy: 'app and host',
    description: 'Storage account reached with the managed identity instead of a connection string.',
  },
  {
    name: 'AzureWebJobsStorage__tableServiceUri',
    required: 'optional',
    secret: false,
    perOrg: false,
    readBy: 'app and host',
    description: "Table service URL of the identity-based connection (default: the account's).",
  },
  {
    name: 'AzureWebJobsStorage__queueServiceUri',
    required: 'optional',
    secret: false,
    perOrg: false,
    readBy: 'app and host',
    description: "Queue service URL of the identity-based connection (default: the account's).",
  },
  {
    name: 'AzureWebJobsStorage__blobServiceUri',
    required: 'optional',
    secret: false,
    perOrg: false,
    readBy: 'app and host',
    description:
      "Blob service URL of the identity-based connection, for the host's timer leases (default: the account's).",
  },
  {
    name: 'AzureWebJobsStorage__credential',
    required: 'optional',
    secret: false,
    perOrg: false,
    readBy: 'app and host',
    description: '`managedidentity`: the identity-based connection uses the managed identity.',
  },
  {
    name: 'AzureWebJobsStorage__clientId',
    required: 'optional',
    secret: false,
    perOrg: false,
    readBy: 'app and host',
    description:
      'Client id of a user-assigned managed identity for storage (unset: the system-assigned one).',
  },
  {
    name: 'WEBHOOK_QUEUE_NAME',
    required: 'azure',
    secret: false,
    perOrg: false,
    readBy: 'app and host',
    description:
      'The webhook queue; the queue trigger binds %WEBHOOK_QUEUE_NAME%, so it must be set in Azure.',
  },
  {
    name: 'ACTIVITY_RETENTION_DAYS',
    required: 'optional',
    secret: false,
    perOrg: false,
    readBy: 'app',
    description: 'Days activity entries are kept (default 180).',
  },
  {
    name: 'CALLBACK_RETENTION_DAYS',
    required: 'optional',
    secret: false,
    perOrg: false,
    readBy: 'app',
    description: 'Days seen webhook callback ids are kept (default 30).',
  },
  {
    name: 'RECONCILE_QUOTA_SHARE_PERCENT',
    required: 'optional',
    secret: false,
    perOrg: false,
    readBy: 'app',
    description:
      "Percent of each org's Oneflow request budget one reconciliation run may spend, 1-100 (default 10).",
  },
  {
    name: 'CORS_ALLOWED_ORIGINS',
    required: 'optional',
    secret: false,
    perOrg: false,
    readBy: 'app',
    description: 'Browser origins allowed to call the API (the Dynamics environments), comma separated.',
  },
  {
    name: 'APPLICATIONINSIGHTS_CONNECTION_STRING',
    required: 'azure',
    secret: false,
    perOrg: false,
    readBy: 'host',
    description: 'Where the Functions host sends logs and telemetry (Application Insights).',
  },
  {
    name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
    required: 'optional',
    secret: false,
    perOrg: false,
    readBy: 'host',
    description: '`Authorization=AAD`: the host sends telemetry with the managed identity instead of a key.',
  },
  {
    name: 'FUNCTIONS_WORKER_RUNTIME',
    required: 'optional',
    secret: false,
    perOrg: false,
    readBy: 'host',
    description: '`node`: the language worker Core Tools (`func start`) runs the app with.',
    notInAzure: 'Flex Consumption takes the runtime from functionAppConfig.runtime and refuses this setting.',
  },
];

/** A per-org setting's name for one org key: `ONEFLOW_API_TOKEN__<ORGKEY>` and `north-wind` → `…__NORTH_WIND`. */
export function perOrgSettingName(setting: Pick<AppSetting, 'name'>, orgKey: string): string {
  return setting.name.replace(ORG_KEY_PLACEHOLDER, orgKey.toUpperCase().replace(/[^A-Z0-9]/g, '_'));
}

/** The settings the app's own code reads (`loadConfig`), as opposed to those only the Functions host reads. */
export function appReadSettings(): AppSetting[] {
  return APP_SETTINGS.filter((setting) => setting.readBy !== 'host');
}

/**
 * Settings that still hold a Key Vault reference. When Azure cannot resolve one (no such secret, or the identity may
 * not read it) it hands the app the reference text itself, which would otherwise pass for a token or a key.
 */
export function unresolvedKeyVaultReferences(env: NodeJS.ProcessEnv): string[] {
  const names = appReadSettings().flatMap((setting) => {
    if (!setting.perOrg) return [setting.name];
    const prefix = setting.name.slice(0, setting.name.indexOf(ORG_KEY_PLACEHOLDER));
    return Object.keys(env).filter((name) => name.startsWith(prefix));
  });
  return names
    .filter((name) => /^\s*@Microsoft\.KeyVault\(/i.test(env[name] ?? ''))
    .map(
      (name) =>
        `${name} is a Key Vault reference Azure could not resolve: check that its secret exists and the Function app's identity may read it (Key Vault Secrets User), then restart the app`,
    );
}
