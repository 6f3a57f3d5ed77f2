// Runs the Oneflow simulator alone: `npx tsx simulators/src/oneflow/main.ts` (SIM_ONEFLOW_PORT moves it).
import { ONEFLOW_DEFAULT_PORT, startOneflowSimulator } from './index';

async function main(): Promise<void> {
  const port = Number(process.env.SIM_ONEFLOW_PORT ?? ONEFLOW_DEFAULT_PORT);
  const simulator = await startOneflowSimulator({ port });
  console.log(`Oneflow simulator: ${simulator.url}/v1 (page at ${simulator.url}/)`);
  const stop = (): void => {
    void simulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
