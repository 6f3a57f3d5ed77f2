/**
 * DynamicsWebApi (an independent, widely used Dataverse Web API client) against the simulator, for the requests
 * the backend sends (functions/src/dataverse/). Every request goes through the library, never by hand, so what
 * the simulator accepts and answers is checked by code nobody here wrote. Where the library is not plain
 * Dataverse (its legacy answers to 412 and 404, no retry on 429), the test says so.
 */
import { DynamicsWebApi, type Config, type RequestError } from 'dynamics-web-api';
import type { TestClient } from './testSupport';
import { IDS, tokenFor, useTestSimulator } from './testSupport';

const client = useTestSimulator({ resetBeforeEach: true });

/** A DynamicsWebApi configured as a Node.js service would: server URL, Web API 9.2, a bearer per request. */
function dataverseFor(
  simulator: TestClient,
  config: Config = {},
  objectId: string = IDS.appUserObjectId,
): DynamicsWebApi {
  return new DynamicsWebApi({
    serverUrl: `${simulator.simulator.url}/`,
    dataApi: { version: '9.2' },
    onTokenRefresh: () => tokenFor(objectId),
    ...config,
  });
}

function dataverse(config: Config = {}, objectId: string = IDS.appUserObjectId): DynamicsWebApi {
  return dataverseFor(client, config, objectId);
}

interface LoggedRequest {
  route: string;
  status: number;
  headers: Record<string, string>;
}

async function requestLog(simulator: TestClient = client): Promise<LoggedRequest[]> {
  const response = await fetch(`${simulator.simulator.url}/_sim/requests`);
  return ((await response.json()) as { requests: LoggedRequest[] }).requests;
}

async function clearRequestLog(simulator: TestClient = client): Promise<void> {
  await fetch(`${simulator.simulator.url}/_sim/requests`, { method: 'DELETE' });
}

/** What a library call rejects with: an Error carrying Dataverse's code and message, status and headers. */
async function failure(call: Promise<unknown>): Promise<RequestError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`expected an Error, got ${JSON.stringify(error)}`);
  }
  throw new Error('expected the call to fail');
}

/** What executeBatch rejects with when the batch fails: one entry per answered part. */
async function batchFailure(call: Promise<unknown>): Promise<RequestError[]> {
  try {
    await call;
  } catch (error) {
    if (Array.isArray(error)) return error.map((entry: unknown) => entry as RequestError);
    throw error;
  }
  throw new Error('expected the batch to fail');
}

interface LineRow {
  opportunityproductid: string;
  quantity?: number;
  priceperunit?: number;
  baseamount?: number;
  sequencenumber?: number;
  productdescription?: string | null;
  modifiedon?: unknown;
  _productid_value?: string | null;
  _createdby_value?: string;
  _createdonbehalfby_value?: string | null;
  productid?: Record<string, unknown> | null;
  '@odata.etag': string;
  [annotated: string]: unknown;
}

interface OpportunityRow {
  opportunityid: string;
  name?: string;
  product_opportunities?: LineRow[];
}

function writeIn(description: string, quantity = 1): Record<string, unknown> {
  return {
    'opportunityid@odata.bind': `/opportunities(${IDS.opportunity})`,
    isproductoverridden: true,
    productdescription: description,
    priceperunit: 12.5,
    quantity,
  };
}

async function line(id: string): Promise<LineRow> {
  return dataverse().retrieve<LineRow>({
    collection: 'opportunityproducts',
    key: id,
    select: ['quantity', 'priceperunit', 'productdescription'],
  });
}

async function lineCount(): Promise<number> {
  return dataverse().count({ collection: 'opportunityproducts' });
}

