import { demoFixtureCopy, errorOf, IDS, startTestSimulator, tokenFor, useTestSimulator } from './testSupport';

const client = useTestSimulator({ resetBeforeEach: true });

const UNKNOWN_OBJECT_ID = 'aad00000-0000-4000-8000-00000000ffff';

function writeIn(description: string): Record<string, unknown> {
  return {
    'opportunityid@odata.bind': `/opportunities(${IDS.opportunity})`,
    isproductoverridden: true,
    productdescription: description,
    priceperunit: 1,
    quantity: 1,
  };
}

async function rawGet(path: string, authorization?: string): Promise<Response> {
  return fetch(`${client.baseUrl}${path}`, {
    headers: authorization === undefined ? {} : { Authorization: authorization },
  });
}

describe('Dataverse authentication, impersonation and privileges', () => {
  it("fact: a request without a bearer token gets 401 with Dataverse's error body and WWW-Authenticate", async () => {
    const response = await client.request('opportunities', { as: null });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer authorization_uri=/);
    expect(errorOf(response).code).toMatch(/^0x/);
  });

  it('fact: a bearer value that is not a JWT, or an expired JWT, gets 401', async () => {
    expect((await rawGet('opportunities', 'Bearer not-a-jwt')).status).toBe(401);
    expect((await rawGet('opportunities', 'Basic dXNlcjpwYXNz')).status).toBe(401);
    const expired = await tokenFor(IDS.appUserObjectId, { exp: Math.floor(Date.now() / 1000) - 60 });
    expect((await rawGet('opportunities', `Bearer ${expired}`)).status).toBe(401);
  });

  it('fact: a token whose oid is no systemuser gets 403 "The user is not a member of the organization."', async () => {
    const response = await client.request('opportunities', { as: UNKNOWN_OBJECT_ID });
    expect(response.status).toBe(403);
    expect(errorOf(response).message).toBe('The user is not a member of the organization.');
  });

  it('fact: a user without a privilege gets 403 0x80040220 naming it (prvReadOpportunity), the user and the caller', async () => {
    const fixture = demoFixtureCopy();
    const viewer = fixture.systemusers.find((user) => user.systemuserid === IDS.viewer);
    if (!viewer) throw new Error('the demo fixture has no viewer');
    viewer.privileges = { '*': [] };
    expect((await client.loadFixture(fixture)).status).toBe(200);
    const response = await client.request('opportunities?$select=name', { as: IDS.viewerObjectId });
    expect(response.status).toBe(403);
    expect(errorOf(response).code).toBe('0x80040220');
    expect(errorOf(response).message).toMatch(
      new RegExp(
        `^Principal user \\(Id=${IDS.viewer}, type=8, .*\\), is missing prvReadOpportunity privilege \\(Id=[0-9a-f-]{36}\\) on OTC=3 for entity 'opportunity'\\. context\\.Caller=${IDS.viewer}$`,
      ),
    );
  });

  it('fact: writes need the Write privilege (a read-only user cannot PATCH)', async () => {
    const response = await client.request(`opportunities(${IDS.opportunity})`, {
      method: 'PATCH',
      body: { name: 'nope' },
      as: IDS.viewerObjectId,
    });
    expect(response.status).toBe(403);
    expect(errorOf(response).message).toContain('is missing prvWriteOpportunity privilege');
  });

  it('fact: CallerObjectId makes the request run as that user (createdby), the caller recorded as createdonbehalfby', async () => {
    const response = await client.request(
      'opportunityproducts?$select=_createdby_value,_createdonbehalfby_value,_modifiedby_value',
      {
        method: 'POST',
        body: writeIn('impersonated'),
        headers: { CallerObjectId: IDS.sellerObjectId, Prefer: 'return=representation' },
      },
    );
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({
      _createdby_value: IDS.seller,
      _createdonbehalfby_value: IDS.appUser,
      _modifiedby_value: IDS.seller,
    });
  });

  it("fact: impersonation applies the impersonated user's privileges (the viewer cannot write through the app user)", async () => {
    const response = await client.request('opportunityproducts', {
      method: 'POST',
      body: writeIn('denied'),
      headers: { CallerObjectId: IDS.viewerObjectId },
    });
    expect(response.status).toBe(403);
    expect(errorOf(response).message).toContain('is missing prvCreateOpportunityProduct privilege');
    expect(errorOf(response).message).toContain(`Principal user (Id=${IDS.viewer}`);
    expect(errorOf(response).message).toContain(`context.Caller=${IDS.appUser}`);
  });

  it('fact: binding a lookup needs Append on the record and AppendTo on the target', async () => {
    const seller = { CallerObjectId: IDS.sellerObjectId };
    const allowed = await client.request(`opportunityproducts(${IDS.widgetLine})`, {
      method: 'PATCH',
      body: { 'productid@odata.bind': `/products(${IDS.setupService})` },
      headers: seller,
    });
    expect(allowed.status).toBe(204);
    const fixture = demoFixtureCopy();
    const user = fixture.systemusers.find((candidate) => candidate.systemuserid === IDS.seller);
    if (!user) throw new Error('the demo fixture has no seller');
    user.privileges = { ...user.privileges, product: ['read'] };
    await client.loadFixture(fixture);
    const denied = await client.request(`opportunityproducts(${IDS.widgetLine})`, {
      method: 'PATCH',
      body: { 'productid@odata.bind': `/products(${IDS.setupService})` },
      headers: seller,
    });
    expect(denied.status).toBe(403);
    expect(errorOf(denied).message).toContain('is missing prvAppendToProduct privilege');
  });

  it('fact: only a user with prvActOnBehalfOfAnotherUser may send CallerObjectId', async () => {
    const response = await client.request('opportunities', {
      as: IDS.sellerObjectId,
      headers: { CallerObjectId: IDS.viewerObjectId },
    });
    expect(response.status).toBe(403);
    expect(errorOf(response).message).toContain('is missing prvActOnBehalfOfAnotherUser privilege');
  });

  it("fact: an unknown CallerObjectId gets Dataverse's error, not the caller's own rights", async () => {
    const response = await client.request('opportunities', {
      headers: { CallerObjectId: UNKNOWN_OBJECT_ID },
    });
    expect(response.status).toBe(404);
    expect(errorOf(response)).toEqual({
      code: '0x80040217',
      message: `systemuser With azureactivedirectoryobjectid = ${UNKNOWN_OBJECT_ID} Does Not Exist`,
    });
  });

  it('fact: reads need the Read privilege of each entity, expanded ones included', async () => {
    const fixture = demoFixtureCopy();
    const viewer = fixture.systemusers.find((user) => user.systemuserid === IDS.viewer);
    if (!viewer) throw new Error('the demo fixture has no viewer');
    viewer.privileges = { opportunity: ['read'] };
    await client.loadFixture(fixture);
    const plain = await client.request(`opportunities(${IDS.opportunity})?$select=name`, {
      as: IDS.viewerObjectId,
    });
    expect(plain.status).toBe(200);
    const expanded = await client.request(
      `opportunities(${IDS.opportunity})?$select=name&$expand=product_opportunities($select=quantity)`,
      { as: IDS.viewerObjectId },
    );
    expect(expanded.status).toBe(403);
    expect(errorOf(expanded).message).toContain('is missing prvReadOpportunityProduct privilege');
  });

  it('fact: a tokenVerifier decides which tokens are valid (the runner wires the identity simulator)', async () => {
    const verified = await startTestSimulator({
      tokenVerifier: async (token) =>
        token.length > 0 && token.endsWith('trusted') ? { oid: IDS.sellerObjectId } : null,
    });
    try {
      const untrusted = await fetch(`${verified.baseUrl}WhoAmI`, {
        headers: { Authorization: `Bearer ${await tokenFor(IDS.appUserObjectId)}` },
      });
      expect(untrusted.status).toBe(401);
      const header = Buffer.from('{"alg":"RS256"}').toString('base64url');
      const payload = Buffer.from('{}').toString('base64url');
      const trusted = await fetch(`${verified.baseUrl}WhoAmI`, {
        headers: { Authorization: `Bearer ${header}.${payload}.trusted` },
      });
      expect(((await trusted.json()) as { UserId: string }).UserId).toBe(IDS.seller);
    } finally {
      await verified.simulator.close();
    }
  });
});

