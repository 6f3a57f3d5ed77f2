import { fakePlatform } from '../testing/fakePlatform';
import { readEnvironmentVariables, resolveConfig } from './config';

const inputs = fakePlatform().inputs;

describe('the configuration', () => {
  it('is the form inputs with the authority built from the tenant', () => {
    const result = resolveConfig({ ...inputs, apiBaseUrl: 'https://sync.example.test/' }, {});
    expect(result).toEqual({
      ok: true,
      config: {
        apiBaseUrl: 'https://sync.example.test',
        clientId: inputs.clientId,
        tenantId: inputs.tenantId,
        apiScope: inputs.apiScope,
        authority: `https://login.microsoftonline.com/${String(inputs.tenantId)}`,
      },
    });
  });

  it('names every missing value by its environment variable', () => {
    const result = resolveConfig({ ...inputs, apiBaseUrl: null, apiScope: null }, {});
    expect(result).toEqual({ ok: false, missing: ['oneflowsync_ApiBaseUrl', 'oneflowsync_ApiScope'] });
  });

  it('takes the environment variables over the inputs: the current value, else the default', async () => {
    const platform = fakePlatform(
      {},
      {
        environmentvariabledefinition: [
          {
            schemaname: 'oneflowsync_ApiBaseUrl',
            defaultvalue: 'https://default.example.test',
            environmentvariabledefinition_environmentvariablevalue: [{ value: 'https://prod.example.test' }],
          },
          {
            schemaname: 'oneflowsync_AuthorityHost',
            defaultvalue: 'https://login.microsoftonline.us',
            environmentvariabledefinition_environmentvariablevalue: [],
          },
        ],
      },
    );
    const overrides = await readEnvironmentVariables(platform);
    expect(overrides).toEqual({
      apiBaseUrl: 'https://prod.example.test',
      authorityHost: 'https://login.microsoftonline.us',
    });
    const result = resolveConfig(platform.inputs, overrides);
    expect(result.ok && result.config.authority).toBe(
      `https://login.microsoftonline.us/${String(inputs.tenantId)}`,
    );
  });

  it('falls back to the inputs when the definitions cannot be read', async () => {
    await expect(readEnvironmentVariables(fakePlatform({}, {}))).resolves.toEqual({});
  });
});
