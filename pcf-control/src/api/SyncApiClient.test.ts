/**
 * @jest-environment node
 */
// The client runs on fetch and Response alone: Node has both, jsdom has neither.
import { ApiError, SyncApiClient, type FetchLike } from './SyncApiClient';
import type { TokenProvider } from '../auth/TokenProvider';

const TOKENS: TokenProvider = {
  getToken: () => Promise.resolve('token-1'),
  signIn: () => Promise.resolve(),
  account: () => null,
};

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** A fetch that records what was sent and answers with the given status and body. */
function recordingFetch(status: number, body: string, contentType = 'application/json') {
  const sent: Sent[] = [];
  const fetchImpl: FetchLike = (url, init) => {
    sent.push({
      url,
      method: init.method ?? 'GET',
      headers: init.headers as Record<string, string>,
      body: typeof init.body === 'string' ? init.body : undefined,
    });
    return Promise.resolve(
      new Response(status === 204 ? null : body, { status, headers: { 'Content-Type': contentType } }),
    );
  };
  return { sent, client: new SyncApiClient('https://api.test', TOKENS, fetchImpl) };
}

const SETTINGS = {
  mainEntity: 'quote',
  productsEnabled: true,
  productSource: { entity: 'quotedetail', lookupAttribute: 'quoteid', relationship: 'quote_details' },
  mappings: [
    {
      dynamicsField: 'productdescription',
      oneflowField: 'name',
      direction: 'dynamics_to_oneflow',
      writeCondition: 'always',
      conflictPolicy: 'by_action',
    },
  ],
} as const;

const SAVED = JSON.stringify({
  settings: SETTINGS,
  etag: 'W/"2"',
  isDefault: false,
  updatedAt: '2026-11-24T10:00:03.000Z',
  updatedBy: 'Sam Admin',
});

