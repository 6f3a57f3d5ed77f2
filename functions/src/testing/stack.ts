import { Agent } from 'node:https';
import axios, { type AxiosResponse } from 'axios';
import { servicesFor } from '../bootstrap';
import { loadConfig } from '../config/config';
import { startLocalHost, type RunningLocalHost } from '../host/localHost';
import type { Logger, Services } from '../services';
import { startAzurite, type RunningAzurite } from './azurite';
import { OneflowConformanceError, oneflowConformanceViolations } from './oneflowConformance';
import { startSimulatorProcess, type SimulatorProcess } from './simulatorProcess';

/** simulators/fixtures: identity.json, oneflow.json, dataverse.json. */
export const FIXTURE = {
  contoso: '3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f',
  fabrikam: '9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  apiClientId: 'a9900000-0000-4000-8000-000000000001',
  users: {
    alex: { tid: '3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f', oid: 'aad00000-0000-4000-8000-000000000002' },
    robin: { tid: '3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f', oid: 'aad00000-0000-4000-8000-000000000003' },
    sam: { tid: '3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f', oid: 'aad00000-0000-4000-8000-000000000004' },
    megan: { tid: '9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', oid: 'c3d4e5f6-a7b8-4c9d-8e0f-2a3b4c5d6e7f' },
  },
  oneflowToken: '0f1d2c3b4a5968778695a4b3c2d1e0f1a2b3c4d5',
  workspaceId: 130406,
  templateId: 756510,
  opportunity: '0a1b0000-0000-4000-8000-000000000001',
  opportunityLines: [
    '2c3d0000-0000-4000-8000-000000000001',
    '2c3d0000-0000-4000-8000-000000000002',
    '2c3d0000-0000-4000-8000-000000000003',
  ],
  quote: '1b2c0000-0000-4000-8000-000000000001',
  signKeys: { contoso: 'contoso-sign-key-for-tests', fabrikam: 'fabrikam-sign-key-for-tests' },
} as const;

type UserName = keyof typeof FIXTURE.users;

export interface ApiAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  text: string;
}

