import { errorOf, IDS, rows, useTestSimulator } from './testSupport';

const client = useTestSimulator({ resetBeforeEach: true });

const EURO = '7f3a0000-0000-4000-8000-000000000002';
const REPRESENTATION = { Prefer: 'return=representation' };
const ANNOTATIONS = { Prefer: 'odata.include-annotations="*"' };
const BASE_AMOUNTS =
  '$select=exchangerate,priceperunit_base,baseamount_base,manualdiscountamount_base,tax_base,extendedamount_base,volumediscountamount_base';

async function euroOpportunity(): Promise<string> {
  const created = await client.request('opportunities?$select=name', {
    method: 'POST',
    body: { name: 'Euro deal', 'transactioncurrencyid@odata.bind': `/transactioncurrencies(${EURO})` },
    headers: REPRESENTATION,
  });
  expect(created.status).toBe(201);
  return String(created.json.opportunityid);
}

async function writeInLine(opportunityId: string): Promise<Record<string, unknown>> {
  const created = await client.request(`opportunityproducts?${BASE_AMOUNTS}`, {
    method: 'POST',
    body: {
      'opportunityid@odata.bind': `/opportunities(${opportunityId})`,
      isproductoverridden: true,
      productdescription: 'Consulting',
      priceperunit: 100,
      quantity: 2,
      manualdiscountamount: 10,
      tax: 5,
    },
    headers: REPRESENTATION,
  });
  expect(created.status).toBe(201);
  return created.json;
}

