import { createHash } from 'node:crypto';
import { decodeProtectedHeader, generateKeyPair, SignJWT, decodeJwt } from 'jose';
import { z } from 'zod';
import { LinkSchema } from '@oneflow-sync/shared';
import { ROUTES } from '../registry';
import { FIXTURE, type ApiAnswer, type Stack, startStack } from '../testing/stack';
import {
  createContract,
  errorOf,
  expectError,
  fieldsOf,
  oneflowProducts,
  requestTotals,
  seedDataverseFixture,
  shippedDefaults,
  writeCounts,
} from './securitySupport';

/**
 * Who gets in and what they may touch, end to end: the backend mounted by the local runner, the simulators and
 * Azurite as their own processes. Tokens (401), the admin role (403), tenant isolation (another tenant's admin
 * finds nothing), malformed bodies (400, nothing written anywhere) and Dynamics privileges (403 from Dataverse,
 * nothing written in Oneflow).
 */

let stack: Stack;
let alex: string;
let sam: string;
let megan: string;
/** Contoso's contract on the rollout opportunity (3 lines), created by Alex. */
let contosoContract: number;

const LinksAnswer = z.object({ links: z.array(LinkSchema) });
const ActivityAnswer = z.object({
  entries: z.array(z.object({ id: z.string(), action: z.string() }).loose()),
});

beforeAll(async () => {
  stack = await startStack();
  [alex, sam, megan] = await Promise.all([stack.token('alex'), stack.token('sam'), stack.token('megan')]);
  contosoContract = await createContract(stack, alex, 'opportunity', FIXTURE.opportunity);
}, 60_000);

afterAll(async () => {
  await stack.close();
});

const linksOf = async (token: string, query: string) =>
  LinksAnswer.parse((await stack.api('GET', `links?${query}`, { token })).body).links;

/** Whatever is wrong with a token, the caller is told only this (why is logged). */
const INVALID = /^The bearer token is not valid for this API$/;

function expectUnauthorized(answer: ApiAnswer, message: RegExp): void {
  expectError(answer, 401, 'unauthorized', message);
  expect(answer.headers['www-authenticate']).toBe('Bearer');
}

/** A protected read that touches nothing but our tables. */
const protectedRead = (token?: string) =>
  stack.api('GET', 'settings/opportunity', token === undefined ? {} : { token });

