// `npm run sim`: the three simulators, seeded with their default fixtures, on 127.0.0.1 until Ctrl-C.
import { z } from 'zod';
import { startDataverseSimulator, type RunningDataverseSimulator } from './dataverse';
import { DEFAULT_IDENTITY_PORT, startIdentitySimulator, type RunningIdentitySimulator } from './identity';
import { writeCertificateFile } from './identity/certificate';
import { startOneflowSimulator, type RunningOneflowSimulator } from './oneflow';

export const DEFAULT_PORTS = { dataverse: 7101, oneflow: 7102, identity: DEFAULT_IDENTITY_PORT } as const;

export interface SimulatorPorts {
  dataverse: number;
  oneflow: number;
  identity: number;
}

export interface RunningSimulators {
  dataverse: RunningDataverseSimulator;
  oneflow: RunningOneflowSimulator;
  identity: RunningIdentitySimulator;
  /** Stops all three; resolves once every server has closed. */
  close(): Promise<void>;
}

/**
 * Starts the three simulators (port 0: ephemeral, for tests). Dataverse checks bearer tokens against the
 * identity simulator like the real one: signature, an audience naming the environment URL (with or without the
 * trailing slash a `//.default` scope produces) and the home tenant.
 */
export async function startAllSimulators(ports: SimulatorPorts): Promise<RunningSimulators> {
  const identity = await startIdentitySimulator({ port: ports.identity });
  // The Dataverse URL (the tokens' audience) is known only once it listens; no request arrives before that.
  let dataverseUrl = '';
  const started: { close(): Promise<void> }[] = [identity];
  try {
    const dataverse = await startDataverseSimulator({
      port: ports.dataverse,
      tokenVerifier: (token) =>
        identity.verifyAccessToken(token, {
          audience: [dataverseUrl, `${dataverseUrl}/`],
          tenantId: identity.homeTenantId,
        }),
    });
    dataverseUrl = dataverse.url;
    started.push(dataverse);
    const oneflow = await startOneflowSimulator({ port: ports.oneflow });
    started.push(oneflow);
    return {
      dataverse,
      oneflow,
      identity,
      close: async () => {
        await Promise.all(started.map((server) => server.close()));
      },
    };
  } catch (error) {
    // A port in use must not leave the simulators already started running.
    await Promise.allSettled(started.map((server) => server.close()));
    throw error;
  }
}

const PortSchema = z.coerce.number().int().min(0).max(65535);

/** Ports from SIM_DATAVERSE_PORT, SIM_ONEFLOW_PORT and SIM_IDENTITY_PORT, the defaults otherwise. */
export function portsFromEnvironment(environment: NodeJS.ProcessEnv): SimulatorPorts {
  const read = (name: string, fallback: number): number => {
    const value = environment[name];
    if (value === undefined || value === '') return fallback;
    const parsed = PortSchema.safeParse(value);
    if (!parsed.success) throw new Error(`${name} must be a port number (0-65535), got "${value}"`);
    return parsed.data;
  };
  return {
    dataverse: read('SIM_DATAVERSE_PORT', DEFAULT_PORTS.dataverse),
    oneflow: read('SIM_ONEFLOW_PORT', DEFAULT_PORTS.oneflow),
    identity: read('SIM_IDENTITY_PORT', DEFAULT_PORTS.identity),
  };
}

async function main(): Promise<void> {
  const simulators = await startAllSimulators(portsFromEnvironment(process.env));
  const { dataverse, oneflow, identity } = simulators;
  const certificatePath = writeCertificateFile(identity.certificatePem);
  console.log(`Dataverse simulator  ${dataverse.url}/api/data/v9.2/`);
  console.log(`Oneflow simulator    ${oneflow.url}/v1 (page at ${oneflow.url}/)`);
  console.log(
    `Identity provider    ${identity.url}/{tenant}/v2.0 (home tenant ${identity.homeTenantId}; TLS certificate ${certificatePath})`,
  );
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    simulators.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('simulators did not stop cleanly:', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

// Importing this module (the test does) must not start anything.
if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