describe('Dataverse sales line columns', () => {
  it("fact: exchangerate is the currency's rate, and each money column's _base is its value divided by it", async () => {
    const line = await writeInLine(await euroOpportunity());
    // EUR at 0.92 per USD: 100 / 0.92 = 108.6956… in the pricing precision (2).
    expect(line).toMatchObject({
      exchangerate: 0.92,
      priceperunit_base: 108.7,
      baseamount_base: 217.39,
      manualdiscountamount_base: 10.87,
      tax_base: 5.43,
      extendedamount_base: 211.96,
      volumediscountamount_base: 0,
    });
  });

  it('fact: the _base values are recomputed on every write, the parent totals included', async () => {
    const opportunityId = await euroOpportunity();
    const line = await writeInLine(opportunityId);
    await client.request(`opportunityproducts(${String(line.opportunityproductid)})`, {
      method: 'PATCH',
      body: { quantity: 3 },
    });
    const updated = await client.request(
      `opportunityproducts(${String(line.opportunityproductid)})?$select=baseamount,baseamount_base,extendedamount_base`,
    );
    expect(updated.json).toMatchObject({
      baseamount: 300,
      baseamount_base: 326.09,
      extendedamount_base: 320.65,
    });
    const parent = await client.request(
      `opportunities(${opportunityId})?$select=totalamount,totalamount_base,exchangerate`,
    );
    expect(parent.json).toMatchObject({ totalamount: 295, totalamount_base: 320.65, exchangerate: 0.92 });
  });

  it('fact: lines in the base currency have exchangerate 1 and _base values equal to their values', async () => {
    const response = await client.request(
      `opportunityproducts(${IDS.widgetLine})?$select=priceperunit,priceperunit_base,extendedamount,extendedamount_base,exchangerate`,
    );
    expect(response.json).toMatchObject({
      priceperunit: 25,
      priceperunit_base: 25,
      extendedamount: 225,
      extendedamount_base: 225,
      exchangerate: 1,
    });
  });

  it('fact: a _base value is formatted in the base currency, its source in the record currency', async () => {
    const line = await writeInLine(await euroOpportunity());
    const response = await client.request(
      `opportunityproducts(${String(line.opportunityproductid)})?$select=priceperunit,priceperunit_base`,
      { headers: ANNOTATIONS },
    );
    expect(response.json).toMatchObject({
      'priceperunit@OData.Community.Display.V1.FormattedValue': '€100.00',
      'priceperunit_base@OData.Community.Display.V1.FormattedValue': '$108.70',
    });
  });

  it('fact: _base columns and exchangerate are read-only', async () => {
    const response = await client.request(`opportunityproducts(${IDS.writeInLine})`, {
      method: 'PATCH',
      body: { priceperunit_base: 1 },
    });
    expect(response.status).toBe(400);
    expect(errorOf(response).message).toContain("'priceperunit_base'");
  });

  it('fact: versionnumber is the row version: @odata.etag is W/"<versionnumber>", and every write raises it', async () => {
    const path = `opportunityproducts(${IDS.widgetLine})?$select=versionnumber`;
    const before = (await client.request(path)).json;
    expect(before['@odata.etag']).toBe(`W/"${String(before.versionnumber)}"`);
    await client.request(`opportunityproducts(${IDS.widgetLine})`, {
      method: 'PATCH',
      body: { quantity: 11 },
    });
    const after = (await client.request(path)).json;
    expect(Number(after.versionnumber)).toBeGreaterThan(Number(before.versionnumber));
    expect(after['@odata.etag']).toBe(`W/"${String(after.versionnumber)}"`);
    const newer = await client.request(
      `opportunityproducts?$select=opportunityproductid&$filter=versionnumber gt ${String(before.versionnumber)}`,
    );
    expect(rows(newer).map((row) => row.opportunityproductid)).toContain(IDS.widgetLine);
  });

  it('fact: versionnumber cannot be written', async () => {
    const response = await client.request(`opportunityproducts(${IDS.widgetLine})`, {
      method: 'PATCH',
      body: { versionnumber: 1 },
    });
    expect(response.status).toBe(400);
    expect(errorOf(response).message).toContain("'versionnumber'");
  });

  it('fact: producttypecode is 1 (Product) unless written, its label is the formatted value, and it is create-only', async () => {
    const created = await client.request('opportunityproducts?$select=producttypecode', {
      method: 'POST',
      body: {
        'opportunityid@odata.bind': `/opportunities(${IDS.opportunity})`,
        isproductoverridden: true,
        productdescription: 'Setup',
        priceperunit: 10,
        quantity: 1,
      },
      headers: { Prefer: 'return=representation,odata.include-annotations="*"' },
    });
    expect(created.json).toMatchObject({
      producttypecode: 1,
      'producttypecode@OData.Community.Display.V1.FormattedValue': 'Product',
    });
    const changed = await client.request(
      `opportunityproducts(${String(created.json.opportunityproductid)})`,
      {
        method: 'PATCH',
        body: { producttypecode: 2 },
      },
    );
    expect(changed.status).toBe(400);
    expect(errorOf(changed).code).toBe('0x80040203');
    const unknown = await client.request('opportunityproducts', {
      method: 'POST',
      body: {
        'opportunityid@odata.bind': `/opportunities(${IDS.opportunity})`,
        isproductoverridden: true,
        productdescription: 'Setup',
        producttypecode: 9,
      },
    });
    expect(unknown.status).toBe(400);
    expect(errorOf(unknown).code).toBe('0x80044331');
  });

  it("fact: a line's _ownerid_value is its opportunity's owner, whoever creates it, with Dataverse's lookup annotations", async () => {
    const created = await client.request('opportunityproducts?$select=_ownerid_value,_owninguser_value', {
      method: 'POST',
      body: {
        'opportunityid@odata.bind': `/opportunities(${IDS.opportunity})`,
        isproductoverridden: true,
        productdescription: 'Training',
        priceperunit: 50,
        quantity: 1,
      },
      headers: { Prefer: 'return=representation,odata.include-annotations="*"' },
    });
    // The application user creates the line; the opportunity belongs to Alex Seller, who created it.
    expect(created.json).toMatchObject({
      _ownerid_value: IDS.seller,
      '_ownerid_value@Microsoft.Dynamics.CRM.lookuplogicalname': 'systemuser',
      '_ownerid_value@Microsoft.Dynamics.CRM.associatednavigationproperty': 'ownerid',
      '_ownerid_value@OData.Community.Display.V1.FormattedValue': 'Alex Seller',
      _owninguser_value: IDS.seller,
    });
    const opportunity = await client.request(`opportunities(${IDS.opportunity})?$select=_ownerid_value`);
    expect(opportunity.json._ownerid_value).toBe(IDS.seller);
  });

  it('fact: a record created through the API is owned by the calling (or impersonated) user', async () => {
    const created = await client.request('opportunities?$select=_ownerid_value,_createdby_value', {
      method: 'POST',
      body: { name: 'Mine' },
      headers: { ...REPRESENTATION, CallerObjectId: IDS.sellerObjectId },
    });
    expect(created.json).toMatchObject({ _ownerid_value: IDS.seller, _createdby_value: IDS.seller });
  });

  it("fact: a line's owner cannot be written, and assigning a record (ownerid) is refused as not modeled", async () => {
    const line = await client.request(`opportunityproducts(${IDS.widgetLine})`, {
      method: 'PATCH',
      body: { 'ownerid@odata.bind': `/systemusers(${IDS.viewer})` },
    });
    expect(line.status).toBe(400);
    expect(errorOf(line).code).toBe('0x80040203');
    const assign = await client.request(`opportunities(${IDS.opportunity})`, {
      method: 'PATCH',
      body: { 'ownerid@odata.bind': `/systemusers(${IDS.viewer})` },
    });
    expect(assign.status).toBe(400);
    expect(errorOf(assign).message).toBe(
      'Assigning a record (ownerid@odata.bind) is not modeled by the Dataverse simulator.',
    );
  });

  it("fact: the lines a user owns are the user's user_opportunityproduct collection", async () => {
    const owned = await client.request(
      `systemusers(${IDS.seller})/user_opportunityproduct?$select=opportunityproductid`,
    );
    expect(
      rows(owned)
        .map((row) => row.opportunityproductid)
        .sort(),
    ).toEqual([IDS.widgetLine, IDS.overriddenLine, IDS.writeInLine].sort());
  });

  it('fact: quote lines have the same columns', async () => {
    const response = await client.request(
      `quotedetails(${IDS.quoteCatalogLine})?$select=exchangerate,priceperunit_base,extendedamount_base,versionnumber,producttypecode,_ownerid_value`,
    );
    expect(response.json).toMatchObject({
      exchangerate: 1,
      priceperunit_base: 25,
      extendedamount_base: 125,
      producttypecode: 1,
      _ownerid_value: IDS.seller,
    });
    expect(response.json['@odata.etag']).toBe(`W/"${String(response.json.versionnumber)}"`);
  });
});
