import { GuidSchema } from '@oneflow-sync/shared';

/**
 * Where the state tables and the webhook queue live, and how the app signs in to them: the Functions host's own
 * storage settings, read the way the host reads them, so the app and its queue trigger and timers always use the
 * same account.
 *
 * - `AzureWebJobsStorage`: a connection string (Azurite locally, or an account key).
 * - `AzureWebJobsStorage__accountName` and/or `__tableServiceUri` / `__queueServiceUri` / `__blobServiceUri`: an identity-based
 *   connection. The service URLs default to the account's (`https://<account>.table.core.windows.net`); the app
 *   signs in with its managed identity, the system-assigned one unless `__credential=managedidentity` and
 *   `__clientId` name a user-assigned one (the host ignores a client id without that credential setting, so it is
 *   refused here rather than silently differing).
 */
export type StorageConfig =
  | { kind: 'connectionString'; connectionString: string }
  | {
      kind: 'identity';
      tableUrl: string;
      queueUrl: string;
      /** A user-assigned identity's client id; undefined: the system-assigned identity. */
      clientId: string | undefined;
    };

const STORAGE_SETTINGS = {
  connectionString: 'AzureWebJobsStorage',
  accountName: 'AzureWebJobsStorage__accountName',
  tableServiceUri: 'AzureWebJobsStorage__tableServiceUri',
  queueServiceUri: 'AzureWebJobsStorage__queueServiceUri',
  blobServiceUri: 'AzureWebJobsStorage__blobServiceUri',
  credential: 'AzureWebJobsStorage__credential',
  clientId: 'AzureWebJobsStorage__clientId',
} as const;

const IDENTITY_SETTINGS = [
  STORAGE_SETTINGS.accountName,
  STORAGE_SETTINGS.tableServiceUri,
  STORAGE_SETTINGS.queueServiceUri,
  STORAGE_SETTINGS.blobServiceUri,
  STORAGE_SETTINGS.credential,
  STORAGE_SETTINGS.clientId,
] as const;

/** Storage account names: 3-24 lowercase letters and digits. */
const ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;

export interface StorageSettings {
  /** Undefined when no storage setting is set (the local runner then starts Azurite). */
  storage: StorageConfig | undefined;
  /** Each names its setting; a connection string's value never appears. */
  problems: string[];
}

/** An https service URL without a trailing slash, or why not: a bearer token is only ever sent over TLS. */
function serviceUrl(name: string, value: string, problems: string[]): string | undefined {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url?.protocol !== 'https:' || url.search !== '' || url.hash !== '') {
    // A query may be a SAS token: the value is quoted without it.
    const shown = url === undefined ? (value.split(/[?#]/)[0] ?? '') : `${url.origin}${url.pathname}`;
    const query = shown === value ? '' : ' with a query or fragment';
    problems.push(
      `${name} must be an https URL such as https://contoso.table.core.windows.net, got "${shown}"${query}`,
    );
    return undefined;
  }
  return url.href.replace(/\/+$/, '');
}

export function storageFromSettings(env: NodeJS.ProcessEnv): StorageSettings {
  const value = (name: string): string | undefined => env[name]?.trim() || undefined;
  const connectionString = value(STORAGE_SETTINGS.connectionString);
  const identitySet = IDENTITY_SETTINGS.filter((name) => value(name) !== undefined);
  if (connectionString !== undefined && identitySet.length > 0) {
    return {
      storage: undefined,
      problems: [
        `${STORAGE_SETTINGS.connectionString} and ${identitySet.join(', ')} are both set: use either the connection string or the identity-based settings`,
      ],
    };
  }
  if (connectionString !== undefined) {
    return { storage: { kind: 'connectionString', connectionString }, problems: [] };
  }
  if (identitySet.length === 0) return { storage: undefined, problems: [] };

  const problems: string[] = [];
  const accountName = value(STORAGE_SETTINGS.accountName);
  if (accountName !== undefined && !ACCOUNT_NAME.test(accountName)) {
    problems.push(
      `${STORAGE_SETTINGS.accountName} must be a storage account name (3-24 lowercase letters and digits), got "${accountName}"`,
    );
  }
  const endpoint = (setting: string, service: 'table' | 'queue'): string | undefined => {
    const given = value(setting);
    if (given !== undefined) return serviceUrl(setting, given, problems);
    if (accountName === undefined) {
      problems.push(
        `${setting} or ${STORAGE_SETTINGS.accountName} is required for the identity-based connection`,
      );
      return undefined;
    }
    return `https://${accountName}.${service}.core.windows.net`;
  };
  const tableUrl = endpoint(STORAGE_SETTINGS.tableServiceUri, 'table');
  const queueUrl = endpoint(STORAGE_SETTINGS.queueServiceUri, 'queue');
  // The app uses no blobs, but the host keeps its timer leases and keys there over the same connection: without
  // an account name it would find no blob service, and the timers would never run.
  const blobUri = value(STORAGE_SETTINGS.blobServiceUri);
  if (blobUri !== undefined) serviceUrl(STORAGE_SETTINGS.blobServiceUri, blobUri, problems);
  else if (accountName === undefined) {
    problems.push(
      `${STORAGE_SETTINGS.blobServiceUri} or ${STORAGE_SETTINGS.accountName} is required for the identity-based connection (the Functions host keeps its timer leases in blobs)`,
    );
  }
  const credential = value(STORAGE_SETTINGS.credential);
  if (credential !== undefined && credential.toLowerCase() !== 'managedidentity') {
    problems.push(`${STORAGE_SETTINGS.credential} must be managedidentity, got "${credential}"`);
  }
  const clientId = value(STORAGE_SETTINGS.clientId);
  if (clientId !== undefined) {
    if (!GuidSchema.safeParse(clientId).success) {
      problems.push(`${STORAGE_SETTINGS.clientId} must be a client id (a GUID), got "${clientId}"`);
    } else if (credential?.toLowerCase() !== 'managedidentity') {
      problems.push(
        `${STORAGE_SETTINGS.clientId} needs ${STORAGE_SETTINGS.credential}=managedidentity (without it the Functions host ignores the client id)`,
      );
    }
  }
  if (problems.length > 0 || tableUrl === undefined || queueUrl === undefined) {
    return { storage: undefined, problems };
  }
  return {
    storage: { kind: 'identity', tableUrl, queueUrl, clientId: clientId?.toLowerCase() },
    problems,
  };
}
