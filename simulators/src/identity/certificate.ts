import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface ServerCertificate {
  /** PEM of the certificate: what a client adds as its only trusted CA for the simulator. */
  certificatePem: string;
  privateKeyPem: string;
}

/** Subject alternative name types of RFC 5280 as node-forge numbers them. */
const SAN_DNS = 2;
const SAN_IP = 7;

/**
 * A fresh self-signed certificate for 127.0.0.1 and localhost. MSAL refuses non-https authorities, so the
 * identity provider speaks TLS; clients trust exactly this certificate (an https agent's `ca`), never by turning
 * certificate checks off. A new one per start means no private key is ever checked in.
 */
export function generateServerCertificate(): Promise<ServerCertificate> {
  return new Promise((resolve, reject) => {
    generate(
      [{ name: 'commonName', value: 'Identity simulator (127.0.0.1)' }],
      {
        keySize: 2048,
        days: 30,
        algorithm: 'sha256',
        extensions: [
          { name: 'basicConstraints', cA: true },
          { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
          { name: 'extKeyUsage', serverAuth: true },
          {
            name: 'subjectAltName',
            altNames: [
              { type: SAN_DNS, value: 'localhost' },
              { type: SAN_IP, ip: '127.0.0.1' },
            ],
          },
        ],
      },
      (error, result) => {
        if (error) reject(error);
        else resolve({ certificatePem: result.cert, privateKeyPem: result.private });
      },
    );
  });
}

/** Where `npm run sim` and the identity simulator's own runner write the certificate for other processes. */
export const CERTIFICATE_FILE = join(tmpdir(), 'oneflow-sync-simulators', 'identity-certificate.pem');

/**
 * Other processes (the Functions runner, msal-node in the backend, curl --cacert) must trust the certificate,
 * which is new on every start: the runners write it to a known file.
 */
export function writeCertificateFile(certificatePem: string, path: string = CERTIFICATE_FILE): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, certificatePem);
  return path;
}
