import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as React from 'react';
import { render, screen } from '@testing-library/react';
import { readEnvironmentVariables, resolveConfig } from '../platform/config';
import { loginHint } from '../platform/loginHint';
import type { WebApiRow } from '../platform/Platform';
import { strictGetString } from '../strings/resx';
import { SETTINGS_STRINGS } from '../testing/fakePlatform';
import { StandaloneSettings } from './StandaloneSettings';
import { findXrm, xrmPlatform, type XrmApi } from './xrmPlatform';

const getString = strictGetString(SETTINGS_STRINGS);
const SAM = '6a000000-0000-4000-8000-000000000004';

interface Calls {
  retrieveMultiple: [string, string | undefined][];
  retrieveRecord: [string, string, string | undefined][];
  openUrl: string[];
}

/** An `Xrm` as a Dynamics page has it, over rows by table; every call is recorded. */
function fakeXrm(rows: Record<string, WebApiRow[]>): { xrm: XrmApi; calls: Calls } {
  const calls: Calls = { retrieveMultiple: [], retrieveRecord: [], openUrl: [] };
  const xrm: XrmApi = {
    Utility: {
      getGlobalContext: () => ({
        userSettings: { userId: `{${SAM.toUpperCase()}}`, userName: 'Sam Admin', languageId: 1033 },
      }),
    },
    WebApi: {
      retrieveMultipleRecords: (entity, options) => {
        calls.retrieveMultiple.push([entity, options]);
        const found = rows[entity];
        return found === undefined
          ? Promise.reject(new Error(`No table ${entity}`))
          : Promise.resolve({ entities: found });
      },
      retrieveRecord: (entity, id, options) => {
        calls.retrieveRecord.push([entity, id, options]);
        const found = rows[entity]?.find((row) => Object.values(row).includes(id));
        return found === undefined ? Promise.reject(new Error(`No ${entity} ${id}`)) : Promise.resolve(found);
      },
    },
    Navigation: {
      openUrl: (url) => {
        calls.openUrl.push(url);
      },
    },
  };
  return { xrm, calls };
}

/** A window whose parent is `parent` (a frame), or its own parent (a top window). */
function windowWith(own: Record<string, unknown>, parent?: object): Window {
  const self = { ...own } as Record<string, unknown>;
  self.parent = parent ?? self;
  return self as unknown as Window;
}

describe('findXrm', () => {
  it("takes the Dynamics page's Xrm through window.parent, as an HTML web resource in an app", () => {
    const { xrm } = fakeXrm({});
    expect(findXrm(windowWith({}, { Xrm: xrm }))).toBe(xrm);
  });

  it("takes the window's own Xrm when the web resource is the page (opened full-screen from the app)", () => {
    const { xrm } = fakeXrm({});
    expect(findXrm(windowWith({ Xrm: xrm }, {}))).toBe(xrm);
  });

  it('finds none outside Dynamics: no Xrm, an Xrm without its APIs, or a parent of another origin', () => {
    expect(findXrm(windowWith({}))).toBeNull();
    expect(findXrm(windowWith({}, { Xrm: { Utility: {} } }))).toBeNull();
    const crossOrigin = new Proxy(
      {},
      {
        get() {
          throw new DOMException('Blocked a frame from accessing a cross-origin frame.', 'SecurityError');
        },
      },
    );
    expect(findXrm(windowWith({}, crossOrigin))).toBeNull();
  });
});

