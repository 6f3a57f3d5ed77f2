import { ConfigError } from './config/config';
import { completeSettings, TEST_BACKEND_SECRET } from './testing/settings';

type CoreCallback = (context: { hookData: Record<string, unknown> }) => unknown;

// The Functions worker hands `@azure/functions` its core API under this name; standing in for the worker lets the
// real package register the entry's hooks and functions as it does in Azure.
const mockHooks = new Map<string, CoreCallback>();
const mockFunctions: string[] = [];
jest.mock(
  '@azure/functions-core',
  () => ({
    setProgrammingModel: () => undefined,
    registerFunction: (metadata: { name: string }) => {
      mockFunctions.push(metadata.name);
      return { dispose: () => undefined };
    },
    registerHook: (name: string, callback: CoreCallback) => {
      mockHooks.set(name, callback);
      return { dispose: () => undefined };
    },
    log: () => undefined,
  }),
  { virtual: true },
);

const SECRET = TEST_BACKEND_SECRET;

const COMPLETE = completeSettings({ AzureWebJobsStorage: 'UseDevelopmentStorage=true' });

const saved = { ...process.env };

function settings(values: Record<string, string | undefined>): void {
  for (const name of [...Object.keys(COMPLETE), 'CORS_ALLOWED_ORIGINS'])
    Reflect.deleteProperty(process.env, name);
  for (const [name, value] of Object.entries(values)) if (value !== undefined) process.env[name] = value;
}

/** The app's start, as the worker runs it: every appStart hook the entry registered. */
async function start(): Promise<void> {
  const hook = mockHooks.get('appStart');
  if (!hook) throw new Error('the entry registered no appStart hook');
  await hook({ hookData: {} });
}

beforeAll(async () => {
  await import('./index');
});

afterEach(() => {
  process.env = { ...saved };
});

describe('the Function app’s start', () => {
  it('registers the functions with the worker and checks the settings in an appStart hook', () => {
    expect(mockFunctions).toContain('settingsGet');
    expect(mockHooks.has('appStart')).toBe(true);
  });

  it('starts with complete settings', async () => {
    settings(COMPLETE);
    await expect(start()).resolves.toBeUndefined();
  });

  test.each([
    ['a malformed client id', { BACKEND_CLIENT_ID: 'not-a-guid' }, 'BACKEND_CLIENT_ID must be a GUID'],
    ['a missing client secret', { BACKEND_CLIENT_SECRET: undefined }, 'BACKEND_CLIENT_SECRET'],
    ['a missing org secret', { ONEFLOW_SIGN_KEY__CONTOSO: undefined }, 'ONEFLOW_SIGN_KEY__CONTOSO'],
    ['no storage connection', { AzureWebJobsStorage: undefined }, 'AzureWebJobsStorage is required'],
    [
      'an origin with a path',
      { CORS_ALLOWED_ORIGINS: 'https://contoso.crm4.dynamics.com/main.aspx' },
      'CORS_ALLOWED_ORIGINS',
    ],
  ])('fails with %s, naming the setting and never a secret value', async (_, change, named) => {
    settings({ ...COMPLETE, ...change });
    const failure = await start().then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).message).toContain(named);
    expect((failure as ConfigError).message).not.toContain(SECRET);
  });

  it('fails with a backend certificate it cannot use, or two credentials at once, never showing either value', async () => {
    // A PFX pasted as base64 where a PEM belongs, and a private key block that cannot be read.
    const pfx = Buffer.from('a PKCS#12 archive holding a private key, not PEM').toString('base64');
    const brokenKey =
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC-not-a-key\n-----END PRIVATE KEY-----\n';
    for (const [change, named] of [
      [{ BACKEND_CLIENT_SECRET: undefined, BACKEND_CLIENT_CERTIFICATE: pfx }, 'store the certificate as PEM'],
      [
        { BACKEND_CLIENT_SECRET: undefined, BACKEND_CLIENT_CERTIFICATE: brokenKey },
        'BACKEND_CLIENT_CERTIFICATE',
      ],
      [{ BACKEND_CLIENT_CERTIFICATE: pfx }, 'BACKEND_CLIENT_SECRET, BACKEND_CLIENT_CERTIFICATE'],
    ] as const) {
      settings({ ...COMPLETE, ...change });
      const failure = await start().then(
        () => null,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(ConfigError);
      const message = (failure as ConfigError).message;
      expect(message).toContain(named);
      for (const value of [SECRET, pfx, 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC'])
        expect(message).not.toContain(value);
    }
  });
});
