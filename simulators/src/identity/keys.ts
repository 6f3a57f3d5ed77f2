import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, type KeyLike } from 'jose';

export const SIGNING_ALGORITHM = 'RS256';

/** A public key as Entra publishes it in its JWKS. */
export interface PublishedKey {
  kty: string;
  use: 'sig';
  kid: string;
  n: string;
  e: string;
  /** Entra tags each key with its cloud and the issuer it signs for. */
  cloud_instance_name: string;
  issuer: string;
}

interface SigningKey {
  kid: string;
  privateKey: KeyLike;
  publicJwk: JWK;
}

/**
 * The keys of one simulator run. Entra publishes several keys at once and signs with one of them, so validators
 * must pick the key by `kid`; the simulator does the same with a signing key and a published standby key.
 * Keys are made at start and kept across resets, so tokens minted before a reset still verify.
 */
export interface KeyRing {
  signing: SigningKey;
  published: readonly SigningKey[];
}

async function generateSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALGORITHM, { modulusLength: 2048 });
  const publicJwk = await exportJWK(publicKey);
  // Entra's kids are opaque base64url strings; a thumbprint has that look and is stable for the key.
  const kid = await calculateJwkThumbprint(publicJwk);
  return { kid, privateKey, publicJwk };
}

export async function generateKeyRing(): Promise<KeyRing> {
  const [signing, standby] = await Promise.all([generateSigningKey(), generateSigningKey()]);
  return { signing, published: [signing, standby] };
}

/** The JWKS document (`/{tenant}/discovery/v2.0/keys`), tagged with the tenant's v2 issuer like Entra's. */
export function publishKeys(keyRing: KeyRing, issuer: string): { keys: PublishedKey[] } {
  return {
    keys: keyRing.published.map((key) => ({
      kty: key.publicJwk.kty,
      use: 'sig',
      kid: key.kid,
      n: key.publicJwk.n ?? '',
      e: key.publicJwk.e ?? '',
      cloud_instance_name: 'microsoftonline.com',
      issuer,
    })),
  };
}
