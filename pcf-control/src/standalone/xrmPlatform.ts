import { msalTokenProvider } from '../auth/msalTokenProvider';
import type { TokenProvider } from '../auth/TokenProvider';
import type { SyncConfig } from '../platform/config';
import { loginHint } from '../platform/loginHint';
import type { Platform, WebApiRow } from '../platform/Platform';

/**
 * The part of the Dynamics client API (`Xrm`) the settings page uses, typed narrowly: the page that holds an HTML
 * web resource has it on `window`, and the web resource reaches it through `window.parent`.
 */
export interface XrmApi {
  Utility: {
    getGlobalContext(): {
      userSettings: { userId: string; userName: string; languageId: number };
    };
  };
  WebApi: {
    retrieveMultipleRecords(
      entityLogicalName: string,
      options?: string,
      maxPageSize?: number,
    ): PromiseLike<{ entities: WebApiRow[]; nextLink?: string }>;
    retrieveRecord(entityLogicalName: string, id: string, options?: string): PromiseLike<WebApiRow>;
  };
  Navigation: {
    openUrl(url: string, options?: { height?: number; width?: number }): unknown;
  };
}

function isXrm(value: unknown): value is XrmApi {
  if (typeof value !== 'object' || value === null) return false;
  const xrm = value as Partial<Record<keyof XrmApi, unknown>>;
  return (
    typeof xrm.Utility === 'object' &&
    xrm.Utility !== null &&
    typeof xrm.WebApi === 'object' &&
    xrm.WebApi !== null &&
    typeof xrm.Navigation === 'object' &&
    xrm.Navigation !== null
  );
}

/**
 * The `Xrm` of the Dynamics page around the web resource, else of the web resource's own window, else null (the
 * page was opened on its own). A parent of another origin throws on access: that, too, is no Xrm.
 */
export function findXrm(own: Window): XrmApi | null {
  const candidates: (() => unknown)[] = [
    () => (own.parent as unknown as { Xrm?: unknown }).Xrm,
    () => (own as unknown as { Xrm?: unknown }).Xrm,
  ];
  for (const candidate of candidates) {
    try {
      const xrm = candidate();
      if (isXrm(xrm)) return xrm;
    } catch {
      // Another origin's window: not a Dynamics page this web resource belongs to.
    }
  }
  return null;
}

/**
 * A Platform over `Xrm`, for the web-resource build of the settings page. A web resource has no record and no
 * inputs: the solution's environment variables configure it (read through the same Web API).
 */
export function xrmPlatform(xrm: XrmApi, getString: (key: string) => string): Platform {
  const { userSettings } = xrm.Utility.getGlobalContext();
  const number = (precision: number) =>
    new Intl.NumberFormat(undefined, { minimumFractionDigits: precision, maximumFractionDigits: precision });
  return {
    record: { entityName: '', id: null, name: null },
    user: {
      id: userSettings.userId.replace(/[{}]/g, '').toLowerCase(),
      name: userSettings.userName,
      languageId: userSettings.languageId,
    },
    readOnly: false,
    inputs: { apiBaseUrl: null, clientId: null, tenantId: null, apiScope: null, authorityHost: null },
    webApi: {
      async retrieveMultiple(entityName, options) {
        const answer = await xrm.WebApi.retrieveMultipleRecords(entityName, options);
        return answer.entities;
      },
      async retrieveRecord(entityName, id, options) {
        return xrm.WebApi.retrieveRecord(entityName, id, options);
      },
    },
    getString,
    formatDecimal: (value, precision) => number(precision).format(value),
    formatDateTime: (value) =>
      new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' }).format(value),
    openUrl: (url) => {
      xrm.Navigation.openUrl(url);
    },
  };
}

/**
 * The web resource's sign-in: MSAL, one provider per configuration (as the controls keep one per instance), with
 * the Dynamics user's sign-in name as the silent sign-in's hint.
 */
export function tokenProvidersOver(platform: Platform): (config: SyncConfig) => TokenProvider {
  const providers = new Map<string, TokenProvider>();
  return (config) => {
    const key = `${config.authority}|${config.clientId}|${config.apiScope}`;
    let provider = providers.get(key);
    if (provider === undefined) {
      provider = msalTokenProvider(config, () => loginHint(platform));
      providers.set(key, provider);
    }
    return provider;
  };
}