describe('xrmPlatform', () => {
  it('names the Dynamics user from the global context, with no record and no inputs of its own', () => {
    const platform = xrmPlatform(fakeXrm({}).xrm, getString);
    expect(platform.user).toEqual({ id: SAM, name: 'Sam Admin', languageId: 1033 });
    expect(platform.record).toEqual({ entityName: '', id: null, name: null });
    expect(Object.values(platform.inputs)).toEqual([null, null, null, null, null]);
    expect(platform.readOnly).toBe(false);
    expect(platform.getString('Tab_Setup')).toBe('Setup entities');
  });

  it("is configured by the solution's environment variables, read through Xrm.WebApi", async () => {
    const { xrm, calls } = fakeXrm({
      environmentvariabledefinition: [
        {
          schemaname: 'oneflowsync_ApiBaseUrl',
          defaultvalue: 'https://sync.example.test/',
          environmentvariabledefinition_environmentvariablevalue: [{ value: 'https://prod.example.test' }],
        },
        { schemaname: 'oneflowsync_ClientId', defaultvalue: '7e1f3a5c-9b2d-4f6e-8a0c-3d5f7b9e1a2c' },
        { schemaname: 'oneflowsync_TenantId', defaultvalue: '3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f' },
        { schemaname: 'oneflowsync_ApiScope', defaultvalue: 'api://a99/access_as_user' },
      ],
    });
    const platform = xrmPlatform(xrm, getString);
    const config = resolveConfig(platform.inputs, await readEnvironmentVariables(platform));
    expect(config).toEqual({
      ok: true,
      config: {
        apiBaseUrl: 'https://prod.example.test',
        clientId: '7e1f3a5c-9b2d-4f6e-8a0c-3d5f7b9e1a2c',
        tenantId: '3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f',
        apiScope: 'api://a99/access_as_user',
        authority: 'https://login.microsoftonline.com/3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f',
      },
    });
    expect(calls.retrieveMultiple[0]?.[0]).toBe('environmentvariabledefinition');
  });

  it('names every environment variable that is missing when Dynamics has none of them', async () => {
    const platform = xrmPlatform(fakeXrm({ environmentvariabledefinition: [] }).xrm, getString);
    expect(resolveConfig(platform.inputs, await readEnvironmentVariables(platform))).toEqual({
      ok: false,
      missing: [
        'oneflowsync_ApiBaseUrl',
        'oneflowsync_ClientId',
        'oneflowsync_TenantId',
        'oneflowsync_ApiScope',
      ],
    });
  });

  it("gives MSAL the user's sign-in name from their systemuser record as the login hint", async () => {
    const { xrm, calls } = fakeXrm({
      systemuser: [{ systemuserid: SAM, domainname: 'sam.admin@contoso.onmicrosoft.com' }],
    });
    expect(await loginHint(xrmPlatform(xrm, getString))).toBe('sam.admin@contoso.onmicrosoft.com');
    expect(calls.retrieveRecord).toEqual([['systemuser', SAM, '?$select=domainname,internalemailaddress']]);
  });

  it('opens links through Xrm.Navigation and formats numbers with their precision', () => {
    const { xrm, calls } = fakeXrm({});
    const platform = xrmPlatform(xrm, getString);
    platform.openUrl('https://app.oneflow.example/contracts/42');
    expect(calls.openUrl).toEqual(['https://app.oneflow.example/contracts/42']);
    expect(platform.formatDecimal(1234.5, 2)).toMatch(/^1.?234[.,]50$/);
  });

  it('passes a refusal of the Web API on unchanged', async () => {
    const platform = xrmPlatform(fakeXrm({}).xrm, getString);
    await expect(platform.webApi.retrieveMultiple('account', '?$top=1')).rejects.toThrow('No table account');
  });
});

describe('the web resource without Dynamics', () => {
  it('says in words that it must be opened from the app, and renders nothing else', () => {
    render(<StandaloneSettings xrm={null} getString={getString} />);
    expect(screen.getByText('Open this page from Dynamics 365')).toBeInTheDocument();
    expect(screen.getByText(/Opened on its own, this page has neither/)).toBeInTheDocument();
    expect(screen.queryByRole('tablist')).toBeNull();
  });

  it("asks the settings page's resx for every string its code names", () => {
    const folder = __dirname;
    const keys = readdirSync(folder)
      .filter((name) => /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name))
      .flatMap((name) =>
        [...readFileSync(join(folder, name), 'utf8').matchAll(/\bt\(\s*'([A-Za-z0-9_]+)'/g)].map(
          (match) => match[1] ?? '',
        ),
      );
    expect(keys.length).toBeGreaterThan(1);
    expect(keys.filter((key) => !SETTINGS_STRINGS.has(key))).toEqual([]);
  });
});
