import { z } from 'zod';

/**
 * The fixture users the form host can act as: Dynamics users of the demo data (simulators/fixtures). Sam holds
 * the API's `ProductSync.Admin` role (the settings page's admin); Alex and Robin do not.
 */
export const DEMO_USERS = {
  alex: { tid: '3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f', oid: 'aad00000-0000-4000-8000-000000000002' },
  robin: { tid: '3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f', oid: 'aad00000-0000-4000-8000-000000000003' },
  sam: { tid: '3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f', oid: 'aad00000-0000-4000-8000-000000000004' },
} as const;

export type DemoUserKey = keyof typeof DEMO_USERS;

const DEMO_DEFAULTS = {
  tenantId: '3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f',
  widgetClientId: '7e1f3a5c-9b2d-4f6e-8a0c-3d5f7b9e1a2c',
  apiAppId: 'a9900000-0000-4000-8000-000000000001',
} as const;

const httpUrl = z
  .url()
  .refine((value) => /^https?:\/\//.test(value), 'must be an http(s) URL')
  .transform((value) => value.replace(/\/+$/, ''));
const guid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a GUID');

const FormHostOptionsSchema = z.object({
  /** 0 picks a free port (tests); the host always listens on 127.0.0.1. */
  port: z.number().int().min(0).max(65535).default(7100),
  /** The Function app's base URL as the widget's `apiBaseUrl` input takes it (`http://127.0.0.1:7071`). */
  apiBaseUrl: httpUrl,
  dataverseUrl: httpUrl,
  identityUrl: httpUrl,
  /** The identity simulator's self-signed certificate: the host's own HTTPS calls trust exactly it. */
  identityCertificatePem: z.string().includes('BEGIN CERTIFICATE', { message: 'must be a PEM certificate' }),
  tenantId: guid.default(DEMO_DEFAULTS.tenantId),
  widgetClientId: guid.default(DEMO_DEFAULTS.widgetClientId),
  /** The API's application id: tokens' audience, and `api://<id>/access_as_user` is the widget's scope. */
  apiAppId: guid.default(DEMO_DEFAULTS.apiAppId),
  demoUser: z.enum(Object.keys(DEMO_USERS) as [DemoUserKey, ...DemoUserKey[]]).default('alex'),
  /** The production control bundles (`npm run build -w pcf-control`). */
  bundlePath: z.string().min(1).optional(),
  settingsBundlePath: z.string().min(1).optional(),
  /** The settings page's web-resource build (`out/webresources`), served as Dynamics serves web resources. */
  webResourcesPath: z.string().min(1).optional(),
});

export type FormHostOptions = z.input<typeof FormHostOptionsSchema>;
export type ResolvedFormHostOptions = z.output<typeof FormHostOptionsSchema>;

/** The options checked; a wrong one is named with its field, before anything listens. */
export function resolveFormHostOptions(options: FormHostOptions): ResolvedFormHostOptions {
  const parsed = FormHostOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`,
    );
    throw new Error(`Form host options are invalid: ${problems.join('; ')}`);
  }
  return parsed.data;
}

export function isDemoUser(value: string): value is DemoUserKey {
  return Object.prototype.hasOwnProperty.call(DEMO_USERS, value);
}
