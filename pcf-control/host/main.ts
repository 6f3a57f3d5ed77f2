// The form host on its own (`npm start` runs it with the rest of the local stack): reads its settings from the
// environment, checks them all before listening, and prints where the forms and the settings page are.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEMO_USERS, type DemoUserKey } from './options';
import { startFormHost } from './server';

const PortSchema = z
  .string()
  .regex(/^[0-9]{1,5}$/, 'must be a port number (0-65535)')
  .transform(Number)
  .pipe(z.number().max(65535, 'must be a port number (0-65535)'));

/** A setting that must be given: absent and empty are one problem, named with what the setting is. */
const required = (what: string) =>
  z.string({ error: `is required (${what})` }).min(1, `is required (${what})`);

const EnvironmentSchema = z.object({
  FORM_HOST_PORT: PortSchema.default(7100),
  FORM_HOST_API_BASE_URL: required('the Function app, e.g. http://127.0.0.1:7071'),
  FORM_HOST_DATAVERSE_URL: required('the Dataverse simulator'),
  FORM_HOST_IDENTITY_URL: required('the identity simulator'),
  FORM_HOST_IDENTITY_CERTIFICATE_FILE: required("the identity simulator's certificate"),
  FORM_HOST_USER: z.enum(Object.keys(DEMO_USERS) as [DemoUserKey, ...DemoUserKey[]]).optional(),
});

async function main(): Promise<void> {
  const parsed = EnvironmentSchema.safeParse(
    Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== '')),
  );
  if (!parsed.success) {
    throw new Error(
      parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; '),
    );
  }
  const environment = parsed.data;
  const host = await startFormHost({
    port: environment.FORM_HOST_PORT,
    apiBaseUrl: environment.FORM_HOST_API_BASE_URL,
    dataverseUrl: environment.FORM_HOST_DATAVERSE_URL,
    identityUrl: environment.FORM_HOST_IDENTITY_URL,
    identityCertificatePem: readFileSync(environment.FORM_HOST_IDENTITY_CERTIFICATE_FILE, 'utf8'),
    ...(environment.FORM_HOST_USER === undefined ? {} : { demoUser: environment.FORM_HOST_USER }),
  });
  console.log(
    `Form host ready: ${host.url}/ (forms ${host.url}/forms/opportunity and ${host.url}/forms/quote; ` +
      `settings ${host.url}/settings and ${host.url}/settings/web-resource)`,
  );
  const stop = () => {
    void host.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const inUse = error instanceof Error && (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
  // Another stack (or anything else) holds the port: say which setting moves this one.
  console.error(
    inUse
      ? `${error.message}: the form host's port is taken; FORM_HOST_PORT moves it`
      : error instanceof Error
        ? error.message
        : error,
  );
  process.exit(1);
});
