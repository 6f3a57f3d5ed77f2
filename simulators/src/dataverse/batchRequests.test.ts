import {
  API,
  batchBody,
  batchParts,
  errorOf,
  IDS,
  rows,
  useTestSimulator,
  type BatchOperation,
  type TestResponse,
} from './testSupport';

const client = useTestSimulator({ resetBeforeEach: true });

const BOUNDARY = 'batch_5e0f2c1a';

async function sendBatch(
  items: (BatchOperation | BatchOperation[])[],
  headers: Record<string, string> = {},
): Promise<TestResponse> {
  return client.request('$batch', {
    method: 'POST',
    body: batchBody(BOUNDARY, items),
    headers: { 'Content-Type': `multipart/mixed; boundary=${BOUNDARY}`, ...headers },
  });
}

function writeInLine(description: string, contentId?: string): BatchOperation {
  return {
    method: 'POST',
    url: `${API}opportunityproducts`,
    ...(contentId === undefined ? {} : { contentId }),
    body: {
      'opportunityid@odata.bind': `/opportunities(${IDS.opportunity})`,
      isproductoverridden: true,
      productdescription: description,
      priceperunit: 10,
      quantity: 1,
    },
  };
}

async function linesNamed(description: string): Promise<number> {
  const response = await client.request(`opportunityproducts?$filter=productdescription eq '${description}'`);
  return rows(response).length;
}

