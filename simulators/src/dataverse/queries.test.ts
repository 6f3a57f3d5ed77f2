import { errorOf, IDS, rows, tokenFor, useTestSimulator } from './testSupport';

const client = useTestSimulator();

const LINES_OF_OPPORTUNITY = `opportunityproducts?$filter=_opportunityid_value eq ${IDS.opportunity}`;

describe('Dataverse queries', () => {
  it('fact: $select returns the selected columns, @odata.etag, and always the primary key', async () => {
    const response = await client.request(`opportunities(${IDS.opportunity})?$select=name`);
    expect(response.status).toBe(200);
    expect(Object.keys(response.json).sort()).toEqual([
      '@odata.context',
      '@odata.etag',
      'name',
      'opportunityid',
    ]);
    expect(response.json['@odata.etag']).toMatch(/^W\/"\d+"$/);
    expect(response.headers.get('odata-version')).toBe('4.0');
  });

  it('fact: @odata.context names the entity set and the selection, with /$entity for one record', async () => {
    const single = await client.request(`opportunities(${IDS.opportunity})?$select=name`);
    expect(single.json['@odata.context']).toBe(`${client.baseUrl}$metadata#opportunities(name)/$entity`);
    const collection = await client.request('opportunities?$select=name');
    expect(collection.json['@odata.context']).toBe(`${client.baseUrl}$metadata#opportunities(name)`);
  });

  it('fact: selecting a money column also returns _transactioncurrencyid_value', async () => {
    const response = await client.request(`opportunityproducts(${IDS.widgetLine})?$select=priceperunit`);
    expect(response.json).toHaveProperty('_transactioncurrencyid_value');
  });

  it('fact: lookups are read as _<attribute>_value; selecting the lookup by its logical name is a 400', async () => {
    const ok = await client.request(`opportunityproducts(${IDS.widgetLine})?$select=_productid_value`);
    expect(ok.json._productid_value).toBe(IDS.widget);
    const bad = await client.request(`opportunityproducts(${IDS.widgetLine})?$select=productid`);
    expect(bad.status).toBe(400);
    expect(errorOf(bad).message).toBe(
      "Could not find a property named 'productid' on type 'Microsoft.Dynamics.CRM.opportunityproduct'.",
    );
  });

  it('fact: an unknown entity set is a 404 "Resource not found for the segment" (names are case-sensitive)', async () => {
    const response = await client.request('Opportunities');
    expect(response.status).toBe(404);
    expect(errorOf(response)).toEqual({
      code: '0x8006088a',
      message: "Resource not found for the segment 'Opportunities'.",
    });
  });

  it('fact: a missing record is a 404 with code 0x80040217 "<entity> With Id = <id> Does Not Exist"', async () => {
    const id = '0a1b0000-0000-4000-8000-00000000ffff';
    const response = await client.request(`opportunities(${id})`);
    expect(response.status).toBe(404);
    expect(errorOf(response)).toEqual({
      code: '0x80040217',
      message: `opportunity With Id = ${id} Does Not Exist`,
    });
  });

  it('fact: $filter on a lookup uses _x_value and an unquoted GUID', async () => {
    const response = await client.request(`${LINES_OF_OPPORTUNITY}&$select=opportunityproductid`);
    expect(rows(response).map((row) => row.opportunityproductid)).toEqual([
      IDS.widgetLine,
      IDS.overriddenLine,
      IDS.writeInLine,
    ]);
  });

  it('fact: a quoted GUID against a lookup is a 400 (incompatible Edm.Guid and Edm.String)', async () => {
    const response = await client.request(
      `opportunityproducts?$filter=_opportunityid_value eq '${IDS.opportunity}'`,
    );
    expect(response.status).toBe(400);
    expect(errorOf(response).message).toContain("Found operand types 'Edm.Guid' and 'Edm.String'");
  });

  it('fact: $filter supports eq ne, and or, parentheses, numbers, strings, null and booleans', async () => {
    const response = await client.request(
      `opportunityproducts?$select=quantity&$filter=(isproductoverridden eq true or quantity ge 12) and productdescription ne null and _opportunityid_value eq ${IDS.opportunity}`,
    );
    expect(rows(response).map((row) => row.opportunityproductid)).toEqual([IDS.writeInLine]);
    const strings = await client.request(
      "products?$select=name&$filter=name eq 'widget' or contains(name,'plan')",
    );
    expect(rows(strings).map((row) => row.name)).toEqual(['Widget', 'Support Plan']);
  });

  it('fact: string comparisons ignore case, and ne leaves out rows whose column is null', async () => {
    const response = await client.request(
      `opportunityproducts?$select=productdescription&$filter=productdescription ne 'x' and _opportunityid_value eq ${IDS.opportunity}`,
    );
    expect(rows(response)).toHaveLength(1);
  });

  it('fact: $filter on an unknown column is a 400, even when no row would be read', async () => {
    const response = await client.request('opportunities?$filter=bogus eq 1');
    expect(response.status).toBe(400);
    expect(errorOf(response).code).toBe('0x80060888');
  });

  it('fact: $orderby sorts (desc, several keys) and $top limits', async () => {
    const response = await client.request(
      `${LINES_OF_OPPORTUNITY}&$select=quantity&$orderby=quantity desc&$top=2`,
    );
    expect(rows(response).map((row) => row.quantity)).toEqual([12, 10]);
    const twoKeys = await client.request('products?$select=name&$orderby=price asc,name desc');
    expect(rows(twoKeys).map((row) => row.name)).toEqual(['Widget', 'Support Plan', 'Setup Service']);
  });

  it('fact: $expand of a collection-valued navigation property (product_opportunities) inlines the lines', async () => {
    const response = await client.request(
      `opportunities(${IDS.opportunity})?$select=name&$expand=product_opportunities($select=priceperunit;$filter=isproductoverridden eq false;$orderby=priceperunit desc)`,
    );
    const lines = response.json.product_opportunities as Record<string, unknown>[];
    expect(lines.map((line) => line.priceperunit)).toEqual([90, 25]);
    expect(response.json['@odata.context']).toBe(
      `${client.baseUrl}$metadata#opportunities(name,product_opportunities(priceperunit))/$entity`,
    );
    const quote = await client.request(
      `quotes(${IDS.quote})?$select=name&$expand=quote_details($select=quantity)`,
    );
    expect(quote.json.quote_details).toHaveLength(2);
  });

  it('fact: $expand of a single-valued navigation property returns the related record', async () => {
    const response = await client.request(
      `opportunityproducts(${IDS.widgetLine})?$select=quantity&$expand=productid($select=name)`,
    );
    expect(response.json.productid).toMatchObject({ name: 'Widget', productid: IDS.widget });
  });

  it('fact: custom lookups navigate by their case-sensitive SchemaName (new_OpportunityId)', async () => {
    const response = await client.request(
      `new_contractlines(${IDS.contractLine})?$select=new_name&$expand=new_OpportunityId($select=name),new_RenewalOpportunityId($select=name)`,
    );
    expect(response.status).toBe(200);
    expect(response.json.new_RenewalOpportunityId).toMatchObject({ name: 'Contoso renewal 2026' });
    const lowerCase = await client.request(
      `new_contractlines(${IDS.contractLine})?$expand=new_opportunityid`,
    );
    expect(lowerCase.status).toBe(400);
  });

  it('fact: a related collection can be read by path (opportunities(id)/product_opportunities)', async () => {
    const response = await client.request(
      `opportunities(${IDS.opportunity})/product_opportunities?$select=quantity`,
    );
    expect(rows(response)).toHaveLength(3);
  });

  it('fact: Prefer odata.maxpagesize pages with @odata.nextLink, followed as is until it is absent', async () => {
    const headers = { Prefer: 'odata.maxpagesize=2' };
    const first = await client.request('products?$select=name', { headers });
    expect(first.headers.get('preference-applied')).toBe('odata.maxpagesize=2');
    expect(rows(first)).toHaveLength(2);
    const nextLink = String(first.json['@odata.nextLink']);
    expect(nextLink).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/api\/data\/v9\.2\/products\?\$select=name&\$skiptoken=%3Ccookie%20pagenumber=%222%22/,
    );
    const second = await fetch(nextLink, {
      headers: {
        Authorization: `Bearer ${await tokenFor(IDS.appUserObjectId)}`,
        Prefer: 'odata.maxpagesize=2',
      },
    });
    const secondBody = (await second.json()) as { value: unknown[]; '@odata.nextLink'?: string };
    expect(secondBody.value).toHaveLength(1);
    expect(secondBody['@odata.nextLink']).toBeUndefined();
    const names = [...rows(first), ...(secondBody.value as Record<string, unknown>[])].map((row) => row.name);
    expect(new Set(names).size).toBe(3);
  });

  it('fact: $top is ignored when odata.maxpagesize is also sent', async () => {
    const response = await client.request('products?$select=name&$top=1', {
      headers: { Prefer: 'odata.maxpagesize=2' },
    });
    expect(rows(response)).toHaveLength(2);
    expect(response.json['@odata.nextLink']).toBeDefined();
  });

  it('fact: $count=true adds @odata.count', async () => {
    const response = await client.request('products?$select=name&$count=true');
    expect(response.json['@odata.count']).toBe(3);
  });

  it('fact: Prefer odata.include-annotations="*" adds formatted values and lookup annotations', async () => {
    const response = await client.request(
      `opportunityproducts(${IDS.widgetLine})?$select=_productid_value,priceperunit,isproductoverridden,quantity,modifiedon`,
      {
        headers: { Prefer: 'odata.include-annotations="*"' },
      },
    );
    expect(response.json).toMatchObject({
      '_productid_value@OData.Community.Display.V1.FormattedValue': 'Widget',
      '_productid_value@Microsoft.Dynamics.CRM.lookuplogicalname': 'product',
      '_productid_value@Microsoft.Dynamics.CRM.associatednavigationproperty': 'productid',
      'priceperunit@OData.Community.Display.V1.FormattedValue': '$25.00',
      'isproductoverridden@OData.Community.Display.V1.FormattedValue': 'Existing',
      'quantity@OData.Community.Display.V1.FormattedValue': '10.00000',
    });
    expect(response.json['modifiedon@OData.Community.Display.V1.FormattedValue']).toMatch(
      /^\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d{2} (AM|PM)$/,
    );
    expect(response.headers.get('preference-applied')).toBe('odata.include-annotations="*"');
  });

  it('fact: only the annotations asked for are returned, and none without the Prefer header', async () => {
    const formattedOnly = await client.request(
      `opportunityproducts(${IDS.widgetLine})?$select=_productid_value`,
      {
        headers: { Prefer: 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"' },
      },
    );
    expect(Object.keys(formattedOnly.json)).toContain(
      '_productid_value@OData.Community.Display.V1.FormattedValue',
    );
    expect(Object.keys(formattedOnly.json)).not.toContain(
      '_productid_value@Microsoft.Dynamics.CRM.lookuplogicalname',
    );
    const none = await client.request(`opportunityproducts(${IDS.widgetLine})?$select=_productid_value`);
    expect(Object.keys(none.json).some((key) => key.includes('@OData.Community'))).toBe(false);
  });

  it('fact: If-None-Match with the current etag gives 304 Not Modified', async () => {
    const first = await client.request(`opportunities(${IDS.opportunity})?$select=name`);
    const etag = String(first.json['@odata.etag']);
    const again = await client.request(`opportunities(${IDS.opportunity})?$select=name`, {
      headers: { 'If-None-Match': etag },
    });
    expect(again.status).toBe(304);
  });

  it('fact: $skip is refused by Dataverse; unmodeled options ($apply) are refused, never ignored', async () => {
    const skip = await client.request('products?$skip=1');
    expect(skip.status).toBe(400);
    expect(errorOf(skip).message).toBe('The query parameter $skip is not supported');
    const apply = await client.request('products?$apply=groupby((name))');
    expect(apply.status).toBe(400);
    const lambda = await client.request('opportunities?$filter=product_opportunities/any(l:l/quantity gt 1)');
    expect(lambda.status).toBe(400);
    const twice = await client.request('products?$select=name&$select=price');
    expect(errorOf(twice).message).toContain('specified more than once');
  });

  it('fact: <entity set>/$count answers how many rows there are as plain text, after $filter', async () => {
    const all = await client.request('opportunityproducts?$select=quantity');
    const rows = all.json.value as { quantity: number }[];
    const count = await client.request('opportunityproducts/$count');
    expect(count.status).toBe(200);
    expect(count.headers.get('content-type')).toContain('text/plain');
    // The seed's three lines have quantities 10, 12 and 1: the filter keeps two of them.
    expect(rows.map((row) => row.quantity).sort((a, b) => a - b)).toEqual([1, 10, 12]);
    expect(count.text).toBe('3');
    const filtered = await client.request('opportunityproducts/$count?$filter=quantity gt 1');
    expect(filtered.text).toBe('2');
    expect((await client.request('opportunityproducts/$count?$select=quantity')).status).toBe(400);
    // Only read: the segment is no resource for any other method.
    expect((await client.request('opportunityproducts/$count', { method: 'DELETE' })).status).toBe(404);
  });

  it.each([
    [
      'fetchXml',
      encodeURIComponent(
        '<fetch><entity name="opportunityproduct"><attribute name="quantity"/></entity></fetch>',
      ),
    ],
    ['savedQuery', '00000000-0000-0000-00aa-000010001001'],
    ['userQuery', '00000000-0000-0000-00aa-000010001002'],
  ])(
    'fact: a %s query (not modeled) is refused with a 400 naming it, never answered with the whole table',
    async (name, value) => {
      const response = await client.request(`opportunityproducts?${name}=${value}`);
      expect(response.status).toBe(400);
      expect(errorOf(response).message).toBe(`The ${name} query is not modeled by the Dataverse simulator.`);
      expect(response.json.value).toBeUndefined();
    },
  );

  it('fact: Prefer odata.track-changes (change tracking, not modeled) is refused with a 400, never silently ignored', async () => {
    const response = await client.request('opportunityproducts?$select=quantity', {
      headers: { Prefer: 'odata.track-changes' },
    });
    expect(response.status).toBe(400);
    expect(errorOf(response).message).toContain('odata.track-changes');
    expect(response.json['@odata.deltaLink']).toBeUndefined();
    const combined = await client.request('opportunityproducts?$select=quantity', {
      headers: { Prefer: 'odata.maxpagesize=2, odata.track-changes' },
    });
    expect(combined.status).toBe(400);
  });

  it('fact: WhoAmI returns the calling user, or the impersonated one', async () => {
    const me = await client.request('WhoAmI');
    expect(me.json.UserId).toBe(IDS.appUser);
    const seller = await client.request('WhoAmI', { headers: { CallerObjectId: IDS.sellerObjectId } });
    expect(seller.json.UserId).toBe(IDS.seller);
  });
});