describe('tokens', () => {
  it('401: a request without a token is refused with the error shape and WWW-Authenticate: Bearer', async () => {
    expectUnauthorized(await protectedRead(), /bearer token is required/i);
  });

  it('401: every route but health and the webhook refuses a request without a token, before reaching Dynamics or Oneflow', async () => {
    const before = await requestTotals(stack);
    const guarded = ROUTES.filter((route) => route.access !== 'public');
    expect(guarded.length).toBeGreaterThan(10);
    for (const route of guarded) {
      const path = route.route
        .replace('{entity}', 'opportunity')
        .replace(/\{(id|contractId)\}/, String(contosoContract))
        .replace('{lineId}', FIXTURE.opportunityLines[0]);
      const method = route.methods[0] ?? 'GET';
      const answer = await stack.api(method, path, method === 'GET' ? {} : { body: {} });
      expect({ route: route.name, status: answer.status }).toEqual({ route: route.name, status: 401 });
      expectUnauthorized(answer, /bearer token is required/i);
    }
    expect(await requestTotals(stack)).toEqual(before);
  });

  it.each([
    ['another scheme', 'Basic YWxleDpzZWNyZXQ='],
    ['Bearer without a token', 'Bearer '],
    ['a token that is not a JWT', 'Bearer not-a-jwt'],
    ['three segments of garbage', 'Bearer aaa.bbb.ccc'],
  ])('401: a malformed Authorization header (%s)', async (_, authorization) => {
    const answer = await stack.api('GET', 'settings/opportunity', { headers: { authorization } });
    expectUnauthorized(answer, /bearer token is required|bearer token is not valid for this API/i);
  });

  it('401: an expired token', async () => {
    const expired = await stack.token('alex', { expiresInSeconds: -600 });
    expectUnauthorized(await protectedRead(expired), INVALID);
  });

  it.each([
    ['another application of the tenant (the widget)', '7e1f3a5c-9b2d-4f6e-8a0c-3d5f7b9e1a2c', INVALID],
    ['an API URI nobody exposes', 'api://someone-else', INVALID],
    // Dataverse's tokens are v1: their issuer (sts.windows.net) is refused before the audience is looked at.
    ['Dataverse', '00000007-0000-0000-c000-000000000000', INVALID],
  ])('401: a token for another audience: %s', async (_, aud, message) => {
    const otherApi = await stack.token('alex', { aud });
    expect(decodeJwt(otherApi).aud).toBe(aud);
    expectUnauthorized(await protectedRead(otherApi), message);
  });

  it('401: a token from a tenant this product is not set up for', async () => {
    const stranger = await stack.token('alex', { tid: '5c1e0000-0000-4000-8000-0000000000aa' });
    expect(decodeJwt(stranger).tid).toBe('5c1e0000-0000-4000-8000-0000000000aa');
    expectUnauthorized(await protectedRead(stranger), INVALID);
  });

  it('401: a valid token whose signature was tampered with', async () => {
    const [header, payload, signature] = alex.split('.') as [string, string, string];
    // Flip the first character of the signature: still base64url, no longer the issuer's signature.
    const flipped = `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    expectUnauthorized(await protectedRead(`${header}.${payload}.${flipped}`), INVALID);
  });

  it('401: a token whose claims were changed after signing (Alex claiming the admin role)', async () => {
    const stored = await stack.services.store.settings.get(FIXTURE.contoso, 'opportunity');
    const [header, payload, signature] = alex.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, roles: ['ProductSync.Admin'] })).toString(
      'base64url',
    );
    const answer = await stack.api('PUT', 'settings/opportunity', {
      token: `${header}.${forged}.${signature}`,
      body: shippedDefaults('opportunity'),
    });
    expectUnauthorized(answer, INVALID);
    expect(await stack.services.store.settings.get(FIXTURE.contoso, 'opportunity')).toEqual(stored);
  });

  it('401: a token signed by nobody the identity provider knows (own key, the real key id)', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const claims = decodeJwt(alex);
    const { kid } = decodeProtectedHeader(alex);
    const forged = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(kid ? { kid } : {}) })
      .sign(privateKey);
    expectUnauthorized(await protectedRead(forged), INVALID);
  });

  it('401: an unsigned token (alg none)', async () => {
    const [, payload] = alex.split('.') as [string, string, string];
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    expectUnauthorized(await protectedRead(`${header}.${payload}.`), INVALID);
  });

  it('a valid token is accepted, for either form of the audience (the app id and api://app id)', async () => {
    const byUri = await stack.token('alex', { aud: `api://${FIXTURE.apiClientId}` });
    for (const token of [alex, byUri]) {
      const answer = await protectedRead(token);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ settings: { mainEntity: 'opportunity' } });
    }
  });

  it('health and the Oneflow webhook need no token', async () => {
    const health = await stack.api('GET', 'health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', tenants: 2 });
    const callbackId = `security-${String(Date.now())}`;
    const signature = createHash('sha1')
      .update(callbackId + FIXTURE.signKeys.contoso)
      .digest('hex');
    const webhook = await stack.api('POST', 'webhooks/oneflow/contoso', {
      body: { contract: { id: 999_999 }, callback_id: callbackId, events: [], signature },
    });
    expect(webhook.status).toBe(200);
    expect(webhook.body).toEqual({ status: 'queued' });
  });
});

