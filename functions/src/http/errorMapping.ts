import { AppTokenError } from '../auth/appTokens';
import { DataverseError } from '../dataverse/errors';
import { isOneflowBudgetSpentError, OneflowError } from '../oneflow/errors';
import { UnknownTenantError } from '../config/errors';
import {
  ContractDeletedError,
  ContractExistsError,
  ContractLockedError,
  ContractNotDeletedError,
  ContractNotSyncedError,
  NotConfiguredError,
} from '../sync/errors';
import { LeaseBusyError, PreconditionFailedError, StateInputError } from '../state/errors';
import { ApiError } from './errors';

const retryAfter = (ms: number | null): Record<string, string> =>
  ms === null ? {} : { 'Retry-After': String(Math.max(1, Math.ceil(ms / 1000))) };

function fromDataverse(error: DataverseError): ApiError {
  const message = `Dynamics: ${error.userMessage}`;
  switch (error.kind) {
    case 'forbidden':
      return new ApiError(403, 'dynamics_forbidden', message);
    case 'not_found':
      return new ApiError(404, 'dynamics_not_found', message);
    case 'precondition_failed':
      return new ApiError(
        409,
        'line_changed',
        `${message} Nothing was written to Dynamics; run the action again to see the current values.`,
      );
    case 'validation':
    case 'client':
      return new ApiError(422, 'dynamics_refused', message);
    case 'throttled':
      return new ApiError(503, 'dynamics_busy', message, [], retryAfter(error.retryAfterMs));
    case 'auth':
    case 'server':
    case 'network':
    case 'invalid_response':
      return new ApiError(502, 'dynamics_unavailable', message);
  }
}

function fromOneflow(error: OneflowError): ApiError {
  const detail = error.detail ?? error.message;
  const details = Object.entries(error.parameterProblems).map(([field, problems]) => ({
    field: `oneflow.${field}`,
    message: problems.join('; '),
  }));
  switch (error.kind) {
    case 'not_found':
      return new ApiError(404, 'oneflow_not_found', `Oneflow: ${detail}`);
    case 'validation':
    case 'client':
      return new ApiError(422, 'oneflow_refused', `Oneflow refused the change: ${detail}`, details);
    case 'conflict':
      return new ApiError(409, 'contract_locked', `Oneflow: ${detail}`);
    case 'rate_limited':
      // Oneflow's own 429 says nothing of when; our budget knows when its next slot is free.
      return new ApiError(
        503,
        'oneflow_busy',
        `Oneflow: ${detail}`,
        [],
        isOneflowBudgetSpentError(error) ? retryAfter(error.retryAfterMs) : { 'Retry-After': '60' },
      );
    case 'auth':
    case 'server':
    case 'network':
    case 'invalid_response':
      return new ApiError(
        502,
        'oneflow_unavailable',
        `Oneflow could not be reached or refused our credentials: ${detail}`,
      );
  }
}

/** The answer for one error class; null for an error of another class. */
type Mapping = (error: unknown) => ApiError | null;

const when =
  <E extends Error>(type: abstract new (...args: never[]) => E, answer: (error: E) => ApiError): Mapping =>
  (error) =>
    error instanceof type ? answer(error) : null;

function busy(error: LeaseBusyError): ApiError {
  // The holder's lease time left: a live holder renews it, a dead one's is free by then.
  const seconds = Math.max(1, Math.ceil(error.retryAfterMs / 1000));
  const wait = seconds === 1 ? 'a second' : `${String(seconds)} seconds`;
  return new ApiError(
    409,
    'contract_busy',
    typeof error.subject === 'number'
      ? `Another sync of this contract is running; try again in ${wait}`
      : `A contract for this record is being created right now; try again in ${wait}`,
    [],
    { 'Retry-After': String(seconds) },
  );
}

/**
 * Every error the product names, and its answer: the one place where domain errors become HTTP, so the layers
 * below never speak in statuses (a queue run never meets a 401).
 */
const MAPPINGS: readonly Mapping[] = [
  when(ApiError, (error) => error),
  // A signed-in user of a tenant not set up here: as unauthorised as an unknown token.
  when(UnknownTenantError, (error) => new ApiError(401, 'unauthorized', error.message)),
  when(NotConfiguredError, (error) => new ApiError(409, 'not_configured', error.message)),
  when(ContractLockedError, (error) => new ApiError(409, 'contract_locked', error.message)),
  when(ContractExistsError, (error) => new ApiError(409, 'contract_exists', error.message)),
  when(
    PreconditionFailedError,
    (error) =>
      new ApiError(412, 'precondition_failed', `${error.message}. Reload and apply your change again.`),
  ),
  when(LeaseBusyError, busy),
  when(ContractDeletedError, (error) => new ApiError(410, 'contract_deleted', error.message)),
  when(ContractNotSyncedError, (error) => new ApiError(404, 'not_found', error.message)),
  when(ContractNotDeletedError, (error) => new ApiError(409, 'contract_not_deleted', error.message)),
  // Request values that passed their checks but cannot be kept (a key past the storage limit): the caller's input.
  when(StateInputError, (error) => new ApiError(422, 'not_storable', error.message)),
  when(DataverseError, fromDataverse),
  when(OneflowError, fromOneflow),
  when(
    AppTokenError,
    () =>
      new ApiError(
        502,
        'identity_unavailable',
        'Could not sign in to Dynamics as the product sync application',
      ),
  ),
];

/** The API's answer for an error we know; null for an unexpected one (a 500). */
export function toApiError(error: unknown): ApiError | null {
  for (const mapping of MAPPINGS) {
    const answer = mapping(error);
    if (answer) return answer;
  }
  return null;
}
