import { errorOf, IDS, useTestSimulator } from './testSupport';

const client = useTestSimulator({ resetBeforeEach: true });

const AMOUNTS =
  '$select=priceperunit,quantity,baseamount,manualdiscountamount,tax,extendedamount,ispriceoverridden';
const REPRESENTATION = { Prefer: 'return=representation' };

function catalogLine(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'opportunityid@odata.bind': `/opportunities(${IDS.opportunity})`,
    'productid@odata.bind': `/products(${IDS.widget})`,
    'uomid@odata.bind': `/uoms(${IDS.unit})`,
    quantity: 4,
    ...extra,
  };
}

async function line(path: string): Promise<Record<string, unknown>> {
  return (await client.request(`${path}?${AMOUNTS}`)).json;
}

describe('Dataverse sales lines (system pricing)', () => {
  it("fact: a catalog line's priceperunit comes from the price list of its opportunity", async () => {
    const response = await client.request(`opportunityproducts?${AMOUNTS}`, {
      method: 'POST',
      body: catalogLine(),
      headers: REPRESENTATION,
    });
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({
      priceperunit: 25,
      quantity: 4,
      baseamount: 100,
      extendedamount: 100,
    });
  });

  it('fact: priceperunit written on a catalog line without ispriceoverridden is recalculated away', async () => {
    await client.request(`opportunityproducts(${IDS.widgetLine})`, {
      method: 'PATCH',
      body: { priceperunit: 1 },
    });
    expect(await line(`opportunityproducts(${IDS.widgetLine})`)).toMatchObject({
      priceperunit: 25,
      baseamount: 250,
    });
    const created = await client.request(`opportunityproducts?${AMOUNTS}`, {
      method: 'POST',
      body: catalogLine({ priceperunit: 3 }),
      headers: REPRESENTATION,
    });
    expect(created.json.priceperunit).toBe(25);
  });

  it('fact: with ispriceoverridden true a catalog line keeps the written price', async () => {
    await client.request(`opportunityproducts(${IDS.widgetLine})`, {
      method: 'PATCH',
      body: { ispriceoverridden: true, priceperunit: 19.99, quantity: 3 },
    });
    expect(await line(`opportunityproducts(${IDS.widgetLine})`)).toMatchObject({
      priceperunit: 19.99,
      baseamount: 59.97,
    });
  });

  it('fact: turning the override off returns the line to the price list price', async () => {
    await client.request(`opportunityproducts(${IDS.overriddenLine})`, {
      method: 'PATCH',
      body: { ispriceoverridden: false },
    });
    expect(await line(`opportunityproducts(${IDS.overriddenLine})`)).toMatchObject({
      priceperunit: 100,
      baseamount: 1200,
    });
  });

  it('fact: a write-in line (isproductoverridden, productdescription) keeps its price', async () => {
    await client.request(`opportunityproducts(${IDS.writeInLine})`, {
      method: 'PATCH',
      body: { priceperunit: 1234.5 },
    });
    expect(await line(`opportunityproducts(${IDS.writeInLine})`)).toMatchObject({
      priceperunit: 1234.5,
      baseamount: 1234.5,
    });
  });

  it('fact: extendedamount = baseamount - manualdiscountamount + tax, recalculated on every write', async () => {
    expect(await line(`opportunityproducts(${IDS.widgetLine})`)).toMatchObject({
      baseamount: 250,
      manualdiscountamount: 25,
      extendedamount: 225,
    });
    await client.request(`opportunityproducts(${IDS.widgetLine})`, {
      method: 'PATCH',
      body: { quantity: 20, tax: 12.5 },
    });
    expect(await line(`opportunityproducts(${IDS.widgetLine})`)).toMatchObject({
      baseamount: 500,
      extendedamount: 487.5,
    });
    await client.request(`opportunityproducts(${IDS.widgetLine})`, {
      method: 'PATCH',
      body: { baseamount: 1, extendedamount: 2 },
    });
    expect(await line(`opportunityproducts(${IDS.widgetLine})`)).toMatchObject({
      baseamount: 500,
      extendedamount: 487.5,
    });
  });

  it("fact: the opportunity's totals follow its lines", async () => {
    const before = await client.request(`opportunities(${IDS.opportunity})?$select=totallineitemamount`);
    expect(before.json.totallineitemamount).toBe(2955);
    await client.request(`opportunityproducts(${IDS.writeInLine})`, { method: 'DELETE' });
    const after = await client.request(
      `opportunities(${IDS.opportunity})?$select=totallineitemamount,totalamount`,
    );
    expect(after.json).toMatchObject({ totallineitemamount: 1305, totalamount: 1305 });
    expect(after.json['@odata.etag']).not.toBe(before.json['@odata.etag']);
  });

  it('fact: isproductoverridden is create-only: changing it on PATCH is refused', async () => {
    const response = await client.request(`opportunityproducts(${IDS.writeInLine})`, {
      method: 'PATCH',
      body: { isproductoverridden: false, 'productid@odata.bind': `/products(${IDS.widget})` },
    });
    expect(response.status).toBe(400);
    expect(errorOf(response)).toMatchObject({ code: '0x80040203' });
    expect(errorOf(response).message).toContain("'isproductoverridden'");
    const unchanged = await client.request(`opportunityproducts(${IDS.writeInLine})`, {
      method: 'PATCH',
      body: { isproductoverridden: true, quantity: 2 },
    });
    expect(unchanged.status).toBe(204);
  });

  it('fact: a write-in line needs productdescription; a catalog line needs a product and a unit', async () => {
    const writeIn = await client.request('opportunityproducts', {
      method: 'POST',
      body: {
        'opportunityid@odata.bind': `/opportunities(${IDS.opportunity})`,
        isproductoverridden: true,
        priceperunit: 5,
      },
    });
    expect(writeIn.status).toBe(400);
    expect(errorOf(writeIn).message).toContain('productdescription');
    const catalog = await client.request('opportunityproducts', {
      method: 'POST',
      body: { 'opportunityid@odata.bind': `/opportunities(${IDS.opportunity})`, quantity: 1 },
    });
    expect(catalog.status).toBe(400);
    expect(errorOf(catalog).message).toContain('productid');
  });

  it('fact: a catalog product missing from the price list cannot be priced (unless its price is overridden)', async () => {
    const wrongUnit = await client.request('opportunityproducts', {
      method: 'POST',
      body: catalogLine({ 'uomid@odata.bind': `/uoms(${IDS.hour})` }),
    });
    expect(wrongUnit.status).toBe(400);
    expect(errorOf(wrongUnit).message).toContain('not on the price list');
    const overridden = await client.request('opportunityproducts', {
      method: 'POST',
      body: catalogLine({
        'uomid@odata.bind': `/uoms(${IDS.hour})`,
        ispriceoverridden: true,
        priceperunit: 7,
      }),
    });
    expect(overridden.status).toBe(204);
  });

  it('fact: quote lines are priced from the quote price list like opportunity lines', async () => {
    const response = await client.request(`quotedetails?${AMOUNTS}`, {
      method: 'POST',
      headers: REPRESENTATION,
      body: {
        'quoteid@odata.bind': `/quotes(${IDS.quote})`,
        'productid@odata.bind': `/products(${IDS.supportPlan})`,
        'uomid@odata.bind': `/uoms(${IDS.hour})`,
        quantity: 2,
        priceperunit: 1,
      },
    });
    expect(response.json).toMatchObject({ priceperunit: 100, baseamount: 200 });
  });

  it('fact: quotes are editable only in Draft: lines of an active quote cannot be written', async () => {
    const activate = await client.request(`quotes(${IDS.quote})`, {
      method: 'PATCH',
      body: { statecode: 1, statuscode: 2 },
    });
    expect(activate.status).toBe(204);
    const update = await client.request(`quotedetails(${IDS.quoteCatalogLine})`, {
      method: 'PATCH',
      body: { quantity: 9 },
    });
    expect(update.status).toBe(400);
    expect(errorOf(update).message).toContain('not in Draft state');
    const create = await client.request('quotedetails', {
      method: 'POST',
      body: {
        'quoteid@odata.bind': `/quotes(${IDS.quote})`,
        isproductoverridden: true,
        productdescription: 'x',
        priceperunit: 1,
      },
    });
    expect(create.status).toBe(400);
    const remove = await client.request(`quotedetails(${IDS.quoteWriteInLine})`, { method: 'DELETE' });
    expect(remove.status).toBe(400);
    const rename = await client.request(`quotes(${IDS.quote})`, {
      method: 'PATCH',
      body: { name: 'renamed' },
    });
    expect(rename.status).toBe(400);
    const backToDraft = await client.request(`quotes(${IDS.quote})`, {
      method: 'PATCH',
      body: { statecode: 0 },
    });
    expect(errorOf(backToDraft).message).toContain('ReviseQuote');
  });

  it('fact: a status reason must belong to the state (statuscode of another state is refused)', async () => {
    const response = await client.request(`quotes(${IDS.quote})`, {
      method: 'PATCH',
      body: { statecode: 1, statuscode: 4 },
    });
    expect(response.status).toBe(400);
    expect(errorOf(response).message).toContain('is not a valid status code');
  });

  it('fact: money is rounded to the currency precision, quantities to 5 decimals', async () => {
    await client.request(`opportunityproducts(${IDS.writeInLine})`, {
      method: 'PATCH',
      body: { priceperunit: 10.005, quantity: 1.123456 },
    });
    expect(await line(`opportunityproducts(${IDS.writeInLine})`)).toMatchObject({
      priceperunit: 10.01,
      quantity: 1.12346,
      baseamount: 11.25,
    });
  });
});
