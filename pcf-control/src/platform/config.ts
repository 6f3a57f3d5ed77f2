import type { ControlInputs, Platform } from './Platform';

/** What the controls need to reach the API and sign in, once every value is known. */
export interface SyncConfig {
  /** The Function app's origin and base path, without a trailing slash (`https://…/api` is added by the client). */
  apiBaseUrl: string;
  clientId: string;
  tenantId: string;
  apiScope: string;
  /** `{authorityHost}/{tenantId}`: tenant-specific, so guest users sign in to the right directory. */
  authority: string;
}

const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';

/**
 * The Dataverse environment variables of the solution, by input. They travel with the solution from one
 * environment to the next, so they win over values typed on a form.
 */
const ENVIRONMENT_VARIABLES: Readonly<Record<keyof ControlInputs, string>> = {
  apiBaseUrl: 'oneflowsync_ApiBaseUrl',
  clientId: 'oneflowsync_ClientId',
  tenantId: 'oneflowsync_TenantId',
  apiScope: 'oneflowsync_ApiScope',
  authorityHost: 'oneflowsync_AuthorityHost',
};

const REQUIRED = ['apiBaseUrl', 'clientId', 'tenantId', 'apiScope'] as const;

export type ConfigResult = { ok: true; config: SyncConfig } | { ok: false; missing: string[] };

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/**
 * The environment variables' current values (their value row, else their default). A user who may not read the
 * definitions, or an environment without them, simply gets none: the form's inputs then apply.
 */
export async function readEnvironmentVariables(platform: Platform): Promise<Partial<ControlInputs>> {
  const names = Object.values(ENVIRONMENT_VARIABLES);
  const filter = names.map((name) => `schemaname eq '${name}'`).join(' or ');
  let rows;
  try {
    rows = await platform.webApi.retrieveMultiple(
      'environmentvariabledefinition',
      `?$select=schemaname,defaultvalue&$filter=${filter}` +
        '&$expand=environmentvariabledefinition_environmentvariablevalue($select=value)',
    );
  } catch {
    return {};
  }
  const found: Partial<ControlInputs> = {};
  for (const [input, name] of Object.entries(ENVIRONMENT_VARIABLES) as [keyof ControlInputs, string][]) {
    const row = rows.find((candidate) => candidate.schemaname === name);
    if (row === undefined) continue;
    const values = row.environmentvariabledefinition_environmentvariablevalue;
    const current = Array.isArray(values)
      ? text((values[0] as { value?: unknown } | undefined)?.value)
      : null;
    const value = current ?? text(row.defaultvalue);
    if (value !== null) found[input] = value;
  }
  return found;
}

/** The inputs with the environment variables over them, checked: every missing value is named. */
export function resolveConfig(inputs: ControlInputs, overrides: Partial<ControlInputs>): ConfigResult {
  const merged: ControlInputs = { ...inputs, ...overrides };
  const missing = REQUIRED.filter((key) => merged[key] === null).map((key) => ENVIRONMENT_VARIABLES[key]);
  const { apiBaseUrl, clientId, tenantId, apiScope } = merged;
  if (
    missing.length > 0 ||
    apiBaseUrl === null ||
    clientId === null ||
    tenantId === null ||
    apiScope === null
  ) {
    return { ok: false, missing };
  }
  const authorityHost = (merged.authorityHost ?? DEFAULT_AUTHORITY_HOST).replace(/\/+$/, '');
  return {
    ok: true,
    config: {
      apiBaseUrl: apiBaseUrl.replace(/\/+$/, ''),
      clientId,
      tenantId,
      apiScope,
      authority: `${authorityHost}/${tenantId}`,
    },
  };
}