describe('Dataverse $batch', () => {
  it('fact: a batch answers 200 with a multipart/mixed body of application/http parts with their own status lines', async () => {
    const response = await sendBatch([
      { method: 'GET', url: `${API}opportunities(${IDS.opportunity})?$select=name` },
      { method: 'PATCH', url: `opportunities(${IDS.opportunity})`, body: { description: 'from a batch' } },
    ]);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^multipart\/mixed; boundary=batchresponse_/);
    expect(response.text).toContain(
      'Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n',
    );
    const [get, patch] = batchParts(response);
    expect(get?.status).toBe(200);
    expect(JSON.parse(get?.body ?? '{}')).toMatchObject({ name: 'Contoso rollout: 10 widgets and support' });
    expect(patch?.status).toBe(204);
  });

  it('fact: a change set succeeds as a whole and answers as a nested multipart, with Content-IDs', async () => {
    const response = await sendBatch([[writeInLine('cs-a', '1'), writeInLine('cs-b', '2')]]);
    expect(response.status).toBe(200);
    const parts = batchParts(response);
    expect(parts.map((part) => [part.changeSet, part.contentId, part.status])).toEqual([
      [1, '1', 204],
      [1, '2', 204],
    ]);
    expect(parts[0]?.headers['odata-entityid']).toMatch(/opportunityproducts\([0-9a-f-]{36}\)$/);
    expect(await linesNamed('cs-a')).toBe(1);
    expect(await linesNamed('cs-b')).toBe(1);
  });

  it('fact: a failing part rolls back its change set: earlier parts of that change set are undone', async () => {
    const failing: BatchOperation = {
      method: 'PATCH',
      url: `opportunityproducts(${IDS.writeInLine})`,
      body: { productdescription: 'x'.repeat(501) },
    };
    const response = await sendBatch(
      [
        [writeInLine('rolled-back-1', '1'), writeInLine('rolled-back-2', '2'), failing],
        writeInLine('after', '9'),
      ],
      { Prefer: 'odata.continue-on-error' },
    );
    expect(response.status).toBe(200);
    const parts = batchParts(response);
    // The change set answers with its failure alone (not nested), then the next operation runs.
    expect(parts.map((part) => [part.changeSet ?? null, part.status])).toEqual([
      [null, 400],
      [null, 204],
    ]);
    expect(JSON.parse(parts[0]?.body ?? '{}')).toMatchObject({ error: { code: '0x80044331' } });
    expect(await linesNamed('rolled-back-1')).toBe(0);
    expect(await linesNamed('rolled-back-2')).toBe(0);
    expect(await linesNamed('after')).toBe(1);
  });

  it('fact: without odata.continue-on-error the batch stops at the first failure and answers with its status', async () => {
    const response = await sendBatch([
      writeInLine('first'),
      { method: 'GET', url: `opportunities(0a1b0000-0000-4000-8000-00000000ffff)` },
      writeInLine('never'),
    ]);
    expect(response.status).toBe(404);
    const parts = batchParts(response);
    expect(parts.map((part) => part.status)).toEqual([204, 404]);
    expect(await linesNamed('first')).toBe(1);
    expect(await linesNamed('never')).toBe(0);
  });

  it('fact: with odata.continue-on-error every operation runs and the batch answers 200', async () => {
    const response = await sendBatch([{ method: 'GET', url: 'Bogus' }, writeInLine('continued')], {
      Prefer: 'odata.continue-on-error',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('preference-applied')).toBe('odata.continue-on-error');
    expect(batchParts(response).map((part) => part.status)).toEqual([404, 204]);
    expect(await linesNamed('continued')).toBe(1);
  });

  it('fact: $n refers to the record created by Content-ID n, in URLs and in @odata.bind', async () => {
    const response = await sendBatch([
      [
        {
          method: 'POST',
          url: `${API}opportunities`,
          contentId: '1',
          body: { name: 'Batch deal', 'pricelevelid@odata.bind': `/pricelevels(${IDS.priceList})` },
        },
        {
          method: 'POST',
          url: `${API}opportunityproducts`,
          contentId: '2',
          body: {
            'opportunityid@odata.bind': '$1',
            'productid@odata.bind': `/products(${IDS.widget})`,
            'uomid@odata.bind': `/uoms(${IDS.unit})`,
            quantity: 2,
          },
        },
        { method: 'PATCH', url: '$2', contentId: '3', body: { quantity: 3 } },
      ],
    ]);
    expect(batchParts(response).map((part) => part.status)).toEqual([204, 204, 204]);
    const deals = await client.request(
      "opportunities?$select=name,totallineitemamount&$filter=name eq 'Batch deal'&$expand=product_opportunities($select=quantity,baseamount)",
    );
    expect(rows(deals)[0]).toMatchObject({
      totallineitemamount: 75,
      product_opportunities: [{ quantity: 3, baseamount: 75 }],
    });
  });

  it('fact: referring to a Content-ID not declared before is a 400 ("does not exist in the batch context")', async () => {
    const response = await sendBatch([[{ method: 'PATCH', url: '$7', body: { quantity: 1 } }]]);
    expect(response.status).toBe(400);
    expect(JSON.parse(batchParts(response)[0]?.body ?? '{}')).toMatchObject({
      error: { message: "Content-ID Reference: '$7' does not exist in the batch context." },
    });
  });

  it('fact: a GET inside a change set is refused', async () => {
    const response = await sendBatch([[{ method: 'GET', url: 'opportunities' }]]);
    expect(response.status).toBe(400);
    expect(errorOf(response).message).toContain('cannot contain GET');
  });

  it('fact: a batch holds at most 1000 operations', async () => {
    const operations = Array.from({ length: 1001 }, (): BatchOperation => ({ method: 'GET', url: 'WhoAmI' }));
    const response = await sendBatch(operations);
    expect(response.status).toBe(400);
    expect(errorOf(response).message).toContain('1000');
  });

  it('fact: parts must be application/http with Content-Transfer-Encoding binary; the body is multipart/mixed with a boundary', async () => {
    const noBoundary = await client.request('$batch', {
      method: 'POST',
      body: 'x',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(noBoundary.status).toBe(400);
    const body = `--${BOUNDARY}\r\nContent-Type: application/http\r\n\r\nGET WhoAmI HTTP/1.1\r\n\r\n--${BOUNDARY}--\r\n`;
    const noEncoding = await client.request('$batch', {
      method: 'POST',
      body,
      headers: { 'Content-Type': `multipart/mixed; boundary=${BOUNDARY}` },
    });
    expect(noEncoding.status).toBe(400);
    expect(errorOf(noEncoding).message).toContain('Content-Transfer-Encoding');
  });

  it('fact: a part can carry its own If-Match and Prefer headers', async () => {
    const response = await sendBatch(
      [
        {
          method: 'PATCH',
          url: `opportunities(${IDS.opportunity})`,
          headers: { 'If-Match': 'W/"1"' },
          body: { name: 'x' },
        },
        {
          method: 'PATCH',
          url: `opportunities(${IDS.opportunity})?$select=name`,
          headers: { Prefer: 'return=representation' },
          body: { name: 'y' },
        },
      ],
      { Prefer: 'odata.continue-on-error' },
    );
    const [stale, represented] = batchParts(response);
    expect(stale?.status).toBe(412);
    expect(represented?.status).toBe(200);
    expect(JSON.parse(represented?.body ?? '{}')).toMatchObject({ name: 'y' });
  });
});