export interface Stack {
  simulators: SimulatorProcess;
  azurite: RunningAzurite;
  host: RunningLocalHost;
  services: Services;
  /** A call to the backend's API (`/api/...`), without throwing on error statuses. */
  api(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<ApiAnswer>;
  /** A user token minted by the identity provider (`aud` defaults to the API). */
  token(user: UserName, claims?: Record<string, unknown>): Promise<string>;
  /** A call to one of the simulators (`/_sim/...` control endpoints or their APIs). */
  sim(
    service: 'dataverse' | 'oneflow',
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiAnswer>;
  close(): Promise<void>;
}

/** The Function app's settings for a stack: both fixture tenants, against these simulators and this storage. */
export function stackAppSettings(simulators: SimulatorProcess, storage: string): Record<string, string> {
  const tenant = (tenantId: string, orgKey: string) => ({
    tenantId,
    dataverseUrl: simulators.dataverseUrl,
    orgKey,
    oneflow: {
      apiUrl: `${simulators.oneflowUrl}/v1`,
      userEmail: 'alex.seller@contoso.example',
      workspaceId: FIXTURE.workspaceId,
      templateId: FIXTURE.templateId,
    },
  });
  return {
    PRODUCT_SYNC_TENANTS: JSON.stringify([
      tenant(FIXTURE.contoso, 'contoso'),
      tenant(FIXTURE.fabrikam, 'fabrikam'),
    ]),
    ONEFLOW_API_TOKEN__CONTOSO: FIXTURE.oneflowToken,
    ONEFLOW_SIGN_KEY__CONTOSO: FIXTURE.signKeys.contoso,
    ONEFLOW_API_TOKEN__FABRIKAM: FIXTURE.oneflowToken,
    ONEFLOW_SIGN_KEY__FABRIKAM: FIXTURE.signKeys.fabrikam,
    ENTRA_AUTHORITY_HOST: simulators.identityUrl,
    ENTRA_CA_CERTIFICATE_PEM: simulators.identityCertificatePem,
    API_AUDIENCES: `api://${FIXTURE.apiClientId},${FIXTURE.apiClientId}`,
    BACKEND_CLIENT_ID: FIXTURE.apiClientId,
    BACKEND_CLIENT_SECRET: 'sim-backend-secret~not-a-real-secret',
    AzureWebJobsStorage: storage,
  };
}

const quietLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

function answer(response: AxiosResponse<string>): ApiAnswer {
  let body: unknown = null;
  try {
    body = response.data === '' ? null : JSON.parse(response.data);
  } catch {
    body = null;
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (typeof value === 'string') headers[name.toLowerCase()] = value;
  }
  return { status: response.status, headers, body, text: response.data };
}

/**
 * How the Oneflow simulator takes the facts Oneflow's sources leave open: `kind`, `unkind` (every reading a
 * client must survive), or single readings (docs/simulators-oneflow.md, Readings). The end-to-end sync suites run
 * under both: the jest project `functions (unkind Oneflow)` sets E2E_ONEFLOW_READINGS=unkind for them; a JSON
 * object there (`{"description":"rich_text"}`) runs a suite under single readings.
 */
export type OneflowReadings = 'kind' | 'unkind' | Record<string, string | boolean>;

function oneflowReadingsOfRun(): OneflowReadings {
  const value = process.env.E2E_ONEFLOW_READINGS?.trim() ?? '';
  if (value.startsWith('{')) return JSON.parse(value) as Record<string, string | boolean>;
  return value === 'unkind' ? 'unkind' : 'kind';
}

/** How the backend reaches storage, when something stands between them (the bench's counting proxies). */
export interface StackRouting {
  /** The connection string the backend uses for tables and queues instead of Azurite's own. */
  storageConnection?: string;
  /** App settings laid over the stack's (after `env`). */
  env?: Record<string, string>;
}

/**
 * The whole backend as in production, on this machine: the simulators and Azurite as their own processes, the
 * Function app's registry mounted by the local runner, two tenants (Contoso and Fabrikam).
 */
export async function startStack(
  options: {
    env?: Record<string, string>;
    oneflowReadings?: OneflowReadings;
    /** Where the backend's log lines go; by default nowhere. */
    log?: Logger;
    /** Called once the simulators and Azurite listen, before the backend starts. */
    route?: (parts: { simulators: SimulatorProcess; azurite: RunningAzurite }) => Promise<StackRouting>;
  } = {},
): Promise<Stack> {
  const simulators = await startSimulatorProcess();
  let azurite: RunningAzurite | undefined;
  try {
    const readings = await axios.put<unknown>(
      `${simulators.oneflowUrl}/_sim/readings`,
      JSON.stringify(options.oneflowReadings ?? oneflowReadingsOfRun()),
      { headers: { 'content-type': 'application/json' }, validateStatus: () => true },
    );
    if (readings.status !== 200) {
      throw new Error(`Oneflow simulator readings: ${readings.status} ${JSON.stringify(readings.data)}`);
    }
    azurite = await startAzurite({ inMemory: true });
    const routing = options.route ? await options.route({ simulators, azurite }) : {};
    const storage = routing.storageConnection ?? azurite.connectionString;
    const config = loadConfig({ ...stackAppSettings(simulators, storage), ...options.env, ...routing.env });
    const fastRetry = { retry: { baseDelayMs: 20, maxDelayMs: 200 } };
    const services = await servicesFor(config, storage, {
      oneflowOptions: fastRetry,
      dataverseOptions: fastRetry,
    });
    const host = await startLocalHost({
      services,
      storageConnection: storage,
      port: 0,
      log: options.log ?? quietLogger,
      queuePollMs: 100,
    });
    const httpsAgent = new Agent({ ca: simulators.identityCertificatePem });
    const client = axios.create({
      validateStatus: () => true,
      responseType: 'text',
      // Bodies go out exactly as given: axios would JSON-encode a string that is not valid JSON, so a test
      // sending a malformed body would send a well-formed JSON string instead.
      transformRequest: (data: unknown) => data,
      transformResponse: (data: string) => data,
    });
    const runningAzurite = azurite;
    return {
      simulators,
      azurite: runningAzurite,
      host,
      services,
      async api(method, path, request = {}) {
        return answer(
          await client.request<string>({
            method,
            url: `${host.url}/api/${path.replace(/^\//, '')}`,
            headers: {
              ...(request.token ? { authorization: `Bearer ${request.token}` } : {}),
              ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
              ...request.headers,
            },
            data:
              request.body === undefined
                ? undefined
                : typeof request.body === 'string'
                  ? request.body
                  : JSON.stringify(request.body),
          }),
        );
      },
      async token(user, claims = {}) {
        const response = await client.post<string>(
          `${simulators.identityUrl}/_sim/tokens`,
          JSON.stringify({ ...FIXTURE.users[user], aud: FIXTURE.apiClientId, ...claims }),
          { httpsAgent, headers: { 'content-type': 'application/json' } },
        );
        if (response.status !== 200)
          throw new Error(`token for ${user}: ${response.status} ${response.data}`);
        return (JSON.parse(response.data) as { access_token: string }).access_token;
      },
      async sim(service, method, path, body, headers = {}) {
        const base = service === 'dataverse' ? simulators.dataverseUrl : simulators.oneflowUrl;
        return answer(
          await client.request<string>({
            method,
            url: `${base}${path}`,
            headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
            data: body === undefined ? undefined : JSON.stringify(body),
          }),
        );
      },
      async close() {
        // Read before the simulators stop; reported after, so a finding never leaves a process running.
        let violations: Awaited<ReturnType<typeof oneflowConformanceViolations>> = [];
        try {
          violations = await oneflowConformanceViolations(simulators.oneflowUrl);
        } finally {
          await host.close();
          await runningAzurite.stop();
          await simulators.stop();
        }
        if (violations.length > 0) throw new OneflowConformanceError(violations);
      },
    };
  } catch (error) {
    await azurite?.stop();
    await simulators.stop();
    throw error;
  }
}
