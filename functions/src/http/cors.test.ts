import { ROUTES } from '../registry';
import type { Logger } from '../services';
import { crossOriginMethods, preflight, withCors } from './cors';

const ORIGIN = 'https://contoso.crm4.dynamics.com';
const settings = { allowedOrigins: [ORIGIN] };
const silent: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('crossOriginMethods', () => {
  it('groups the registry by path template, in one method order, and leaves the webhook out', () => {
    const methods = crossOriginMethods(ROUTES);
    expect(methods.get('settings/{entity}')).toEqual(['GET', 'PUT']);
    expect(methods.get('contracts')).toEqual(['GET', 'POST']);
    expect(methods.get('links/{contractid}/{lineid}')).toEqual(['PATCH', 'DELETE']);
    expect(methods.has('webhooks/oneflow/{orgkey}')).toBe(false);
  });
});

describe('withCors', () => {
  it('adds Origin to a Vary the answer already has, once', () => {
    const answer = withCors(settings, ORIGIN, { status: 200, headers: { Vary: 'Accept' } });
    expect(answer.headers?.Vary).toBe('Accept, Origin');
    expect(withCors(settings, ORIGIN, answer).headers?.Vary).toBe('Accept, Origin');
  });

  it('leaves every answer as it is when no origin is allowed', () => {
    const answer = { status: 200, headers: { ETag: 'W/"1"' } };
    expect(withCors({ allowedOrigins: [] }, ORIGIN, answer)).toBe(answer);
  });
});

describe('preflight', () => {
  it('never allows credentials or a wildcard', () => {
    const headers = preflight(settings, ORIGIN, ['GET'], silent).headers ?? {};
    expect(headers['Access-Control-Allow-Origin']).toBe(ORIGIN);
    expect(headers['Access-Control-Allow-Credentials']).toBeUndefined();
  });
});
