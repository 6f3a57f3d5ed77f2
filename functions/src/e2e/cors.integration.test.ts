import { FIXTURE, startStack, type ApiAnswer, type Stack } from '../testing/stack';
import { createContract, shippedDefaults } from './securitySupport';

/**
 * CORS as a browser on a Dynamics form meets it: preflights and actual answers from the whole backend (the local
 * runner, the simulators and Azurite as their own processes), with the allowed origins set as an app setting.
 */

const DYNAMICS = 'https://contoso.crm4.dynamics.com';
const HOST_PAGE = 'http://127.0.0.1:7100';
const STRANGER = 'https://evil.example';

let stack: Stack;
let alex: string;
let sam: string;

beforeAll(async () => {
  stack = await startStack({ env: { CORS_ALLOWED_ORIGINS: `${DYNAMICS},${HOST_PAGE}` } });
  [alex, sam] = await Promise.all([stack.token('alex'), stack.token('sam')]);
}, 60_000);

afterAll(async () => {
  await stack.close();
});

const corsHeaders = (answer: ApiAnswer): Record<string, string> =>
  Object.fromEntries(Object.entries(answer.headers).filter(([name]) => name.startsWith('access-control-')));

const preflightOf = (path: string, origin: string, method: string, headers = 'authorization') =>
  stack.api('OPTIONS', path, {
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': headers,
    },
  });

const EXPOSED = 'ETag, Retry-After, Content-Disposition, WWW-Authenticate';

describe('preflight', () => {
  it('from an allowed origin: 204 with the exact origin, Vary, the path methods, the headers read and a max age', async () => {
    const answer = await preflightOf(
      'settings/opportunity',
      DYNAMICS,
      'PUT',
      'authorization,content-type,if-match',
    );

    expect(answer.status).toBe(204);
    expect(answer.text).toBe('');
    expect(corsHeaders(answer)).toEqual({
      'access-control-allow-origin': DYNAMICS,
      'access-control-allow-methods': 'GET, PUT',
      'access-control-allow-headers':
        'authorization, content-type, if-match, if-none-match, x-ms-client-request-id',
      'access-control-max-age': '7200',
    });
    expect(answer.headers.vary).toBe('Origin');
  });

  it('names the methods of the path asked about, and answers the local host page the same way', async () => {
    const links = await preflightOf('links/c-1/l-1', HOST_PAGE, 'DELETE');
    expect(links.status).toBe(204);
    expect(links.headers['access-control-allow-origin']).toBe(HOST_PAGE);
    expect(links.headers['access-control-allow-methods']).toBe('PATCH, DELETE');

    const contracts = await preflightOf('contracts', DYNAMICS, 'POST', 'authorization,content-type');
    expect(contracts.headers['access-control-allow-methods']).toBe('GET, POST');
    const push = await preflightOf('contracts/17/push', DYNAMICS, 'POST');
    expect(push.headers['access-control-allow-methods']).toBe('POST');
  });

  it('from a refused origin: no CORS header at all, so the browser never sends the request', async () => {
    for (const origin of [STRANGER, 'https://contoso.crm4.dynamics.com.evil.example', 'null']) {
      const answer = await preflightOf('settings/opportunity', origin, 'PUT', 'authorization,content-type');
      expect(answer.status).toBe(204);
      expect(corsHeaders(answer)).toEqual({});
      expect(answer.headers.vary).toBe('Origin');
    }
  });

  it('an origin differing only in scheme or port is refused', async () => {
    for (const origin of [
      'http://contoso.crm4.dynamics.com',
      'https://contoso.crm4.dynamics.com:8443',
      'http://127.0.0.1:7101',
    ]) {
      expect(corsHeaders(await preflightOf('activity', origin, 'GET'))).toEqual({});
    }
  });

  it('the webhook takes no preflight: OPTIONS there is 405 without CORS headers', async () => {
    const answer = await preflightOf('webhooks/oneflow/contoso', DYNAMICS, 'POST', 'content-type');
    expect(answer.status).toBe(405);
    expect(corsHeaders(answer)).toEqual({});
  });

  it('an OPTIONS without Origin is a plain one, answered with Allow', async () => {
    const answer = await stack.api('OPTIONS', 'settings/opportunity');
    expect(answer.status).toBe(204);
    expect(answer.headers.allow).toBe('GET, PUT, OPTIONS');
    expect(corsHeaders(answer)).toEqual({});
  });
});

