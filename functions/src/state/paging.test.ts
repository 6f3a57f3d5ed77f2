import { decodeToken, encodeToken, InvalidContinuationTokenError, listingOf, START } from './paging';

/** The table service's own token, as the SDK encodes it: base64 of its next keys. */
const tableToken = Buffer.from(
  JSON.stringify({ nextPartitionKey: '1!8!dGVzdA--', nextRowKey: '1!4!YQ--' }),
).toString('base64');
const contoso = listingOf('links', 'contoso', 1001, '');

describe('continuation tokens', () => {
  it('round-trip a table token and a segment within the listing that handed them out', () => {
    const position = { tableToken, segment: 1 };
    expect(decodeToken(encodeToken(position, contoso), contoso, 2)).toEqual(position);
    expect(decodeToken(encodeToken({ tableToken: undefined, segment: 1 }, contoso), contoso, 2)).toEqual({
      tableToken: undefined,
      segment: 1,
    });
    expect(decodeToken(undefined, contoso)).toBe(START);
  });

  it('are base64url, so they travel in a query string as they are', () => {
    expect(encodeToken({ tableToken, segment: 0 }, contoso)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it.each([
    ['another contract', listingOf('links', 'contoso', 1002, '')],
    ['another tenant', listingOf('links', 'fabrikam', 1001, '')],
    ['another search', listingOf('links', 'contoso', 1001, 'ab')],
    ['another kind of listing', listingOf('activity', 'contoso', 1001, '')],
  ])('refuse a token of %s', (_, other) => {
    expect(() => decodeToken(encodeToken({ tableToken, segment: 0 }, contoso), other)).toThrow(
      /belongs to another listing/,
    );
  });

  const ours = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  it.each([
    ['characters outside base64url', '%%%'],
    ['padding', `${ours({ l: contoso })}=`],
    ['not JSON', Buffer.from('not json').toString('base64url')],
    ['unknown fields', ours({ l: contoso, x: 1 })],
    ['a table token that is not one', ours({ l: contoso, t: 'bm90IGpzb24' })],
    [
      'a table token without its partition key',
      ours({ l: contoso, t: Buffer.from('{}').toString('base64') }),
    ],
    ['a segment the listing does not have', ours({ l: contoso, s: 1 })],
  ])('refuse %s', (_, token) => {
    expect(() => decodeToken(token, contoso)).toThrow(InvalidContinuationTokenError);
  });
});
