import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exited } from './processes';

export interface SimulatorProcess {
  pid: number;
  dataverseUrl: string;
  oneflowUrl: string;
  identityUrl: string;
  identityCertificatePem: string;
  stop(): Promise<void>;
}

const REPO = join(__dirname, '..', '..', '..');

/**
 * The three simulators as their own process (`npm run sim`'s entry), on ports the OS picks. Each writes its
 * certificate to a file named after its port and prints the path, so parallel test files (and an `npm start`
 * beside them) never trust each other's identity provider.
 */
export async function startSimulatorProcess(): Promise<SimulatorProcess> {
  const child = spawn(
    process.execPath,
    [require.resolve('tsx/cli'), join(REPO, 'simulators', 'src', 'run.ts')],
    {
      cwd: REPO,
      env: {
        ...process.env,
        SIM_DATAVERSE_PORT: '0',
        SIM_ONEFLOW_PORT: '0',
        SIM_IDENTITY_PORT: '0',
        // Tests start from the seeded fixtures, whatever the shell running them has set.
        SIM_STATE_DIR: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const urls = await new Promise<{
    dataverse: string;
    oneflow: string;
    identity: string;
    certificate: string;
  }>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`simulators did not start in 30 s:\n${output}`));
    }, 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const dataverse = /Dataverse simulator\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      const oneflow = /Oneflow simulator\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      const identity = /Identity provider\s+(https:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      const certificate = /TLS certificate (\S+?)\)/.exec(output)?.[1];
      if (dataverse && oneflow && identity && certificate) {
        clearTimeout(timer);
        resolve({ dataverse, oneflow, identity, certificate });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`simulators exited (${code}) before starting:\n${output}`));
    });
  });
  if (child.pid === undefined) throw new Error('simulators have no pid');
  return {
    pid: child.pid,
    dataverseUrl: urls.dataverse,
    oneflowUrl: urls.oneflow,
    identityUrl: urls.identity,
    identityCertificatePem: readFileSync(urls.certificate, 'utf8'),
    async stop() {
      const done = exited(child);
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await done;
      clearTimeout(timer);
    },
  };
}