describe('the admin role', () => {
  const adminRole = () => stack.services.config.auth.adminRole;
  const line = FIXTURE.opportunityLines[0];

  it('403: a seller (no admin role) can neither save nor reset settings, and nothing is stored', async () => {
    const put = await stack.api('PUT', 'settings/quote', { token: alex, body: shippedDefaults('quote') });
    expect(expectError(put, 403, 'forbidden', /role/).message).toContain(adminRole());
    const reset = await stack.api('POST', 'settings/quote/reset', { token: alex });
    expect(errorOf(reset, 403).code).toBe('forbidden');
    expect(await stack.services.store.settings.get(FIXTURE.contoso, 'quote')).toBeNull();
  });

  it('403: a seller can neither change nor delete a link, and the link stays as it was', async () => {
    const before = await stack.services.store.links.get(FIXTURE.contoso, contosoContract, line);
    expect(before).not.toBeNull();
    const patch = await stack.api('PATCH', `links/${String(contosoContract)}/${line}`, {
      token: alex,
      body: { state: 'deleted_in_oneflow' },
    });
    expect(errorOf(patch, 403).code).toBe('forbidden');
    const remove = await stack.api('DELETE', `links/${String(contosoContract)}/${line}`, { token: alex });
    expect(errorOf(remove, 403).code).toBe('forbidden');
    expect(await stack.services.store.links.get(FIXTURE.contoso, contosoContract, line)).toEqual(before);
  });

  it('200: the admin saves and resets settings', async () => {
    const put = await stack.api('PUT', 'settings/quote', { token: sam, body: shippedDefaults('quote') });
    expect(put.status).toBe(200);
    const reset = await stack.api('POST', 'settings/quote/reset', {
      token: sam,
      headers: { 'if-match': put.headers.etag ?? '' },
    });
    expect(reset.status).toBe(200);
    const stored = await stack.services.store.settings.get(FIXTURE.contoso, 'quote');
    expect(stored?.etag).toBe(reset.headers.etag);
    await stack.services.store.settings.delete(FIXTURE.contoso, 'quote', stored?.etag ?? '');
  });

  it('200/204: the admin changes and deletes a link', async () => {
    const before = await stack.services.store.links.get(FIXTURE.contoso, contosoContract, line);
    if (!before) throw new Error('the contract lost its link');
    try {
      const patch = await stack.api('PATCH', `links/${String(contosoContract)}/${line}`, {
        token: sam,
        body: { state: 'deleted_in_oneflow' },
      });
      expect(patch.status).toBe(200);
      expect(patch.body).toMatchObject({ link: { lineId: line, state: 'deleted_in_oneflow' } });
      const remove = await stack.api('DELETE', `links/${String(contosoContract)}/${line}`, { token: sam });
      expect(remove.status).toBe(204);
      expect(await stack.services.store.links.get(FIXTURE.contoso, contosoContract, line)).toBeNull();
    } finally {
      await stack.services.store.links.put(FIXTURE.contoso, before);
    }
  });
});

