import { BatchFormatError, boundaryOf, parseBatchResponse, writeChangeSetBatch } from './batch';

const ROOT = 'https://contoso.crm4.dynamics.com/api/data/v9.2/';

describe('$batch wire format', () => {
  it('writes one change set: nested multipart, application/http parts, Content-IDs, CRLF line ends', () => {
    const body = writeChangeSetBatch(
      [
        {
          method: 'PATCH',
          path: 'opportunityproducts(1)',
          body: { quantity: 2 },
          ifMatch: 'W/"7"',
          returnRepresentation: true,
        },
        { method: 'DELETE', path: 'opportunityproducts(2)' },
      ],
      {
        serviceRoot: ROOT,
        batchBoundary: 'batch_x',
        changeSetBoundary: 'changeset_y',
        callerObjectId: 'aad0',
      },
    );
    expect(body.split('\r\n')).toEqual([
      '--batch_x',
      'Content-Type: multipart/mixed; boundary=changeset_y',
      '',
      '--changeset_y',
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      'Content-ID: 1',
      '',
      `PATCH ${ROOT}opportunityproducts(1) HTTP/1.1`,
      'Content-Type: application/json; charset=utf-8',
      'If-Match: W/"7"',
      'Prefer: return=representation',
      'CallerObjectId: aad0',
      '',
      '{"quantity":2}',
      '--changeset_y',
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      'Content-ID: 2',
      '',
      `DELETE ${ROOT}opportunityproducts(2) HTTP/1.1`,
      'CallerObjectId: aad0',
      '',
      '',
      '--changeset_y--',
      '--batch_x--',
      '',
    ]);
  });

  it.each([
    ['multipart/mixed; boundary=batchresponse_1', 'batchresponse_1'],
    ['multipart/mixed;boundary="a b"', 'a b'],
    ['multipart/mixed; charset=utf-8; boundary=x', 'x'],
    ['application/json', null],
    [undefined, null],
  ])('reads the boundary of %j', (contentType, boundary) => {
    expect(boundaryOf(contentType)).toBe(boundary);
  });

  it('reads a change set answer with bare LF line ends and a preamble', () => {
    const text = [
      'preamble',
      '--b',
      'Content-Type: multipart/mixed; boundary=c',
      '',
      '--c',
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      'Content-ID: 1',
      '',
      'HTTP/1.1 204 No Content',
      'ETag: W/"9"',
      'OData-EntityId: x',
      '',
      '',
      '--c--',
      '--b--',
      '',
    ].join('\n');
    expect(parseBatchResponse('multipart/mixed; boundary=b', text)).toEqual([
      {
        kind: 'changeset',
        responses: [
          { status: 204, headers: { etag: 'W/"9"', 'odata-entityid': 'x' }, body: '', contentId: '1' },
        ],
      },
    ]);
  });

  it.each([
    [
      'no boundary in the body',
      'multipart/mixed; boundary=b',
      '--other\r\n\r\n--other--\r\n',
      /does not contain its boundary 'b'/,
    ],
    [
      'no close delimiter',
      'multipart/mixed; boundary=b',
      '--b\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 204 No Content\r\n',
      /close delimiter/,
    ],
    ['not multipart', 'application/json', '{}', /not multipart\/mixed/],
    [
      'a part that is not application/http',
      'multipart/mixed; boundary=b',
      '--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--',
      /not application\/http/,
    ],
    [
      'a bad status line',
      'multipart/mixed; boundary=b',
      '--b\r\nContent-Type: application/http\r\n\r\nOK\r\n--b--',
      /status line/,
    ],
  ])('refuses %s', (_case, contentType, text, message) => {
    expect(() => parseBatchResponse(contentType, text)).toThrow(BatchFormatError);
    expect(() => parseBatchResponse(contentType, text)).toThrow(message);
  });
});