describe('DynamicsWebApi against the Dataverse simulator: queries', () => {
  it('fact: $filter, $select, $orderby and $top come back as Dataverse answers them', async () => {
    const response = await dataverse().retrieveMultiple<LineRow>({
      collection: 'opportunityproducts',
      select: ['quantity', 'sequencenumber', '_productid_value'],
      filter: `_opportunityid_value eq ${IDS.opportunity} and quantity gt 1`,
      orderBy: ['sequencenumber desc'],
      top: 2,
    });
    expect(response.value).toEqual([
      {
        '@odata.etag': expect.stringMatching(/^W\/"\d+"$/) as unknown,
        opportunityproductid: IDS.overriddenLine,
        quantity: 12,
        sequencenumber: 2,
        _productid_value: IDS.supportPlan,
      },
      {
        '@odata.etag': expect.stringMatching(/^W\/"\d+"$/) as unknown,
        opportunityproductid: IDS.widgetLine,
        quantity: 10,
        sequencenumber: 1,
        _productid_value: IDS.widget,
      },
    ]);
    expect(response.oDataContext).toMatch(/\$metadata#opportunityproducts\(/);
  });

  it('fact: dates come back in the ISO form the library turns into Date objects', async () => {
    const row = await dataverse().retrieve<LineRow>({
      collection: 'opportunityproducts',
      key: IDS.widgetLine,
      select: ['modifiedon'],
    });
    expect(row.modifiedon).toBeInstanceOf(Date);
  });

  it('fact: a single-valued navigation property expands with its own $select', async () => {
    const row = await dataverse().retrieve<LineRow>({
      collection: 'opportunityproducts',
      key: IDS.widgetLine,
      select: ['quantity'],
      expand: [{ property: 'productid', select: ['name', 'productnumber'] }],
    });
    expect(row.productid).toMatchObject({ productid: IDS.widget, name: 'Widget', productnumber: 'WID-001' });
  });

  it('fact: a collection navigation property expands with nested $select, $filter, $orderby and $top', async () => {
    const row = await dataverse().retrieve<OpportunityRow>({
      collection: 'opportunities',
      key: IDS.opportunity,
      select: ['name'],
      expand: [
        {
          property: 'product_opportunities',
          select: ['quantity', 'sequencenumber'],
          filter: 'quantity ge 10',
          orderBy: ['sequencenumber desc'],
          top: 5,
        },
      ],
    });
    expect(row.name).toBe('Contoso rollout: 10 widgets and support');
    expect(
      row.product_opportunities?.map((expanded) => [expanded.opportunityproductid, expanded.quantity]),
    ).toEqual([
      [IDS.overriddenLine, 12],
      [IDS.widgetLine, 10],
    ]);
  });

  it('fact: maxPageSize pages with @odata.nextLink, which the library follows as is', async () => {
    const request = {
      collection: 'opportunityproducts',
      select: ['sequencenumber'],
      orderBy: ['sequencenumber asc'],
      maxPageSize: 2,
    };
    const first = await dataverse().retrieveMultiple<LineRow>(request);
    expect(first.value.map((row) => row.sequencenumber)).toEqual([1, 2]);
    expect(first.oDataNextLink).toMatch(/\$skiptoken=/);
    const second = await dataverse().retrieveMultiple<LineRow>(request, first.oDataNextLink);
    expect(second.value.map((row) => row.sequencenumber)).toEqual([3]);
    expect(second.oDataNextLink).toBeUndefined();
  });

  it('fact: retrieveAll reads every page (one GET per page, Prefer: odata.maxpagesize each time)', async () => {
    await clearRequestLog();
    const all = await dataverse().retrieveAll<LineRow>({
      collection: 'opportunityproducts',
      select: ['sequencenumber'],
      orderBy: ['sequencenumber asc'],
      maxPageSize: 1,
    });
    expect(all.value.map((row) => row.sequencenumber)).toEqual([1, 2, 3]);
    const log = await requestLog();
    expect(log.map((entry) => [entry.route, entry.status, entry.headers.prefer])).toEqual([
      ['GET /api/data/v9.2/opportunityproducts', 200, 'odata.maxpagesize=1'],
      ['GET /api/data/v9.2/opportunityproducts', 200, 'odata.maxpagesize=1'],
      ['GET /api/data/v9.2/opportunityproducts', 200, 'odata.maxpagesize=1'],
    ]);
  });

  it('fact: count reads <set>/$count, count with a filter reads @odata.count, $count=true counts the page', async () => {
    expect(await dataverse().count({ collection: 'opportunityproducts' })).toBe(3);
    expect(await dataverse().count({ collection: 'opportunityproducts', filter: 'quantity gt 1' })).toBe(2);
    const counted = await dataverse().retrieveMultiple<LineRow>({
      collection: 'opportunityproducts',
      select: ['quantity'],
      filter: `_opportunityid_value eq ${IDS.opportunity}`,
      count: true,
    });
    expect(counted.oDataCount).toBe(3);
    expect(await dataverse().countAll({ collection: 'quotedetails', select: ['quotedetailid'] })).toBe(2);
  });

  it('fact: formatted values, lookup logical names and navigation properties come back as the library maps them', async () => {
    const formatted = await dataverse().retrieve<LineRow>({
      collection: 'opportunityproducts',
      key: IDS.widgetLine,
      select: ['priceperunit', '_productid_value'],
      includeAnnotations: 'OData.Community.Display.V1.FormattedValue',
    });
    expect(formatted.priceperunit).toBe(25);
    expect(formatted.priceperunit_Formatted).toBe('$25.00');
    expect(formatted._productid_value_Formatted).toBe('Widget');
    expect(formatted._productid_value_LogicalName).toBeUndefined();
    const everything = await dataverse({ includeAnnotations: '*' }).retrieveMultiple<LineRow>({
      collection: 'opportunityproducts',
      select: ['_productid_value'],
      filter: `opportunityproductid eq ${IDS.widgetLine}`,
    });
    expect(everything.value[0]).toMatchObject({
      _productid_value_Formatted: 'Widget',
      _productid_value_LogicalName: 'product',
      _productid_value_NavigationProperty: 'productid',
    });
  });
});

describe('DynamicsWebApi against the Dataverse simulator: requests the library shapes itself', () => {
  it('fact: a GET whose URL passes 2000 characters goes as a $batch GET, and the simulator answers it in the batch', async () => {
    const ids = Array.from(
      { length: 60 },
      (_, index) => `2c3d0000-0000-4000-8000-${String(index + 1).padStart(12, '0')}`,
    );
    await clearRequestLog();
    const response = await dataverse().retrieveMultiple<LineRow>({
      collection: 'opportunityproducts',
      select: ['sequencenumber'],
      filter: ids.map((id) => `opportunityproductid eq ${id}`).join(' or '),
      orderBy: ['sequencenumber asc'],
    });
    expect(response.value.map((row) => row.sequencenumber)).toEqual([1, 2, 3]);
    expect((await requestLog()).map((entry) => [entry.route, entry.status])).toEqual([
      ['POST /api/data/v9.2/$batch', 200],
    ]);
  });

  it('fact: text outside ASCII, sent as JSON \\u escapes by the library, is stored and read back as typed', async () => {
    const description = 'Überprüfung – 5 × Lizenz «Pro» ☃';
    const id = await dataverse().create<Record<string, unknown>, string>({
      collection: 'opportunityproducts',
      data: writeIn(description),
    });
    expect((await line(id)).productdescription).toBe(description);
  });

  it('fact: If-None-Match with the current etag answers 304 (the library resolves without a record), a changed record answers in full', async () => {
    const current = (await line(IDS.widgetLine))['@odata.etag'];
    const request = {
      collection: 'opportunityproducts',
      key: IDS.widgetLine,
      select: ['quantity'],
      ifnonematch: current,
    };
    await clearRequestLog();
    expect(await dataverse().retrieve(request)).toBeUndefined();
    expect((await requestLog())[0]?.status).toBe(304);
    await dataverse().update({
      collection: 'opportunityproducts',
      key: IDS.widgetLine,
      data: { quantity: 11 },
    });
    expect(await dataverse().retrieve<LineRow>(request)).toMatchObject({ quantity: 11 });
  });

  it('fact: WhoAmI answers the caller, and useEntityNames maps logical names through EntityDefinitions', async () => {
    expect(await dataverse().callFunction<{ UserId: string }>('WhoAmI')).toMatchObject({
      UserId: IDS.appUser,
    });
    await clearRequestLog();
    const byEntityName = await dataverse({ useEntityNames: true }).retrieveMultiple<LineRow>({
      collection: 'opportunityproduct',
      select: ['quantity'],
    });
    expect(byEntityName.value).toHaveLength(3);
    expect((await requestLog()).map((entry) => entry.route)).toEqual([
      'GET /api/data/v9.2/EntityDefinitions',
      'GET /api/data/v9.2/opportunityproducts',
    ]);
  });

  it('fact: a FetchXML query is refused with a 400, never answered with the whole table', async () => {
    const error = await failure(
      dataverse().fetch({
        collection: 'opportunityproducts',
        fetchXml: '<fetch><entity name="opportunityproduct"><attribute name="quantity"/></entity></fetch>',
      }),
    );
    expect(error.status).toBe(400);
  });
});

describe('DynamicsWebApi against the Dataverse simulator: writes', () => {
  it('fact: create answers the new id (from OData-EntityId), or the record with returnRepresentation', async () => {
    const id = await dataverse().create<Record<string, unknown>, string>({
      collection: 'opportunityproducts',
      data: writeIn('created by id'),
    });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await line(id)).productdescription).toBe('created by id');
    const created = await dataverse().create<Record<string, unknown>, LineRow>({
      collection: 'opportunityproducts',
      data: writeIn('created with representation', 2),
      returnRepresentation: true,
      select: ['priceperunit', 'quantity', 'baseamount'],
    });
    expect(created).toMatchObject({ priceperunit: 12.5, quantity: 2, baseamount: 25 });
    expect(created['@odata.etag']).toMatch(/^W\/"\d+"$/);
  });

  it('fact: update with the current etag in If-Match succeeds and changes the etag', async () => {
    const before = await line(IDS.widgetLine);
    await clearRequestLog();
    const updated = await dataverse().update({
      collection: 'opportunityproducts',
      key: IDS.widgetLine,
      data: { quantity: 4 },
      ifmatch: before['@odata.etag'],
    });
    expect(updated).toBe(true);
    expect((await requestLog())[0]?.headers['if-match']).toBe(before['@odata.etag']);
    const after = await line(IDS.widgetLine);
    expect(after.quantity).toBe(4);
    expect(after['@odata.etag']).not.toBe(before['@odata.etag']);
  });

  it('fact: a stale etag is a 412 0x80060882; the library answers false unless propagateErrors is set', async () => {
    const stale = (await line(IDS.widgetLine))['@odata.etag'];
    await dataverse().update({
      collection: 'opportunityproducts',
      key: IDS.widgetLine,
      data: { quantity: 5 },
    });
    const request = {
      collection: 'opportunityproducts',
      key: IDS.widgetLine,
      data: { quantity: 6 },
      ifmatch: stale,
    };
    // DynamicsWebApi's legacy behaviour (not Dataverse's): a 412 on update becomes `false`.
    expect(await dataverse().update(request)).toBe(false);
    const error = await failure(dataverse({ propagateErrors: true }).update(request));
    expect(error).toMatchObject({
      status: 412,
      code: '0x80060882',
      message: "The version of the existing record doesn't match the RowVersion property provided.",
    });
    expect((await line(IDS.widgetLine)).quantity).toBe(5);
  });

  it('fact: update sends If-Match: * by default, so a missing record is a 404, not an upsert', async () => {
    const missing = '2c3d0000-0000-4000-8000-00000000ffff';
    const error = await failure(
      dataverse().update({ collection: 'opportunityproducts', key: missing, data: { quantity: 1 } }),
    );
    expect(error).toMatchObject({
      status: 404,
      code: '0x80040217',
      message: `opportunityproduct With Id = ${missing} Does Not Exist`,
    });
    expect((await requestLog()).at(-1)?.headers['if-match']).toBe('*');
    expect(await lineCount()).toBe(3);
  });

  it('fact: upsert (PATCH without If-Match) creates with the given id, then updates it', async () => {
    const id = '2c3d0000-0000-4000-8000-0000000000aa';
    const created = await dataverse().upsert<Record<string, unknown>, LineRow>({
      collection: 'opportunityproducts',
      key: id,
      data: writeIn('upserted', 3),
      returnRepresentation: true,
      select: ['quantity'],
    });
    expect(created).toMatchObject({ opportunityproductid: id, quantity: 3 });
    await dataverse().upsert({ collection: 'opportunityproducts', key: id, data: { quantity: 7 } });
    expect((await line(id)).quantity).toBe(7);
    expect(await lineCount()).toBe(4);
  });

  it('fact: upsert with If-None-Match: * on an existing record is a 412; the library answers null unless propagateErrors', async () => {
    const request = {
      collection: 'opportunityproducts',
      key: IDS.writeInLine,
      data: { quantity: 9 },
      ifnonematch: '*',
    };
    expect(await dataverse().upsert(request)).toBeNull();
    const error = await failure(dataverse({ propagateErrors: true }).upsert(request));
    expect(error).toMatchObject({
      status: 412,
      message: 'A record with matching key values already exists.',
    });
    expect((await line(IDS.writeInLine)).quantity).toBe(1);
  });

  it('fact: delete removes the record (a later read is a 404); a stale If-Match keeps it (false, or 412)', async () => {
    const etag = (await line(IDS.writeInLine))['@odata.etag'];
    await dataverse().update({
      collection: 'opportunityproducts',
      key: IDS.writeInLine,
      data: { quantity: 2 },
    });
    const stale = { collection: 'opportunityproducts', key: IDS.writeInLine, ifmatch: etag };
    expect(await dataverse().deleteRecord(stale)).toBe(false);
    expect((await failure(dataverse({ propagateErrors: true }).deleteRecord(stale))).status).toBe(412);
    expect(await dataverse().deleteRecord({ collection: 'opportunityproducts', key: IDS.writeInLine })).toBe(
      true,
    );
    const error = await failure(line(IDS.writeInLine));
    expect(error).toMatchObject({ status: 404, code: '0x80040217' });
  });
});

