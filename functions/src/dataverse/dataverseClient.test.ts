import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { z } from 'zod';
import { parseMultipart } from './batch';
import { createDataverseClient, odataPath, type DataverseClientOptions } from './dataverseClient';
import {
  DataverseClientError,
  DataverseForbiddenError,
  DataverseInvalidResponseError,
  DataverseNetworkError,
  DataverseNotFoundError,
  DataversePreconditionFailedError,
  DataverseServerError,
  DataverseThrottledError,
  DataverseValidationError,
  isDataverseError,
  type DataverseError,
} from './errors';

/**
 * Edge shapes the simulator does not produce, answered by msw: Retry-After as an HTTP date or missing, malformed
 * bodies, a $batch answer with another boundary, dropped connections.
 */

const ENV = 'https://contoso.crm4.dynamics.com';
const ROOT = `${ENV}/api/data/v9.2/`;
const TOKEN = 'eyJ0eXAiOiJKV1QifQ.eyJvaWQiOiJ0ZXN0In0.secret-token-signature';
const USER = 'aad00000-0000-4000-8000-000000000002';
const LINE_1 = '2c3d0000-0000-4000-8000-000000000001';
const LINE_2 = '2c3d0000-0000-4000-8000-000000000002';
const NOW = Date.parse('2026-03-02T10:00:00Z');

const server = setupServer();
beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
});
afterEach(() => {
  server.resetHandlers();
});
afterAll(() => {
  server.close();
});

interface Seen {
  method: string;
  url: string;
  headers: Headers;
  body: string;
}

/** Answers each request with the next of `answers` (the last one repeats); records what was sent. */
function answerInTurn(answers: (() => Response)[]): Seen[] {
  const seen: Seen[] = [];
  server.use(
    http.all(/^https:\/\/contoso\.crm4\.dynamics\.com\//, async ({ request }) => {
      seen.push({
        method: request.method,
        url: request.url,
        headers: request.headers,
        body: await request.text(),
      });
      const answer = answers[Math.min(seen.length, answers.length) - 1];
      if (!answer) throw new Error('no answer configured');
      return answer();
    }),
  );
  return seen;
}

function clientFor(overrides: Partial<DataverseClientOptions> = {}) {
  const delays: number[] = [];
  const client = createDataverseClient({
    environmentUrl: `${ENV}/`,
    getAccessToken: async () => TOKEN,
    random: () => 0.5,
    retry: { baseDelayMs: 100, maxDelayMs: 1000 },
    now: () => NOW,
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...overrides,
  });
  return { client, delays };
}

const dataverseError = (
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
) => HttpResponse.json({ error: { code, message } }, { status, headers });

const Opportunity = z.object({ opportunityid: z.string(), name: z.string() });
const opportunity = () => HttpResponse.json({ opportunityid: 'o1', name: 'Contoso rollout' });

async function failure(promise: Promise<unknown>): Promise<DataverseError> {
  const error: unknown = await promise.then(
    () => new Error('expected a rejection'),
    (caught: unknown) => caught,
  );
  if (isDataverseError(error)) return error;
  throw error;
}

function expectNoToken(error: DataverseError): void {
  const cause =
    error.cause instanceof Error ? `${error.cause.message} ${error.cause.stack ?? ''}` : String(error.cause);
  for (const text of [error.message, error.stack ?? '', JSON.stringify(error), cause])
    expect(text).not.toContain(TOKEN);
}

const CRLF = '\r\n';

