import { GuidSchema } from '@oneflow-sync/shared';
import { z } from 'zod';
import { ORG_KEY_PLACEHOLDER, perOrgSettingName, unresolvedKeyVaultReferences } from './appSettings';
import { caCertificateFromSettings } from './caCertificate';
import { storageFromSettings, type StorageConfig } from './storage';
import {
  BackendCertificateError,
  parseBackendCertificate,
  type BackendCredential,
} from '../auth/backendCredential';

/**
 * The org's part of the webhook URL (`/api/webhooks/oneflow/{orgKey}`), which also names its secret settings:
 * 2-40 lowercase letters, digits or dashes, starting alphanumeric.
 */
export const OrgKeySchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{1,39}$/,
    'must be 2-40 lowercase letters, digits or dashes, starting alphanumeric',
  );

/** One customer organisation: its Entra tenant, its Dynamics environment and its Oneflow account. */
const TenantEntrySchema = z.object({
  tenantId: GuidSchema,
  displayName: z.string().min(1).optional(),
  dataverseUrl: z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, '')),
  /** The org's part of the webhook URL: `/api/webhooks/oneflow/{orgKey}`. Also names its secret settings. */
  orgKey: OrgKeySchema,
  oneflow: z.object({
    apiUrl: z
      .url({ protocol: /^https?$/ })
      .default('https://api.oneflow.com/v1')
      .transform((url) => url.replace(/\/+$/, '')),
    userEmail: z.email(),
    /** Where "Create contract" puts new contracts, and the template (with a product table) it starts from. */
    workspaceId: z.number().int().positive(),
    templateId: z.number().int().positive(),
    /**
     * Whether a draft contract's product table is written in one bulk request (default) instead of one request
     * per product. Off: only a contract created in the same request is written in bulk (nobody else can have
     * touched it); see docs/decisions.md for the residual risk of a bulk write.
     */
    bulkDraftWrites: z.boolean().default(true),
    /**
     * Requests per 5 minutes this app allows itself on the org's API token (Oneflow's limit is 2000 per token):
     * the rest is headroom for other integrations using the same token and for another instance of the app.
     */
    requestBudget: z.number().int().min(1).max(2000).default(1800),
  }),
});

export interface TenantConfig extends z.infer<typeof TenantEntrySchema> {
  /** From app settings (Key Vault references in Azure); never stored in tables, never logged. */
  secrets: { oneflowToken: string; webhookSignKey: string };
}

export interface AppConfig {
  tenants: TenantConfig[];
  auth: {
    /** Entra's host, or the local identity provider's. */
    authorityHost: string;
    /** PEM of a certificate to trust for the authority host (the local identity provider's self-signed one). */
    authorityCaPem: string | undefined;
    /** Accepted `aud` values of user tokens (the API's client id and/or its App ID URI). */
    audiences: string[];
    adminRole: string;
    /** The app role an application (not a person) needs to call the API with its own token. */
    syncRole: string;
  };
  /** The app registration the backend calls Dataverse with, and how it proves itself (one of three ways). */
  backend: { clientId: string; credential: BackendCredential };
  /** Tables and the webhook queue: a connection string or the managed identity. Unset: the local runner starts Azurite. */
  storage: StorageConfig | undefined;
  webhookQueue: string;
  retention: { activityDays: number; callbackDays: number };
  /** Percent of each org's Oneflow request budget one reconciliation run may spend. */
  reconcile: { quotaSharePercent: number };
  /** Browser origins (exact `scheme://host[:port]`) allowed to call the API; empty: none. */
  cors: { allowedOrigins: string[] };
}

/** Setting names of the per-org secrets: `ONEFLOW_API_TOKEN__CONTOSO` for org key `contoso`. */
export function secretSettingNames(orgKey: string): { oneflowToken: string; webhookSignKey: string } {
  return {
    oneflowToken: perOrgSettingName({ name: `ONEFLOW_API_TOKEN__${ORG_KEY_PLACEHOLDER}` }, orgKey),
    webhookSignKey: perOrgSettingName({ name: `ONEFLOW_SIGN_KEY__${ORG_KEY_PLACEHOLDER}` }, orgKey),
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`The Function app's settings are incomplete:\n- ${problems.join('\n- ')}`);
    this.name = 'ConfigError';
  }
}

