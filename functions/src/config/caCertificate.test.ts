import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateServerCertificate } from '@oneflow-sync/simulators/src/identity/certificate';
import { caCertificateFromSettings } from './caCertificate';

let folder: string;
let certificatePem: string;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'ca-setting-'));
  certificatePem = (await generateServerCertificate()).certificatePem;
}, 30_000);

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

describe('the local identity provider’s certificate (ENTRA_CA_CERTIFICATE_PEM or _FILE)', () => {
  it('reads the file ENTRA_CA_CERTIFICATE_FILE names when no PEM is set', () => {
    const file = join(folder, 'identity.pem');
    writeFileSync(file, certificatePem);
    expect(caCertificateFromSettings({ ENTRA_CA_CERTIFICATE_FILE: file })).toEqual({
      pem: certificatePem,
      problems: [],
    });
  });

  it('prefers ENTRA_CA_CERTIFICATE_PEM, and reads no file then', () => {
    const missing = join(folder, 'never-written.pem');
    expect(
      caCertificateFromSettings({
        ENTRA_CA_CERTIFICATE_PEM: certificatePem,
        ENTRA_CA_CERTIFICATE_FILE: missing,
      }),
    ).toEqual({ pem: certificatePem.trim(), problems: [] });
  });

  it('has none when neither is set', () => {
    expect(caCertificateFromSettings({ ENTRA_CA_CERTIFICATE_FILE: '' })).toEqual({
      pem: undefined,
      problems: [],
    });
  });

  it('names the setting and the path when the file is missing', () => {
    const missing = join(folder, 'missing.pem');
    expect(caCertificateFromSettings({ ENTRA_CA_CERTIFICATE_FILE: missing }).problems).toEqual([
      `ENTRA_CA_CERTIFICATE_FILE ${missing} does not exist (the identity simulator writes it when it starts: is \`npm run sim\` running?)`,
    ]);
  });

  it('refuses a file that is not a certificate', () => {
    const file = join(folder, 'notes.txt');
    writeFileSync(file, 'not a certificate');
    expect(caCertificateFromSettings({ ENTRA_CA_CERTIFICATE_FILE: file }).problems).toEqual([
      `ENTRA_CA_CERTIFICATE_FILE ${file} is not a PEM certificate`,
    ]);
  });
});
