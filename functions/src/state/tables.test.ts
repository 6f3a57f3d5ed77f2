import { isLocalStorage, packJson, splitText, tableClient, unpackJson, type Row } from './tables';
import { CorruptStateError } from './errors';

describe('isLocalStorage', () => {
  test.each([
    ['UseDevelopmentStorage=true', true],
    [
      'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=k;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1',
      true,
    ],
    [
      'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=k;TableEndpoint=http://localhost:51234/devstoreaccount1;',
      true,
    ],
    ['DefaultEndpointsProtocol=https;AccountName=prod;AccountKey=k;EndpointSuffix=core.windows.net', false],
    [
      'DefaultEndpointsProtocol=https;AccountName=prod;AccountKey=k;TableEndpoint=https://localhost.evil.example/',
      false,
    ],
  ])('%s → %s', (connection, local) => {
    expect(isLocalStorage(connection)).toBe(local);
  });

  test('the development shortcut points the client at the local emulator', () => {
    expect(tableClient('UseDevelopmentStorage=true', 'things').url).toMatch(/^http:\/\/127\.0\.0\.1:10002\//);
  });
});

describe('splitText / packJson', () => {
  test('never splits a surrogate pair', () => {
    const text = `${'a'.repeat(9)}😀${'b'.repeat(5)}`;
    const pieces = splitText(text, 10);
    expect(pieces.join('')).toBe(text);
    expect(pieces[0]).toBe('a'.repeat(9));
    for (const piece of pieces) expect(piece).not.toMatch(/^[\udc00-\udfff]|[\ud800-\udbff]$/);
  });

  test('round-trips a value over several properties', () => {
    const value = { text: 'x'.repeat(70_000) };
    const props = packJson('data', value, 4);
    expect(props.dataPieces).toBe(3);
    const row: Row = { etag: 'e', partitionKey: 'p', rowKey: 'r', ...props };
    expect(unpackJson('T', row, 'data')).toEqual(value);
  });

  test('refuses more pieces than allowed, and reports missing pieces as corruption', () => {
    expect(() => packJson('data', 'x'.repeat(70_000), 2)).toThrow(/too large/);
    const row: Row = {
      etag: 'e',
      partitionKey: 'p',
      rowKey: 'r',
      ...packJson('data', 'x'.repeat(70_000), 3),
    };
    delete row.data1;
    expect(() => unpackJson('T', row, 'data')).toThrow(CorruptStateError);
  });
});
