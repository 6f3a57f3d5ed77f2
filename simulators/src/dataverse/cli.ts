import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startDataverseSimulator } from './index';

/**
 * Runs the Dataverse simulator alone:
 *   npx tsx simulators/src/dataverse/cli.ts [--port 7101] [--fixture file.json] [--requests-per-window 6000] [--window-ms 300000]
 * Tokens are read without verifying their signature (the local runner wires real verification).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '7101' },
      fixture: { type: 'string' },
      'requests-per-window': { type: 'string' },
      'window-ms': { type: 'string' },
    },
  });
  const fixture: unknown = values.fixture ? JSON.parse(readFileSync(values.fixture, 'utf8')) : undefined;
  const requestsPerWindow = values['requests-per-window'];
  const windowMs = values['window-ms'];
  const simulator = await startDataverseSimulator({
    port: Number(values.port),
    ...(fixture === undefined ? {} : { fixture }),
    ...(requestsPerWindow || windowMs
      ? {
          throttle: {
            requestsPerWindow: Number(requestsPerWindow ?? 6000),
            windowMs: Number(windowMs ?? 300_000),
          },
        }
      : {}),
  });
  console.log(`Dataverse simulator: ${simulator.url}/api/data/v9.2/ (controls at ${simulator.url}/_sim/)`);
  const stop = () => {
    void simulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
