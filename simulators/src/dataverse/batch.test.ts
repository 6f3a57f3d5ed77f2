import {
  boundaryOf,
  MAX_BATCH_OPERATIONS,
  parseBatch,
  parseHttpMessage,
  parseMultipart,
  writeBatchResponse,
} from './batch';
import { thrown } from './testSupport';

const CRLF = '\r\n';

function lines(...parts: string[]): string {
  return parts.join(CRLF);
}

const BATCH = lines(
  '--batch_AAA123',
  'Content-Type: multipart/mixed; boundary=changeset_BBB456',
  '',
  '--changeset_BBB456',
  'Content-Type: application/http',
  'Content-Transfer-Encoding: binary',
  'Content-ID: 1',
  '',
  'POST /api/data/v9.2/opportunityproducts HTTP/1.1',
  'Content-Type: application/json; type=entry',
  '',
  '{"quantity":2}',
  '--changeset_BBB456',
  'Content-Type: application/http',
  'Content-Transfer-Encoding: binary',
  'Content-ID: 2',
  '',
  'PATCH $1 HTTP/1.1',
  'Content-Type: application/json',
  'If-Match: *',
  '',
  '{"quantity":3}',
  '--changeset_BBB456--',
  '--batch_AAA123',
  'Content-Type: application/http',
  'Content-Transfer-Encoding: binary',
  '',
  'GET opportunityproducts?$select=quantity HTTP/1.1',
  'Accept: application/json',
  '',
  '',
  '--batch_AAA123--',
  '',
);

function part(request: string): string {
  return lines('--b', 'Content-Type: application/http', 'Content-Transfer-Encoding: binary', '', request, '');
}

describe('batch multipart', () => {
  it('reads the boundary from the Content-Type, quoted or not', () => {
    expect(boundaryOf('multipart/mixed; boundary=batch_1')).toBe('batch_1');
    expect(boundaryOf('multipart/mixed;boundary="batch_2"')).toBe('batch_2');
    expect(thrown(() => boundaryOf('application/json')).status).toBe(400);
  });

  it('parses change sets, Content-IDs, request lines, part headers and bodies', () => {
    const items = parseBatch(BATCH, 'batch_AAA123');
    expect(items).toHaveLength(2);
    const [changeSet, get] = items;
    if (changeSet?.kind !== 'changeset' || get?.kind !== 'request') throw new Error('unexpected shape');
    expect(changeSet.requests.map((request) => [request.contentId, request.method, request.url])).toEqual([
      ['1', 'POST', '/api/data/v9.2/opportunityproducts'],
      ['2', 'PATCH', '$1'],
    ]);
    expect(changeSet.requests[0]?.body).toBe('{"quantity":2}');
    expect(changeSet.requests[1]?.headers['if-match']).toBe('*');
    expect(get.request.url).toBe('opportunityproducts?$select=quantity');
    expect(get.request.body).toBe('');
  });

  it('does not mistake a longer boundary that starts with the same text for a delimiter', () => {
    const text = lines('--b', 'X: 1', '', 'body --bb not a delimiter', '--b--');
    expect(parseMultipart(text, 'b')).toEqual([{ headers: { x: '1' }, body: 'body --bb not a delimiter' }]);
  });

  it('tolerates bare LF line ends when reading', () => {
    const text = [
      '--b',
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      '',
      'GET x HTTP/1.1',
      '',
      '--b--',
    ].join('\n');
    const [item] = parseBatch(text, 'b');
    expect(item?.kind === 'request' && item.request.url).toBe('x');
  });

  it('requires application/http parts with Content-Transfer-Encoding binary', () => {
    const missingEncoding = lines('--b', 'Content-Type: application/http', '', 'GET x HTTP/1.1', '', '--b--');
    expect(thrown(() => parseBatch(missingEncoding, 'b')).message).toContain('Content-Transfer-Encoding');
    const wrongType = lines('--b', 'Content-Type: application/json', '', '{}', '--b--');
    expect(thrown(() => parseBatch(wrongType, 'b')).message).toContain('application/http');
  });

  it('refuses a body without its close delimiter or a malformed request line', () => {
    expect(thrown(() => parseBatch(lines('--b', 'Content-Type: application/http', ''), 'b')).status).toBe(
      400,
    );
    expect(thrown(() => parseBatch(part('GET') + '--b--', 'b')).message).toContain('request line');
  });

  it('reads the URL between the first and the last space of a request line, as OData does (spaces left in query options)', () => {
    const [item] = parseBatch(
      part('GET opportunities?$orderby=name asc,createdon desc HTTP/1.1') + '--b--',
      'b',
    );
    expect(item?.kind === 'request' && [item.request.method, item.request.url]).toEqual([
      'GET',
      'opportunities?$orderby=name asc,createdon desc',
    ]);
    expect(thrown(() => parseBatch(part('GET opportunities') + '--b--', 'b')).message).toContain(
      'request line',
    );
    expect(thrown(() => parseBatch(part('GET  HTTP/1.1') + '--b--', 'b')).message).toContain('request line');
  });

  it(`refuses more than ${MAX_BATCH_OPERATIONS} operations`, () => {
    const body = part('GET x HTTP/1.1').repeat(MAX_BATCH_OPERATIONS + 1) + '--b--';
    expect(thrown(() => parseBatch(body, 'b')).message).toContain('1000');
    expect(parseBatch(part('GET x HTTP/1.1').repeat(MAX_BATCH_OPERATIONS) + '--b--', 'b')).toHaveLength(1000);
  });

  it('writes responses as multipart with status lines, and change sets nested', () => {
    const text = writeBatchResponse(
      [
        {
          kind: 'changeset',
          responses: [{ status: 204, headers: { 'OData-Version': '4.0' }, contentId: '1' }],
        },
        {
          kind: 'response',
          response: { status: 200, headers: { 'Content-Type': 'application/json' }, body: '{}' },
        },
      ],
      'batchresponse_x',
    );
    expect(text.endsWith('--batchresponse_x--\r\n')).toBe(true);
    const parts = parseMultipart(text, 'batchresponse_x');
    expect(parts).toHaveLength(2);
    const nested = parseMultipart(parts[0]?.body ?? '', boundaryOf(parts[0]?.headers['content-type']));
    expect(nested[0]?.headers['content-id']).toBe('1');
    expect(parseHttpMessage(nested[0]?.body ?? '').startLine).toBe('HTTP/1.1 204 No Content');
    const second = parseHttpMessage(parts[1]?.body ?? '');
    expect(second.startLine).toBe('HTTP/1.1 200 OK');
    expect(second.body).toBe('{}');
  });
});
