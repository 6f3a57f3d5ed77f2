import type { Logger } from '../services';
import type { ApiResponse } from './api';
import type { HttpMethod, RouteDefinition } from './route';

/**
 * Request headers a browser may send: the bearer token, JSON bodies, the settings' etag preconditions and the
 * caller's request id (logged with a failure, so support can find what a person quotes). Nothing else is read by
 * the API; anything a browser would add beyond these makes its preflight fail, as it should.
 */
const CORS_ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'if-match',
  'if-none-match',
  'x-ms-client-request-id',
] as const;

/**
 * Response headers a cross-origin script may read beyond the safelisted ones: the settings' etag, the wait of a
 * busy answer, the CSV export's file name, and the token challenge of a 401.
 */
const CORS_EXPOSED_HEADERS = ['ETag', 'Retry-After', 'Content-Disposition', 'WWW-Authenticate'] as const;

/** Chromium's cap (Firefox allows a day): the widget's first call of a form pays for a preflight at most every 2 h. */
const CORS_MAX_AGE_SECONDS = 7200;

/** Every method a route may take, in the order preflights name them. */
export const API_METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

export interface CorsSettings {
  allowedOrigins: readonly string[];
}

/** The request's Origin when it is one of the allowed ones (compared exactly, as browsers send it). */
function allowedOrigin(settings: CorsSettings, origin: string | null): string | null {
  return origin !== null && settings.allowedOrigins.includes(origin) ? origin : null;
}

/** A response's headers with `Origin` added to its Vary, keeping whatever the route already varies on. */
function varyOnOrigin(headers: Record<string, string>): Record<string, string> {
  const vary = headers.Vary;
  if (vary === undefined) return { ...headers, Vary: 'Origin' };
  const present = vary.split(',').some((name) => name.trim().toLowerCase() === 'origin');
  return present ? headers : { ...headers, Vary: `${vary}, Origin` };
}

/**
 * The CORS part of an actual answer (success or error alike, so a browser can read either). The answer varies
 * with Origin whenever any origin is allowed, so a shared cache never hands one origin's answer to another.
 * A request from an origin not allowed is still answered, without CORS headers: the bearer token, not the
 * origin, is what protects the API, and no credential rides on cookies, so the browser's refusal to let the
 * page read the answer is all CORS needs to do.
 */
export function withCors(settings: CorsSettings, origin: string | null, response: ApiResponse): ApiResponse {
  if (settings.allowedOrigins.length === 0) return response;
  const headers = varyOnOrigin(response.headers ?? {});
  const allowed = allowedOrigin(settings, origin);
  if (allowed !== null) {
    headers['Access-Control-Allow-Origin'] = allowed;
    headers['Access-Control-Expose-Headers'] = CORS_EXPOSED_HEADERS.join(', ');
  }
  return { ...response, headers };
}

/**
 * The answer to `OPTIONS` on a route's path: `methods` are those the path takes. From an allowed origin, a 204
 * granting those methods and the headers the API reads; from any other origin a 204 without any
 * `Access-Control-*` header, which the browser treats as a refusal (it never sends the real request). Without an
 * Origin it is a plain OPTIONS, answered with `Allow`.
 */
export function preflight(
  settings: CorsSettings,
  origin: string | null,
  methods: readonly HttpMethod[],
  log: Logger,
): ApiResponse {
  const allow = [...methods, 'OPTIONS'].join(', ');
  if (origin === null) return { status: 204, headers: { Allow: allow } };
  const allowed = allowedOrigin(settings, origin);
  if (allowed === null) {
    // The origin is not secret and is what an admin needs to see to fix CORS_ALLOWED_ORIGINS.
    log.warn('CORS preflight from an origin not in CORS_ALLOWED_ORIGINS', { origin: origin.slice(0, 200) });
    return { status: 204, headers: { Allow: allow, Vary: 'Origin' } };
  }
  return {
    status: 204,
    headers: {
      Allow: allow,
      Vary: 'Origin',
      'Access-Control-Allow-Origin': allowed,
      'Access-Control-Allow-Methods': methods.join(', '),
      'Access-Control-Allow-Headers': CORS_ALLOWED_HEADERS.join(', '),
      'Access-Control-Max-Age': String(CORS_MAX_AGE_SECONDS),
    },
  };
}

/**
 * The methods of each browser-callable route template (templates compared as the host does, ignoring case), for
 * the preflight answered on that path. Server-only routes are left out: their paths get no preflight.
 */
export function crossOriginMethods(routes: readonly RouteDefinition[]): Map<string, HttpMethod[]> {
  const byTemplate = new Map<string, HttpMethod[]>();
  for (const route of routes) {
    if (route.crossOrigin === false) continue;
    const key = route.route.toLowerCase();
    const methods = [...(byTemplate.get(key) ?? []), ...route.methods];
    byTemplate.set(
      key,
      API_METHODS.filter((method) => methods.includes(method)),
    );
  }
  return byTemplate;
}

/** A route's answer with its CORS headers; server-only routes answer as they are. */
export function withRouteCors(
  route: RouteDefinition,
  settings: CorsSettings,
  origin: string | null,
  response: ApiResponse,
): ApiResponse {
  return route.crossOrigin === false ? response : withCors(settings, origin, response);
}
