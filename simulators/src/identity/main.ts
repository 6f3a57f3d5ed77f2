// Runs the identity simulator alone: `npx tsx simulators/src/identity/main.ts` (SIM_IDENTITY_PORT moves it).
import { writeCertificateFile } from './certificate';
import { DEFAULT_IDENTITY_PORT, startIdentitySimulator } from './index';

async function main(): Promise<void> {
  const port = Number(process.env.SIM_IDENTITY_PORT ?? DEFAULT_IDENTITY_PORT);
  const identity = await startIdentitySimulator({ port });
  const certificatePath = writeCertificateFile(identity.certificatePem);
  console.log(
    `Identity provider: ${identity.url}/{tenant}/v2.0 (home tenant ${identity.homeTenantId}; TLS certificate ${certificatePath})`,
  );
  const stop = (): void => {
    void identity.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
