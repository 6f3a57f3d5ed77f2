import { isDemoUser, DEMO_USERS, type DemoUserKey, type ResolvedFormHostOptions } from './options';
import {
  CONFIG_ELEMENT_ID,
  ROOT_ELEMENT_ID,
  type CommonPageConfig,
  type PageConfig,
  type SettingsPageConfig,
  type WebResourcePageConfig,
} from './page/pageConfig';

export const FORM_ENTITIES = ['opportunity', 'quote'] as const;

const GUID = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;

/**
 * Before the control bundle loads: pcf-scripts ends it with `ComponentFramework.registerControl(name, ctor)` when
 * the platform defines it (the namespace global otherwise), which is how the page gets the constructor.
 */
export const REGISTER_SCRIPT = `window.ComponentFramework = { registerControl: function (name, ctor) {
  (window.formHostControls = window.formHostControls || {})[name] = ctor;
} };
`;

type Choice<T> = { ok: true; value: T } | { ok: false; problem: string };

function choice<T extends string>(
  params: URLSearchParams,
  name: string,
  allowed: readonly T[],
  fallback: T,
): Choice<T> {
  const value = params.get(name);
  if (value === null || value === '') return { ok: true, value: fallback };
  const found = allowed.find((candidate) => candidate === value);
  return found === undefined
    ? { ok: false, problem: `${name}: "${value}" is not one of ${allowed.join(', ')}` }
    : { ok: true, value: found };
}

type Query<T> = { ok: true; config: T } | { ok: false; problem: string };

/** The theme, sign-in, user and inputs of any host page; a wrong value is named. */
function readCommonQuery(
  params: URLSearchParams,
  options: ResolvedFormHostOptions,
  defaultUser: DemoUserKey,
): Query<CommonPageConfig> {
  const theme = choice(params, 'theme', ['light', 'dark'], 'light');
  const signIn = choice(params, 'signin', ['host', 'msal'], 'host');
  const inputs = choice(params, 'inputs', ['form', 'none'], 'form');
  if (!theme.ok) return theme;
  if (!signIn.ok) return signIn;
  if (!inputs.ok) return inputs;
  const user = readUser(params, defaultUser);
  if (!user.ok) return user;
  return {
    ok: true,
    config: {
      theme: theme.value,
      signIn: signIn.value,
      user: user.value,
      inputs:
        inputs.value === 'none'
          ? null
          : {
              apiBaseUrl: options.apiBaseUrl,
              clientId: options.widgetClientId,
              tenantId: options.tenantId,
              apiScope: `api://${options.apiAppId}/access_as_user`,
              authorityHost: options.identityUrl,
            },
    },
  };
}

function readUser(params: URLSearchParams, defaultUser: DemoUserKey): Choice<DemoUserKey> {
  const user = params.get('user') ?? defaultUser;
  return isDemoUser(user)
    ? { ok: true, value: user }
    : { ok: false, problem: `user: "${user}" is not one of ${Object.keys(DEMO_USERS).join(', ')}` };
}

/** The form page's options from its query string; a wrong value is named and nothing is rendered. */
export function readFormQuery(
  params: URLSearchParams,
  options: ResolvedFormHostOptions,
): Query<Omit<PageConfig, 'entity'>> {
  const id = params.get('id');
  if (id !== null && id !== '' && !GUID.test(id))
    return { ok: false, problem: `id: "${id}" is not a record id (a GUID)` };
  const readOnly = choice(params, 'readonly', ['0', '1'], '0');
  if (!readOnly.ok) return readOnly;
  const common = readCommonQuery(params, options, options.demoUser);
  if (!common.ok) return common;
  return {
    ok: true,
    config: {
      recordId: id === null || id === '' ? null : id.replace(/[{}]/g, '').toLowerCase(),
      readOnly: readOnly.value === '1',
      ...common.config,
    },
  };
}

/** The admin who opens the settings pages unless `?user=` names another: the demo data's Sam Admin. */
const SETTINGS_DEFAULT_USER: DemoUserKey = 'sam';

/** The settings page's options: `user`, `theme`, `signin` and `inputs`, as on the forms. */
export function readSettingsQuery(
  params: URLSearchParams,
  options: ResolvedFormHostOptions,
): Query<SettingsPageConfig> {
  return readCommonQuery(params, options, SETTINGS_DEFAULT_USER);
}

