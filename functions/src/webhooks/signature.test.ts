import { randomBytes } from 'node:crypto';
import { signature as simulatorSignature } from '@oneflow-sync/simulators/src/oneflow/webhooks';
import { isValidSignature, webhookSignature } from './signature';

/** SHA-1 test vectors (FIPS 180 "abc", and the classic pangram), split into a callback id and a key. */
const ABC = 'a9993e364706816aba3e25717850c26c9cd0d89d';
const FOX = '2fd4e1c67a2d28fced849ee1bb76e7391b93eb12';

const callbackId = '195ab64602900ec482b78900c40ddc44c0a97695';
const signKey = 'contoso-sign-key-for-tests';

describe('webhookSignature', () => {
  test('is the hex SHA-1 of callback_id followed by the sign key (known vectors)', () => {
    expect(webhookSignature('a', 'bc')).toBe(ABC);
    expect(webhookSignature('The quick brown fox ', 'jumps over the lazy dog')).toBe(FOX);
    expect(webhookSignature('abc', '')).toBe(ABC);
  });

  test('agrees with the Oneflow simulator for random callback ids and keys', () => {
    for (let i = 0; i < 50; i++) {
      const id = randomBytes(20).toString('hex');
      const key = randomBytes(1 + (i % 40)).toString('base64');
      expect(webhookSignature(id, key)).toBe(simulatorSignature(id, key));
    }
  });

  test('is 40 lower-case hex characters', () => {
    expect(webhookSignature(callbackId, signKey)).toMatch(/^[0-9a-f]{40}$/);
  });
});

describe('isValidSignature', () => {
  const good = webhookSignature(callbackId, signKey);

  test('accepts the signature Oneflow computes', () => {
    expect(isValidSignature(callbackId, signKey, good)).toBe(true);
    expect(isValidSignature('a', 'bc', ABC)).toBe(true);
  });

  test('accepts the hex in upper or mixed case', () => {
    expect(isValidSignature(callbackId, signKey, good.toUpperCase())).toBe(true);
    const mixed = good.replace(/[a-f]/g, (char, index: number) => (index % 2 ? char.toUpperCase() : char));
    expect(mixed).not.toBe(good);
    expect(isValidSignature(callbackId, signKey, mixed)).toBe(true);
  });

  test.each([
    ['empty', ''],
    ['one character short', good.slice(0, -1)],
    ['one character long', `${good}0`],
    ['twice as long', good + good],
    ['the SHA-256 length', 'a'.repeat(64)],
  ])('refuses a signature of the wrong length (%s) without throwing', (_case, given) => {
    expect(isValidSignature(callbackId, signKey, given)).toBe(false);
  });

  test('refuses the signature with any one character changed', () => {
    for (let index = 0; index < good.length; index++) {
      const flipped = good[index] === 'f' ? '0' : (parseInt(good[index] ?? '0', 16) + 1).toString(16);
      const given = `${good.slice(0, index)}${flipped}${good.slice(index + 1)}`;
      expect(given).toHaveLength(good.length);
      expect(isValidSignature(callbackId, signKey, given)).toBe(false);
    }
  });

  test('refuses a signature made with another key, or for another callback id', () => {
    expect(
      isValidSignature(callbackId, signKey, webhookSignature(callbackId, 'fabrikam-sign-key-for-tests')),
    ).toBe(false);
    expect(isValidSignature(callbackId, signKey, webhookSignature(`${callbackId}0`, signKey))).toBe(false);
    expect(isValidSignature(callbackId, '', webhookSignature(callbackId, signKey))).toBe(false);
    // The key is appended, not prepended: sha1(key + id) is not the signature.
    expect(isValidSignature(callbackId, signKey, webhookSignature(signKey, callbackId))).toBe(false);
  });

  test('refuses non-hex text of the right length, including characters that change length when lower-cased', () => {
    expect(isValidSignature(callbackId, signKey, 'z'.repeat(40))).toBe(false);
    // 'İ' (U+0130) lower-cases to two code units; the comparison must still just answer false.
    expect(isValidSignature(callbackId, signKey, `${good.slice(0, -1)}İ`)).toBe(false);
    expect(isValidSignature(callbackId, signKey, 'é'.repeat(40))).toBe(false);
  });
});
