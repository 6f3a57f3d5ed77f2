import type { Principal } from '../auth/bearer';
import type { Logger, Services, TenantServices } from '../services';
import type { ApiRequest, ApiResponse } from './api';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteContext {
  request: ApiRequest;
  services: Services;
  log: Logger;
}

/** A request that carried a valid token from an allowed tenant. */
export interface SignedInContext extends RouteContext {
  principal: Principal;
  tenant: TenantServices;
}

interface RouteBase {
  /** The Function's name (unique, letters and digits). */
  name: string;
  methods: readonly HttpMethod[];
  /** Functions route template under `/api`, e.g. `settings/{entity}`. */
  route: string;
  /** `false` for routes only servers call (the webhook): no CORS answer, no preflight. */
  crossOrigin?: false;
}

/** `public`: anyone (health, the signed webhook); `user`: a valid token; `admin`: a valid token with the admin role. */
export type RouteDefinition =
  | (RouteBase & { access: 'public'; handle(context: RouteContext): Promise<ApiResponse> })
  | (RouteBase & { access: 'user' | 'admin'; handle(context: SignedInContext): Promise<ApiResponse> });

export function publicRoute(
  base: RouteBase,
  handle: (context: RouteContext) => Promise<ApiResponse>,
): RouteDefinition {
  return { ...base, access: 'public', handle };
}

export function signedInRoute(
  access: 'user' | 'admin',
  base: RouteBase,
  handle: (context: SignedInContext) => Promise<ApiResponse>,
): RouteDefinition {
  return { ...base, access, handle };
}
