import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { AppCredential } from './appTokens';
import { managedIdentityToken } from './managedIdentity';

/**
 * How the backend app registration proves itself to Entra when it asks for Dataverse tokens: a client secret, a
 * certificate (a signed client assertion), or the Function app's managed identity as a federated identity
 * credential of the app registration (no secret at all).
 */
export type BackendCredential =
  | { kind: 'secret'; secret: string }
  | ({ kind: 'certificate' } & BackendCertificate)
  | {
      kind: 'managedIdentity';
      /** A user-assigned identity's client id; undefined: the system-assigned identity. */
      identityClientId: string | undefined;
    };

/** What msal-node's `clientCertificate` needs, read from one PEM holding the private key and the certificate. */
export interface BackendCertificate {
  /** PKCS#8 PEM of the RSA private key. */
  privateKeyPem: string;
  /** PEM of the certificate the key belongs to (sent as `x5c`). */
  certificatePem: string;
  /** Hex SHA-256 thumbprint of that certificate (the `x5t#S256` header of the assertion). */
  thumbprintSha256: string;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\n[\s\S]*?-----END \1-----/g;
const BASE64_ONLY = /^[A-Za-z0-9+/=\s]+$/;

/** Why a certificate setting cannot be used: the text never contains the value. */
export class BackendCertificateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackendCertificateError';
  }
}

function privateKeyOf(block: string): KeyObject {
  if (/^-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(block) || /Proc-Type: 4,ENCRYPTED/.test(block)) {
    throw new BackendCertificateError(
      'holds an encrypted private key: store the key without a passphrase (Key Vault protects it)',
    );
  }
  try {
    return createPrivateKey(block);
  } catch {
    throw new BackendCertificateError('holds a private key block that cannot be read');
  }
}

/**
 * Reads a PEM with the private key and its certificate, in either order, as Key Vault gives a certificate's
 * secret with content type application/x-pem-file (the chain's other certificates may follow). The key is
 * matched to its certificate, so a PEM holding another certificate's key fails here and not at Entra.
 */
export function parseBackendCertificate(pem: string): BackendCertificate {
  const text = pem.replace(/\\n/g, '\n').replace(/\r+\n/g, '\n').trim();
  const blocks = [...text.matchAll(PEM_BLOCK)].map((match) => ({ label: match[1] ?? '', text: match[0] }));
  if (blocks.length === 0) {
    throw new BackendCertificateError(
      BASE64_ONLY.test(text)
        ? 'looks like a PFX or base64 value: store the certificate as PEM (private key and certificate; in Key Vault, content type application/x-pem-file)'
        : 'is not a PEM: expected a private key and a certificate (-----BEGIN PRIVATE KEY----- and -----BEGIN CERTIFICATE-----)',
    );
  }
  const keyBlocks = blocks.filter((block) => block.label.endsWith('PRIVATE KEY'));
  const certificateBlocks = blocks.filter((block) => block.label === 'CERTIFICATE');
  const [keyBlock] = keyBlocks;
  if (keyBlock === undefined || keyBlocks.length > 1) {
    throw new BackendCertificateError(
      keyBlock === undefined ? 'has no private key' : 'has more than one private key',
    );
  }
  if (certificateBlocks.length === 0) throw new BackendCertificateError('has no certificate');
  const privateKey = privateKeyOf(keyBlock.text);
  // msal-node signs the assertion with PS256 when given a SHA-256 thumbprint: an RSA key is needed.
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw new BackendCertificateError(
      `holds a ${privateKey.asymmetricKeyType ?? 'non-RSA'} key: Entra client assertions need an RSA key`,
    );
  }
  const certificates = certificateBlocks.map((block) => {
    try {
      return { pem: block.text, x509: new X509Certificate(block.text) };
    } catch {
      throw new BackendCertificateError('holds a certificate block that cannot be read');
    }
  });
  const own = certificates.find((certificate) => certificate.x509.checkPrivateKey(privateKey));
  if (own === undefined) {
    throw new BackendCertificateError('holds a private key that belongs to none of its certificates');
  }
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certificatePem: `${own.pem}\n`,
    thumbprintSha256: own.x509.fingerprint256.replace(/:/g, '').toLowerCase(),
  };
}

/** The audience of a managed identity's token that Entra accepts as a federated credential (public cloud). */
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

/**
 * The backend's credential as the token provider takes it. A managed identity becomes a client assertion: its
 * token for the token-exchange audience, fetched (and kept until near expiry) by the managed-identity module.
 */
export function appCredential(
  credential: BackendCredential,
  /** The CA to trust for an https identity endpoint with a private certificate (the local identity simulator). */
  caCertificatePem: string | undefined,
): AppCredential {
  if (credential.kind !== 'managedIdentity') return credential;
  const clientId = credential.identityClientId;
  return {
    kind: 'assertion',
    source: `managed identity ${clientId ?? 'system-assigned'}`,
    getAssertion: async () =>
      (await managedIdentityToken(TOKEN_EXCHANGE_AUDIENCE, { clientId, caCertificatePem })).token,
  };
}
