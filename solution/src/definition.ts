/**
 * What the Dataverse solution holds, by the names the team agreed on (README, docs/solution.md): the publisher,
 * the two controls, the HTML web resources and the environment variables the controls read
 * (pcf-control/src/platform/config.ts).
 */

export const SOLUTION = {
  uniqueName: 'OneflowProductSync',
  displayName: 'Oneflow product sync',
  description:
    'Keeps Dynamics 365 product lines and Oneflow contract product tables in step: the Oneflow product sync ' +
    'widget for Opportunity and Quote forms, its settings page, and the environment variables that point them ' +
    'at the Oneflow product sync service.',
  languageCode: 1033,
} as const;

export const PUBLISHER = {
  uniqueName: 'OneflowSync',
  displayName: 'Oneflow Sync',
  description: 'Publisher of the Oneflow product sync solution.',
  prefix: 'oneflowsync',
  optionValuePrefix: 72431,
} as const;

/** Solution component types (solutioncomponent.componenttype). */
export const COMPONENT_TYPE = {
  webResource: 61,
  customControl: 66,
  environmentVariableDefinition: 380,
} as const;

/** The controls' folders under pcf-control/out/controls, by constructor; the namespace is in their manifests. */
export const CONTROL_NAMES = ['ProductSyncWidget', 'SyncSettings'] as const;

/** webresource.webresourcetype */
export const WEB_RESOURCE_TYPE = { html: 1, js: 3 } as const;

export interface WebResourceDefinition {
  /** The web resource's name, which is also the path Dynamics serves it at under `/WebResources/`. */
  name: string;
  /** The file under pcf-control/out/webresources that holds it. */
  file: string;
  type: keyof typeof WEB_RESOURCE_TYPE;
  displayName: string;
  description: string;
}

export const WEB_RESOURCES: readonly WebResourceDefinition[] = [
  {
    name: 'oneflowsync_/settings/index.html',
    file: 'oneflowsync_/settings/index.html',
    type: 'html',
    displayName: 'Oneflow product sync settings',
    description:
      'The settings page: which Dynamics entities and fields sync with Oneflow, the links, the activity log. ' +
      'Add it to an app’s navigation for the administrators.',
  },
  {
    name: 'oneflowsync_/settings/settings.js',
    file: 'oneflowsync_/settings/settings.js',
    type: 'js',
    displayName: 'Oneflow product sync settings (script)',
    description: 'The script of the settings page (oneflowsync_/settings/index.html).',
  },
  {
    name: 'oneflowsync_/auth/redirect.html',
    file: 'oneflowsync_/auth/redirect.html',
    type: 'html',
    displayName: 'Oneflow product sync sign-in redirect',
    description:
      'Where Microsoft Entra ID returns after a user signs in to the widget or the settings page. Register its ' +
      'address (https://<environment>.crm.dynamics.com/WebResources/oneflowsync_/auth/redirect.html) as a ' +
      'redirect URI of the widget’s app registration.',
  },
  {
    name: 'oneflowsync_/auth/redirect.js',
    file: 'oneflowsync_/auth/redirect.js',
    type: 'js',
    displayName: 'Oneflow product sync sign-in redirect (script)',
    description: 'The script of the sign-in redirect page (oneflowsync_/auth/redirect.html).',
  },
];

export interface EnvironmentVariableDefinition {
  schemaName: string;
  displayName: string;
  description: string;
  /** Whether the widget and the settings page fail without a value (the settings page has no other source). */
  required: boolean;
}

/** Text: environmentvariabledefinition.type 100000000 (String). */
export const ENVIRONMENT_VARIABLE_TYPE_STRING = 100000000;

/** No default values: each environment has its own service, so a value is always the admin's. */
export const ENVIRONMENT_VARIABLES: readonly EnvironmentVariableDefinition[] = [
  {
    schemaName: 'oneflowsync_ApiBaseUrl',
    displayName: 'Oneflow product sync: service URL',
    description:
      'The address of the Oneflow product sync Function app, without /api and without a trailing slash, ' +
      'for example https://<function-app>.azurewebsites.net. The widget and the settings page call it.',
    required: true,
  },
  {
    schemaName: 'oneflowsync_ClientId',
    displayName: 'Oneflow product sync: sign-in client ID',
    description:
      'The Application (client) ID of the widget’s app registration in Microsoft Entra ID (a single-page ' +
      'application), with which users sign in to the widget and the settings page.',
    required: true,
  },
  {
    schemaName: 'oneflowsync_TenantId',
    displayName: 'Oneflow product sync: tenant ID',
    description:
      'The Directory (tenant) ID of the Microsoft Entra ID tenant that holds the app registrations and the users.',
    required: true,
  },
  {
    schemaName: 'oneflowsync_ApiScope',
    displayName: 'Oneflow product sync: API scope',
    description:
      'The scope the widget asks a token for to call the service: the scope the API’s app registration ' +
      'exposes, for example api://<API application ID>/access_as_user.',
    required: true,
  },
  {
    schemaName: 'oneflowsync_AuthorityHost',
    displayName: 'Oneflow product sync: sign-in authority host',
    description:
      'Leave empty to sign in with https://login.microsoftonline.com. Set it only for a national cloud, ' +
      'for example https://login.microsoftonline.us.',
    required: false,
  },
];
