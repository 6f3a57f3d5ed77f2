// `npm run sim`: the three simulators, seeded with their default fixtures, on 127.0.0.1 until Ctrl-C. With
// SIM_STATE_DIR (the local stack's `.local/simulators`) the Oneflow and Dataverse state outlives a restart.
import { resolve } from 'node:path';
import { z } from 'zod';
import { listenLocal } from './common/listen';
import { StateFileError } from './common/stateFile';
import { createDataverseSimulator, type RunningDataverseSimulator } from './dataverse';
import { DEFAULT_IDENTITY_PORT, startIdentitySimulator, type RunningIdentitySimulator } from './identity';
import { certificateFileFor, removeCertificateFile, writeCertificateFile } from './identity/certificate';
import { createOneflowSimulator, type RunningOneflowSimulator } from './oneflow';
import { readingsFromEnvironment, type Readings } from './oneflow/readings';
import { keepSimulatorState } from './stateFolder';

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
  /** True when the Oneflow and Dataverse state was loaded from the state folder of an earlier run. */
  restored: boolean;
  /** Stops all three (saving their state last, when a folder was given); resolves once every server closed. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** Keep the Oneflow and Dataverse state here across restarts; without it they start from the seed, in memory. */
  stateDir?: string;
  /** How the Oneflow simulator takes the facts Oneflow's sources leave open (docs/simulators-oneflow.md). */
  oneflowReadings?: Readings;
}

/**
 * Starts the three simulators (port 0: ephemeral, for tests). Dataverse checks bearer tokens against the
 * identity simulator like the real one: signature, an audience naming the environment URL (with or without the
 * trailing slash a `//.default` scope produces) and the home tenant.
 */
export async function startAllSimulators(
  ports: SimulatorPorts,
  options: StartOptions = {},
): Promise<RunningSimulators> {
  const identity = await startIdentitySimulator({ port: ports.identity });
  // The Dataverse URL (the tokens' audience) is known only once it listens; no request arrives before that.
  let dataverseUrl = '';
  const started: { close(): Promise<void> }[] = [identity];
  try {
    const dataverseSimulator = createDataverseSimulator({
      tokenVerifier: (token) =>
        identity.verifyAccessToken(token, {
          audience: [dataverseUrl, `${dataverseUrl}/`],
          tenantId: identity.homeTenantId,
        }),
    });
    const oneflowSimulator = createOneflowSimulator({ readings: options.oneflowReadings });
    // Loaded before either listens, so no request ever sees the seed in place of the saved state.
    const saved =
      options.stateDir === undefined
        ? null
        : keepSimulatorState(options.stateDir, { oneflow: oneflowSimulator, dataverse: dataverseSimulator });
    const dataverse = {
      ...dataverseSimulator,
      ...(await listenLocal(dataverseSimulator.app, ports.dataverse)),
    };
    dataverseUrl = dataverse.url;
    started.push(dataverse);
    const oneflow = { ...oneflowSimulator, ...(await listenLocal(oneflowSimulator.app, ports.oneflow)) };
    started.push(oneflow);
    return {
      dataverse,
      oneflow,
      identity,
      restored: saved?.restored ?? false,
      close: async () => {
        await Promise.all(started.map((server) => server.close()));
        saved?.flush();
      },
    };
  } catch (error) {
    // A port in use must not leave the simulators already started running.
    await Promise.allSettled(started.map((server) => server.close()));
    throw error;
  }
}

/** Plain decimal digits, as the start script checks them: `1e3`, `0x50` or ` 80` are not ports. */
const PortSchema = z
  .string()
  .regex(/^[0-9]{1,5}$/)
  .transform(Number)
  .pipe(z.number().max(65535));

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
  // npm runs the script inside simulators/; a relative folder means one relative to where npm was run.
  const stateDir = process.env.SIM_STATE_DIR
    ? resolve(process.env.INIT_CWD ?? process.cwd(), process.env.SIM_STATE_DIR)
    : undefined;
  const simulators = await startAllSimulators(portsFromEnvironment(process.env), {
    stateDir,
    oneflowReadings: readingsFromEnvironment(process.env.SIM_ONEFLOW_READINGS),
  });
  const { dataverse, oneflow, identity } = simulators;
  const certificatePath = writeCertificateFile(identity.certificatePem, certificateFileFor(identity.port));
  console.log(`Dataverse simulator  ${dataverse.url}/api/data/v9.2/`);
  console.log(`Oneflow simulator    ${oneflow.url}/v1 (page at ${oneflow.url}/)`);
  console.log(
    `Identity provider    ${identity.url}/{tenant}/v2.0 (home tenant ${identity.homeTenantId}; TLS certificate ${certificatePath})`,
  );
  if (stateDir !== undefined) {
    console.log(
      `State                ${stateDir} (${simulators.restored ? 'continued from the last run' : 'seeded fixtures'}; saved on every change)`,
    );
  }
  let stopping = false;
  // Idempotent: Ctrl-C reaches every process of the terminal's group, and `npm start` forwards it once more.
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    removeCertificateFile(certificatePath);
    simulators.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('simulators did not stop cleanly:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

// Importing this module (the test does) must not start anything.
if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    if (error instanceof StateFileError) {
      console.error(
        'The saved simulator state cannot be read; `npm start -- --fresh` starts over from the seed.',
      );
    }
    process.exit(1);
  });
}
