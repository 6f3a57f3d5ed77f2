import { z } from 'zod';
import { seededEntities } from './seededEntities';
import { useIdentitySimulator } from './testSupport';
import { postFormTrusting, postJsonTrusting, requestTrusting } from './tlsClient';

const seeded = seededEntities();
const dataverseUrl = 'http://127.0.0.1:7101';
const identity = useIdentitySimulator({ resetBeforeEach: true });

function control(path: string, method: string, body?: unknown) {
  return requestTrusting(identity.certificatePem, `${identity.url}/_sim/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

function backendTokenRequest() {
  return postFormTrusting(
    identity.certificatePem,
    `${identity.url}/${seeded.homeTenantId}/oauth2/v2.0/token`,
    {
      grant_type: 'client_credentials',
      client_id: seeded.backend.clientId,
      client_secret: seeded.backendSecret,
      scope: `${dataverseUrl}/.default`,
    },
  );
}

/** The default fixture with the backend's secret rotated: a state that differs from the seeded one. */
function fixtureWithRotatedSecret(newSecret: string) {
  return {
    ...seeded.fixture,
    applications: seeded.fixture.applications.map((application) =>
      application.clientId === seeded.backend.clientId
        ? { ...application, secrets: [newSecret] }
        : application,
    ),
  };
}

describe('control endpoints', () => {
  it('fact: a loaded fixture replaces the state (a rotated secret invalidates the old one) and reset brings the seed back', async () => {
    expect((await control('fixture', 'POST', fixtureWithRotatedSecret('rotated-secret'))).status).toBe(200);
    expect((await backendTokenRequest()).status).toBe(401);
    await control('reset', 'POST');
    expect((await backendTokenRequest()).status).toBe(200);
  });

  it('fact: reset keeps the signing keys, so a token minted before a reset still verifies', async () => {
    const token = await identity.mintUserToken({
      tid: seeded.homeTenantId,
      oid: seeded.admin.oid,
      aud: seeded.productApi.appId,
    });
    await control('reset', 'POST');
    await expect(
      identity.verifyAccessToken(token, { audience: seeded.productApi.appId }),
    ).resolves.not.toBeNull();
  });

  it('fact: a malformed fixture is refused with 400 naming the field', async () => {
    const response = await control('fixture', 'POST', {
      ...seeded.fixture,
      users: [{ ...seeded.admin, oid: 'not-a-guid' }],
    });
    expect(response.status).toBe(400);
    expect(response.text).toContain('oid');
  });

  it('fact: a fixture granting an app a role the resource does not define is refused', async () => {
    const response = await control('fixture', 'POST', {
      ...seeded.fixture,
      applications: [
        {
          ...seeded.automation,
          resourceAccess: [{ resource: seeded.productApi.appId, roles: ['Nope.Role'] }],
        },
      ],
    });
    expect(response.status).toBe(400);
    expect(response.text).toContain('not an app role');
  });

  it('fact: an injected 500 on discovery answers Entra’s server_error body with AADSTS50000', async () => {
    await control('faults', 'PUT', { routes: { '*': { rates: { '500': 1 } } } });
    const response = await requestTrusting(
      identity.certificatePem,
      `${identity.url}/${seeded.homeTenantId}/v2.0/.well-known/openid-configuration`,
    );
    expect(response.status).toBe(500);
    expect(response.json).toMatchObject({ error: 'server_error', error_codes: [50000] });
    expect(typeof response.headers['x-ms-request-id']).toBe('string');
  });

  it('fact: control routes are never failed by injected faults, and minting works while the IdP is failing', async () => {
    await control('faults', 'PUT', { routes: { '*': { rates: { '429': 1 } } } });
    const minted = await postJsonTrusting(identity.certificatePem, `${identity.url}/_sim/tokens`, {
      tid: seeded.homeTenantId,
      oid: seeded.admin.oid,
      aud: seeded.productApi.appId,
    });
    expect(minted.status).toBe(200);
    expect((await backendTokenRequest()).status).toBe(429);
  });

  it('fact: the request log records identity routes with status, and clearing it empties it', async () => {
    await backendTokenRequest();
    await requestTrusting(
      identity.certificatePem,
      `${identity.url}/${seeded.homeTenantId}/discovery/v2.0/keys`,
    );
    const log = z
      .object({ total: z.number(), counts: z.record(z.string(), z.number()) })
      .parse((await control('requests', 'GET')).json);
    expect(log).toEqual({
      total: 2,
      counts: { 'POST /:tenant/oauth2/v2.0/token': 1, 'GET /:tenant/discovery/v2.0/keys': 1 },
    });
    await control('requests', 'DELETE');
    expect((await control('requests', 'GET')).json).toMatchObject({ total: 0 });
  });
});