describe('DynamicsWebApi against the Dataverse simulator: $batch', () => {
  it('fact: a change set with a Content-ID reference runs as one, and GETs after it answer in order', async () => {
    const api = dataverse();
    api.startBatch();
    void api.create({ collection: 'opportunityproducts', data: writeIn('in a change set'), contentId: '1' });
    void api.update({ contentId: '$1', data: { quantity: 3 } });
    void api.retrieveMultiple({
      collection: 'opportunityproducts',
      select: ['quantity'],
      filter: "productdescription eq 'in a change set'",
    });
    const [createdId, updated, read] = (await api.executeBatch()) as [string, boolean, { value: LineRow[] }];
    expect(createdId).toMatch(/^[0-9a-f-]{36}$/);
    expect(updated).toBe(true);
    expect(read.value).toEqual([expect.objectContaining({ opportunityproductid: createdId, quantity: 3 })]);
    const log = await requestLog();
    expect(log.map((entry) => entry.route)).toEqual(['POST /api/data/v9.2/$batch']);
  });

  it("fact: the backend's change set (PATCH, If-Match, return=representation, $select) answers each line's new etag", async () => {
    const etag = (await line(IDS.widgetLine))['@odata.etag'];
    const api = dataverse();
    api.startBatch();
    void api.update({
      collection: 'opportunityproducts',
      key: IDS.widgetLine,
      data: { quantity: 8 },
      ifmatch: etag,
      returnRepresentation: true,
      select: ['opportunityproductid'],
    });
    void api.update({
      collection: 'opportunityproducts',
      key: IDS.writeInLine,
      data: { productdescription: 'renamed' },
      ifmatch: '*',
      returnRepresentation: true,
      select: ['opportunityproductid'],
    });
    const [first, second] = (await api.executeBatch()) as [LineRow, LineRow];
    expect(first.opportunityproductid).toBe(IDS.widgetLine);
    expect(first['@odata.etag']).not.toBe(etag);
    expect(first['@odata.etag']).toBe((await line(IDS.widgetLine))['@odata.etag']);
    expect(second).toMatchObject({ opportunityproductid: IDS.writeInLine });
    expect((await line(IDS.writeInLine)).productdescription).toBe('renamed');
  });

  it('fact: when one operation of a change set fails, the whole change set rolls back and the batch fails with it', async () => {
    const stale = (await line(IDS.overriddenLine))['@odata.etag'];
    await dataverse().update({
      collection: 'opportunityproducts',
      key: IDS.overriddenLine,
      data: { quantity: 13 },
    });
    const current = (await line(IDS.widgetLine))['@odata.etag'];
    const api = dataverse();
    api.startBatch();
    void api.update({
      collection: 'opportunityproducts',
      key: IDS.widgetLine,
      data: { quantity: 20 },
      ifmatch: current,
    });
    void api.create({ collection: 'opportunityproducts', data: writeIn('rolled back') });
    void api.update({
      collection: 'opportunityproducts',
      key: IDS.overriddenLine,
      data: { quantity: 30 },
      ifmatch: stale,
    });
    const errors = await batchFailure(api.executeBatch());
    expect(errors).toHaveLength(1);
    // Unlike a single request's error, a batch part's error keeps Dataverse's body under `error` (the library's shape).
    expect(errors[0]).toMatchObject({
      status: 412,
      error: {
        code: '0x80060882',
        message: "The version of the existing record doesn't match the RowVersion property provided.",
      },
    });
    expect((await line(IDS.widgetLine)).quantity).toBe(10);
    expect((await line(IDS.overriddenLine)).quantity).toBe(13);
    expect(await lineCount()).toBe(3);
  });

  it('fact: with continueOnError the batch answers 200 and the failed change set comes back as an error entry', async () => {
    const api = dataverse();
    api.startBatch();
    void api.update({ collection: 'opportunityproducts', key: IDS.widgetLine, data: { quantity: 'many' } });
    void api.retrieve({ collection: 'opportunityproducts', key: IDS.widgetLine, select: ['quantity'] });
    const [failed, read] = (await api.executeBatch({ continueOnError: true })) as [RequestError, LineRow];
    expect(failed).toBeInstanceOf(Error);
    expect(failed.status).toBe(400);
    expect(read.quantity).toBe(10);
  });
});

