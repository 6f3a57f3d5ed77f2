import {
  errorFromResponse,
  isOneflowAuthError,
  isOneflowClientError,
  isOneflowConflictError,
  isOneflowError,
  isOneflowNotFoundError,
  isOneflowRateLimitedError,
  isOneflowServerError,
  isOneflowValidationError,
} from './errors';

const where = { method: 'GET', url: 'http://127.0.0.1/v1/x', attempts: 1 };

describe('errorFromResponse', () => {
  it.each([
    [400, isOneflowValidationError],
    [401, isOneflowAuthError],
    [404, isOneflowNotFoundError],
    [409, isOneflowConflictError],
    [429, isOneflowRateLimitedError],
    [500, isOneflowServerError],
    [503, isOneflowServerError],
    [413, isOneflowClientError],
  ])('status %i has its own kind', (status, guard) => {
    const error = errorFromResponse(status, {}, where);
    expect(guard(error)).toBe(true);
    expect(isOneflowError(error)).toBe(true);
    expect(error.status).toBe(status);
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
