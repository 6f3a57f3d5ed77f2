import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseResx } from '../src/strings/resx';
import { buildHostBundles, type HostBundles } from './bundles';
import { proxyWebApi, WEB_API_PATH } from './dataverseProxy';
import {
  formPage,
  indexPage,
  readFormQuery,
  readSettingsQuery,
  readWebResourceQuery,
  REGISTER_SCRIPT,
  FORM_ENTITIES,
  settingsPage,
  webResourcePage,
} from './pages';
import {
  isDemoUser,
  resolveFormHostOptions,
  type FormHostOptions,
  type ResolvedFormHostOptions,
} from './options';
import { TokenMinter } from './tokens';

const CONTROL_ROOT = join(__dirname, '..');
export const DEFAULT_BUNDLE_PATH = join(CONTROL_ROOT, 'out', 'controls', 'ProductSyncWidget', 'bundle.js');
export const DEFAULT_SETTINGS_BUNDLE_PATH = join(
  CONTROL_ROOT,
  'out',
  'controls',
  'SyncSettings',
  'bundle.js',
);
const RESX_PATH = join(CONTROL_ROOT, 'ProductSyncWidget', 'strings', 'ProductSyncWidget.1033.resx');
export const RESX_URL = '/controls/ProductSyncWidget/strings/ProductSyncWidget.1033.resx';
const SETTINGS_RESX_PATH = join(CONTROL_ROOT, 'SyncSettings', 'strings', 'SyncSettings.1033.resx');
const DEFAULT_WEB_RESOURCES_PATH = join(CONTROL_ROOT, 'out', 'webresources');
/**
 * The web-resource build (the settings page and the sign-in redirect page, scripts/webResource.mjs), by the name
 * Dynamics serves it under: the form host serves the very files the solution ships.
 */
const WEB_RESOURCE_FILE = /^\/WebResources\/(oneflowsync_\/(?:settings|auth)\/[A-Za-z0-9_-]+\.(html|js))$/;
const WEB_RESOURCE_TYPES: Readonly<Record<string, string>> = { html: 'text/html', js: 'text/javascript' };
export const SETTINGS_RESX_URL = '/controls/SyncSettings/strings/SyncSettings.1033.resx';

export interface RunningFormHost {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string;
  port: number;
  close(): Promise<void>;
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
  response.end(body);
}

function sendProblem(response: ServerResponse, status: number, message: string): void {
  send(response, status, 'text/plain', `${message}\n`);
}

/** The API token of a demo user, for the host page's sign-in stand-in (`?signin=msal` uses real MSAL instead). */
async function answerToken(
  url: URL,
  response: ServerResponse,
  options: ResolvedFormHostOptions,
  tokens: TokenMinter,
): Promise<void> {
  const user = url.searchParams.get('user') ?? options.demoUser;
  if (!isDemoUser(user)) {
    sendProblem(response, 400, `user: "${user}" is not a demo user of the form host`);
    return;
  }
  const token = await tokens.token(user, options.apiAppId);
  response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(token));
}

