import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { generate } from 'selfsigned';

export interface CertificateAndKey {
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
export function generateServerCertificate(): Promise<CertificateAndKey> {
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

/**
 * Where a runner whose identity provider listens on `port` writes the certificate for other processes: one file
 * per port, so two stacks on one machine (two checkouts, a test run beside `npm start`) never overwrite each
 * other's certificate; no two running providers share a port, and the default port keeps a path one can rely on.
 */
export function certificateFileFor(port: number): string {
  return join(tmpdir(), 'oneflow-sync-simulators', `identity-certificate-${port}.pem`);
}

/**
 * Other processes (the Functions runner, msal-node in the backend, curl --cacert) must trust the certificate,
 * which is new on every start: the runners write it to a known file.
 */
export function writeCertificateFile(certificatePem: string, path: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, certificatePem);
  return path;
}

/** A stopped provider's certificate is of no use to anyone; a port-0 run would otherwise leave one behind. */
export function removeCertificateFile(path: string): void {
  rmSync(path, { force: true });
}

/**
 * A fresh self-signed certificate an app registration can hold as its credential: the private key signs client
 * assertions, the certificate is uploaded to the app. Made at run time, so no private key is ever checked in.
 * Under jest node-forge takes about 2 s per certificate (measured 1.8-3.6 s), so tests make the few they need once.
 */
export function generateClientCertificate(commonName: string, days = 30): Promise<CertificateAndKey> {
  return new Promise((resolve, reject) => {
    generate(
      [{ name: 'commonName', value: commonName }],
      {
        keySize: 2048,
        days,
        algorithm: 'sha256',
        extensions: [
          { name: 'basicConstraints', cA: false },
          { name: 'keyUsage', digitalSignature: true },
        ],
      },
      (error, result) => {
        if (error) reject(error);
        else resolve({ certificatePem: result.cert, privateKeyPem: result.private });
      },
    );
  });
}