describe("tenant isolation: Fabrikam's admin finds nothing of Contoso's", () => {
  const contosoSettings = () => {
    const settings = shippedDefaults('opportunity');
    return {
      ...settings,
      mappings: settings.mappings.map((mapping) =>
        mapping.dynamicsField === 'description' ? { ...mapping, direction: 'sync_once' as const } : mapping,
      ),
    };
  };

  beforeAll(async () => {
    const current = await stack.services.store.settings.get(FIXTURE.contoso, 'opportunity');
    const put = await stack.api('PUT', 'settings/opportunity', {
      token: sam,
      body: contosoSettings(),
      headers: current ? { 'if-match': current.etag } : {},
    });
    expect(put.status).toBe(200);
  });

  it("GET settings/opportunity gives Fabrikam the defaults, not Contoso's saved settings", async () => {
    const contoso = await stack.api('GET', 'settings/opportunity', { token: alex });
    expect(contoso.body).toMatchObject({ isDefault: false, settings: contosoSettings() });
    const fabrikam = await stack.api('GET', 'settings/opportunity', { token: megan });
    expect(fabrikam.status).toBe(200);
    expect(fabrikam.body).toMatchObject({
      isDefault: true,
      etag: null,
      updatedBy: null,
      settings: shippedDefaults('opportunity'),
    });
    expect(fabrikam.headers.etag).toBeUndefined();
  });

  it("Fabrikam finds none of Contoso's links: by contract, by line id, by product id, or at all", async () => {
    const contoso = await linksOf(alex, `contractId=${String(contosoContract)}`);
    expect(contoso).toHaveLength(FIXTURE.opportunityLines.length);
    const productId = String(contoso[0]?.productId);
    expect(await linksOf(megan, `contractId=${String(contosoContract)}`)).toEqual([]);
    expect(await linksOf(megan, `q=${FIXTURE.opportunityLines[0]}`)).toEqual([]);
    expect(await linksOf(megan, `q=${productId}`)).toEqual([]);
    expect(await linksOf(megan, '')).toEqual([]);
    expect(await linksOf(alex, `q=${productId}`)).toHaveLength(1);
  });

  it("Fabrikam's CSV export holds the header only", async () => {
    const contoso = await stack.api('GET', 'links/export.csv', { token: alex });
    expect(contoso.text.trim().split('\n')).toHaveLength(1 + FIXTURE.opportunityLines.length);
    for (const query of ['', `?contractId=${String(contosoContract)}`]) {
      const fabrikam = await stack.api('GET', `links/export.csv${query}`, { token: megan });
      expect(fabrikam.status).toBe(200);
      expect(fabrikam.headers['content-type']).toMatch(/^text\/csv/);
      expect(fabrikam.text.trim().split('\n')).toEqual([contoso.text.split('\n')[0]]);
    }
  });

  it("Fabrikam sees no activity of Contoso's contract or record", async () => {
    const byContract = `activity?contractId=${String(contosoContract)}`;
    const byRecord = `activity?recordId=${FIXTURE.opportunity}`;
    const contoso = ActivityAnswer.parse((await stack.api('GET', byContract, { token: alex })).body);
    expect(contoso.entries.map((entry) => entry.action)).toContain('initial_transfer');
    for (const path of [byContract, byRecord]) {
      const answer = await stack.api('GET', path, { token: megan });
      expect(answer.status).toBe(200);
      expect(ActivityAnswer.parse(answer.body).entries).toEqual([]);
    }
  });

  it("Fabrikam can neither read, plan, push, fetch nor resolve Contoso's contract: 404, and nothing reaches Dynamics or Oneflow", async () => {
    const before = await requestTotals(stack);
    const id = String(contosoContract);
    const attempts: [string, string, unknown][] = [
      ['GET', `contracts/${id}/plan?action=push`, undefined],
      ['GET', `contracts/${id}/plan?action=fetch`, undefined],
      ['GET', `contracts/${id}/compare`, undefined],
      ['POST', `contracts/${id}/push`, undefined],
      ['POST', `contracts/${id}/fetch`, undefined],
      [
        'POST',
        `contracts/${id}/conflicts/resolve`,
        {
          resolutions: [{ lineId: FIXTURE.opportunityLines[0], oneflowField: 'quantity', keep: 'dynamics' }],
        },
      ],
      ['GET', `contracts?entity=opportunity&recordId=${FIXTURE.opportunity}`, undefined],
    ];
    for (const [method, path, body] of attempts) {
      const answer = await stack.api(method, path, { token: megan, ...(body === undefined ? {} : { body }) });
      expect({ path, status: answer.status }).toEqual({ path, status: 404 });
      expect(errorOf(answer, 404).code).toBe('not_found');
    }
    expect(await requestTotals(stack)).toEqual(before);
    const activity = ActivityAnswer.parse(
      (await stack.api('GET', `activity?contractId=${id}`, { token: alex })).body,
    );
    expect(activity.entries.map((entry) => entry.action)).not.toContain('push');
  });

  it("Fabrikam's admin can neither change nor delete Contoso's links: 404, and the links are unchanged", async () => {
    const before = await stack.services.store.links.list(FIXTURE.contoso, contosoContract);
    for (const lineId of FIXTURE.opportunityLines) {
      const path = `links/${String(contosoContract)}/${lineId}`;
      const patch = await stack.api('PATCH', path, { token: megan, body: { productId: 1 } });
      expect(errorOf(patch, 404).code).toBe('not_found');
      const remove = await stack.api('DELETE', path, { token: megan });
      expect(errorOf(remove, 404).code).toBe('not_found');
    }
    expect(await stack.services.store.links.list(FIXTURE.contoso, contosoContract)).toEqual(before);
  });
});