describe('DynamicsWebApi against the Dataverse simulator: impersonation', () => {
  it('fact: impersonateAAD sends CallerObjectId and the record is created by that user on behalf of the caller', async () => {
    await clearRequestLog();
    const created = await dataverse().create<Record<string, unknown>, LineRow>({
      collection: 'opportunityproducts',
      data: writeIn('as the seller'),
      impersonateAAD: IDS.sellerObjectId,
      returnRepresentation: true,
      select: ['_createdby_value', '_createdonbehalfby_value'],
    });
    expect(created).toMatchObject({ _createdby_value: IDS.seller, _createdonbehalfby_value: IDS.appUser });
    expect((await requestLog())[0]?.headers.callerobjectid).toBe(IDS.sellerObjectId);
  });

  it('fact: impersonate sends the legacy MSCRMCallerID (a systemuserid) with the same effect', async () => {
    const created = await dataverse({ impersonate: IDS.seller }).create<Record<string, unknown>, LineRow>({
      collection: 'opportunityproducts',
      data: writeIn('as the seller, legacy header'),
      returnRepresentation: true,
      select: ['_createdby_value', '_createdonbehalfby_value'],
    });
    expect(created).toMatchObject({ _createdby_value: IDS.seller, _createdonbehalfby_value: IDS.appUser });
  });

  it('fact: an impersonated user without the privilege is refused with 403 0x80040220 naming it', async () => {
    const viewer = dataverse({ impersonateAAD: IDS.viewerObjectId });
    const lines = await viewer.retrieveMultiple<LineRow>({
      collection: 'opportunityproducts',
      select: ['quantity'],
    });
    expect(lines.value).toHaveLength(3);
    const error = await failure(
      viewer.update({ collection: 'opportunityproducts', key: IDS.widgetLine, data: { quantity: 1 } }),
    );
    expect(error.status).toBe(403);
    expect(error.code).toBe('0x80040220');
    expect(error.message).toContain(`Principal user (Id=${IDS.viewer}`);
    expect(error.message).toContain('is missing prvWriteOpportunityProduct privilege');
    expect((await line(IDS.widgetLine)).quantity).toBe(10);
  });

  it("fact: a batch sent with the config's impersonateAAD runs its change set as that user (the viewer cannot write)", async () => {
    const api = dataverse({ impersonateAAD: IDS.viewerObjectId });
    api.startBatch();
    void api.update({ collection: 'opportunityproducts', key: IDS.widgetLine, data: { quantity: 2 } });
    const errors = await batchFailure(api.executeBatch());
    expect(errors[0]?.status).toBe(403);
    expect((await requestLog()).at(-1)?.headers.callerobjectid).toBe(IDS.viewerObjectId);
    expect((await line(IDS.widgetLine)).quantity).toBe(10);
  });

  it('fact: a caller without prvActOnBehalfOfAnotherUser cannot impersonate at all', async () => {
    const seller = dataverse({ impersonateAAD: IDS.appUserObjectId }, IDS.sellerObjectId);
    const error = await failure(seller.retrieveMultiple({ collection: 'opportunities', select: ['name'] }));
    expect(error.status).toBe(403);
    expect(error.code).toBe('0x80040220');
    expect(error.message).toContain('is missing prvActOnBehalfOfAnotherUser privilege');
  });
});

