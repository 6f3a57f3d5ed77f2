import { LeaseBusyError, StateInputError } from '../state/errors';
import { hashedId, key, requireContractId, requireId } from '../state/keys';
import { toApiError } from './errorMapping';

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
