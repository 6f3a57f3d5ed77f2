import { QueueClient } from '@azure/storage-queue';
import { createAppTokenProvider } from './auth/appTokens';
import type { TokenCredential } from './auth/managedIdentity';
import { appCredential } from './auth/backendCredential';
import { createBearerValidator, type BearerValidator } from './auth/bearer';
import type { AppConfig, TenantConfig } from './config/config';
import { UnknownTenantError } from './config/errors';
import { createDataverseClient } from './dataverse/dataverseClient';
import { createDynamicsGateway, type DynamicsGateway } from './dataverse/dynamicsGateway';
import { createOneflowClient, type OneflowClient } from './oneflow/oneflowClient';
import { requestBudgetOf } from './oneflow/requestBudget';
import type { StateStore } from './state/store';

export interface Logger {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/** One tenant's connections: its Oneflow account and its Dynamics environment. */
export interface TenantServices {
  config: TenantConfig;
  oneflow: OneflowClient;
  dynamics: DynamicsGateway;
}

/** Work for the queue processor: "this contract changed in Oneflow". */
export interface ContractChangedMessage {
  /** Unique per queued message, kept by its retries (messages queued without one are known by their content). */
  id?: string;
  tenantId: string;
  contractId: number;
  /**
   * The webhook notification, `reconcile` when the timer found the change, or `follow_up`: the fetch a busy
   * contract's pending changes wait for (`round` counts how often it found the contract busy in turn).
   */
  source:
    | { kind: 'webhook'; callbackId: string; events: string[] }
    | { kind: 'reconcile' }
    | { kind: 'follow_up'; round: number };
  receivedAt: string;
}

interface EnqueueOptions {
  /** Seconds before the message can be processed (the queue's visibility timeout on send); default 0. */
  delaySeconds?: number;
}

/** Everything a handler needs; built once per process. */
export interface Services {
  config: AppConfig;
  store: StateStore;
  authenticate: BearerValidator;
  /** The tenant's connections; `UnknownTenantError` for a tenant not configured here. */
  tenant(tenantId: string): TenantServices;
  tenantByOrgKey(orgKey: string): TenantConfig | undefined;
  enqueue(message: ContractChangedMessage, options?: EnqueueOptions): Promise<void>;
  clock(): Date;
}

export interface ServiceOverrides {
  /** Replaces the Oneflow client options (tests shorten retries). */
  oneflowOptions?: Partial<Parameters<typeof createOneflowClient>[0]>;
  dataverseOptions?: Partial<Parameters<typeof createDataverseClient>[0]>;
  clock?: () => Date;
}

/** How the app reaches the webhook queue: a connection string, or the queue service URL with a token credential. */
export type QueueConnection = string | { url: string; credential: TokenCredential };

export function createQueueClient(connection: QueueConnection, name: string): QueueClient {
  if (typeof connection === 'string') return new QueueClient(connection, name);
  return new QueueClient(`${connection.url}/${name}`, connection.credential);
}

export function createServices(
  config: AppConfig,
  store: StateStore,
  queue: QueueClient,
  overrides: ServiceOverrides = {},
): Services {
  const tenants = new Map<string, TenantServices>();
  const configs = new Map(config.tenants.map((tenant) => [tenant.tenantId, tenant]));
  const byOrgKey = new Map(config.tenants.map((tenant) => [tenant.orgKey, tenant]));

  const connect = (tenant: TenantConfig): TenantServices => {
    const tokens = createAppTokenProvider({
      authorityHost: config.auth.authorityHost,
      tenantId: tenant.tenantId,
      clientId: config.backend.clientId,
      credential: appCredential(config.backend.credential, config.auth.authorityCaPem),
      ...(config.auth.authorityCaPem ? { caCertificatePem: config.auth.authorityCaPem } : {}),
    });
    const dataverse = createDataverseClient({
      environmentUrl: tenant.dataverseUrl,
      getAccessToken: () => tokens.getToken(tenant.dataverseUrl),
      ...overrides.dataverseOptions,
    });
    return {
      config: tenant,
      oneflow: createOneflowClient({
        baseUrl: tenant.oneflow.apiUrl,
        token: tenant.secrets.oneflowToken,
        userEmail: tenant.oneflow.userEmail,
        // Every Oneflow call of the org (actions, webhook runs, reconciliation, metadata) counts against one budget.
        budget: requestBudgetOf(tenant),
        ...overrides.oneflowOptions,
      }),
      dynamics: createDynamicsGateway(dataverse),
    };
  };

  return {
    config,
    store,
    authenticate: createBearerValidator({
      authorityHost: config.auth.authorityHost,
      authorityCaPem: config.auth.authorityCaPem,
      audiences: config.auth.audiences,
      allowedTenantIds: config.tenants.map((tenant) => tenant.tenantId),
    }),
    tenant(tenantId) {
      let services = tenants.get(tenantId);
      if (!services) {
        const tenant = configs.get(tenantId);
        if (!tenant) throw new UnknownTenantError(tenantId);
        services = connect(tenant);
        tenants.set(tenantId, services);
      }
      return services;
    },
    tenantByOrgKey: (orgKey) => byOrgKey.get(orgKey),
    async enqueue(message, options = {}) {
      const delaySeconds = options.delaySeconds ?? 0;
      // Base64, as the Functions queue trigger expects by default.
      await queue.sendMessage(
        Buffer.from(JSON.stringify(message)).toString('base64'),
        delaySeconds > 0 ? { visibilityTimeout: delaySeconds } : {},
      );
    },
    clock: overrides.clock ?? (() => new Date()),
  };
}
