import { SignInRequiredError } from '../auth/TokenProvider';
import type { Translate } from '../strings/strings';
import { ApiError, type ClientErrorCode } from './SyncApiClient';
import type { ApiErrorCode } from './contract';

/**
 * The words of every error the widget can meet, by the API's stable `error.code` (not the HTTP status): one resx
 * key each. The API's own message is English and stays secondary (shown under these words for support).
 */
export const ERROR_STRING_KEYS: Readonly<Record<ApiErrorCode | ClientErrorCode, string>> = {
  bad_request: 'Error_bad_request',
  unauthorized: 'Error_unauthorized',
  invalid_signature: 'Error_unauthorized',
  forbidden: 'Error_forbidden',
  dynamics_forbidden: 'Error_dynamics_forbidden',
  not_found: 'Error_not_found',
  dynamics_not_found: 'Error_dynamics_not_found',
  oneflow_not_found: 'Error_oneflow_not_found',
  method_not_allowed: 'Error_internal',
  payload_too_large: 'Error_internal',
  uri_too_long: 'Error_internal',
  request_header_fields_too_large: 'Error_internal',
  not_configured: 'Error_not_configured',
  contract_locked: 'Error_contract_locked',
  contract_exists: 'Error_contract_exists',
  contract_busy: 'Error_contract_busy',
  contract_not_deleted: 'Error_contract_not_deleted',
  line_changed: 'Error_line_changed',
  product_already_linked: 'Error_product_already_linked',
  contract_deleted: 'Error_contract_deleted',
  precondition_failed: 'Error_precondition_failed',
  not_storable: 'Error_not_storable',
  dynamics_refused: 'Error_dynamics_refused',
  oneflow_refused: 'Error_oneflow_refused',
  internal: 'Error_internal',
  misconfigured: 'Error_misconfigured',
  dynamics_unavailable: 'Error_unreachable',
  oneflow_unavailable: 'Error_oneflow_unavailable',
  identity_unavailable: 'Error_identity_unavailable',
  dynamics_busy: 'Error_dynamics_busy',
  oneflow_busy: 'Error_oneflow_busy',
  network: 'Error_unreachable',
  unreadable_answer: 'Error_unreadable_answer',
};

type ErrorIntent = 'warning' | 'error';

/** An error as the widget shows it: its words, the service's own text and the ids support asks for. */
export interface ErrorView {
  code: ApiErrorCode | ClientErrorCode | 'sign_in' | 'unexpected';
  intent: ErrorIntent;
  text: string;
  /** The API's message and each `details[]` entry, for the collapsed "Details for support" part. */
  details: readonly string[];
  requestId: string | null;
  retryAfterSeconds: number | null;
  /** Trying again later may work (busy, rate limited, unreachable). */
  retryable: boolean;
}

const RETRYABLE = new Set<string>([
  'contract_busy',
  'dynamics_busy',
  'oneflow_busy',
  'network',
  'dynamics_unavailable',
  'oneflow_unavailable',
  'identity_unavailable',
  'internal',
  'line_changed',
]);
const WARNINGS = new Set<string>([
  'contract_busy',
  'dynamics_busy',
  'oneflow_busy',
  'contract_locked',
  'line_changed',
]);

export function describeError(error: unknown, t: Translate): ErrorView {
  if (error instanceof ApiError) {
    const key = ERROR_STRING_KEYS[error.code];
    const details = [
      ...(error.code === 'network' || error.code === 'unreadable_answer' ? [] : [error.message]),
      ...error.details.map((detail) => `${detail.field}: ${detail.message}`),
    ];
    return {
      code: error.code,
      intent: WARNINGS.has(error.code) ? 'warning' : 'error',
      text: t(key),
      details,
      requestId: error.requestId,
      retryAfterSeconds: error.retryAfterSeconds,
      retryable: RETRYABLE.has(error.code),
    };
  }
  if (error instanceof SignInRequiredError) {
    return {
      code: 'sign_in',
      intent: 'warning',
      text: t(error.problem === 'popup_blocked' ? 'SignIn_PopupBlocked' : 'SignIn_Needed'),
      details: [error.message],
      requestId: null,
      retryAfterSeconds: null,
      retryable: true,
    };
  }
  return {
    code: 'unexpected',
    intent: 'error',
    text: t('Error_unexpected'),
    details: [error instanceof Error ? error.message : String(error)],
    requestId: null,
    retryAfterSeconds: null,
    retryable: true,
  };
}
