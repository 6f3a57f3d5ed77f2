import { isLocalStorage, mapLimit, packJson, splitText, tableClient, unpackJson, type Row } from './tables';
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

describe('mapLimit', () => {
  it('keeps at most the given number of calls in flight and the results in input order', async () => {
    let inFlight = 0;
    let most = 0;
    const results = await mapLimit([50, 10, 30, 0, 20, 40, 5], 3, async (ms) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, ms));
      inFlight -= 1;
      return ms * 2;
    });
    expect(results).toEqual([100, 20, 60, 0, 40, 80, 10]);
    expect(most).toBe(3);
  });

  it('fails with a call’s failure', async () => {
    await expect(
      mapLimit([1, 2, 3, 4], 2, async (item) => {
        if (item === 3) throw new Error('item 3 failed');
        return item;
      }),
    ).rejects.toThrow('item 3 failed');
  });

  it('answers an empty list at once', async () => {
    await expect(mapLimit([], 4, async () => 1)).resolves.toEqual([]);
  });
});
