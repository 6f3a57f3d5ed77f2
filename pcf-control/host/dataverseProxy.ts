import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isDemoUser, type DemoUserKey, type ResolvedFormHostOptions } from './options';
import { USER_HEADER } from './page/pageConfig';
import type { TokenMinter } from './tokens';

export const WEB_API_PATH = '/api/data/v9.2/';

/** Request headers the Web API reads; everything else (cookies above all) stays on this side. */
const FORWARDED_REQUEST_HEADERS = [
  'accept',
  'content-type',
  'content-length',
  'if-match',
  'if-none-match',
  'prefer',
  'odata-version',
  'odata-maxversion',
];
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade']);

/** The solution's environment variables, by schema name, as the host's options fill them. */
function environmentVariables(options: ResolvedFormHostOptions): Record<string, string> {
  return {
    oneflowsync_ApiBaseUrl: options.apiBaseUrl,
    oneflowsync_ClientId: options.widgetClientId,
    oneflowsync_TenantId: options.tenantId,
    oneflowsync_ApiScope: `api://${options.apiAppId}/access_as_user`,
    oneflowsync_AuthorityHost: options.identityUrl,
  };
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'odata-version': '4.0' });
  response.end(JSON.stringify(body));
}

/**
 * The Dataverse simulator does not hold the solution's environment variable definitions; the host answers that
 * one table from its options (defaults only, as a fresh import leaves them), so the widget's override path runs.
 */
function answerEnvironmentVariables(
  url: URL,
  response: ServerResponse,
  options: ResolvedFormHostOptions,
): void {
  const filter = url.searchParams.get('$filter') ?? '';
  const value = Object.entries(environmentVariables(options))
    .filter(([name]) => filter === '' || filter.includes(`'${name}'`))
    .map(([schemaname, defaultvalue], index) => ({
      environmentvariabledefinitionid: `e7000000-0000-4000-8000-${String(index + 1).padStart(12, '0')}`,
      schemaname,
      defaultvalue,
      environmentvariabledefinition_environmentvariablevalue: [],
    }));
  sendJson(response, 200, { value });
}

function dataverseError(response: ServerResponse, status: number, message: string): void {
  sendJson(response, status, { error: { code: '0x80040216', message } });
}

/**
 * The form's Web API on the page's own origin, as `context.webAPI` is in Dynamics: requests go on to the
 * Dataverse simulator with a bearer token the host mints for the demo user.
 */
export async function proxyWebApi(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  options: ResolvedFormHostOptions,
  tokens: TokenMinter,
): Promise<void> {
  const userHeader = request.headers[USER_HEADER];
  const user: DemoUserKey | null =
    userHeader === undefined
      ? options.demoUser
      : typeof userHeader === 'string' && isDemoUser(userHeader)
        ? userHeader
        : null;
  if (user === null) {
    request.resume();
    dataverseError(response, 400, `${USER_HEADER}: not a demo user of the form host`);
    return;
  }
  const table = url.pathname.slice(WEB_API_PATH.length);
  if (request.method === 'GET' && table === 'environmentvariabledefinitions') {
    answerEnvironmentVariables(url, response, options);
    return;
  }
  let token: string;
  try {
    token = (await tokens.token(user, options.dataverseUrl)).accessToken;
  } catch (error) {
    request.resume();
    dataverseError(response, 502, error instanceof Error ? error.message : 'no Dataverse token');
    return;
  }
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const target = new URL(`${url.pathname}${url.search}`, options.dataverseUrl);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  await new Promise<void>((resolve) => {
    const upstream = send(target, { method: request.method, headers }, (answer) => {
      const answerHeaders: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(answer.headers)) {
        if (value === undefined || HOP_BY_HOP.has(name)) continue;
        // Record URLs name the page's origin, as Dynamics' own do.
        answerHeaders[name] =
          name === 'odata-entityid' && typeof value === 'string'
            ? value.replace(options.dataverseUrl, `http://${request.headers.host ?? ''}`)
            : value;
      }
      response.writeHead(answer.statusCode ?? 502, answerHeaders);
      answer.pipe(response);
      answer.on('end', resolve);
      answer.on('error', () => {
        resolve();
      });
    });
    upstream.on('error', (error) => {
      if (!response.headersSent)
        dataverseError(response, 502, `Dataverse is not reachable: ${error.message}`);
      else response.destroy();
      resolve();
    });
    request.pipe(upstream);
  });
}
