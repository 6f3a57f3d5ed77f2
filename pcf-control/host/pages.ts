import { isDemoUser, DEMO_USERS, type ResolvedFormHostOptions } from './options';
import { CONFIG_ELEMENT_ID, ROOT_ELEMENT_ID, type PageConfig } from './page/pageConfig';

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

/** The form page's options from its query string; a wrong value is named and nothing is rendered. */
export function readFormQuery(
  params: URLSearchParams,
  options: ResolvedFormHostOptions,
): { ok: true; config: Omit<PageConfig, 'entity'> } | { ok: false; problem: string } {
  const id = params.get('id');
  if (id !== null && id !== '' && !GUID.test(id))
    return { ok: false, problem: `id: "${id}" is not a record id (a GUID)` };
  const theme = choice(params, 'theme', ['light', 'dark'], 'light');
  const readOnly = choice(params, 'readonly', ['0', '1'], '0');
  const signIn = choice(params, 'signin', ['host', 'msal'], 'host');
  const inputs = choice(params, 'inputs', ['form', 'none'], 'form');
  if (!theme.ok) return theme;
  if (!readOnly.ok) return readOnly;
  if (!signIn.ok) return signIn;
  if (!inputs.ok) return inputs;
  const user = params.get('user') ?? options.demoUser;
  if (!isDemoUser(user)) {
    return { ok: false, problem: `user: "${user}" is not one of ${Object.keys(DEMO_USERS).join(', ')}` };
  }
  return {
    ok: true,
    config: {
      recordId: id === null || id === '' ? null : id.replace(/[{}]/g, '').toLowerCase(),
      theme: theme.value,
      readOnly: readOnly.value === '1',
      signIn: signIn.value,
      user,
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

export function formPage(entity: PageConfig['entity'], config: Omit<PageConfig, 'entity'>): string {
  const page: PageConfig = { entity, ...config };
  // `<` escaped, so no value can close the script element.
  const json = JSON.stringify(page).replace(/</g, '\\u003c');
  const title = entity === 'opportunity' ? 'Opportunity' : 'Quote';
  return document(
    `${title} form · Oneflow product sync (local)`,
    `<div id="${ROOT_ELEMENT_ID}"></div>
<script type="application/json" id="${CONFIG_ELEMENT_ID}">${json}</script>
<script src="/platform/shim.js"></script>
<script src="/platform/register.js"></script>
<script src="/controls/ProductSyncWidget/bundle.js"></script>
<script src="/host/page.js"></script>`,
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
</main>`,
  );
}

export function redirectBridgePage(): string {
  return document('Signing in', '<script src="/WebResources/oneflowsync_/auth/redirect.js"></script>');
}