/** Loopback hosts, the only ones allowed over plain http (the local runner and its host page). */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost']);

/**
 * One allowed origin, or why not. Browsers send `Origin` as scheme, lower-case host and a port only when it is not
 * the scheme's default, never a path: an entry written any other way would never match, so it is refused here.
 */
function originProblem(entry: string): string | null {
  if (entry === '*' || entry.includes('*')) {
    return `"${entry}": wildcards are not allowed, list each origin`;
  }
  const url = URL.canParse(entry) ? new URL(entry) : null;
  if (url === null) return `"${entry}" is not an origin such as https://contoso.crm4.dynamics.com`;
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    return `"${entry}" must be https (http only for 127.0.0.1 or localhost)`;
  }
  if (url.origin !== entry) {
    return `"${entry}" must be exactly an origin (scheme://host[:port], lower case, no path or trailing slash): ${url.origin}`;
  }
  return null;
}

const OriginListSchema = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
  )
  .superRefine((origins, context) => {
    for (const origin of origins) {
      const problem = originProblem(origin);
      if (problem !== null) context.addIssue({ code: 'custom', message: problem });
    }
  })
  .transform((origins) => [...new Set(origins)]);

const positiveDays = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const EnvSchema = z.object({
  PRODUCT_SYNC_TENANTS: z.string().min(1, 'is required: a JSON array of the allowed tenants'),
  ENTRA_AUTHORITY_HOST: z
    .url({ protocol: /^https$/ })
    .default('https://login.microsoftonline.com')
    .transform((url) => url.replace(/\/+$/, '')),
  ENTRA_CA_CERTIFICATE_PEM: z.string().optional(),
  API_AUDIENCES: z.string().min(1, 'is required: the API client id and/or App ID URI, comma separated'),
  API_ADMIN_ROLE: z.string().min(1).default('ProductSync.Admin'),
  API_SYNC_ROLE: z.string().min(1).default('ProductSync.Sync'),
  BACKEND_CLIENT_ID: GuidSchema,
  BACKEND_CLIENT_SECRET: z.string().optional(),
  BACKEND_CLIENT_CERTIFICATE: z.string().optional(),
  BACKEND_FEDERATED_CREDENTIAL: z
    .string()
    .optional()
    .refine((value) => !value || value.toLowerCase() === 'managedidentity', {
      message: "must be managedidentity (the Function app's managed identity as a federated credential)",
    }),
  BACKEND_FEDERATED_CLIENT_ID: GuidSchema.optional(),
  AzureWebJobsStorage: z.string().optional(),
  WEBHOOK_QUEUE_NAME: z
    .string()
    .regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, 'must be a storage queue name')
    .default('oneflow-webhooks'),
  ACTIVITY_RETENTION_DAYS: positiveDays(180),
  CALLBACK_RETENTION_DAYS: positiveDays(30),
  RECONCILE_QUOTA_SHARE_PERCENT: z.coerce.number().int().min(1).max(100).default(10),
  CORS_ALLOWED_ORIGINS: OriginListSchema,
});

function issuePath(issue: z.core.$ZodIssue, prefix: string): string {
  const path = issue.path.map(String).join('.');
  return path ? `${prefix}${path}` : prefix.replace(/\.$/, '');
}

const BACKEND_CREDENTIAL_SETTINGS = [
  'BACKEND_CLIENT_SECRET',
  'BACKEND_CLIENT_CERTIFICATE',
  'BACKEND_FEDERATED_CREDENTIAL',
] as const;

/**
 * The backend's credential, or the problem with it. Exactly one way is set, so a forgotten secret left beside a
 * new certificate cannot silently win; the messages name settings, never their values.
 */
