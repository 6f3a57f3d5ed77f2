import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { formContext } from '../host/page/contextShim';
import { resourceStrings } from '../host/page/resources';
import { pcfPlatform } from '../src/platform/pcfPlatform';
import {
  DEFAULT_BUNDLE_PATH,
  DEFAULT_SETTINGS_BUNDLE_PATH,
  RESX_URL,
  SETTINGS_RESX_URL,
  startFormHost,
  type RunningFormHost,
} from '../host/server';
import { startSimulatorProcess, type SimulatorProcess } from './support/formStack';
import { settingsUrl } from './support/settingsPage';
import { REDIRECT_BRIDGE_PATH } from '../src/auth/redirectBridge';

const OPPORTUNITY = '0a1b0000-0000-4000-8000-000000000001';
const WIDGET_LINE = '2c3d0000-0000-4000-8000-000000000001';
const ALEX_SYSTEMUSER = '6a000000-0000-4000-8000-000000000002';
const ROBIN_SYSTEMUSER = '6a000000-0000-4000-8000-000000000003';
const SAM_SYSTEMUSER = '6a000000-0000-4000-8000-000000000004';
/** The Function app is not called by these tests; the pages only name it. */
const API_BASE_URL = 'http://127.0.0.1:7071';

let simulators: SimulatorProcess;
let host: RunningFormHost;

function hostOptions(extra: Record<string, unknown> = {}) {
  return {
    port: 0,
    apiBaseUrl: API_BASE_URL,
    dataverseUrl: simulators.dataverseUrl,
    identityUrl: simulators.identityUrl,
    identityCertificatePem: simulators.identityCertificatePem,
    ...extra,
  };
}

function scriptsOf(html: string): (string | undefined)[] {
  return [...html.matchAll(/<script src="([^"]+)"/g)].map((match) => match[1]);
}

function configOf(html: string): unknown {
  return JSON.parse(
    /<script type="application\/json" id="form-host-config">(.*?)<\/script>/.exec(html)?.[1] ?? '{}',
  );
}