describe('malformed bodies: 400 naming the field, and nothing written anywhere', () => {
  const contractCount = async () => (await stack.services.store.contracts.listAll(FIXTURE.contoso)).length;

  it.each([
    ['without recordId', { entity: 'quote' }, ['body.recordId'], /required|expected string/i],
    [
      'with a recordId that is not a GUID',
      { entity: 'quote', recordId: 'quote-1' },
      ['body.recordId'],
      /GUID/,
    ],
    ['without entity', { recordId: FIXTURE.quote }, ['body.entity'], /required|expected string/i],
    [
      'with an entity that is no logical name',
      { entity: 'Quote; drop', recordId: FIXTURE.quote },
      ['body.entity'],
      /logical name/,
    ],
    ['that is not JSON', '{"entity": "quote", "recordId": ', ['body'], /not valid JSON/],
    ['that is empty', '', ['body'], /expected object/i],
  ])('400: POST /api/contracts %s', async (_, body, fields, message) => {
    const contracts = await contractCount();
    const writes = await writeCounts(stack);
    const answer = await stack.api('POST', 'contracts', {
      token: alex,
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(fieldsOf(answer)).toEqual(fields);
    expect(errorOf(answer, 400).details[0]?.message).toMatch(message);
    expect(await contractCount()).toBe(contracts);
    expect(
      await stack.services.store.contracts.getByRecord(FIXTURE.contoso, 'quote', FIXTURE.quote),
    ).toBeNull();
    expect(await writeCounts(stack)).toEqual(writes);
  });

  it.each([
    [
      'an unknown oneflowField',
      { resolutions: [{ lineId: FIXTURE.opportunityLines[0], oneflowField: 'colour', keep: 'oneflow' }] },
      ['body.resolutions.0.oneflowField'],
    ],
    [
      'a side that is neither dynamics nor oneflow',
      { resolutions: [{ lineId: FIXTURE.opportunityLines[0], oneflowField: 'quantity', keep: 'both' }] },
      ['body.resolutions.0.keep'],
    ],
    [
      'a lineId that is not a GUID',
      { resolutions: [{ lineId: 'line-1', oneflowField: 'quantity', keep: 'oneflow' }] },
      ['body.resolutions.0.lineId'],
    ],
    ['no resolutions', { resolutions: [] }, ['body.resolutions']],
  ])('400: POST conflicts/resolve with %s', async (_, body, fields) => {
    const writes = await writeCounts(stack);
    const links = await stack.services.store.links.list(FIXTURE.contoso, contosoContract);
    const activity = await stack.services.store.activity.list(FIXTURE.contoso, {
      contractId: contosoContract,
    });
    const answer = await stack.api('POST', `contracts/${String(contosoContract)}/conflicts/resolve`, {
      token: alex,
      body,
    });
    expect(fieldsOf(answer)).toEqual(fields);
    expect(await writeCounts(stack)).toEqual(writes);
    expect(await stack.services.store.links.list(FIXTURE.contoso, contosoContract)).toEqual(links);
    expect(
      await stack.services.store.activity.list(FIXTURE.contoso, { contractId: contosoContract }),
    ).toEqual(activity);
  });
});

describe('a user without Dynamics privileges (Robin)', () => {
  let robin: string;

  beforeAll(async () => {
    robin = await stack.token('robin');
    // Robin may read opportunities and quotes, but not their product lines.
    const fixture = seedDataverseFixture();
    const user = fixture.systemusers.find((candidate) => candidate.fullname === 'Robin Viewer');
    if (!user) throw new Error('the seed fixture has no Robin Viewer');
    user.privileges = { opportunity: ['read'], quote: ['read'], systemuser: ['read'] };
    expect((await stack.sim('dataverse', 'POST', '/_sim/fixture', fixture)).status).toBe(200);
  });

  afterAll(async () => {
    await stack.sim('dataverse', 'POST', '/_sim/reset');
  });

  it("403: Robin cannot create a contract from a quote whose lines he may not read; Dynamics' privilege message, no contract in Oneflow or here", async () => {
    const writes = await writeCounts(stack);
    const contracts = await stack.services.store.contracts.listAll(FIXTURE.contoso);
    const answer = await stack.api('POST', 'contracts', {
      token: robin,
      body: { entity: 'quote', recordId: FIXTURE.quote },
    });
    expectError(answer, 403, 'dynamics_forbidden', /prvReadQuoteDetail privilege/);
    expect(await writeCounts(stack)).toEqual(writes);
    expect(await stack.services.store.contracts.listAll(FIXTURE.contoso)).toEqual(contracts);
  });

  it("403: Robin cannot push Alex's contract with a pending change; nothing is written in Oneflow and the change stays pending", async () => {
    // Alex changes a quantity in Dynamics: a push would update the product.
    const dynamics = stack.services.tenant(FIXTURE.contoso).dynamics;
    const settings = shippedDefaults('opportunity');
    const lines = await dynamics.readLines(settings, FIXTURE.opportunity, {});
    const line = lines.find((candidate) => candidate.id === FIXTURE.opportunityLines[1]);
    if (!line) throw new Error('the rollout opportunity lost its support line');
    const quantity = Number(line.values.quantity) + 3;
    await dynamics.updateLines(
      'opportunityproduct',
      [{ lineId: line.id, etag: line.etag, values: { quantity } }],
      {
        callerObjectId: FIXTURE.users.alex.oid,
      },
    );
    const productsBefore = await oneflowProducts(stack, contosoContract);
    const writes = await writeCounts(stack);

    const answer = await stack.api('POST', `contracts/${String(contosoContract)}/push`, { token: robin });
    expectError(answer, 403, 'dynamics_forbidden', /prvReadOpportunityProduct privilege/);
    expect((await writeCounts(stack)).oneflow).toBe(writes.oneflow);
    expect(await oneflowProducts(stack, contosoContract)).toEqual(productsBefore);

    // Alex (who may read the lines) still sees the change waiting to be pushed.
    const plan = await stack.api('GET', `contracts/${String(contosoContract)}/plan?action=push`, {
      token: alex,
    });
    expect(plan.status).toBe(200);
    expect(plan.body).toMatchObject({ summary: { productsUpdated: 1 } });
  });

  it('403: Robin without read on the record itself cannot create a contract from it (prvReadOpportunity); nothing written', async () => {
    const fixture = seedDataverseFixture();
    const user = fixture.systemusers.find((candidate) => candidate.fullname === 'Robin Viewer');
    if (!user) throw new Error('the seed fixture has no Robin Viewer');
    user.privileges = { quote: ['read'] };
    expect((await stack.sim('dataverse', 'POST', '/_sim/fixture', fixture)).status).toBe(200);
    const writes = await writeCounts(stack);
    const answer = await stack.api('POST', 'contracts', {
      token: robin,
      body: { entity: 'opportunity', recordId: '0a1b0000-0000-4000-8000-000000000002' },
    });
    expectError(answer, 403, 'dynamics_forbidden', /prvReadOpportunity privilege/);
    expect(await writeCounts(stack)).toEqual(writes);
    expect(
      await stack.services.store.contracts.getByRecord(
        FIXTURE.contoso,
        'opportunity',
        '0a1b0000-0000-4000-8000-000000000002',
      ),
    ).toBeNull();
  });
});
