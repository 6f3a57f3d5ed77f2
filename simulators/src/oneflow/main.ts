// Runs the Oneflow simulator alone: `npx tsx simulators/src/oneflow/main.ts` (SIM_ONEFLOW_PORT moves it;
// SIM_ONEFLOW_READINGS=unkind, or a JSON object of single readings, starts it under the unkind readings).
import { ONEFLOW_DEFAULT_PORT, startOneflowSimulator } from './index';
import { readingsFromEnvironment } from './readings';

async function main(): Promise<void> {
  const port = Number(process.env.SIM_ONEFLOW_PORT ?? ONEFLOW_DEFAULT_PORT);
  const readings = readingsFromEnvironment(process.env.SIM_ONEFLOW_READINGS);
  const simulator = await startOneflowSimulator({ port, readings });
  console.log(`Oneflow simulator: ${simulator.url}/v1 (page at ${simulator.url}/)`);
  const stop = (): void => {
    void simulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