describe('actual answers', () => {
  it('a GET from an allowed origin carries the origin, Vary and the exposed headers, and ETag is there to read', async () => {
    const saved = await stack.api('PUT', 'settings/opportunity', {
      token: sam,
      body: shippedDefaults('opportunity'),
      headers: { origin: DYNAMICS, 'if-match': '*' },
    });
    expect(saved.status).toBe(200);
    expect(saved.headers['access-control-allow-origin']).toBe(DYNAMICS);

    const answer = await stack.api('GET', 'settings/opportunity', {
      token: alex,
      headers: { origin: DYNAMICS },
    });
    expect(answer.status).toBe(200);
    expect(corsHeaders(answer)).toEqual({
      'access-control-allow-origin': DYNAMICS,
      'access-control-expose-headers': EXPOSED,
    });
    expect(answer.headers.vary).toBe('Origin');
    expect(answer.headers.etag).toBe((answer.body as { etag: string }).etag);
    // Credentials are bearer tokens, never cookies.
    expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
    expect(answer.headers['set-cookie']).toBeUndefined();
  });

  it('a busy contract answers 409 with a Retry-After the page may read', async () => {
    const contractId = await createContract(stack, alex, 'opportunity', FIXTURE.opportunity);
    const { leases } = stack.services.store;
    expect(await leases.acquire(FIXTURE.contoso, contractId, 'another-run', 30_000)).toBe(true);
    try {
      const answer = await stack.api('POST', `contracts/${String(contractId)}/push`, {
        token: alex,
        body: {},
        headers: { origin: HOST_PAGE },
      });
      expect(answer.status).toBe(409);
      expect(answer.headers['retry-after']).toMatch(/^\d+$/);
      expect(answer.headers['access-control-allow-origin']).toBe(HOST_PAGE);
      expect(answer.headers['access-control-expose-headers']).toContain('Retry-After');
    } finally {
      await leases.release(FIXTURE.contoso, contractId, 'another-run');
    }
  });

  it('errors carry CORS headers too, so the page can read why (a 401 and its challenge)', async () => {
    const answer = await stack.api('GET', 'activity', { headers: { origin: DYNAMICS } });
    expect(answer.status).toBe(401);
    expect(answer.headers['access-control-allow-origin']).toBe(DYNAMICS);
    expect(answer.headers['www-authenticate']).toBe('Bearer');
    expect((answer.body as { error: { code: string } }).error.code).toBe('unauthorized');
  });

  it('the CSV export exposes its file name', async () => {
    const answer = await stack.api('GET', 'links/export.csv', { token: alex, headers: { origin: DYNAMICS } });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-disposition']).toContain('product-sync-links.csv');
    expect(answer.headers['access-control-expose-headers']).toContain('Content-Disposition');
  });

  it('a refused origin still gets its answer, without CORS headers (the browser keeps it from the page)', async () => {
    const answer = await stack.api('GET', 'settings/opportunity', {
      token: alex,
      headers: { origin: STRANGER },
    });
    expect(answer.status).toBe(200);
    expect(corsHeaders(answer)).toEqual({});
    expect(answer.headers.vary).toBe('Origin');
  });

  it('the webhook answers without CORS headers', async () => {
    const answer = await stack.api('POST', 'webhooks/oneflow/contoso', {
      body: { contract: { id: 1 }, callback_id: 'cb-cors', signature: 'not-a-signature' },
      headers: { origin: DYNAMICS },
    });
    expect(answer.status).toBe(401);
    expect(corsHeaders(answer)).toEqual({});
    expect(answer.headers.vary).toBeUndefined();
  });
});
