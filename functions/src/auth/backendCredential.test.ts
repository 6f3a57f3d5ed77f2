import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import {
  generateClientCertificate,
  type CertificateAndKey,
} from '@oneflow-sync/simulators/src/identity/certificate';
import { loadConfig } from '../config/config';
import { completeSettings, configProblems, TEST_BACKEND_SECRET } from '../testing/settings';
import { appCredential, parseBackendCertificate, TOKEN_EXCHANGE_AUDIENCE } from './backendCredential';

/** Making a certificate takes node-forge about 2 s under jest. */
const CERTIFICATES_TIMEOUT_MS = 30_000;

const IDENTITY_CLIENT_ID = 'b1c2d3e4-0000-4000-8000-00000000b001';

/** Every setting but the backend's credential. */
function environment(credential: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return completeSettings({ BACKEND_CLIENT_SECRET: undefined, ...credential });
}

let certificate: CertificateAndKey;
let other: CertificateAndKey;
let pem: string;

beforeAll(async () => {
  [certificate, other] = await Promise.all([
    generateClientCertificate('Oneflow Product Sync backend'),
    generateClientCertificate('Another app'),
  ]);
  pem = `${certificate.privateKeyPem}${certificate.certificatePem}`;
}, CERTIFICATES_TIMEOUT_MS);

/** The message of a refused configuration, checked never to hold any part of the value. */
function refusal(env: NodeJS.ProcessEnv, value: string): string {
  const text = configProblems(env).join('\n');
  for (const line of value.split('\n').filter((part) => part.length > 20)) {
    expect(text).not.toContain(line);
  }
  return text;
}

describe('the backend credential setting: exactly one of three', () => {
  it('BACKEND_CLIENT_SECRET: a client secret', () => {
    expect(loadConfig(environment({ BACKEND_CLIENT_SECRET: TEST_BACKEND_SECRET })).backend).toEqual({
      clientId: 'a9900000-0000-4000-8000-000000000001',
      credential: { kind: 'secret', secret: TEST_BACKEND_SECRET },
    });
  });

  it("BACKEND_CLIENT_CERTIFICATE: the key and the certificate, read with the certificate's SHA-256 thumbprint", () => {
    const { credential } = loadConfig(environment({ BACKEND_CLIENT_CERTIFICATE: pem })).backend;
    const x509 = new X509Certificate(certificate.certificatePem);
    expect(credential).toEqual({
      kind: 'certificate',
      privateKeyPem: expect.stringMatching(/^-----BEGIN PRIVATE KEY-----/) as unknown,
      certificatePem: expect.stringMatching(/^-----BEGIN CERTIFICATE-----/) as unknown,
      thumbprintSha256: x509.fingerprint256.replace(/:/g, '').toLowerCase(),
    });
  });

  it('BACKEND_FEDERATED_CREDENTIAL=managedidentity: the system-assigned identity, or the user-assigned one named', () => {
    expect(
      loadConfig(environment({ BACKEND_FEDERATED_CREDENTIAL: 'managedidentity' })).backend.credential,
    ).toEqual({ kind: 'managedIdentity', identityClientId: undefined });
    expect(
      loadConfig(
        environment({
          BACKEND_FEDERATED_CREDENTIAL: 'ManagedIdentity',
          BACKEND_FEDERATED_CLIENT_ID: IDENTITY_CLIENT_ID.toUpperCase(),
        }),
      ).backend.credential,
    ).toEqual({ kind: 'managedIdentity', identityClientId: IDENTITY_CLIENT_ID });
  });

  it('none: names all three settings', () => {
    expect(configProblems(environment({}))).toEqual([
      "the backend's credential is required: set exactly one of BACKEND_CLIENT_SECRET, BACKEND_CLIENT_CERTIFICATE, BACKEND_FEDERATED_CREDENTIAL",
    ]);
  });

  it('empty values count as unset', () => {
    expect(
      configProblems(environment({ BACKEND_CLIENT_SECRET: '', BACKEND_CLIENT_CERTIFICATE: '' })).join(),
    ).toMatch(/credential is required/);
  });

  it('two at once: names the two set, never their values', () => {
    const text = refusal(
      environment({ BACKEND_CLIENT_SECRET: TEST_BACKEND_SECRET, BACKEND_CLIENT_CERTIFICATE: pem }),
      pem,
    );
    expect(text).toBe(
      "the backend's credential is set 2 ways (BACKEND_CLIENT_SECRET, BACKEND_CLIENT_CERTIFICATE): set exactly one of BACKEND_CLIENT_SECRET, BACKEND_CLIENT_CERTIFICATE, BACKEND_FEDERATED_CREDENTIAL",
    );
    expect(text).not.toContain(TEST_BACKEND_SECRET);
  });

  it('all three at once', () => {
    expect(
      configProblems(
        environment({
          BACKEND_CLIENT_SECRET: TEST_BACKEND_SECRET,
          BACKEND_CLIENT_CERTIFICATE: pem,
          BACKEND_FEDERATED_CREDENTIAL: 'managedidentity',
        }),
      ).join(),
    ).toMatch(/set 3 ways/);
  });

  it('BACKEND_FEDERATED_CREDENTIAL takes only managedidentity', () => {
    expect(configProblems(environment({ BACKEND_FEDERATED_CREDENTIAL: 'github' })).join()).toMatch(
      /^BACKEND_FEDERATED_CREDENTIAL must be managedidentity/,
    );
  });

  it('BACKEND_FEDERATED_CLIENT_ID must be a GUID, and is refused beside another credential', () => {
    expect(
      configProblems(
        environment({ BACKEND_FEDERATED_CREDENTIAL: 'managedidentity', BACKEND_FEDERATED_CLIENT_ID: 'mine' }),
      ).join(),
    ).toMatch(/^BACKEND_FEDERATED_CLIENT_ID/);
    expect(
      configProblems(
        environment({
          BACKEND_CLIENT_SECRET: TEST_BACKEND_SECRET,
          BACKEND_FEDERATED_CLIENT_ID: IDENTITY_CLIENT_ID,
        }),
      ),
    ).toEqual([
      'BACKEND_FEDERATED_CLIENT_ID is set but BACKEND_CLIENT_SECRET is the credential: it only names the identity for BACKEND_FEDERATED_CREDENTIAL=managedidentity',
    ]);
  });

  it('a credential problem is named together with the other missing settings', () => {
    const problems = configProblems({ BACKEND_CLIENT_ID: 'a9900000-0000-4000-8000-000000000001' });
    expect(problems.join('\n')).toMatch(/PRODUCT_SYNC_TENANTS/);
    expect(problems.join('\n')).toMatch(/set exactly one of BACKEND_CLIENT_SECRET/);
  });
});

