import { z } from 'zod';

/**
 * Every error code the API answers with. Codes are stable: the controls branch on them, the message is for people.
 * Each names one situation (docs/api.md, "Errors"); its HTTP status follows from it.
 */
export const API_ERROR_CODES = [
  // 400: a parameter, the body or the address is not valid; `details` names each field.
  'bad_request',
  // 401: no valid token, a tenant not set up here, or a webhook signature that does not match.
  'unauthorized',
  'invalid_signature',
  // 403: signed in, but without the role the route needs, or Dynamics refuses the caller.
  'forbidden',
  'dynamics_forbidden',
  // 404: no such contract, link, settings, entity or route.
  'not_found',
  'dynamics_not_found',
  'oneflow_not_found',
  // 405, 413, 414, 431: the request itself is refused before any route runs (the local runner and the host).
  'method_not_allowed',
  'payload_too_large',
  'uri_too_long',
  'request_header_fields_too_large',
  // 409: the state does not allow it now.
  'not_configured',
  'contract_locked',
  'contract_exists',
  'contract_busy',
  'contract_not_deleted',
  'line_changed',
  'product_already_linked',
  // 410: the contract was deleted in Oneflow.
  'contract_deleted',
  // 412: the settings changed since they were read (or exist already).
  'precondition_failed',
  // 422: a value passed its checks but cannot be kept, or a service refused the change.
  'not_storable',
  'dynamics_refused',
  'oneflow_refused',
  // 500, 502, 503: our side, a service that cannot be reached, or one that asks us to wait.
  'internal',
  'misconfigured',
  'dynamics_unavailable',
  'oneflow_unavailable',
  'identity_unavailable',
  'dynamics_busy',
  'oneflow_busy',
] as const;
export const ApiErrorCodeSchema = z.enum(API_ERROR_CODES);
export type ApiErrorCode = z.infer<typeof ApiErrorCodeSchema>;

/** Where a problem is (`body.mappings.2.direction`, `query.entity`, `oneflow.quantity`) and what it is. */
export const ProblemDetailSchema = z.strictObject({ field: z.string().min(1), message: z.string().min(1) });
export type ProblemDetail = z.infer<typeof ProblemDetailSchema>;

/** Every answer other than success: `{"error":{"code","message","details"}}`. */
export const ErrorAnswerSchema = z.strictObject({
  error: z.strictObject({
    code: ApiErrorCodeSchema,
    message: z.string().min(1),
    details: z.array(ProblemDetailSchema),
    /** The Retry-After header's seconds, repeated because a browser on another origin may not read headers. */
    retryAfterSeconds: z.number().int().positive().optional(),
  }),
});
export type ErrorAnswer = z.infer<typeof ErrorAnswerSchema>;