describe('Dataverse service protection limits', () => {
  const limited = useTestSimulator({ throttle: { requestsPerWindow: 3, windowMs: 60_000 } });

  it('fact: over the per-user budget a request gets 429 with Retry-After (seconds) and code 0x80072322', async () => {
    for (let index = 0; index < 3; index += 1) expect((await limited.request('WhoAmI')).status).toBe(200);
    const throttled = await limited.request('WhoAmI');
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(throttled.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(errorOf(throttled)).toEqual({
      code: '0x80072322',
      message: 'Number of requests exceeded the limit of 3 over time window of 60 seconds.',
    });
  });

  it('fact: the budget is per user: the impersonated user has a budget of its own', async () => {
    limited.simulator.setThrottle({ requestsPerWindow: 1, windowMs: 60_000 });
    expect((await limited.request('WhoAmI')).status).toBe(200);
    expect((await limited.request('WhoAmI')).status).toBe(429);
    expect(
      (await limited.request('WhoAmI', { headers: { CallerObjectId: IDS.sellerObjectId } })).status,
    ).toBe(200);
    expect((await limited.request('WhoAmI', { as: IDS.viewerObjectId })).status).toBe(200);
  });

  it('fact: a $batch counts as one request, however many operations it holds', async () => {
    limited.simulator.setThrottle({ requestsPerWindow: 1, windowMs: 60_000 });
    const body =
      Array.from(
        { length: 5 },
        () =>
          '--b\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nGET WhoAmI HTTP/1.1\r\n\r\n',
      ).join('') + '--b--\r\n';
    const response = await limited.request('$batch', {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'multipart/mixed; boundary=b' },
    });
    expect(response.status).toBe(200);
    expect(response.text.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(5);
    expect((await limited.request('WhoAmI')).status).toBe(429);
  });
});
