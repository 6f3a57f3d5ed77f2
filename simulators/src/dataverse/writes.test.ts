import { errorOf, IDS, rows, useTestSimulator } from './testSupport';

const client = useTestSimulator({ resetBeforeEach: true });

const NEW_ID = '0a1b0000-0000-4000-8000-0000000000aa';

function newOpportunity(name = 'New deal'): Record<string, unknown> {
  return { name, 'pricelevelid@odata.bind': `/pricelevels(${IDS.priceList})` };
}

async function etagOf(path: string): Promise<string> {
  const response = await client.request(`${path}?$select=modifiedon`);
  return String(response.json['@odata.etag']);
}

describe('Dataverse writes', () => {
  it('fact: POST answers 204 No Content with the new record URL in OData-EntityId', async () => {
    const response = await client.request('opportunities', { method: 'POST', body: newOpportunity() });
    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    const entityId = response.headers.get('odata-entityid') ?? '';
    expect(entityId).toMatch(
      new RegExp(`^${client.baseUrl.replace(/[.$]/g, '\\$&')}opportunities\\([0-9a-f-]{36}\\)$`),
    );
    const created = await client.request(`${entityId.slice(client.baseUrl.length)}?$select=name`);
    expect(created.json.name).toBe('New deal');
  });

  it('fact: POST with Prefer return=representation answers 201 Created with the record (and its $select)', async () => {
    const response = await client.request('opportunities?$select=name,totalamount', {
      method: 'POST',
      body: newOpportunity('Represented'),
      headers: { Prefer: 'return=representation' },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('preference-applied')).toBe('return=representation');
    expect(response.json).toMatchObject({ name: 'Represented' });
    expect(response.json).toHaveProperty('totalamount');
    expect(response.json['@odata.etag']).toMatch(/^W\/"\d+"$/);
    expect(response.json['@odata.context']).toBe(
      `${client.baseUrl}$metadata#opportunities(name,totalamount)/$entity`,
    );
  });

  it('fact: PATCH answers 204, or 200 with the record under return=representation', async () => {
    const plain = await client.request(`opportunities(${IDS.opportunity})`, {
      method: 'PATCH',
      body: { name: 'Renamed' },
    });
    expect(plain.status).toBe(204);
    expect(plain.headers.get('odata-entityid')).toBe(`${client.baseUrl}opportunities(${IDS.opportunity})`);
    const represented = await client.request(`opportunities(${IDS.opportunity})?$select=name`, {
      method: 'PATCH',
      body: { name: 'Renamed again' },
      headers: { Prefer: 'return=representation' },
    });
    expect(represented.status).toBe(200);
    expect(represented.json.name).toBe('Renamed again');
  });

  it('fact: DELETE answers 204, and the record is gone', async () => {
    const response = await client.request(`opportunityproducts(${IDS.widgetLine})`, { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect((await client.request(`opportunityproducts(${IDS.widgetLine})`)).status).toBe(404);
  });

  it('fact: every write changes @odata.etag (the row version) and modifiedon', async () => {
    const before = await client.request(`opportunities(${IDS.opportunity})?$select=modifiedon`);
    await client.request(`opportunities(${IDS.opportunity})`, {
      method: 'PATCH',
      body: { description: 'changed' },
    });
    const after = await client.request(`opportunities(${IDS.opportunity})?$select=modifiedon`);
    expect(after.json['@odata.etag']).not.toBe(before.json['@odata.etag']);
    expect(after.json.modifiedon).not.toBe(before.json.modifiedon);
    expect(String(after.json.modifiedon)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it("fact: PATCH with a stale If-Match gets 412 with Dataverse's error body (0x80060882)", async () => {
    const stale = await etagOf(`opportunities(${IDS.opportunity})`);
    await client.request(`opportunities(${IDS.opportunity})`, {
      method: 'PATCH',
      body: { description: 'someone else' },
    });
    const response = await client.request(`opportunities(${IDS.opportunity})`, {
      method: 'PATCH',
      body: { description: 'mine' },
      headers: { 'If-Match': stale },
    });
    expect(response.status).toBe(412);
    expect(errorOf(response)).toEqual({
      code: '0x80060882',
      message: "The version of the existing record doesn't match the RowVersion property provided.",
    });
    const current = await client.request(`opportunities(${IDS.opportunity})?$select=description`);
    expect(current.json.description).toBe('someone else');
  });

  it('fact: PATCH with the current If-Match succeeds', async () => {
    const etag = await etagOf(`opportunities(${IDS.opportunity})`);
    const response = await client.request(`opportunities(${IDS.opportunity})`, {
      method: 'PATCH',
      body: { description: 'mine' },
      headers: { 'If-Match': etag },
    });
    expect(response.status).toBe(204);
  });

  it('fact: DELETE with a stale If-Match gets 412 and deletes nothing', async () => {
    const stale = await etagOf(`opportunityproducts(${IDS.writeInLine})`);
    await client.request(`opportunityproducts(${IDS.writeInLine})`, {
      method: 'PATCH',
      body: { quantity: 2 },
    });
    const response = await client.request(`opportunityproducts(${IDS.writeInLine})`, {
      method: 'DELETE',
      headers: { 'If-Match': stale },
    });
    expect(response.status).toBe(412);
    expect(errorOf(response).code).toBe('0x80060882');
    expect((await client.request(`opportunityproducts(${IDS.writeInLine})`)).status).toBe(200);
  });

  it('fact: PATCH with If-Match * updates only: a missing record is a 404, never created', async () => {
    const response = await client.request(`opportunities(${NEW_ID})`, {
      method: 'PATCH',
      body: newOpportunity(),
      headers: { 'If-Match': '*' },
    });
    expect(response.status).toBe(404);
    expect(errorOf(response).message).toBe(`opportunity With Id = ${NEW_ID} Does Not Exist`);
    expect((await client.request(`opportunities(${NEW_ID})`)).status).toBe(404);
  });

  it('fact: PATCH without If-Match on a missing id upserts: the record is created with that id', async () => {
    const response = await client.request(`opportunities(${NEW_ID})`, {
      method: 'PATCH',
      body: newOpportunity('Upserted'),
    });
    expect(response.status).toBe(204);
    const created = await client.request(`opportunities(${NEW_ID})?$select=name`);
    expect(created.json.name).toBe('Upserted');
  });

  it('fact: PATCH with If-None-Match * creates only: an existing record gets 412 "A record with matching key values already exists."', async () => {
    const response = await client.request(`opportunities(${IDS.opportunity})`, {
      method: 'PATCH',
      body: { name: 'no' },
      headers: { 'If-None-Match': '*' },
    });
    expect(response.status).toBe(412);
    expect(errorOf(response).message).toBe('A record with matching key values already exists.');
  });

  it('fact: lookups are written with <navigation>@odata.bind and read back as _<attribute>_value', async () => {
    const response = await client.request(
      'opportunityproducts?$select=_productid_value,_opportunityid_value',
      {
        method: 'POST',
        headers: { Prefer: 'return=representation' },
        body: {
          'opportunityid@odata.bind': `/opportunities(${IDS.renewalOpportunity})`,
          'productid@odata.bind': `/products(${IDS.setupService})`,
          'uomid@odata.bind': `uoms(${IDS.unit})`,
          quantity: 1,
        },
      },
    );
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({
      _productid_value: IDS.setupService,
      _opportunityid_value: IDS.renewalOpportunity,
    });
  });

  it('fact: writing a lookup as _x_value is refused ("Use Navigation properties instead")', async () => {
    const response = await client.request(`opportunityproducts(${IDS.widgetLine})`, {
      method: 'PATCH',
      body: { _productid_value: IDS.supportPlan },
    });
    expect(response.status).toBe(400);
    expect(errorOf(response).message).toContain('Use Navigation properties instead');
  });

  it('fact: binding an undeclared navigation property (wrong case) is a 400 from the OData payload reader', async () => {
    const response = await client.request('new_contractlines', {
      method: 'POST',
      body: { new_name: 'x', 'new_opportunityid@odata.bind': `/opportunities(${IDS.opportunity})` },
    });
    expect(response.status).toBe(400);
    expect(errorOf(response)).toMatchObject({ code: '0x80048d19' });
    expect(errorOf(response).message).toContain("An undeclared property 'new_opportunityid'");
  });

  it('fact: binding to a record that does not exist is a 404', async () => {
    const missing = '3a7c0000-0000-4000-8000-00000000ffff';
    const response = await client.request(`opportunityproducts(${IDS.widgetLine})`, {
      method: 'PATCH',
      body: { 'productid@odata.bind': `/products(${missing})` },
    });
    expect(response.status).toBe(404);
    expect(errorOf(response).message).toBe(`product With Id = ${missing} Does Not Exist`);
  });

  it('fact: an unknown property in a payload is a 400 "Invalid property … was found in entity"', async () => {
    const response = await client.request('opportunities', { method: 'POST', body: { Name: 'Wrong case' } });
    expect(response.status).toBe(400);
    expect(errorOf(response).message).toContain(
      "Invalid property 'Name' was found in entity 'Microsoft.Dynamics.CRM.opportunity'",
    );
  });

  it('fact: text longer than MaxLength is refused with the validation error (0x80044331)', async () => {
    const response = await client.request(`opportunityproducts(${IDS.writeInLine})`, {
      method: 'PATCH',
      body: { productdescription: 'x'.repeat(501) },
    });
    expect(response.status).toBe(400);
    expect(errorOf(response)).toEqual({
      code: '0x80044331',
      message:
        "A validation error occurred.  The length of the 'productdescription' attribute of the 'opportunityproduct' entity exceeded the maximum allowed length of '500'.",
    });
  });

  it('fact: a value outside the column range is refused (manual discount below 0)', async () => {
    const response = await client.request(`opportunityproducts(${IDS.widgetLine})`, {
      method: 'PATCH',
      body: { manualdiscountamount: -1 },
    });
    expect(response.status).toBe(400);
    expect(errorOf(response).message).toContain(
      "The value -1 of 'manualdiscountamount' on record of type 'opportunityproduct' is outside the valid range",
    );
  });

  it('fact: a value of the wrong JSON type cannot be converted to the Edm type', async () => {
    const response = await client.request(`opportunityproducts(${IDS.widgetLine})`, {
      method: 'PATCH',
      body: { quantity: '3' },
    });
    expect(response.status).toBe(400);
    expect(errorOf(response).message).toContain(
      "Cannot convert the literal '3' to the expected type 'Edm.Decimal'.",
    );
  });

  it('fact: a failed write changes nothing, whether it fails on an unknown column or on a rule checked after parsing', async () => {
    const line = `opportunityproducts(${IDS.widgetLine})`;
    const before = await client.request(`${line}?$select=quantity`);
    const unknownColumn = await client.request(line, { method: 'PATCH', body: { quantity: 2, bogus: 1 } });
    expect(unknownColumn.status).toBe(400);
    // isproductoverridden is create-only: the quantity beside it must not be written either.
    const createOnly = await client.request(line, {
      method: 'PATCH',
      body: { quantity: 3, isproductoverridden: true },
    });
    expect(createOnly.status).toBeGreaterThanOrEqual(400);
    const after = await client.request(`${line}?$select=quantity`);
    expect(after.json['@odata.etag']).toBe(before.json['@odata.etag']);
    expect(after.json.quantity).toBe(before.json.quantity);
  });

  it('fact: deleting an opportunity deletes its lines (parental cascade) and clears lookups that only refer to it', async () => {
    const response = await client.request(`opportunities(${IDS.renewalOpportunity})`, { method: 'DELETE' });
    expect(response.status).toBe(204);
    const contractLine = await client.request(
      `new_contractlines(${IDS.contractLine})?$select=_new_renewalopportunityid_value`,
    );
    expect(contractLine.json._new_renewalopportunityid_value).toBeNull();
    await client.request(`opportunities(${IDS.opportunity})`, { method: 'DELETE' });
    const lines = await client.request(
      `opportunityproducts?$filter=_opportunityid_value eq ${IDS.opportunity}`,
    );
    expect(rows(lines)).toHaveLength(0);
  });

  it('fact: deleting a product still used by lines is refused (restrict)', async () => {
    const response = await client.request(`products(${IDS.widget})`, { method: 'DELETE' });
    expect(response.status).toBe(400);
    expect(errorOf(response).message).toBe(
      'The object you tried to delete is associated with another object and cannot be deleted.',
    );
  });

  it('fact: records carry createdby/modifiedby of the user the request runs as', async () => {
    const response = await client.request('opportunities?$select=_createdby_value,_createdonbehalfby_value', {
      method: 'POST',
      body: newOpportunity(),
      headers: { Prefer: 'return=representation' },
    });
    expect(response.json).toMatchObject({ _createdby_value: IDS.appUser, _createdonbehalfby_value: null });
  });

  it('fact: a body must be sent as application/json (415 otherwise)', async () => {
    const response = await client.request(`opportunities(${IDS.opportunity})`, {
      method: 'PATCH',
      body: JSON.stringify({ name: 'x' }),
      headers: { 'Content-Type': 'text/plain' },
    });
    expect(response.status).toBe(415);
    expect(errorOf(response).code).toMatch(/^0x/);
  });

  it('fact: a body with an empty Content-Type is refused as not application/json (415 with the Dataverse error body, not a 500)', async () => {
    const response = await client.request(`opportunities(${IDS.opportunity})`, {
      method: 'PATCH',
      body: JSON.stringify({ name: 'x' }),
      headers: { 'Content-Type': '' },
    });
    expect(response.status).toBe(415);
    expect(errorOf(response).code).toBe('0x80048d19');
  });

  it('fact: an unsupported method on a record is a 404 "No HTTP resource was found"', async () => {
    const response = await client.request(`opportunities(${IDS.opportunity})`, {
      method: 'PUT',
      body: { name: 'x' },
    });
    expect(response.status).toBe(404);
    expect(errorOf(response).message).toContain('No HTTP resource was found that matches the request URI');
  });
});
