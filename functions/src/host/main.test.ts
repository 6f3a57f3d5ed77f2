import { ConfigError } from '../config/config';
import { localPorts, localQueueVisibility, localStorageConnection } from './main';

describe('local runner ports', () => {
  it('are the documented defaults: Functions 7071, Azurite blobs 10000, queues 10001, tables 10002', () => {
    expect(localPorts({})).toEqual({ functions: 7071, azurite: { blob: 10000, queue: 10001, table: 10002 } });
  });

  it('move with FUNCTIONS_PORT and AZURITE_*_PORT; 0 lets the OS pick', () => {
    expect(
      localPorts({
        FUNCTIONS_PORT: '0',
        AZURITE_BLOB_PORT: '20000',
        AZURITE_QUEUE_PORT: '',
        AZURITE_TABLE_PORT: '0',
      }),
    ).toEqual({ functions: 0, azurite: { blob: 20000, queue: 10001, table: 0 } });
  });

  it('refuse a value that is not a port, naming the variable', () => {
    expect(() => localPorts({ AZURITE_QUEUE_PORT: 'queues' })).toThrow(ConfigError);
    expect(() => localPorts({ AZURITE_QUEUE_PORT: 'queues' })).toThrow(
      'AZURITE_QUEUE_PORT must be a port number (0-65535), got "queues"',
    );
    for (const value of ['70000', '1e3', '0x50', ' 80', '80.0', '-1']) {
      expect(() => localPorts({ FUNCTIONS_PORT: value })).toThrow(/FUNCTIONS_PORT/);
    }
  });
});

describe('local runner storage', () => {
  it('starts its own Azurite without a connection string, and for UseDevelopmentStorage=true (as `func start` needs it)', () => {
    expect(localStorageConnection(undefined)).toBeUndefined();
    for (const value of [
      'UseDevelopmentStorage=true',
      'usedevelopmentstorage=TRUE;',
      ' UseDevelopmentStorage=true ',
    ]) {
      expect(localStorageConnection({ kind: 'connectionString', connectionString: value })).toBeUndefined();
    }
  });

  it('uses any other connection string as it is', () => {
    const azurite =
      'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;TableEndpoint=http://127.0.0.1:20002/devstoreaccount1';
    expect(localStorageConnection({ kind: 'connectionString', connectionString: azurite })).toBe(azurite);
    const proxied = 'UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://127.0.0.1';
    expect(localStorageConnection({ kind: 'connectionString', connectionString: proxied })).toBe(proxied);
  });

  it('refuses identity-based storage, which only Azure can give a token for', () => {
    expect(() =>
      localStorageConnection({
        kind: 'identity',
        tableUrl: 'https://contoso.table.core.windows.net',
        queueUrl: 'https://contoso.queue.core.windows.net',
        clientId: undefined,
      }),
    ).toThrow('AzureWebJobsStorage__* (identity-based storage) is for Azure');
  });
});

describe('local runner queue visibility', () => {
  it('is 60 s unless QUEUE_VISIBILITY_SECONDS says otherwise', () => {
    expect(localQueueVisibility({})).toBe(60);
    expect(localQueueVisibility({ QUEUE_VISIBILITY_SECONDS: '' })).toBe(60);
    expect(localQueueVisibility({ QUEUE_VISIBILITY_SECONDS: '5' })).toBe(5);
    expect(localQueueVisibility({ QUEUE_VISIBILITY_SECONDS: '600' })).toBe(600);
  });

  it('refuses what is not 1-600 seconds, naming the variable', () => {
    for (const value of ['0', '601', '1e3', ' 5', '5.5', '-1', 'soon']) {
      expect(() => localQueueVisibility({ QUEUE_VISIBILITY_SECONDS: value })).toThrow(
        `QUEUE_VISIBILITY_SECONDS must be a number of seconds (1-600), got "${value}"`,
      );
    }
  });
});