describe('BACKEND_CLIENT_CERTIFICATE, as Key Vault and admins give it', () => {
  it('takes the certificate before the key, CRLF line ends, and the rest of a chain after it', () => {
    const reordered =
      `${certificate.certificatePem}${other.certificatePem}${certificate.privateKeyPem}`.replace(
        /\n/g,
        '\r\n',
      );
    expect(parseBackendCertificate(reordered).thumbprintSha256).toBe(
      parseBackendCertificate(pem).thumbprintSha256,
    );
  });

  it('takes an RSA PRIVATE KEY (PKCS#1) and returns PKCS#8', () => {
    const pkcs1 = createPrivateKey(certificate.privateKeyPem)
      .export({ type: 'pkcs1', format: 'pem' })
      .toString();
    const parsed = parseBackendCertificate(`${pkcs1}${certificate.certificatePem}`);
    expect(parsed.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('takes a value whose line breaks were written as \\n (an app setting typed on one line)', () => {
    expect(() => parseBackendCertificate(pem.replace(/\n/g, '\\n'))).not.toThrow();
  });

  it.each([
    [
      'a PFX in base64',
      () => Buffer.from('0\u0082\u0009\u00a7pfx-bytes').toString('base64'),
      /PFX or base64 value: store the certificate as PEM/,
    ],
    ['not a PEM at all', () => 'thumbprint=ABCDEF; password: x', /is not a PEM/],
    ['only the certificate', () => certificate.certificatePem, /has no private key/],
    ['only the key', () => certificate.privateKeyPem, /has no certificate/],
    [
      'a key that belongs to another certificate',
      () => `${other.privateKeyPem}${certificate.certificatePem}`,
      /belongs to none of its certificates/,
    ],
    [
      'an encrypted key',
      () =>
        createPrivateKey(certificate.privateKeyPem)
          .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pass-phrase' })
          .toString() + certificate.certificatePem,
      /encrypted private key/,
    ],
    [
      'an EC key',
      () =>
        generateKeyPairSync('ec', { namedCurve: 'P-256' })
          .privateKey.export({ type: 'pkcs8', format: 'pem' })
          .toString() + certificate.certificatePem,
      /ec key: Entra client assertions need an RSA key/,
    ],
    [
      'a damaged key block',
      () => `-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n${certificate.certificatePem}`,
      /private key block that cannot be read/,
    ],
  ])('refuses %s, naming the setting and never the value', (_label, value, message) => {
    const text = refusal(environment({ BACKEND_CLIENT_CERTIFICATE: value() }), value());
    expect(text).toMatch(/^BACKEND_CLIENT_CERTIFICATE /);
    expect(text).toMatch(message);
  });
});

describe('appCredential', () => {
  it('passes a secret and a certificate through, and makes a managed identity an assertion source', () => {
    expect(appCredential({ kind: 'secret', secret: TEST_BACKEND_SECRET }, undefined)).toEqual({
      kind: 'secret',
      secret: TEST_BACKEND_SECRET,
    });
    const assertion = appCredential(
      { kind: 'managedIdentity', identityClientId: IDENTITY_CLIENT_ID },
      undefined,
    );
    expect(assertion).toMatchObject({ kind: 'assertion', source: `managed identity ${IDENTITY_CLIENT_ID}` });
    expect(TOKEN_EXCHANGE_AUDIENCE).toBe('api://AzureADTokenExchange');
  });
});