/** A $batch answer whose change set succeeded: one 200 part per operation, with its ETag. */
function changeSetAnswer(
  batch: string,
  changeSet: string,
  etags: string[],
  headerBoundary = batch,
): Response {
  const parts = etags
    .map(
      (etag, index) =>
        `--${changeSet}${CRLF}Content-Type: application/http${CRLF}Content-Transfer-Encoding: binary${CRLF}Content-ID: ${index + 1}${CRLF}${CRLF}` +
        `HTTP/1.1 200 OK${CRLF}Content-Type: application/json; odata.metadata=minimal${CRLF}ETag: ${etag}${CRLF}OData-EntityId: ${ROOT}opportunityproducts(${index === 0 ? LINE_1 : LINE_2})${CRLF}${CRLF}` +
        `{"@odata.etag":"${etag.replace(/"/g, '\\"')}"}${CRLF}`,
    )
    .join('');
  const body = `--${batch}${CRLF}Content-Type: multipart/mixed; boundary=${changeSet}${CRLF}${CRLF}${parts}--${changeSet}--${CRLF}--${batch}--${CRLF}`;
  return new HttpResponse(body, {
    status: 200,
    headers: { 'Content-Type': `multipart/mixed; boundary=${headerBoundary}`, 'OData-Version': '4.0' },
  });
}

const twoLineUpdate = [
  {
    method: 'PATCH' as const,
    path: `opportunityproducts(${LINE_1})`,
    body: { quantity: 2 },
    ifMatch: 'W/"11"',
    returnRepresentation: true,
  },
  {
    method: 'PATCH' as const,
    path: `opportunityproducts(${LINE_2})`,
    body: { quantity: 3 },
    ifMatch: 'W/"12"',
    returnRepresentation: true,
  },
];

describe('Dataverse client: requests', () => {
  it('sends the OData headers, the bearer token, CallerObjectId and include-annotations on reads', async () => {
    const seen = answerInTurn([opportunity]);
    const { client } = clientFor();
    const record = await client.get(
      odataPath('opportunities(o1)', { $select: 'name,estimatedvalue' }),
      Opportunity,
      {
        callerObjectId: USER,
      },
    );
    expect(record).toEqual({ opportunityid: 'o1', name: 'Contoso rollout' });
    expect(seen[0]?.url).toBe(`${ROOT}opportunities(o1)?$select=name%2Cestimatedvalue`);
    expect(Object.fromEntries(seen[0]?.headers ?? [])).toMatchObject({
      accept: 'application/json',
      'odata-maxversion': '4.0',
      'odata-version': '4.0',
      authorization: `Bearer ${TOKEN}`,
      callerobjectid: USER,
      prefer: 'odata.include-annotations="*"',
    });
  });

  it('without a caller, no CallerObjectId header (the application user itself)', async () => {
    const seen = answerInTurn([opportunity]);
    await clientFor().client.get('opportunities(o1)', Opportunity);
    expect(seen[0]?.headers.has('callerobjectid')).toBe(false);
  });

  it('refuses a CallerObjectId that is not a GUID (it goes into headers and batch bodies)', async () => {
    const seen = answerInTurn([opportunity]);
    await expect(
      clientFor().client.get('opportunities(o1)', Opportunity, { callerObjectId: 'x\r\nInjected: 1' }),
    ).rejects.toThrow(/GUID/);
    expect(seen).toHaveLength(0);
  });

  it('getAll asks for 500-row pages and follows @odata.nextLink as is', async () => {
    const nextLink = `${ROOT}opportunityproducts?$select=quantity&$skiptoken=%3Ccookie%20pagenumber=%222%22/%3E`;
    const seen = answerInTurn([
      () => HttpResponse.json({ value: [{ quantity: 1 }, { quantity: 2 }], '@odata.nextLink': nextLink }),
      () => HttpResponse.json({ value: [{ quantity: 3 }] }),
    ]);
    const rows = await clientFor().client.getAll(
      'opportunityproducts?$select=quantity',
      z.object({ quantity: z.number() }),
    );
    expect(rows.map((row) => row.quantity)).toEqual([1, 2, 3]);
    expect(seen.map((request) => request.url)).toEqual([
      `${ROOT}opportunityproducts?$select=quantity`,
      nextLink,
    ]);
    expect(seen[1]?.headers.get('prefer')).toBe('odata.include-annotations="*",odata.maxpagesize=500');
  });

  it('patch sends If-Match and return=representation, and returns the new ETag', async () => {
    const seen = answerInTurn([
      () => HttpResponse.json({ '@odata.etag': 'W/"13"', quantity: 5 }, { headers: { ETag: 'W/"13"' } }),
    ]);
    const result = await clientFor().client.patch(
      `opportunityproducts(${LINE_1})`,
      { quantity: 5 },
      { ifMatch: 'W/"12"' },
    );
    expect(result).toEqual({ etag: 'W/"13"' });
    expect(seen[0]?.method).toBe('PATCH');
    expect(seen[0]?.headers.get('if-match')).toBe('W/"12"');
    expect(seen[0]?.headers.get('prefer')).toBe('return=representation');
    expect(seen[0]?.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ quantity: 5 });
  });
});

