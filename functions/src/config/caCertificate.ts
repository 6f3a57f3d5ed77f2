import { existsSync, readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';

export interface CaCertificateSetting {
  pem: string | undefined;
  problems: string[];
}

/**
 * The certificate to trust for a local identity provider: `ENTRA_CA_CERTIFICATE_PEM`, else the file
 * `ENTRA_CA_CERTIFICATE_FILE` names, read once at start. The file form lets local.settings.json point at the
 * certificate the identity simulator writes on each start, under `func start` as under the local runner.
 */
export function caCertificateFromSettings(env: NodeJS.ProcessEnv): CaCertificateSetting {
  const pem = env.ENTRA_CA_CERTIFICATE_PEM?.trim();
  if (pem) return { pem, problems: [] };
  const file = env.ENTRA_CA_CERTIFICATE_FILE?.trim();
  if (!file) return { pem: undefined, problems: [] };
  if (!existsSync(file)) {
    return {
      pem: undefined,
      problems: [
        `ENTRA_CA_CERTIFICATE_FILE ${file} does not exist (the identity simulator writes it when it starts: is \`npm run sim\` running?)`,
      ],
    };
  }
  const text = readFileSync(file, 'utf8');
  try {
    new X509Certificate(text);
  } catch {
    return { pem: undefined, problems: [`ENTRA_CA_CERTIFICATE_FILE ${file} is not a PEM certificate`] };
  }
  return { pem: text, problems: [] };
}
