// Runs the identity simulator alone: `npx tsx simulators/src/identity/main.ts` (SIM_IDENTITY_PORT moves it).
import { certificateFileFor, removeCertificateFile, writeCertificateFile } from './certificate';
import { DEFAULT_IDENTITY_PORT, startIdentitySimulator } from './index';

async function main(): Promise<void> {
  const port = Number(process.env.SIM_IDENTITY_PORT ?? DEFAULT_IDENTITY_PORT);
  const identity = await startIdentitySimulator({ port });
  const certificatePath = writeCertificateFile(identity.certificatePem, certificateFileFor(identity.port));
  console.log(
    `Identity provider: ${identity.url}/{tenant}/v2.0 (home tenant ${identity.homeTenantId}; TLS certificate ${certificatePath})`,
  );
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    removeCertificateFile(certificatePath);
    void identity.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
