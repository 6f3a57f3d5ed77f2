import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Platform, WebApiRow } from '../platform/Platform';
import { parseResx, strictGetString } from '../strings/resx';

function controlStrings(control: string): ReadonlyMap<string, string> {
  return parseResx(
    readFileSync(join(__dirname, '..', '..', control, 'strings', `${control}.1033.resx`), 'utf8'),
  );
}

/** The widget's English strings as the platform would serve them. */
export const WIDGET_STRINGS = controlStrings('ProductSyncWidget');

/** The settings page's English strings. */
export const SETTINGS_STRINGS = controlStrings('SyncSettings');

/** A Platform for component tests: the real strings (a missing key throws), no network, a Web API of given rows. */
export function fakePlatform(
  overrides: Partial<Platform> = {},
  rows: Record<string, WebApiRow[]> = {},
): Platform {
  return {
    record: {
      entityName: 'opportunity',
      id: '7c5c3b4e-9f1a-4e2b-8c3d-5e6f7a8b9c0d',
      name: 'Contoso rollout',
    },
    user: { id: 'b3e1a2c4-0000-4000-8000-000000000001', name: 'Alex Seller', languageId: 1033 },
    readOnly: false,
    inputs: {
      apiBaseUrl: 'https://sync.example.test',
      clientId: '7e1f3a5c-9b2d-4f6e-8a0c-3d5f7b9e1a2c',
      tenantId: '3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f',
      apiScope: 'api://a9900000-0000-4000-8000-000000000001/access_as_user',
      authorityHost: null,
    },
    webApi: {
      retrieveMultiple: async (entityName) => {
        const found = rows[entityName];
        if (found === undefined) throw new Error(`No table ${entityName}`);
        return found;
      },
      retrieveRecord: async (entityName, id) => {
        const found = rows[entityName]?.find((row) => Object.values(row).includes(id));
        if (found === undefined) throw new Error(`No ${entityName} ${id}`);
        return found;
      },
    },
    getString: strictGetString(WIDGET_STRINGS),
    formatDecimal: (value, precision) =>
      value.toLocaleString('en-US', { minimumFractionDigits: precision, maximumFractionDigits: precision }),
    formatDateTime: (value) => value.toISOString().slice(0, 16).replace('T', ' '),
    openUrl: () => undefined,
    ...overrides,
  };
}
