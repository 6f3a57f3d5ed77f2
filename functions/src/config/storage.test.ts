import { completeSettings, configProblems } from '../testing/settings';
import { loadConfig } from './config';
import { storageFromSettings } from './storage';

const ACCOUNT_KEY_STRING =
  'DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=c2VjcmV0LWtleS10aGF0LW11c3Qtbm90LWxlYWs=;EndpointSuffix=core.windows.net';
const CLIENT_ID = 'b1c2d3e4-0000-4000-8000-00000000b001';

const BASE = completeSettings();

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  return configProblems({ ...BASE, ...env });
}

describe('storage settings (the Functions host’s AzureWebJobsStorage forms)', () => {
  it('never quotes a service URL’s query, which may be a SAS token', () => {
    for (const value of [
      'https://contoso.table.core.windows.net/?sv=2024&sig=c2VjcmV0',
      'contoso?sig=c2VjcmV0',
    ]) {
      const problems = problemsOf({ AzureWebJobsStorage__tableServiceUri: value }).join('\n');
      expect(problems).toContain('AzureWebJobsStorage__tableServiceUri must be an https URL');
      expect(problems).toContain('with a query or fragment');
      expect(problems).not.toContain('sig=');
    }
  });

  it('takes a connection string as it is', () => {
    expect(loadConfig({ ...BASE, AzureWebJobsStorage: ACCOUNT_KEY_STRING }).storage).toEqual({
      kind: 'connectionString',
      connectionString: ACCOUNT_KEY_STRING,
    });
  });

  it('has none when nothing is set, or only empty values (the local runner then starts Azurite)', () => {
    expect(loadConfig(BASE).storage).toBeUndefined();
    expect(
      loadConfig({ ...BASE, AzureWebJobsStorage: '', AzureWebJobsStorage__accountName: ' ' }).storage,
    ).toBeUndefined();
  });

  it('derives the table and queue URLs from the account name and uses the system-assigned identity', () => {
    expect(loadConfig({ ...BASE, AzureWebJobsStorage__accountName: 'contosoproductsync' }).storage).toEqual({
      kind: 'identity',
      tableUrl: 'https://contosoproductsync.table.core.windows.net',
      queueUrl: 'https://contosoproductsync.queue.core.windows.net',
      clientId: undefined,
    });
  });

  it('takes the service URLs when given (another cloud, a private endpoint, Azurite), without trailing slashes', () => {
    expect(
      storageFromSettings({
        AzureWebJobsStorage__accountName: 'contoso',
        AzureWebJobsStorage__tableServiceUri: 'https://contoso.table.core.chinacloudapi.cn/',
        AzureWebJobsStorage__queueServiceUri: 'https://127.0.0.1:10001/devstoreaccount1',
      }),
    ).toEqual({
      storage: {
        kind: 'identity',
        tableUrl: 'https://contoso.table.core.chinacloudapi.cn',
        queueUrl: 'https://127.0.0.1:10001/devstoreaccount1',
        clientId: undefined,
      },
      problems: [],
    });
    expect(
      storageFromSettings({
        AzureWebJobsStorage__tableServiceUri: 'https://t.example/acct',
        AzureWebJobsStorage__queueServiceUri: 'https://q.example/acct',
        AzureWebJobsStorage__blobServiceUri: 'https://b.example/acct',
      }).storage,
    ).toMatchObject({ tableUrl: 'https://t.example/acct', queueUrl: 'https://q.example/acct' });
  });

  it('needs the blob service URL too without an account name: the host keeps its timer leases in blobs', () => {
    expect(
      problemsOf({
        AzureWebJobsStorage__tableServiceUri: 'https://t.example/acct',
        AzureWebJobsStorage__queueServiceUri: 'https://q.example/acct',
      }),
    ).toEqual([
      'AzureWebJobsStorage__blobServiceUri or AzureWebJobsStorage__accountName is required for the identity-based connection (the Functions host keeps its timer leases in blobs)',
    ]);
  });

  it('uses a user-assigned identity when credential is managedidentity and clientId names it', () => {
    expect(
      loadConfig({
        ...BASE,
        AzureWebJobsStorage__accountName: 'contoso',
        AzureWebJobsStorage__credential: 'ManagedIdentity',
        AzureWebJobsStorage__clientId: CLIENT_ID.toUpperCase(),
      }).storage,
    ).toMatchObject({ kind: 'identity', clientId: CLIENT_ID });
  });

  it('refuses a connection string beside identity settings, naming both and never the string', () => {
    const problems = problemsOf({
      AzureWebJobsStorage: ACCOUNT_KEY_STRING,
      AzureWebJobsStorage__accountName: 'contoso',
      AzureWebJobsStorage__clientId: CLIENT_ID,
    });
    expect(problems).toEqual([
      'AzureWebJobsStorage and AzureWebJobsStorage__accountName, AzureWebJobsStorage__clientId are both set: use either the connection string or the identity-based settings',
    ]);
    expect(problems.join('\n')).not.toContain('c2VjcmV0');
  });

  it.each([
    [
      'a service without URL or account',
      { AzureWebJobsStorage__tableServiceUri: 'https://t.example/acct' },
      'AzureWebJobsStorage__queueServiceUri or AzureWebJobsStorage__accountName is required for the identity-based connection',
    ],
    [
      'only the credential',
      { AzureWebJobsStorage__credential: 'managedidentity' },
      'AzureWebJobsStorage__tableServiceUri or AzureWebJobsStorage__accountName is required for the identity-based connection',
    ],
    [
      'an account name that is not one',
      { AzureWebJobsStorage__accountName: 'Contoso_Storage' },
      'AzureWebJobsStorage__accountName must be a storage account name (3-24 lowercase letters and digits), got "Contoso_Storage"',
    ],
    [
      'a plain http service URL (a token only goes over TLS)',
      {
        AzureWebJobsStorage__accountName: 'contoso',
        AzureWebJobsStorage__queueServiceUri: 'http://127.0.0.1:10001/x',
      },
      'AzureWebJobsStorage__queueServiceUri must be an https URL such as https://contoso.table.core.windows.net, got "http://127.0.0.1:10001/x"',
    ],
    [
      'a service URL with a query (a SAS does not belong here)',
      {
        AzureWebJobsStorage__accountName: 'contoso',
        AzureWebJobsStorage__tableServiceUri: 'https://t.example/?sv=1',
      },
      'AzureWebJobsStorage__tableServiceUri must be an https URL',
    ],
    [
      'another credential kind',
      { AzureWebJobsStorage__accountName: 'contoso', AzureWebJobsStorage__credential: 'clientsecret' },
      'AzureWebJobsStorage__credential must be managedidentity, got "clientsecret"',
    ],
    [
      'a client id that is not a GUID',
      {
        AzureWebJobsStorage__accountName: 'contoso',
        AzureWebJobsStorage__credential: 'managedidentity',
        AzureWebJobsStorage__clientId: 'storage-identity',
      },
      'AzureWebJobsStorage__clientId must be a client id (a GUID), got "storage-identity"',
    ],
    [
      'a client id without credential=managedidentity (the host would ignore it)',
      { AzureWebJobsStorage__accountName: 'contoso', AzureWebJobsStorage__clientId: CLIENT_ID },
      'AzureWebJobsStorage__clientId needs AzureWebJobsStorage__credential=managedidentity (without it the Functions host ignores the client id)',
    ],
  ])('refuses %s, naming the setting', (_case, settings, message) => {
    expect(problemsOf(settings)).toContainEqual(expect.stringContaining(message));
  });

  it('names every storage problem at once, beside the other settings’ problems', () => {
    const problems = problemsOf({
      ONEFLOW_SIGN_KEY__CONTOSO: undefined,
      AzureWebJobsStorage__accountName: 'x',
      AzureWebJobsStorage__credential: 'key',
    });
    expect(problems).toEqual([
      "ONEFLOW_SIGN_KEY__CONTOSO is required (the contoso org's secret)",
      expect.stringContaining('AzureWebJobsStorage__accountName must be a storage account name'),
      expect.stringContaining('AzureWebJobsStorage__credential must be managedidentity'),
    ]);
  });
});