describe('DynamicsWebApi against the Dataverse simulator: metadata', () => {
  it("fact: retrieveEntity with $expand of Attributes answers the gateway's entity read", async () => {
    const entity = await dataverse().retrieveEntity<{
      LogicalName: string;
      EntitySetName: string;
      PrimaryIdAttribute: string;
      PrimaryNameAttribute: string | null;
      DisplayName: { UserLocalizedLabel: { Label: string } | null };
      Attributes: { LogicalName: string; AttributeType: string; '@odata.type': string }[];
    }>({
      key: "LogicalName='opportunityproduct'",
      select: ['LogicalName', 'EntitySetName', 'DisplayName', 'PrimaryIdAttribute', 'PrimaryNameAttribute'],
      expand: [
        {
          property: 'Attributes',
          select: [
            'LogicalName',
            'AttributeType',
            'IsValidForCreate',
            'IsValidForUpdate',
            'AttributeOf',
            'SourceType',
          ],
        },
      ],
    });
    expect(entity).toMatchObject({
      LogicalName: 'opportunityproduct',
      EntitySetName: 'opportunityproducts',
      PrimaryIdAttribute: 'opportunityproductid',
    });
    expect(entity.Attributes.find((attribute) => attribute.LogicalName === 'priceperunit')).toMatchObject({
      AttributeType: 'Money',
      '@odata.type': '#Microsoft.Dynamics.CRM.MoneyAttributeMetadata',
    });
  });

  it("fact: retrieveEntities with the gateway's candidate filter (managed property /Value) leaves out BPF and non-customizable entities", async () => {
    const entities = await dataverse().retrieveEntities<{
      LogicalName: string;
      EntitySetName: string | null;
    }>({
      select: ['LogicalName', 'EntitySetName', 'IsActivity', 'IsBPFEntity', 'IsCustomizable'],
      filter: 'IsValidForAdvancedFind eq true and IsBPFEntity eq false and IsCustomizable/Value eq true',
    });
    const names = entities.value.map((entity) => entity.LogicalName);
    expect(names).toEqual(expect.arrayContaining(['opportunity', 'opportunityproduct', 'new_contractline']));
    expect(names).not.toContain('opportunitysalesprocess');
    expect(names).not.toContain('msdyn_opportunitymodelscore');
  });

  it('fact: retrieveAttributes and retrieveAttribute cast to MoneyAttributeMetadata read Precision and PrecisionSource', async () => {
    const money = await dataverse().retrieveAttributes<{
      LogicalName: string;
      Precision: number;
      PrecisionSource: number;
    }>({
      entityKey: "LogicalName='opportunityproduct'",
      castType: 'Microsoft.Dynamics.CRM.MoneyAttributeMetadata',
      select: ['LogicalName', 'Precision', 'PrecisionSource'],
      filter:
        "LogicalName eq 'extendedamount' or LogicalName eq 'baseamount' or LogicalName eq 'priceperunit'",
    });
    // The Sales table reference: amounts take the currency's precision (PrecisionSource 2); prices the
    // organization's pricing decimal precision (PrecisionSource 1).
    expect(
      money.value
        // Precision is not what rounds priceperunit (its PrecisionSource does), so any number is Dataverse's answer.
        .map((attribute) => [
          attribute.LogicalName,
          attribute.LogicalName === 'priceperunit' ? typeof attribute.Precision : attribute.Precision,
          attribute.PrecisionSource,
        ])
        .sort(),
    ).toEqual([
      ['baseamount', 2, 2],
      ['extendedamount', 2, 2],
      ['priceperunit', 'number', 1],
    ]);
    const single = await dataverse().retrieveAttribute<{ AttributeType: string; Precision: number }>({
      entityKey: "LogicalName='opportunityproduct'",
      attributeKey: "LogicalName='extendedamount'",
      castType: 'Microsoft.Dynamics.CRM.MoneyAttributeMetadata',
    });
    expect(single).toMatchObject({ AttributeType: 'Money', Precision: 2, PrecisionSource: 2 });
  });

  it('fact: retrieveAttributes cast to StringAttributeMetadata reads MaxLength, as the gateway does', async () => {
    const strings = await dataverse().retrieveAttributes<{ LogicalName: string; MaxLength: number }>({
      entityKey: "LogicalName='opportunityproduct'",
      castType: 'Microsoft.Dynamics.CRM.StringAttributeMetadata',
      select: ['LogicalName', 'MaxLength'],
    });
    expect(strings.value).toContainEqual(
      expect.objectContaining({ LogicalName: 'productdescription', MaxLength: 500 }),
    );
  });

  it("fact: an entity's OneToManyRelationships read through retrieve with a navigation property", async () => {
    const relationships = await dataverse().retrieve<{
      value: { SchemaName: string; ReferencingEntity: string; ReferencingAttribute: string }[];
    }>({
      collection: 'EntityDefinitions',
      key: "LogicalName='opportunity'",
      navigationProperty: 'OneToManyRelationships',
      select: ['SchemaName', 'ReferencingEntity', 'ReferencingAttribute'],
    });
    expect(relationships.value).toContainEqual(
      expect.objectContaining({
        SchemaName: 'product_opportunities',
        ReferencingEntity: 'opportunityproduct',
        ReferencingAttribute: 'opportunityid',
      }),
    );
  });
});