async function route(
  request: IncomingMessage,
  response: ServerResponse,
  context: {
    options: ResolvedFormHostOptions;
    tokens: TokenMinter;
    bundles: HostBundles;
    bundlePath: string;
    settingsBundlePath: string;
    webResourcesPath: string;
  },
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const { pathname } = url;
  if (pathname.startsWith(WEB_API_PATH)) {
    await proxyWebApi(request, response, url, context.options, context.tokens);
    return;
  }
  request.resume();
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    sendProblem(response, 405, `${request.method ?? ''} is not served here`);
    return;
  }
  const form = /^\/forms\/([a-z]+)$/.exec(pathname)?.[1];
  if (form !== undefined) {
    const entity = FORM_ENTITIES.find((candidate) => candidate === form);
    if (entity === undefined) {
      sendProblem(response, 404, `There is no ${form} form: the forms are ${FORM_ENTITIES.join(', ')}`);
      return;
    }
    const query = readFormQuery(url.searchParams, context.options);
    if (!query.ok) {
      sendProblem(response, 400, query.problem);
      return;
    }
    send(response, 200, 'text/html', formPage(entity, query.config));
    return;
  }
  const webResource = WEB_RESOURCE_FILE.exec(pathname);
  if (webResource !== null) {
    const [, name = '', extension = ''] = webResource;
    const file = join(context.webResourcesPath, name);
    // Read on each request, as the control bundles are: a rebuild shows on the next reload.
    if (existsSync(file))
      send(response, 200, WEB_RESOURCE_TYPES[extension] ?? 'text/plain', readFileSync(file, 'utf8'));
    else
      sendProblem(
        response,
        404,
        `The web resource ${name} is not built: run \`npm run build -w pcf-control\` (it builds out/webresources).`,
      );
    return;
  }
  switch (pathname) {
    case '/':
      send(response, 200, 'text/html', indexPage());
      return;
    case '/settings': {
      const query = readSettingsQuery(url.searchParams, context.options);
      if (!query.ok) sendProblem(response, 400, query.problem);
      else send(response, 200, 'text/html', settingsPage(query.config));
      return;
    }
    case '/settings/web-resource': {
      const query = readWebResourceQuery(url.searchParams);
      if (!query.ok) sendProblem(response, 400, query.problem);
      else send(response, 200, 'text/html', webResourcePage(query.config));
      return;
    }
    case '/host/web-resource.js':
      send(response, 200, 'text/javascript', context.bundles.webResourcePage);
      return;
    case '/host/settings.js':
      send(response, 200, 'text/javascript', context.bundles.settingsPage);
      return;
    case '/controls/SyncSettings/bundle.js':
      send(response, 200, 'text/javascript', readFileSync(context.settingsBundlePath, 'utf8'));
      return;
    case SETTINGS_RESX_URL:
      // Read on each request, as the bundles are: the settings page's strings grow while it is being built.
      send(response, 200, 'application/xml', readResx(SETTINGS_RESX_PATH));
      return;
    case '/platform/shim.js':
      send(response, 200, 'text/javascript', context.bundles.shim);
      return;
    case '/platform/register.js':
      send(response, 200, 'text/javascript', REGISTER_SCRIPT);
      return;
    case '/host/page.js':
      send(response, 200, 'text/javascript', context.bundles.page);
      return;
    case '/host/token':
      await answerToken(url, response, context.options, context.tokens);
      return;
    case '/controls/ProductSyncWidget/bundle.js':
      // Read on each request, so a rebuild of the control shows on the next reload.
      send(response, 200, 'text/javascript', readFileSync(context.bundlePath, 'utf8'));
      return;
    case RESX_URL:
      send(response, 200, 'application/xml', readResx(RESX_PATH));
      return;
    default:
      sendProblem(response, 404, `Nothing is served at ${pathname}`);
  }
}

/** A control's resx as served, checked: one that does not parse would only fail in the browser. */
function readResx(path: string): string {
  const resx = readFileSync(path, 'utf8');
  parseResx(resx);
  return resx;
}

/**
 * The Dynamics stand-in for the controls: Opportunity and Quote forms with the widget's production bundle, the
 * settings page with SyncSettings', a ComponentFramework context over the Dataverse simulator and an editable
 * product-lines grid.
 */
export async function startFormHost(input: FormHostOptions): Promise<RunningFormHost> {
  const options = resolveFormHostOptions(input);
  const bundlePath = options.bundlePath ?? DEFAULT_BUNDLE_PATH;
  const settingsBundlePath = options.settingsBundlePath ?? DEFAULT_SETTINGS_BUNDLE_PATH;
  for (const path of [bundlePath, settingsBundlePath]) {
    if (!existsSync(path)) {
      throw new Error(
        `The control bundle ${path} is missing: run \`npm run build -w pcf-control\` first (the form host serves the production build).`,
      );
    }
  }
  // Refusing to start says which resx is broken, where a browser would only show a blank control.
  readResx(RESX_PATH);
  readResx(SETTINGS_RESX_PATH);
  const tokens = new TokenMinter(options.identityUrl, options.identityCertificatePem);
  const webResourcesPath = options.webResourcesPath ?? DEFAULT_WEB_RESOURCES_PATH;
  // The port is bound before the page bundles are built (a second or two): a port chosen beforehand, as the
  // browser suites and `npm start` choose it, is then taken at once, before another process can.
  const context = buildHostBundles().then((bundles) => ({
    options,
    tokens,
    bundles,
    bundlePath,
    settingsBundlePath,
    webResourcesPath,
  }));
  // Answered once the bundles are there; a failed build fails the start below, which closes the server.
  context.catch(() => undefined);
  const server = createServer((request, response) => {
    context
      .then((ready) => route(request, response, ready))
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        if (!response.headersSent) sendProblem(response, 502, message);
        else response.destroy();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  try {
    await context;
  } catch (error) {
    server.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
        server.closeAllConnections();
      }),
  };
}
