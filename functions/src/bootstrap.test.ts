import { configFromEnvironment } from './bootstrap';
import { ConfigError } from './config/config';
import { completeSettings } from './testing/settings';

const SETTINGS = completeSettings();

const saved = { ...process.env };

function withSettings(values: Record<string, string>): void {
  process.env = { PATH: saved.PATH, ...SETTINGS, ...values };
}

afterEach(() => {
  process.env = { ...saved };
});

describe('the app’s settings in Azure (configFromEnvironment)', () => {
  it('accepts the identity-based storage settings alone, without any connection string', () => {
    withSettings({ AzureWebJobsStorage__accountName: 'contosoproductsync' });
    expect(configFromEnvironment().storage).toEqual({
      kind: 'identity',
      tableUrl: 'https://contosoproductsync.table.core.windows.net',
      queueUrl: 'https://contosoproductsync.queue.core.windows.net',
      clientId: undefined,
    });
  });

  it('accepts a connection string', () => {
    withSettings({ AzureWebJobsStorage: 'UseDevelopmentStorage=true' });
    expect(configFromEnvironment().storage).toEqual({
      kind: 'connectionString',
      connectionString: 'UseDevelopmentStorage=true',
    });
  });

  it('refuses to start without either, naming both forms', () => {
    withSettings({});
    expect(() => configFromEnvironment()).toThrow(ConfigError);
    expect(() => configFromEnvironment()).toThrow(
      'AzureWebJobsStorage is required in Azure: a connection string, or instead AzureWebJobsStorage__accountName to reach the account with the managed identity',
    );
  });

  it('refuses to start with both', () => {
    withSettings({
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      AzureWebJobsStorage__accountName: 'contoso',
    });
    expect(() => configFromEnvironment()).toThrow(
      'AzureWebJobsStorage and AzureWebJobsStorage__accountName are both set',
    );
  });
});