describe('the API client', () => {
  it('saves settings with the etag it read as If-Match, and without one for settings never saved', async () => {
    const { sent, client } = recordingFetch(200, SAVED);
    const answer = await client.saveSettings(
      'quote',
      { ...SETTINGS, mappings: [...SETTINGS.mappings] },
      'W/"1"',
    );
    await client.saveSettings('quote', { ...SETTINGS, mappings: [...SETTINGS.mappings] }, null);
    expect(answer.etag).toBe('W/"2"');
    expect(sent[0]).toMatchObject({ url: 'https://api.test/api/settings/quote', method: 'PUT' });
    expect(sent[0]?.headers['If-Match']).toBe('W/"1"');
    expect(sent[0]?.headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(sent[0]?.body ?? 'null')).toEqual(SETTINGS);
    expect(sent[1]?.headers).not.toHaveProperty('If-Match');
  });

  it('resets with the etag and no body', async () => {
    const { sent, client } = recordingFetch(200, SAVED);
    await client.resetSettings('quote', 'W/"1"');
    expect(sent[0]).toMatchObject({ url: 'https://api.test/api/settings/quote/reset', method: 'POST' });
    expect(sent[0]?.headers['If-Match']).toBe('W/"1"');
    expect(sent[0]?.body).toBeUndefined();
  });

  it('previews the impact of settings: a POST of the settings without If-Match, the answer read whole', async () => {
    const impact = {
      entity: 'quote',
      plannedAt: '2026-11-24T10:00:17.000Z',
      contracts: { stored: 0, considered: 0, compared: 0, limit: 200, truncated: false },
      unreadable: [],
      transferProducts: null,
      sourceChange: null,
      mappings: [],
      fields: [],
      products: [],
      affected: false,
      headlines: ['No contract synced so far is affected.'],
    };
    const { sent, client } = recordingFetch(200, JSON.stringify(impact));
    expect(await client.settingsImpact('quote', { ...SETTINGS, mappings: [...SETTINGS.mappings] })).toEqual(
      impact,
    );
    expect(sent[0]).toMatchObject({ url: 'https://api.test/api/settings/quote/impact', method: 'POST' });
    expect(sent[0]?.headers['If-Match']).toBeUndefined();
    expect(JSON.parse(sent[0]?.body ?? 'null')).toEqual(SETTINGS);
  });

  it('turns a 412 into an ApiError with its code and words', async () => {
    const { client } = recordingFetch(
      412,
      JSON.stringify({
        error: { code: 'precondition_failed', message: 'changed by someone else', details: [] },
      }),
    );
    const failure = client.saveSettings('quote', { ...SETTINGS, mappings: [] }, 'W/"1"');
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await expect(failure).rejects.toMatchObject({ status: 412, code: 'precondition_failed' });
  });

  it('keeps the details of a 400 for the page to place on its cells', async () => {
    const details = [{ field: 'body.mappings.0.direction', message: 'Two-way is only available for …' }];
    const { client } = recordingFetch(
      400,
      JSON.stringify({ error: { code: 'bad_request', message: 'The settings are not valid', details } }),
    );
    await expect(client.saveSettings('quote', { ...SETTINGS, mappings: [] }, null)).rejects.toMatchObject({
      code: 'bad_request',
      details,
    });
  });

  it('builds the links query from the filter and the page, leaving out what is not given', async () => {
    const { sent, client } = recordingFetch(
      200,
      JSON.stringify({ links: [], continuationToken: null, total: 0 }),
    );
    await client.links({ contractId: 1001, q: '2c3d' }, { limit: 25, continuationToken: 'a+b/c=' });
    await client.links({});
    expect(sent[0]?.url).toBe(
      'https://api.test/api/links?contractId=1001&q=2c3d&limit=25&continuationToken=a%2Bb%2Fc%3D',
    );
    expect(sent[1]?.url).toBe('https://api.test/api/links');
  });

  it('lists activity by contract or by record, with an outcome', async () => {
    const { sent, client } = recordingFetch(
      200,
      JSON.stringify({ entries: [], continuationToken: null, total: 0 }),
    );
    await client.activity({ contractId: 1001 }, { outcome: 'failed', limit: 50 });
    await client.activity({ recordId: '7c5c3b4e-9f1a-4e2b-8c3d-5e6f7a8b9c0d' });
    expect(sent[0]?.url).toBe('https://api.test/api/activity?contractId=1001&outcome=failed&limit=50');
    expect(sent[1]?.url).toBe(
      'https://api.test/api/activity?recordId=7c5c3b4e-9f1a-4e2b-8c3d-5e6f7a8b9c0d&limit=20',
    );
  });

  it('deletes a link on a 204 with no body', async () => {
    const { sent, client } = recordingFetch(204, '');
    await expect(client.deleteLink(1001, '2c3d0000-0000-4000-8000-000000000003')).resolves.toBeUndefined();
    expect(sent[0]).toMatchObject({
      url: 'https://api.test/api/links/1001/2c3d0000-0000-4000-8000-000000000003',
      method: 'DELETE',
    });
  });

  it('downloads the CSV with the bearer token, and reads an error answer as an error', async () => {
    const csv = 'contractId,lineId,productId,state,syncedAt,base\n';
    const { sent, client } = recordingFetch(200, csv, 'text/csv; charset=utf-8');
    const file = await client.linksCsv({ contractId: 1001 });
    expect(await file.text()).toBe(csv);
    expect(sent[0]?.url).toBe('https://api.test/api/links/export.csv?contractId=1001');
    expect(sent[0]?.headers.Authorization).toBe('Bearer token-1');
    expect(sent[0]?.headers.Accept).toContain('text/csv');

    const refused = recordingFetch(
      400,
      JSON.stringify({
        error: { code: 'bad_request', message: 'bad', details: [{ field: 'query.q', message: 'x' }] },
      }),
    );
    await expect(refused.client.linksCsv({ q: '' })).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('says an answer that does not match the schema is unreadable, naming the field', async () => {
    const { client } = recordingFetch(200, JSON.stringify({ entities: [{ logicalName: 3 }] }));
    await expect(client.mainEntities()).rejects.toMatchObject({
      code: 'unreadable_answer',
      details: expect.arrayContaining([
        expect.objectContaining({ field: 'entities.0.logicalName' }),
      ]) as unknown,
    });
  });
});