function backendCredential(env: NodeJS.ProcessEnv): BackendCredential | string {
  const set = BACKEND_CREDENTIAL_SETTINGS.filter((name) => Boolean(env[name]));
  const names = BACKEND_CREDENTIAL_SETTINGS.join(', ');
  const [only] = set;
  if (only === undefined || set.length > 1) {
    return only === undefined
      ? `the backend's credential is required: set exactly one of ${names}`
      : `the backend's credential is set ${set.length} ways (${set.join(', ')}): set exactly one of ${names}`;
  }
  if (env.BACKEND_FEDERATED_CLIENT_ID && only !== 'BACKEND_FEDERATED_CREDENTIAL') {
    return `BACKEND_FEDERATED_CLIENT_ID is set but ${only} is the credential: it only names the identity for BACKEND_FEDERATED_CREDENTIAL=managedidentity`;
  }
  const value = env[only] ?? '';
  if (only === 'BACKEND_CLIENT_SECRET') return { kind: 'secret', secret: value };
  if (only === 'BACKEND_CLIENT_CERTIFICATE') {
    try {
      return { kind: 'certificate', ...parseBackendCertificate(value) };
    } catch (error) {
      if (error instanceof BackendCertificateError) return `BACKEND_CLIENT_CERTIFICATE ${error.message}`;
      throw error;
    }
  }
  return {
    kind: 'managedIdentity',
    identityClientId: env.BACKEND_FEDERATED_CLIENT_ID?.toLowerCase() || undefined,
  };
}

/**
 * Reads and checks every setting at start-up, so a missing or malformed one stops the app with its name
 * instead of failing on the first request that needs it. Secret values never appear in the messages.
 */
export function loadConfig(env: NodeJS.ProcessEnv): AppConfig {
  const unresolved = unresolvedKeyVaultReferences(env);
  if (unresolved.length > 0) throw new ConfigError(unresolved);
  const parsed = EnvSchema.safeParse(env);
  const credential = backendCredential(env);
  if (!parsed.success || typeof credential === 'string') {
    throw new ConfigError([
      ...(parsed.success
        ? []
        : parsed.error.issues.map((issue) => `${issuePath(issue, '')} ${issue.message}`)),
      ...(typeof credential === 'string' ? [credential] : []),
    ]);
  }
  const settings = parsed.data;
  let rawTenants: unknown;
  try {
    rawTenants = JSON.parse(settings.PRODUCT_SYNC_TENANTS);
  } catch {
    throw new ConfigError(['PRODUCT_SYNC_TENANTS is not valid JSON']);
  }
  const tenants = z.array(TenantEntrySchema).min(1).safeParse(rawTenants);
  if (!tenants.success) {
    throw new ConfigError(
      tenants.error.issues.map((issue) => `${issuePath(issue, 'PRODUCT_SYNC_TENANTS.')} ${issue.message}`),
    );
  }
  const problems: string[] = [];
  const seen = { tenantId: new Set<string>(), orgKey: new Set<string>() };
  const withSecrets = tenants.data.map((tenant): TenantConfig => {
    for (const key of ['tenantId', 'orgKey'] as const) {
      if (seen[key].has(tenant[key])) problems.push(`PRODUCT_SYNC_TENANTS lists ${key} ${tenant[key]} twice`);
      seen[key].add(tenant[key]);
    }
    const names = secretSettingNames(tenant.orgKey);
    const secret = (name: string): string => {
      const value = env[name];
      if (!value) problems.push(`${name} is required (the ${tenant.orgKey} org's secret)`);
      return value ?? '';
    };
    return {
      ...tenant,
      secrets: { oneflowToken: secret(names.oneflowToken), webhookSignKey: secret(names.webhookSignKey) },
    };
  });
  const storage = storageFromSettings(env);
  const caCertificate = caCertificateFromSettings(env);
  problems.push(...storage.problems, ...caCertificate.problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    tenants: withSecrets,
    auth: {
      authorityHost: settings.ENTRA_AUTHORITY_HOST,
      authorityCaPem: caCertificate.pem,
      audiences: settings.API_AUDIENCES.split(',')
        .map((value) => value.trim())
        .filter(Boolean),
      adminRole: settings.API_ADMIN_ROLE,
      syncRole: settings.API_SYNC_ROLE,
    },
    backend: { clientId: settings.BACKEND_CLIENT_ID, credential },
    storage: storage.storage,
    webhookQueue: settings.WEBHOOK_QUEUE_NAME,
    retention: {
      activityDays: settings.ACTIVITY_RETENTION_DAYS,
      callbackDays: settings.CALLBACK_RETENTION_DAYS,
    },
    reconcile: { quotaSharePercent: settings.RECONCILE_QUOTA_SHARE_PERCENT },
    cors: { allowedOrigins: settings.CORS_ALLOWED_ORIGINS },
  };
}