describe('DynamicsWebApi against the Dataverse simulator: relationship and option set definitions', () => {
  interface RelationshipDefinition {
    '@odata.type': string;
    SchemaName: string;
    ReferencedEntity: string;
    ReferencingEntity: string;
    ReferencingAttribute: string;
    ReferencedEntityNavigationPropertyName: string;
    ReferencingEntityNavigationPropertyName: string;
  }

  it("fact: retrieveRelationship reads RelationshipDefinitions(SchemaName='…') as a OneToManyRelationshipMetadata", async () => {
    const relationship = await dataverse().retrieveRelationship<RelationshipDefinition>({
      key: "SchemaName='product_opportunities'",
    });
    expect(relationship).toMatchObject({
      '@odata.type': '#Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata',
      SchemaName: 'product_opportunities',
      ReferencedEntity: 'opportunity',
      ReferencingEntity: 'opportunityproduct',
      ReferencingAttribute: 'opportunityid',
      ReferencedEntityNavigationPropertyName: 'product_opportunities',
      ReferencingEntityNavigationPropertyName: 'opportunityid',
    });
    // ReferencingAttribute belongs to the derived type: $select needs the cast, as for MaxLength on attributes.
    const uncast = await failure(
      dataverse().retrieveRelationship({
        key: "SchemaName='product_opportunities'",
        select: ['ReferencingAttribute'],
      }),
    );
    expect(uncast).toMatchObject({
      status: 400,
      message:
        "Could not find a property named 'ReferencingAttribute' on type 'Microsoft.Dynamics.CRM.RelationshipMetadataBase'.",
    });
    const cast = await dataverse().retrieveRelationship<RelationshipDefinition>({
      key: "SchemaName='product_opportunities'",
      castType: 'Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata',
      select: ['ReferencingAttribute'],
    });
    expect(cast.ReferencingAttribute).toBe('opportunityid');
  });

  it('fact: retrieveRelationships cast to OneToManyRelationshipMetadata filters on ReferencedEntity', async () => {
    const relationships = await dataverse().retrieveRelationships<RelationshipDefinition>({
      castType: 'Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata',
      select: ['SchemaName', 'ReferencedEntity', 'ReferencingEntity', 'ReferencingAttribute'],
      filter: "ReferencedEntity eq 'opportunity'",
    });
    expect(relationships.value).toContainEqual(
      expect.objectContaining({
        SchemaName: 'product_opportunities',
        ReferencingEntity: 'opportunityproduct',
        ReferencingAttribute: 'opportunityid',
      }),
    );
    expect(new Set(relationships.value.map((relationship) => relationship.ReferencedEntity))).toEqual(
      new Set(['opportunity']),
    );
  });

  it("fact: a picklist's GlobalOptionSet names a definition that retrieveGlobalOptionSets lists and retrieveGlobalOptionSet reads by Name", async () => {
    const [picklist] = (
      await dataverse().retrieveAttributes<{ LogicalName: string; GlobalOptionSet: { Name: string } | null }>(
        {
          entityKey: "LogicalName='opportunityproduct'",
          castType: 'Microsoft.Dynamics.CRM.PicklistAttributeMetadata',
          select: ['LogicalName'],
          filter: "LogicalName eq 'producttypecode'",
          expand: [{ property: 'GlobalOptionSet', select: ['Name'] }],
        },
      )
    ).value;
    const name = picklist?.GlobalOptionSet?.Name;
    if (name === undefined) throw new Error('producttypecode has no global option set');
    const all = await dataverse().retrieveGlobalOptionSets<{ Name: string; '@odata.type': string }>({
      select: ['Name'],
    });
    expect(all.value).toContainEqual(
      expect.objectContaining({ Name: name, '@odata.type': '#Microsoft.Dynamics.CRM.OptionSetMetadata' }),
    );
    const one = await dataverse().retrieveGlobalOptionSet<{
      Name: string;
      IsGlobal: boolean;
      Options: { Value: number }[];
    }>({
      key: `Name='${name}'`,
    });
    expect(one).toMatchObject({ Name: name, IsGlobal: true });
    expect(one.Options.length).toBeGreaterThan(0);
    // Options belongs to OptionSetMetadata, not to the set's base type: $select needs the cast.
    const uncast = await failure(dataverse().retrieveGlobalOptionSets({ select: ['Name', 'Options'] }));
    expect(uncast).toMatchObject({
      status: 400,
      message:
        "Could not find a property named 'Options' on type 'Microsoft.Dynamics.CRM.OptionSetMetadataBase'.",
    });
    const cast = await dataverse().retrieveGlobalOptionSet<{ Options: { Value: number }[] }>({
      key: `Name='${name}'`,
      castType: 'Microsoft.Dynamics.CRM.OptionSetMetadata',
      select: ['Options'],
    });
    expect(cast.Options.map((option) => option.Value)).toEqual(one.Options.map((option) => option.Value));
  });
});