function payloadOf(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

beforeAll(async () => {
  simulators = await startSimulatorProcess();
  host = await startFormHost(hostOptions());
}, 60_000);

afterAll(async () => {
  await host.close();
  await simulators.stop();
});

describe('the form host pages', () => {
  it('serves the index with links to both forms', async () => {
    const response = await fetch(`${host.url}/`);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain('href="/forms/opportunity"');
    expect(html).toContain('href="/forms/quote"');
  });

  it('serves a form page that loads the platform shim, the control bundle and the page, in that order', async () => {
    const response = await fetch(`${host.url}/forms/opportunity?id=${OPPORTUNITY}&theme=dark&readonly=1`);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(scriptsOf(html)).toEqual([
      '/platform/shim.js',
      '/platform/register.js',
      '/controls/ProductSyncWidget/bundle.js',
      '/host/page.js',
    ]);
    expect(configOf(html)).toMatchObject({
      entity: 'opportunity',
      recordId: OPPORTUNITY,
      theme: 'dark',
      readOnly: true,
      signIn: 'host',
      user: 'alex',
      inputs: {
        apiBaseUrl: API_BASE_URL,
        clientId: '7e1f3a5c-9b2d-4f6e-8a0c-3d5f7b9e1a2c',
        tenantId: '3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f',
        apiScope: 'api://a9900000-0000-4000-8000-000000000001/access_as_user',
        authorityHost: simulators.identityUrl,
      },
    });
  });

  it.each([
    ['theme=blue', 'theme: "blue" is not one of light, dark'],
    ['id=42', 'id: "42" is not a record id'],
    ['user=nobody', 'user: "nobody" is not one of alex, robin, sam'],
    ['signin=saml', 'signin: "saml" is not one of host, msal'],
  ])('refuses ?%s, naming the parameter', async (query, problem) => {
    const response = await fetch(`${host.url}/forms/quote?${query}`);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain(problem);
  });

  it('serves the settings page: the SyncSettings bundle on the same platform, as Sam Admin unless told', async () => {
    const response = await fetch(`${host.url}/settings?theme=dark&signin=msal`);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(scriptsOf(html)).toEqual([
      '/platform/shim.js',
      '/platform/register.js',
      '/controls/SyncSettings/bundle.js',
      '/host/settings.js',
    ]);
    expect(configOf(html)).toEqual({
      theme: 'dark',
      signIn: 'msal',
      user: 'sam',
      inputs: {
        apiBaseUrl: API_BASE_URL,
        clientId: '7e1f3a5c-9b2d-4f6e-8a0c-3d5f7b9e1a2c',
        tenantId: '3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f',
        apiScope: 'api://a9900000-0000-4000-8000-000000000001/access_as_user',
        authorityHost: simulators.identityUrl,
      },
    });
    const alex = await fetch(`${settingsUrl(host, { user: 'alex' })}&inputs=none`);
    expect(configOf(await alex.text())).toMatchObject({ user: 'alex', signIn: 'host', inputs: null });
    const page = await fetch(`${host.url}/host/settings.js`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('OneflowSync.SyncSettings');
  });

  it.each([
    ['user=nobody', 'user: "nobody" is not one of alex, robin, sam'],
    ['theme=blue', 'theme: "blue" is not one of light, dark'],
    ['signin=saml', 'signin: "saml" is not one of host, msal'],
  ])('refuses a settings page with ?%s, naming the parameter', async (query, problem) => {
    const response = await fetch(`${host.url}/settings?${query}`);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain(problem);
  });

  it("serves the web resource's parent page: the user's Xrm, then the web resource in a frame", async () => {
    const response = await fetch(`${host.url}/settings/web-resource?user=alex`);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain('<h1');
    expect([...html.matchAll(/<script src="([^"]+)"/g)].map((match) => match[1])).toEqual([
      '/host/web-resource.js',
    ]);
    expect(configOf(html)).toEqual({
      user: 'alex',
      src: '/WebResources/oneflowsync_/settings/index.html',
      title: 'Oneflow product sync settings',
    });
    const refused = await fetch(`${host.url}/settings/web-resource?user=mallory`);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('user: "mallory" is not one of alex, robin, sam');
  });

  it('serves the web-resource build where Dynamics does, and says how to build it when it is missing', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'web-resources-'));
    mkdirSync(join(folder, 'oneflowsync_', 'settings'), { recursive: true });
    writeFileSync(join(folder, 'oneflowsync_', 'settings', 'index.html'), '<!doctype html><title>x</title>');
    const other = await startFormHost(hostOptions({ webResourcesPath: folder }));
    try {
      const page = await fetch(`${other.url}/WebResources/oneflowsync_/settings/index.html`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await page.text()).toBe('<!doctype html><title>x</title>');
      const script = await fetch(`${other.url}/WebResources/oneflowsync_/settings/settings.js`);
      expect(script.status).toBe(404);
      expect(await script.text()).toContain(
        'The web resource oneflowsync_/settings/settings.js is not built: run `npm run build -w pcf-control`',
      );
      // Only the web resource's own folder is served from disk.
      const outside = await fetch(`${other.url}/WebResources/oneflowsync_/settings/..%2F..%2Fpackage.json`);
      expect(outside.status).toBe(404);
    } finally {
      await other.close();
      rmSync(folder, { recursive: true, force: true });
    }
  }, 60_000);

  it('has no form for another table', async () => {
    const response = await fetch(`${host.url}/forms/account`);
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('the forms are opportunity, quote');
  });
});

