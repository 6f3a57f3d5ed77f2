import { createHash, timingSafeEqual } from 'node:crypto';

/** Oneflow signs a notification with the hex SHA-1 of callback_id + the webhook's sign key. */
export function webhookSignature(callbackId: string, signKey: string): string {
  return createHash('sha1')
    .update(callbackId + signKey)
    .digest('hex');
}

/** Compares in constant time, so the answer's timing tells nothing about how much of a guess was right. */
export function isValidSignature(callbackId: string, signKey: string, signature: string): boolean {
  const expected = Buffer.from(webhookSignature(callbackId, signKey), 'utf8');
  const given = Buffer.from(signature.toLowerCase(), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