/** The web resource's parent page: the Dynamics user (`user`); the web resource signs in to the API itself. */
export function readWebResourceQuery(params: URLSearchParams): Query<WebResourcePageConfig> {
  const user = readUser(params, SETTINGS_DEFAULT_USER);
  return user.ok ? { ok: true, config: { user: user.value } } : user;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function document(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body { margin: 0; }</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/** The page's configuration as a JSON script element; `<` escaped, so no value can close the element. */
function configElement(config: unknown): string {
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  return `<script type="application/json" id="${CONFIG_ELEMENT_ID}">${json}</script>`;
}

export function formPage(entity: PageConfig['entity'], config: Omit<PageConfig, 'entity'>): string {
  const page: PageConfig = { entity, ...config };
  const title = entity === 'opportunity' ? 'Opportunity' : 'Quote';
  return document(
    `${title} form · Oneflow product sync (local)`,
    `<div id="${ROOT_ELEMENT_ID}"></div>
${configElement(page)}
<script src="/platform/shim.js"></script>
<script src="/platform/register.js"></script>
<script src="/controls/ProductSyncWidget/bundle.js"></script>
<script src="/host/page.js"></script>`,
  );
}

/** The SyncSettings control's production bundle on a page of its own, with the same platform as the forms. */
export function settingsPage(config: SettingsPageConfig): string {
  return document(
    'Settings · Oneflow product sync (local)',
    `<div id="${ROOT_ELEMENT_ID}"></div>
${configElement(config)}
<script src="/platform/shim.js"></script>
<script src="/platform/register.js"></script>
<script src="/controls/SyncSettings/bundle.js"></script>
<script src="/host/settings.js"></script>`,
  );
}

export function indexPage(): string {
  const link = (href: string, text: string) =>
    `<li><a href="${escapeHtml(href)}">${escapeHtml(text)}</a></li>`;
  return document(
    'Oneflow product sync: local forms',
    `<main style="font-family: system-ui, sans-serif; padding: 1rem 2rem">
<h1>Oneflow product sync: local Dynamics forms</h1>
<p>The ProductSyncWidget control (its production build) on forms backed by the Dataverse simulator.</p>
<ul>
${link('/forms/opportunity', 'Opportunity form')}
${link('/forms/quote', 'Quote form')}
</ul>
<h2>Variants</h2>
<ul>
${link('/forms/opportunity?theme=dark', 'Opportunity form, dark theme')}
${link('/forms/opportunity?readonly=1', 'Opportunity form, read-only')}
${link('/forms/opportunity?user=robin', 'Opportunity form as Robin Viewer (may read, not write)')}
${link('/forms/opportunity?inputs=none', 'Opportunity form configured by environment variables only')}
${link('/forms/opportunity?signin=msal', 'Opportunity form with the real MSAL sign-in')}
</ul>
<h2>The admin's settings page</h2>
<p>The SyncSettings control (its production build) as Sam Admin, who holds the ProductSync.Admin role.</p>
<ul>
${link('/settings', 'Settings page (the control)')}
${link('/settings/web-resource', 'Settings page as an HTML web resource (its own build, signs in with MSAL)')}
${link('/settings?user=alex', 'Settings page as Alex Seller (no admin role: read-only)')}
${link('/settings?theme=dark', 'Settings page, dark theme')}
${link('/settings?signin=msal', 'Settings page with the real MSAL sign-in')}
</ul>
</main>`,
  );
}

/** Where Dynamics serves the settings page's web-resource build (`out/webresources/oneflowsync_/settings`). */
const WEB_RESOURCE_URL = '/WebResources/oneflowsync_/settings/index.html';
const WEB_RESOURCE_TITLE = 'Oneflow product sync settings';

/**
 * A page of the app holding the settings web resource in an iframe, as a model-driven app's navigation does:
 * its script puts an `Xrm` on the page for the user, then adds the frame.
 */
export function webResourcePage(config: WebResourcePageConfig): string {
  return document(
    'Settings (web resource) · Oneflow product sync (local)',
    `<main style="font-family: system-ui, sans-serif; padding: 0.5rem 1.5rem">
<h1 style="font-size: 1.5rem">Oneflow product sync administration (web resource)</h1>
<div id="${ROOT_ELEMENT_ID}"><p>Loading the app…</p></div>
</main>
${configElement({ ...config, src: WEB_RESOURCE_URL, title: WEB_RESOURCE_TITLE })}
<script src="/host/web-resource.js"></script>`,
  );
}
