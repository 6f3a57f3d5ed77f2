import { demoFixtureCopy, errorOf, fixtureRows, IDS, rows, useTestSimulator } from './testSupport';

const client = useTestSimulator({ resetBeforeEach: true });

interface RequestLog {
  total: number;
  counts: Record<string, number>;
  requests: { route: string; status: number; headers: Record<string, string> }[];
}

async function control(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${client.simulator.url}/_sim/${path}`, init);
}

async function requestLog(): Promise<RequestLog> {
  return (await (await control('requests')).json()) as RequestLog;
}

async function setFaults(routes: Record<string, unknown>): Promise<void> {
  const response = await control('faults', {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ seed: 1, routes }),
  });
  expect(response.status).toBe(200);
}

describe('Dataverse simulator controls', () => {
  it('fact: reset restores the starting records and forgets the request log', async () => {
    await client.request(`opportunityproducts(${IDS.widgetLine})`, { method: 'DELETE' });
    expect((await requestLog()).total).toBe(1);
    await client.reset();
    expect((await client.request(`opportunityproducts(${IDS.widgetLine})`)).status).toBe(200);
    expect((await requestLog()).total).toBe(1);
  });

  it('fact: a valid fixture replaces the data until the next reset', async () => {
    const fixture = demoFixtureCopy();
    fixture.records.products = fixtureRows(fixture, 'products').slice(0, 1);
    fixture.records.productpricelevels = fixtureRows(fixture, 'productpricelevels').slice(0, 1);
    fixture.records.opportunityproducts = [];
    fixture.records.quotedetails = fixtureRows(fixture, 'quotedetails').filter(
      (line) => line.productid === undefined,
    );
    fixture.records.new_contractlines = [];
    expect((await client.loadFixture(fixture)).status).toBe(200);
    expect(rows(await client.request('products?$select=name'))).toHaveLength(1);
    await client.reset();
    expect(rows(await client.request('products?$select=name'))).toHaveLength(3);
  });

  it('fact: a malformed fixture is refused with 400, naming the offending field', async () => {
    const fixture = demoFixtureCopy();
    const [first] = fixtureRows(fixture, 'opportunityproducts');
    if (!first) throw new Error('the demo fixture has no opportunity lines');
    Object.assign(first, { priceperunit: 'ten', bogus: 1 });
    const response = await client.loadFixture(fixture);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; detail: string };
    expect(body.error).toBe('invalid fixture');
    expect(body.detail).toContain('"records"');
    expect(body.detail).toContain('"opportunityproducts"');
    expect(body.detail).toContain('"priceperunit"');
    expect(body.detail).toContain('"bogus"');
    const dangling = demoFixtureCopy();
    const [quote] = fixtureRows(dangling, 'quotes');
    if (!quote) throw new Error('the demo fixture has no quote');
    quote.opportunityid = '0a1b0000-0000-4000-8000-00000000ffff';
    const danglingResponse = await client.loadFixture(dangling);
    expect(((await danglingResponse.json()) as { detail: string }).detail).toContain(
      'no opportunity record has the id',
    );
  });

  it('fact: the request log counts requests per route pattern and keeps CallerObjectId, If-Match and Prefer, never Authorization', async () => {
    await client.request(`opportunities(${IDS.opportunity})?$select=name`);
    await client.request(`opportunities(${IDS.renewalOpportunity})?$select=name`, {
      headers: { CallerObjectId: IDS.sellerObjectId, Prefer: 'odata.include-annotations="*"' },
    });
    await client.request(`opportunities(${IDS.opportunity})`, {
      method: 'PATCH',
      body: { name: 'x' },
      headers: { 'If-Match': '*' },
    });
    const log = await requestLog();
    expect(log.counts).toEqual({
      'GET /api/data/v9.2/opportunities(:id)': 2,
      'PATCH /api/data/v9.2/opportunities(:id)': 1,
    });
    expect(log.requests[1]?.headers).toEqual({
      callerobjectid: IDS.sellerObjectId,
      prefer: 'odata.include-annotations="*"',
    });
    expect(log.requests[2]?.headers).toEqual({ 'if-match': '*' });
    expect(JSON.stringify(log)).not.toMatch(/authorization|Bearer/i);
  });

  it("fact: an injected 429 carries Retry-After and Dataverse's service protection body", async () => {
    await setFaults({ 'GET /api/data/v9.2/opportunities': { rates: { '429': 1 } } });
    const response = await client.request('opportunities?$select=name');
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(errorOf(response).code).toBe('0x80072322');
    expect((await client.request(`opportunities(${IDS.opportunity})?$select=name`)).status).toBe(200);
  });

  it("fact: an injected 500 answers with Dataverse's error body", async () => {
    await setFaults({ '*': { rates: { '500': 1 } } });
    const response = await client.request('WhoAmI');
    expect(response.status).toBe(500);
    expect(errorOf(response)).toEqual({ code: '0x80040216', message: 'An unexpected error occurred.' });
  });

  it('fact: faults and latency never touch the control endpoints', async () => {
    await setFaults({ '*': { rates: { '500': 1 } } });
    expect((await control('requests')).status).toBe(200);
  });
});
