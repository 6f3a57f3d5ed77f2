import { UnknownTenantError } from '../config/errors';
import { LeaseBusyError, StateInputError } from '../state/errors';
import { ContractExistsError, ContractLockedError, NotConfiguredError } from '../sync/errors';
import { hashedId, key, requireContractId, requireId } from '../state/keys';
import { toApiError } from './errorMapping';
import { ApiError } from './errors';

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the store to refuse its input');
}

describe('state-input errors are the caller’s input, never a 500', () => {
  test.each([
    ['a key past the storage limit', () => key(requireId('recordId', 'é'.repeat(200)))],
    ['an empty id', () => requireId('recordId', '')],
    ['an empty hashed id', () => hashedId('callbackId', '')],
    ['a contract id that is not an integer', () => requireContractId(1.5)],
  ])('%s → 422 not_storable, with the store’s reason', (_, action) => {
    const error = thrownBy(action);
    expect(error).toBeInstanceOf(StateInputError);
    const mapped = toApiError(error);
    expect(mapped).toMatchObject({ status: 422, code: 'not_storable' });
    expect(mapped?.message).toBe((error as Error).message);
  });
});

describe('a busy contract', () => {
  test.each([
    [12_000, 'try again in 12 seconds', '12'],
    [1_400, 'try again in 2 seconds', '2'],
    [900, 'try again in a second', '1'],
    [0, 'try again in a second', '1'],
  ])('%i ms left → "%s", Retry-After %s', (retryAfterMs, words, header) => {
    const mapped = toApiError(new LeaseBusyError('tenant', 1001, retryAfterMs));
    expect(mapped).toMatchObject({ status: 409, code: 'contract_busy' });
    expect(mapped?.message).toBe(`Another sync of this contract is running; ${words}`);
    expect(mapped?.headers).toEqual({ 'Retry-After': header });
  });
});

describe('the sync layer names its refusals; the HTTP edge alone gives them a status', () => {
  test.each<[string, Error, number, string, string]>([
    [
      'an entity with no settings and no defaults',
      new NotConfiguredError('account'),
      409,
      'not_configured',
      'Product sync is not set up for account: an admin has to pick its product source and mappings first',
    ],
    [
      'a signed contract whose products would change',
      new ContractLockedError('signed'),
      409,
      'contract_locked',
      'The Oneflow contract is signed; its products can no longer be changed',
    ],
    [
      'Create contract for a record whose contract was transferred',
      new ContractExistsError(1001, 'opportunity'),
      409,
      'contract_exists',
      'This opportunity already has Oneflow contract 1001; use Push updates to Oneflow to send its changes',
    ],
    [
      'a signed-in user of a tenant not set up here',
      new UnknownTenantError('5c1e0000-0000-4000-8000-0000000000aa'),
      401,
      'unauthorized',
      'This tenant is not set up for product sync',
    ],
  ])('%s → %i %s', (_, error, status, code, message) => {
    expect(error).not.toBeInstanceOf(ApiError);
    const mapped = toApiError(error);
    expect(mapped).toBeInstanceOf(ApiError);
    expect({ status: mapped?.status, code: mapped?.code, message: mapped?.message }).toEqual({
      status,
      code,
      message,
    });
    expect(mapped?.details).toEqual([]);
    expect(mapped?.headers).toEqual({});
  });

  test('an error the product does not name is no answer (the dispatcher logs it and answers 500)', () => {
    expect(toApiError(new Error('boom'))).toBeNull();
    expect(toApiError('not even an error')).toBeNull();
  });

  test('an answer already made at the edge passes through unchanged', () => {
    const answer = new ApiError(403, 'forbidden', 'no');
    expect(toApiError(answer)).toBe(answer);
  });
});