describe('DynamicsWebApi against the Dataverse simulator: service protection', () => {
  const limited = useTestSimulator({ throttle: { requestsPerWindow: 2, windowMs: 60_000 } });

  it('fact: over the budget the library rejects with status 429, Retry-After and 0x80072322, and does not retry', async () => {
    const api = dataverseFor(limited);
    await api.callFunction('WhoAmI');
    await api.callFunction('WhoAmI');
    const error = await failure(api.callFunction('WhoAmI'));
    expect(error.status).toBe(429);
    expect(error.code).toBe('0x80072322');
    expect(Number((error.headers as Record<string, string>)['retry-after'])).toBeGreaterThanOrEqual(1);
    const log = await requestLog(limited);
    expect(log.map((entry) => entry.status)).toEqual([200, 200, 429]);
  });

  it('fact: an injected 429 fault reaches the caller the same way (status, Retry-After, code), once', async () => {
    const faults = await fetch(`${client.simulator.url}/_sim/faults`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        seed: 1,
        routes: { 'GET /api/data/v9.2/opportunities': { rates: { '429': 1 } } },
      }),
    });
    expect(faults.status).toBe(200);
    await clearRequestLog();
    const error = await failure(
      dataverse().retrieveMultiple({ collection: 'opportunities', select: ['name'] }),
    );
    expect(error).toMatchObject({ status: 429, code: '0x80072322' });
    expect(Number((error.headers as Record<string, string>)['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await requestLog()).map((entry) => entry.status)).toEqual([429]);
  });
});
