import {
  app,
  HttpRequest,
  InvocationContext,
  type HttpHandler,
  type HttpResponseInit,
} from '@azure/functions';
import { startAzurite, type RunningAzurite } from './testing/azurite';

/**
 * CORS through the Functions entry point itself (index.ts), as the Functions host calls it when platform CORS is
 * not configured: each registered handler is called with the SDK's own request type, the app built from app
 * settings against a real Azurite.
 */

const DYNAMICS = 'https://contoso.crm4.dynamics.com';
const SETTINGS: Record<string, string> = {
  PRODUCT_SYNC_TENANTS: JSON.stringify([
    {
      tenantId: '3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f',
      dataverseUrl: 'https://contoso.crm4.dynamics.com',
      orgKey: 'contoso',
      oneflow: { userEmail: 'alex.seller@contoso.example', workspaceId: 1, templateId: 2 },
    },
  ]),
  ONEFLOW_API_TOKEN__CONTOSO: 'token',
  ONEFLOW_SIGN_KEY__CONTOSO: 'sign-key',
  API_AUDIENCES: 'a9900000-0000-4000-8000-000000000001',
  BACKEND_CLIENT_ID: 'a9900000-0000-4000-8000-000000000001',
  BACKEND_CLIENT_SECRET: 'secret',
  CORS_ALLOWED_ORIGINS: DYNAMICS,
};

let azurite: RunningAzurite;
const saved = { ...process.env };
const handlers = new Map<string, HttpHandler>();

beforeAll(async () => {
  azurite = await startAzurite({ inMemory: true });
  process.env = { ...saved, ...SETTINGS, AzureWebJobsStorage: azurite.connectionString };
  jest.spyOn(app, 'http').mockImplementation((name, options) => {
    handlers.set(name, options.handler);
  });
  jest.spyOn(app, 'storageQueue').mockImplementation(() => undefined);
  jest.spyOn(app, 'timer').mockImplementation(() => undefined);
  await import('./index');
}, 60_000);

afterAll(async () => {
  process.env = saved;
  await azurite.stop();
});

async function call(name: string, method: string, path: string, headers: Record<string, string>) {
  const handler = handlers.get(name);
  if (!handler) throw new Error(`${name} is not registered`);
  const request = new HttpRequest({ method, url: `http://127.0.0.1/api/${path}`, headers });
  const response: HttpResponseInit = await handler(
    request,
    new InvocationContext({ functionName: name, logHandler: () => undefined }),
  );
  return { status: response.status, headers: new Headers(response.headers) };
}

describe('the Functions entry point answers CORS', () => {
  it('a preflight from an allowed origin, on the function that declares OPTIONS for its path', async () => {
    const answer = await call('settingsGet', 'OPTIONS', 'settings/opportunity', {
      origin: DYNAMICS,
      'access-control-request-method': 'PUT',
    });
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe(DYNAMICS);
    expect(answer.headers.get('access-control-allow-methods')).toBe('GET, PUT');
    expect(answer.headers.get('access-control-allow-headers')).toBe(
      'authorization, content-type, if-match, if-none-match, x-ms-client-request-id',
    );
    expect(answer.headers.get('access-control-max-age')).toBe('7200');
    expect(answer.headers.get('vary')).toBe('Origin');
  });

  it('a preflight from a refused origin carries no CORS header', async () => {
    const answer = await call('settingsGet', 'OPTIONS', 'settings/opportunity', {
      origin: 'https://evil.example',
      'access-control-request-method': 'PUT',
    });
    expect(answer.status).toBe(204);
    expect([...answer.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });

  it('an actual answer carries the origin and the exposed headers', async () => {
    const answer = await call('health', 'GET', 'health', { origin: DYNAMICS });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe(DYNAMICS);
    expect(answer.headers.get('access-control-expose-headers')).toBe(
      'ETag, Retry-After, Content-Disposition, WWW-Authenticate',
    );
    expect(answer.headers.get('vary')).toBe('Origin');
  });
});
