import { AuthenticationError, TOKEN_INVALID } from '../auth/bearer';
import type { Logger, Services } from '../services';
import type { ApiRequest } from './api';
import { CLIENT_REQUEST_ID_HEADER, dispatch } from './dispatch';
import { ApiError } from './errors';
import { publicRoute, signedInRoute } from './route';

function request(headers: Record<string, string>): ApiRequest {
  return {
    method: 'GET',
    url: 'http://127.0.0.1/api/broken',
    params: {},
    query: new URLSearchParams(),
    header: (name) => headers[name.toLowerCase()] ?? null,
    text: async () => '',
  };
}

function recordingLog(): Logger & { errors: Record<string, unknown>[]; warnings: Record<string, unknown>[] } {
  const errors: Record<string, unknown>[] = [];
  const warnings: Record<string, unknown>[] = [];
  return {
    errors,
    warnings,
    info: () => undefined,
    warn: (message, data = {}) => warnings.push({ message, ...data }),
    error: (message, data = {}) => errors.push({ message, ...data }),
  };
}

const broken = publicRoute({ name: 'broken', methods: ['GET'], route: 'broken' }, async () => {
  throw new Error('the disk is on fire');
});

describe('an unexpected failure', () => {
  it("is answered 500 without its cause, and logged with the caller's request id", async () => {
    const log = recordingLog();
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const response = await dispatch(broken, request({ [CLIENT_REQUEST_ID_HEADER]: id }), {} as Services, log);
    expect(response.status).toBe(500);
    expect(JSON.stringify(response.json)).not.toContain('fire');
    expect(log.errors).toEqual([
      { message: 'broken failed', error: 'Error: the disk is on fire', requestId: id },
    ]);
  });

  it('logs no request id that does not look like one', async () => {
    const log = recordingLog();
    await dispatch(broken, request({ [CLIENT_REQUEST_ID_HEADER]: 'x'.repeat(65) }), {} as Services, log);
    await dispatch(broken, request({ [CLIENT_REQUEST_ID_HEADER]: 'a b\nforged: line' }), {} as Services, log);
    expect(log.errors.map((entry) => entry.requestId)).toEqual([undefined, undefined]);
  });
});

describe('a service the backend depends on failing', () => {
  it('is answered with its error and logged as a warning with its code and words, so admins see it', async () => {
    const log = recordingLog();
    const unavailable = publicRoute(
      { name: 'unavailable', methods: ['GET'], route: 'unavailable' },
      async () => {
        throw new ApiError(
          502,
          'identity_unavailable',
          'Entra ID refused the backend credential (invalid_client)',
        );
      },
    );
    const refused = publicRoute({ name: 'refused', methods: ['GET'], route: 'refused' }, async () => {
      throw new ApiError(404, 'not_found', 'No such contract');
    });
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const response = await dispatch(
      unavailable,
      request({ [CLIENT_REQUEST_ID_HEADER]: id }),
      {} as Services,
      log,
    );
    await dispatch(refused, request({}), {} as Services, log);
    expect(response.status).toBe(502);
    expect(log.warnings).toEqual([
      {
        message: 'unavailable answered 502',
        code: 'identity_unavailable',
        reason: 'Entra ID refused the backend credential (invalid_client)',
        requestId: id,
      },
    ]);
    expect(log.errors).toEqual([]);
  });
});

describe('a refused token', () => {
  it('is answered 401 with the one message for every bad token; the log says why, never the token', async () => {
    const log = recordingLog();
    const services = {
      authenticate: () => Promise.reject(new AuthenticationError('The token has expired')),
    } as unknown as Services;
    const guarded = signedInRoute('user', { name: 'guarded', methods: ['GET'], route: 'guarded' }, () => {
      throw new Error('reached the handler');
    });
    const response = await dispatch(
      guarded,
      request({ authorization: 'Bearer eyJ.secret.token' }),
      services,
      log,
    );
    expect(response.status).toBe(401);
    expect(response.headers).toMatchObject({ 'WWW-Authenticate': 'Bearer' });
    expect(response.json).toEqual({ error: { code: 'unauthorized', message: TOKEN_INVALID, details: [] } });
    expect(log.warnings).toEqual([
      { message: 'guarded: token refused', reason: 'The token has expired', requestId: undefined },
    ]);
    expect(log.errors).toEqual([]);
  });
});