describe('the platform the control runs on', () => {
  it('serves a shim that sets React 16.14, its ReactDOM and Fluent 9 as the platform globals', async () => {
    const shim = await (await fetch(`${host.url}/platform/shim.js`)).text();
    const window: Record<string, unknown> = {};
    runInNewContext(shim, { window, self: window });
    const react = window.Reactv16 as { version: string; createElement: unknown };
    const fluent = window.FluentUIReactv940 as Record<string, unknown>;
    const reactDom = window.ReactDOM as { version: string; render: unknown };
    expect(react.version).toBe('16.14.0');
    expect(reactDom.version).toBe('16.14.0');
    expect(typeof reactDom.render).toBe('function');
    expect(fluent.FluentProvider).toBeDefined();
    expect(fluent.webDarkTheme).toBeDefined();
    // Fluent through its ES modules: not the 17 MB CommonJS build with every icon.
    expect(shim.length).toBeLessThan(3_000_000);
  });

  it('serves the production control bundles as built', async () => {
    const served = await (await fetch(`${host.url}/controls/ProductSyncWidget/bundle.js`)).text();
    expect(served).toBe(readFileSync(DEFAULT_BUNDLE_PATH, 'utf8'));
    expect(served).toContain("registerControl('OneflowSync.ProductSyncWidget'");
    const settings = await (await fetch(`${host.url}/controls/SyncSettings/bundle.js`)).text();
    expect(settings).toBe(readFileSync(DEFAULT_SETTINGS_BUNDLE_PATH, 'utf8'));
    expect(settings).toContain("registerControl('OneflowSync.SyncSettings'");
  });

  it('refuses to start without either control bundle, saying how to build it', async () => {
    const missing = join(__dirname, 'no-such-folder', 'bundle.js');
    await expect(startFormHost(hostOptions({ bundlePath: missing }))).rejects.toThrow(
      `The control bundle ${missing} is missing: run \`npm run build -w pcf-control\` first`,
    );
    await expect(startFormHost(hostOptions({ settingsBundlePath: missing }))).rejects.toThrow(
      `The control bundle ${missing} is missing: run \`npm run build -w pcf-control\` first`,
    );
  });

  it('refuses options that are not right, naming each', async () => {
    await expect(
      startFormHost(hostOptions({ apiBaseUrl: 'not a url', identityCertificatePem: 'none' })),
    ).rejects.toThrow(/apiBaseUrl: .*; identityCertificatePem: must be a PEM certificate/);
  });

  it("serves the solution's built MSAL redirect bridge at the web resource path, without a COOP header", async () => {
    const built = join(__dirname, '..', 'out', 'webresources', 'oneflowsync_', 'auth');
    const page = await fetch(`${host.url}${REDIRECT_BRIDGE_PATH}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cross-origin-opener-policy')).toBeNull();
    const html = await page.text();
    expect(html).toBe(readFileSync(join(built, 'redirect.html'), 'utf8'));
    // Relative, so the page finds its script under any URL Dynamics serves web resources at.
    expect(scriptsOf(html)).toEqual(['redirect.js']);
    const script = await fetch(`${host.url}/WebResources/oneflowsync_/auth/redirect.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const served = await script.text();
    expect(served).toBe(readFileSync(join(built, 'redirect.js'), 'utf8'));
    expect(served).toContain('@azure/msal-browser');
  });

  it('gives the control the resx strings, and a missing key throws and is reported', async () => {
    const xml = await (await fetch(`${host.url}${RESX_URL}`)).text();
    const reported: string[] = [];
    const getString = resourceStrings(xml, (message) => reported.push(message));
    expect(getString('Widget_Heading')).toBe('Oneflow contract');
    expect(reported).toEqual([]);
    expect(() => getString('No_Such_Key')).toThrow('Missing resx string: No_Such_Key');
    expect(reported).toEqual(['Missing resx string: No_Such_Key']);
    const settings = await (await fetch(`${host.url}${SETTINGS_RESX_URL}`)).text();
    expect(resourceStrings(settings, () => undefined)('Tab_Setup')).toBe('Setup entities');
  });
});

describe("the settings page's context", () => {
  it('has no record, as on a custom page: empty contextInfo and anchor, the page user, the inputs as given', () => {
    const context = formContext({
      inputs: null,
      readOnly: false,
      record: null,
      label: 'Oneflow product sync settings',
      user: { id: SAM_SYSTEMUSER, name: 'Sam Admin' },
      webAPI: {} as ComponentFramework.WebApi,
      getString: (key) => key,
      width: 1200,
      tokenTheme: null,
      updatedProperties: [],
    });
    const platform = pcfPlatform(context);
    expect(platform.record).toEqual({ entityName: '', id: null, name: null });
    expect(platform.user).toEqual({ id: SAM_SYSTEMUSER, name: 'Sam Admin', languageId: 1033 });
    expect(context.parameters.anchor.raw).toBeNull();
    expect(Object.values(platform.inputs)).toEqual([null, null, null, null, null]);
    // A platform API the host lacks is named when read, never an undefined.
    expect(() => Reflect.get(context.utils, 'lookupObjects')).toThrow(
      'context.utils.lookupObjects is not provided by the form host',
    );
  });
});

describe('the same-origin Web API', () => {
  it('forwards to Dataverse with a token of the demo user, or of the user the page names', async () => {
    // Dataverse refuses the same call without a token: the host added one.
    const direct = await fetch(`${simulators.dataverseUrl}/api/data/v9.2/WhoAmI`);
    expect(direct.status).toBe(401);
    const alex = await fetch(`${host.url}/api/data/v9.2/WhoAmI`);
    expect(alex.status).toBe(200);
    expect(((await alex.json()) as { UserId: string }).UserId).toBe(ALEX_SYSTEMUSER);
    const robin = await fetch(`${host.url}/api/data/v9.2/WhoAmI`, {
      headers: { 'x-form-host-user': 'robin' },
    });
    expect(((await robin.json()) as { UserId: string }).UserId).toBe(ROBIN_SYSTEMUSER);
  });

  it('refuses a page user that is not a demo user, calling nothing', async () => {
    const response = await fetch(`${host.url}/api/data/v9.2/WhoAmI`, {
      headers: { 'x-form-host-user': 'mallory' },
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('x-form-host-user: not a demo user');
  });

  it('writes through to the Dataverse simulator and answers as Dataverse does', async () => {
    const line = `${host.url}/api/data/v9.2/opportunityproducts(${WIDGET_LINE})`;
    const patched = await fetch(line, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', 'if-match': '*' },
      body: JSON.stringify({ quantity: 11 }),
    });
    expect(patched.status).toBe(204);
    expect(patched.headers.get('odata-entityid')).toBe(
      `${host.url}/api/data/v9.2/opportunityproducts(${WIDGET_LINE})`,
    );
    const read = (await (await fetch(`${line}?$select=quantity`)).json()) as { quantity: number };
    expect(read.quantity).toBe(11);
  });

  it("answers the solution's environment variables from the host's options", async () => {
    const response = await fetch(
      `${host.url}/api/data/v9.2/environmentvariabledefinitions?$select=schemaname,defaultvalue&$filter=schemaname eq 'oneflowsync_ApiBaseUrl' or schemaname eq 'oneflowsync_AuthorityHost'`,
    );
    const body = (await response.json()) as { value: { schemaname: string; defaultvalue: string }[] };
    expect(body.value.map(({ schemaname, defaultvalue }) => [schemaname, defaultvalue])).toEqual([
      ['oneflowsync_ApiBaseUrl', API_BASE_URL],
      ['oneflowsync_AuthorityHost', simulators.identityUrl],
    ]);
  });
});

describe('the sign-in stand-in', () => {
  it('hands the page an API token of the demo user that the identity provider signed', async () => {
    const response = await fetch(`${host.url}/host/token?user=robin`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const token = (await response.json()) as { accessToken: string; expiresOn: number };
    const claims = payloadOf(token.accessToken);
    expect(claims).toMatchObject({ aud: 'a9900000-0000-4000-8000-000000000001', name: 'Robin Viewer' });
    expect(token.expiresOn).toBeGreaterThan(Date.now());
  });

  it("hands the settings page's admin a token with the ProductSync.Admin role", async () => {
    const response = await fetch(`${host.url}/host/token?user=sam`);
    const token = (await response.json()) as { accessToken: string };
    expect(payloadOf(token.accessToken)).toMatchObject({ name: 'Sam Admin', roles: ['ProductSync.Admin'] });
    // Sam is a Dynamics user too: the settings page's context names the systemuser.
    const whoAmI = await fetch(`${host.url}/api/data/v9.2/WhoAmI`, {
      headers: { 'x-form-host-user': 'sam' },
    });
    expect(((await whoAmI.json()) as { UserId: string }).UserId).toBe(SAM_SYSTEMUSER);
  });

  it('refuses a user it does not know', async () => {
    const response = await fetch(`${host.url}/host/token?user=nobody`);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('user: "nobody" is not a demo user');
  });
});