describe('Dataverse client: retries', () => {
  it('429 with Retry-After as an HTTP date waits until that date, exactly', async () => {
    const at = new Date(NOW + 7000).toUTCString();
    const seen = answerInTurn([
      () =>
        dataverseError(429, '0x80072322', 'Number of requests exceeded the limit.', { 'Retry-After': at }),
      opportunity,
    ]);
    const { client, delays } = clientFor();
    await expect(client.get('opportunities(o1)', Opportunity)).resolves.toMatchObject({
      name: 'Contoso rollout',
    });
    expect(delays).toEqual([7000]);
    expect(seen).toHaveLength(2);
  });

  it('429 with Retry-After in seconds waits exactly that long, not the (shorter) jittered backoff', async () => {
    answerInTurn([
      () => dataverseError(429, '0x80072321', 'Combined execution time exceeded.', { 'Retry-After': '3' }),
      opportunity,
    ]);
    const { client, delays } = clientFor();
    await client.get('opportunities(o1)', Opportunity);
    expect(delays).toEqual([3000]);
  });

  it('429 without Retry-After (or an unreadable one) falls back to capped exponential backoff with full jitter', async () => {
    answerInTurn([
      () => dataverseError(429, '0x80072322', 'Too many.'),
      () => dataverseError(429, '0x80072322', 'Too many.', { 'Retry-After': 'soon' }),
      opportunity,
    ]);
    const { client, delays } = clientFor();
    await client.get('opportunities(o1)', Opportunity);
    expect(delays).toEqual([50, 100]); // 0.5 × 100, 0.5 × 200
  });

  it('429 on every attempt: a throttled error carrying Retry-After and the attempts', async () => {
    answerInTurn([
      () => dataverseError(429, '0x80072326', 'Concurrent requests exceeded.', { 'Retry-After': '2' }),
    ]);
    const { client, delays } = clientFor({ maxAttempts: 3 });
    const error = await failure(client.get('opportunities(o1)', Opportunity));
    expect(error).toBeInstanceOf(DataverseThrottledError);
    expect(error).toMatchObject({ attempts: 3, retryAfterMs: 2000, errorCode: '0x80072326' });
    expect(error.userMessage).toBe('Dynamics is busy (service protection limit). Try again in 2 s.');
    expect(delays).toEqual([2000, 2000]);
  });

  it('a 503 with Retry-After waits for it too', async () => {
    answerInTurn([
      () => dataverseError(503, '0x80040216', 'Unavailable.', { 'Retry-After': '4' }),
      opportunity,
    ]);
    const { client, delays } = clientFor();
    await client.get('opportunities(o1)', Opportunity);
    expect(delays).toEqual([4000]);
  });

  it('5xx with a non-JSON body: retried, then a server error without code', async () => {
    answerInTurn([
      () =>
        new HttpResponse('<html>Bad gateway</html>', {
          status: 502,
          headers: { 'Content-Type': 'text/html' },
        }),
    ]);
    const { client, delays } = clientFor({ maxAttempts: 2 });
    const error = await failure(client.get('opportunities(o1)', Opportunity));
    expect(error).toBeInstanceOf(DataverseServerError);
    expect(error).toMatchObject({ status: 502, errorCode: null, attempts: 2 });
    expect(delays).toEqual([50]);
  });

  it('a dropped connection is retried, then reported as a network error without the token', async () => {
    const seen = answerInTurn([() => HttpResponse.error()]);
    const { client, delays } = clientFor({ maxAttempts: 3 });
    const error = await failure(client.get('opportunities(o1)', Opportunity));
    expect(error).toBeInstanceOf(DataverseNetworkError);
    expect(error).toMatchObject({ status: null, attempts: 3, kind: 'network' });
    expect(seen).toHaveLength(3);
    expect(delays).toEqual([50, 100]);
    expectNoToken(error);
  });

  it('a dropped connection then a success: one retry', async () => {
    answerInTurn([() => HttpResponse.error(), opportunity]);
    const { client, delays } = clientFor();
    await expect(client.get('opportunities(o1)', Opportunity)).resolves.toBeDefined();
    expect(delays).toEqual([50]);
  });

  it.each([
    [400, '0x80044331', 'A validation error occurred.', DataverseValidationError],
    [
      403,
      '0x80040220',
      "Principal user (Id=6a00…, type=8) is missing prvReadOpportunity privilege (Id=…) on OTC=3 for entity 'opportunity'.",
      DataverseForbiddenError,
    ],
    [404, '0x80040217', 'opportunity With Id = o1 Does Not Exist', DataverseNotFoundError],
    [409, '0x80040237', 'Cannot insert duplicate key.', DataverseClientError],
  ] as const)(
    '%i is final (no retry), typed, with Dataverse’s code and message',
    async (status, code, message, type) => {
      const seen = answerInTurn([() => dataverseError(status, code, message)]);
      const { client, delays } = clientFor();
      const error = await failure(client.get('opportunities(o1)', Opportunity));
      expect(error).toBeInstanceOf(type);
      expect(error).toMatchObject({ status, errorCode: code, detail: message, attempts: 1 });
      expect(seen).toHaveLength(1);
      expect(delays).toEqual([]);
      expectNoToken(error);
    },
  );

  it('403 names the missing privilege for the sales rep', async () => {
    answerInTurn([
      () =>
        dataverseError(
          403,
          '0x80040220',
          "Principal user (Id=6a000000-0000-4000-8000-000000000003, type=8, roleCount=1, privilegeCount=4, accessMode=0), is missing prvWriteQuote privilege (Id=…) on OTC=1084 for entity 'quote'. context.Caller=…",
        ),
    ]);
    const error = await failure(clientFor().client.get('quotes(q1)', Opportunity, { callerObjectId: USER }));
    expect(error.userMessage).toBe(
      'You are missing the prvWriteQuote privilege on quote in Dynamics. Ask your Dynamics administrator for a security role that grants it.',
    );
    expect(error.message).toContain('0x80040220');
  });

  it('412 on a PATCH is a precondition error, not retried', async () => {
    answerInTurn([
      () =>
        dataverseError(
          412,
          '0x80060882',
          "The version of the existing record doesn't match the RowVersion property provided.",
        ),
    ]);
    const { client, delays } = clientFor();
    const error = await failure(
      client.patch(`opportunityproducts(${LINE_1})`, { quantity: 1 }, { ifMatch: 'W/"1"' }),
    );
    expect(error).toBeInstanceOf(DataversePreconditionFailedError);
    expect(delays).toEqual([]);
  });

  it('a dropped PATCH then 412: the error says the first attempt may have written the change', async () => {
    answerInTurn([
      () => HttpResponse.error(),
      () => dataverseError(412, '0x80060882', 'RowVersion mismatch.'),
    ]);
    const error = await failure(
      clientFor().client.patch(`opportunityproducts(${LINE_1})`, { quantity: 1 }, { ifMatch: 'W/"1"' }),
    );
    expect(error).toBeInstanceOf(DataversePreconditionFailedError);
    expect(error.detail).toContain('may have written the change');
    expect(error.attempts).toBe(2);
  });
});

