import { ErrorAnswerSchema } from '@oneflow-sync/shared';
import { AuthenticationError } from '../auth/bearer';
import type { Logger, Services } from '../services';
import { answer, type ApiRequest, type ApiResponse } from './api';
import { ApiError } from './errors';
import { toApiError } from './errorMapping';
import type { RouteDefinition } from './route';

/** The caller's own id of this request (the widget shows it to the person, who quotes it to support). */
export const CLIENT_REQUEST_ID_HEADER = 'x-ms-client-request-id';

/** The caller's request id when it looks like one: never more than an id-like token reaches the log. */
function clientRequestId(request: ApiRequest): string | undefined {
  const value = request.header(CLIENT_REQUEST_ID_HEADER);
  return value !== null && /^[A-Za-z0-9-]{1,64}$/.test(value) ? value : undefined;
}

/** Retry-After in whole seconds, when the answer has one. */
function retryAfterSeconds(headers: Record<string, string>): number | null {
  const value = headers['Retry-After'];
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : null;
}

function errorResponse(error: ApiError): ApiResponse {
  const retryAfter = retryAfterSeconds(error.headers);
  return answer(
    error.status,
    ErrorAnswerSchema,
    {
      error: {
        code: error.code,
        message: error.message,
        details: error.details,
        // A browser calling from another origin cannot read Retry-After (not a CORS-safelisted header).
        ...(retryAfter === null ? {} : { retryAfterSeconds: retryAfter }),
      },
    },
    error.headers,
  );
}

/**
 * Runs one route: checks the caller as the route demands, calls the handler, and turns every failure into the
 * API's error shape with the right status. Unexpected errors are logged (ids only, never bodies or tokens) and
 * answered with a 500 that reveals nothing.
 */
export async function dispatch(
  route: RouteDefinition,
  request: ApiRequest,
  services: Services,
  log: Logger,
): Promise<ApiResponse> {
  try {
    if (route.access === 'public') return await route.handle({ request, services, log });
    let principal;
    try {
      principal = await services.authenticate(request.header('authorization'));
    } catch (error) {
      if (error instanceof AuthenticationError) {
        log.warn(`${route.name}: token refused`, {
          reason: error.reason,
          requestId: clientRequestId(request),
        });
        throw new ApiError(401, 'unauthorized', error.message, [], { 'WWW-Authenticate': 'Bearer' });
      }
      throw error;
    }
    const { adminRole, syncRole } = services.config.auth;
    if (
      principal.kind === 'application' &&
      !principal.roles.some((role) => role === syncRole || role === adminRole)
    ) {
      throw new ApiError(
        403,
        'forbidden',
        `An application calling with its own token needs the ${syncRole} role`,
      );
    }
    if (route.access === 'admin' && !principal.roles.includes(adminRole)) {
      throw new ApiError(
        403,
        'forbidden',
        `Changing product sync settings or links needs the ${adminRole} role`,
      );
    }
    const tenant = services.tenant(principal.tenantId);
    return await route.handle({ request, services, log, principal, tenant });
  } catch (error) {
    const apiError = toApiError(error);
    if (apiError) {
      // A service the backend depends on failed (Entra refusing its credential, Dataverse or Oneflow down):
      // the caller gets the answer, the admin a line in the app's log. The message is the product's own words.
      if (apiError.status >= 500) {
        log.warn(`${route.name} answered ${apiError.status}`, {
          code: apiError.code,
          reason: apiError.message,
          requestId: clientRequestId(request),
        });
      }
      return errorResponse(apiError);
    }
    log.error(`${route.name} failed`, {
      error: error instanceof Error ? `${error.name}: ${error.message}` : 'unknown',
      requestId: clientRequestId(request),
    });
    return errorResponse(
      new ApiError(500, 'internal', 'Something went wrong on our side; it has been logged'),
    );
  }
}
