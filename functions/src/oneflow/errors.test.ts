import {
  errorFromResponse,
  isOneflowAuthError,
  isOneflowClientError,
  isOneflowConflictError,
  isOneflowError,
  isOneflowInvalidResponseError,
  isOneflowNetworkError,
  isOneflowNotFoundError,
  isOneflowRateLimitedError,
  isOneflowServerError,
  isOneflowValidationError,
} from './errors';

const where = { method: 'GET', url: 'http://127.0.0.1/v1/x', attempts: 1 };

describe('errorFromResponse', () => {
  const guards = {
    validation: isOneflowValidationError,
    auth: isOneflowAuthError,
    not_found: isOneflowNotFoundError,
    conflict: isOneflowConflictError,
    rate_limited: isOneflowRateLimitedError,
    server: isOneflowServerError,
    client: isOneflowClientError,
    network: isOneflowNetworkError,
    invalid_response: isOneflowInvalidResponseError,
  };

  it.each([
    [400, 'validation', 'OneflowValidationError'],
    [401, 'auth', 'OneflowAuthError'],
    [404, 'not_found', 'OneflowNotFoundError'],
    [409, 'conflict', 'OneflowConflictError'],
    [429, 'rate_limited', 'OneflowRateLimitedError'],
    [500, 'server', 'OneflowServerError'],
    [503, 'server', 'OneflowServerError'],
    [413, 'client', 'OneflowClientError'],
  ] as const)('status %i has its own kind, %s, and only that guard accepts it', (status, kind, name) => {
    const error = errorFromResponse(status, {}, where);
    const accepted = Object.entries(guards)
      .filter(([, guard]) => guard(error))
      .map(([guardKind]) => guardKind);
    expect(accepted).toEqual([kind]);
    expect(error).toMatchObject({ kind, name, status });
    expect(isOneflowError(error)).toBe(true);
  });

  it("reads Oneflow's error body", () => {
    const error = errorFromResponse(
      400,
      {
        error_code: 4000000,
        detail: 'Invalid format or content of the request.',
        parameter_problems: { name: ['This field is required.'], other: 'one string' },
        request_id: 'req-1',
        status: 400,
        title: 'Bad Request',
        type: 'https://api.oneflow.com/v1/error_codes/4000000',
      },
      where,
    );
    expect(error).toMatchObject({
      errorCode: 4000000,
      requestId: 'req-1',
      parameterProblems: { name: ['This field is required.'], other: ['one string'] },
    });
    expect(error.message).toContain('name');
  });

  it('tolerates a missing, partial or malformed body', () => {
    expect(errorFromResponse(502, '', where)).toMatchObject({
      errorCode: null,
      detail: null,
      parameterProblems: {},
    });
    expect(errorFromResponse(429, { error_code: 'x', detail: 'slow down' }, where)).toMatchObject({
      errorCode: null,
      detail: 'slow down',
    });
  });

  it('the guards reject other values', () => {
    expect(isOneflowError(new Error('x'))).toBe(false);
    expect(isOneflowError(null)).toBe(false);
    expect(isOneflowAuthError(errorFromResponse(404, {}, where))).toBe(false);
  });
});