describe('Dataverse client: malformed answers', () => {
  it('malformed JSON in a 200 is invalid_response, not retried', async () => {
    const seen = answerInTurn([
      () =>
        new HttpResponse('{"opportunityid": "o1", "name": ', {
          status: 200,
          headers: { 'Content-Type': 'application/json' },
        }),
    ]);
    const error = await failure(clientFor().client.get('opportunities(o1)', Opportunity));
    expect(error).toBeInstanceOf(DataverseInvalidResponseError);
    expect(error.detail).toBe('The answer is not valid JSON.');
    expect(seen).toHaveLength(1);
    expectNoToken(error);
  });

  it('a body of the wrong shape is invalid_response with the zod error as cause', async () => {
    answerInTurn([() => HttpResponse.json({ opportunityid: 7 })]);
    const error = await failure(clientFor().client.get('opportunities(o1)', Opportunity));
    expect(error).toBeInstanceOf(DataverseInvalidResponseError);
    expect(error.cause).toBeInstanceOf(z.ZodError);
  });
});

describe('Dataverse client: $batch change sets', () => {
  it('writes one change set as real multipart/mixed and reads each operation’s status and ETag', async () => {
    const seen = answerInTurn([
      () => changeSetAnswer('batchresponse_1', 'changesetresponse_1', ['W/"21"', 'W/"22"']),
    ]);
    const results = await clientFor().client.batchChangeSet(twoLineUpdate, { callerObjectId: USER });
    expect(results).toEqual([
      {
        status: 200,
        etag: 'W/"21"',
        entityId: `${ROOT}opportunityproducts(${LINE_1})`,
        body: { '@odata.etag': 'W/"21"' },
      },
      {
        status: 200,
        etag: 'W/"22"',
        entityId: `${ROOT}opportunityproducts(${LINE_2})`,
        body: { '@odata.etag': 'W/"22"' },
      },
    ]);
    const request = seen[0];
    expect(request?.url).toBe(`${ROOT}$batch`);
    expect(request?.headers.get('callerobjectid')).toBe(USER);
    const boundary = /boundary=(batch_[0-9a-f-]{36})$/.exec(request?.headers.get('content-type') ?? '')?.[1];
    expect(boundary).toBeDefined();
    const [changeSet, ...others] = parseMultipart(request?.body ?? '', boundary ?? '');
    expect(others).toEqual([]);
    const inner = /boundary=(changeset_[0-9a-f-]{36})$/.exec(changeSet?.headers['content-type'] ?? '')?.[1];
    const operations = parseMultipart(changeSet?.body ?? '', inner ?? '');
    expect(operations).toHaveLength(2);
    expect(operations[1]?.headers).toEqual({
      'content-type': 'application/http',
      'content-transfer-encoding': 'binary',
      'content-id': '2',
    });
    expect(operations[1]?.body.split(CRLF)).toEqual([
      `PATCH ${ROOT}opportunityproducts(${LINE_2}) HTTP/1.1`,
      'Content-Type: application/json; charset=utf-8',
      'If-Match: W/"12"',
      'Prefer: return=representation',
      `CallerObjectId: ${USER}`,
      '',
      '{"quantity":3}',
    ]);
    expect(request?.body).toContain(CRLF);
    expect(request?.body).not.toMatch(/[^\r]\n/);
  });

  it('a failed change set answers with the failing operation: its status, code, message and index', async () => {
    const body =
      `--batchresponse_9${CRLF}Content-Type: application/http${CRLF}Content-Transfer-Encoding: binary${CRLF}Content-ID: 2${CRLF}${CRLF}` +
      `HTTP/1.1 412 Precondition Failed${CRLF}Content-Type: application/json; odata.metadata=minimal${CRLF}${CRLF}` +
      `{"error":{"code":"0x80060882","message":"The version of the existing record doesn't match the RowVersion property provided."}}${CRLF}` +
      `--batchresponse_9--${CRLF}`;
    const seen = answerInTurn([
      () =>
        new HttpResponse(body, {
          status: 412,
          headers: { 'Content-Type': 'multipart/mixed; boundary=batchresponse_9' },
        }),
    ]);
    const { client, delays } = clientFor();
    const error = await failure(client.batchChangeSet(twoLineUpdate));
    expect(error).toBeInstanceOf(DataversePreconditionFailedError);
    expect(error).toMatchObject({ status: 412, errorCode: '0x80060882', operationIndex: 1, attempts: 1 });
    expect(seen).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it('a failing operation inside a 200 change-set answer is an error too', async () => {
    const body =
      `--b${CRLF}Content-Type: multipart/mixed; boundary=c${CRLF}${CRLF}` +
      `--c${CRLF}Content-Type: application/http${CRLF}Content-Transfer-Encoding: binary${CRLF}Content-ID: 1${CRLF}${CRLF}HTTP/1.1 204 No Content${CRLF}${CRLF}${CRLF}` +
      `--c${CRLF}Content-Type: application/http${CRLF}Content-Transfer-Encoding: binary${CRLF}Content-ID: 2${CRLF}${CRLF}HTTP/1.1 400 Bad Request${CRLF}Content-Type: application/json${CRLF}${CRLF}{"error":{"code":"0x80044331","message":"quantity is out of range."}}${CRLF}` +
      `--c--${CRLF}--b--${CRLF}`;
    answerInTurn([
      () =>
        new HttpResponse(body, { status: 200, headers: { 'Content-Type': 'multipart/mixed; boundary="b"' } }),
    ]);
    const error = await failure(clientFor().client.batchChangeSet(twoLineUpdate));
    expect(error).toBeInstanceOf(DataverseValidationError);
    expect(error).toMatchObject({ operationIndex: 1, detail: 'quantity is out of range.' });
  });

  it('an answer whose body uses another boundary than its Content-Type says is invalid_response, not retried', async () => {
    const seen = answerInTurn([
      () => changeSetAnswer('batchresponse_A', 'changesetresponse_A', ['W/"1"', 'W/"2"'], 'batchresponse_B'),
    ]);
    const error = await failure(clientFor().client.batchChangeSet(twoLineUpdate));
    expect(error).toBeInstanceOf(DataverseInvalidResponseError);
    expect(error.detail).toContain("boundary 'batchresponse_B'");
    expect(seen).toHaveLength(1);
  });

  it('an answer with fewer operations than were sent is invalid_response', async () => {
    answerInTurn([() => changeSetAnswer('b', 'c', ['W/"1"'])]);
    const error = await failure(clientFor().client.batchChangeSet(twoLineUpdate));
    expect(error).toBeInstanceOf(DataverseInvalidResponseError);
    expect(error.detail).toContain('Expected one change set answer with 2 operations');
  });

  it('a $batch answered with JSON 200 is invalid_response', async () => {
    answerInTurn([() => HttpResponse.json({ value: [] })]);
    const error = await failure(clientFor().client.batchChangeSet(twoLineUpdate));
    expect(error).toBeInstanceOf(DataverseInvalidResponseError);
  });

  it('a whole-batch 429 (JSON) is retried after Retry-After, then the change set succeeds', async () => {
    answerInTurn([
      () => dataverseError(429, '0x80072322', 'Too many.', { 'Retry-After': '5' }),
      () => changeSetAnswer('b', 'c', ['W/"1"', 'W/"2"']),
    ]);
    const { client, delays } = clientFor();
    await expect(client.batchChangeSet(twoLineUpdate)).resolves.toHaveLength(2);
    expect(delays).toEqual([5000]);
  });

  it('more than 1000 operations are refused before sending', async () => {
    const seen = answerInTurn([opportunity]);
    const operations = Array.from({ length: 1001 }, () => ({
      method: 'DELETE' as const,
      path: `opportunityproducts(${LINE_1})`,
    }));
    const error = await failure(clientFor().client.batchChangeSet(operations));
    expect(error).toBeInstanceOf(DataverseValidationError);
    expect(seen).toHaveLength(0);
  });

  it('an empty change set sends nothing', async () => {
    const seen = answerInTurn([opportunity]);
    await expect(clientFor().client.batchChangeSet([])).resolves.toEqual([]);
    expect(seen).toHaveLength(0);
  });
});
