import { listenLocal, type RunningServer } from '../common/listen';
import { createDataverseSimulator, type DataverseSimulator, type DataverseSimulatorOptions } from './server';

export { createDataverseSimulator } from './server';
export type { DataverseSimulator, DataverseSimulatorOptions } from './server';

export type RunningDataverseSimulator = RunningServer & DataverseSimulator;

/** Starts the simulator on 127.0.0.1; port 0 picks a free port (tests), the caller chooses 7101 for the stack. */
export async function startDataverseSimulator(
  options: DataverseSimulatorOptions & { port?: number } = {},
): Promise<RunningDataverseSimulator> {
  const { port = 0, ...simulatorOptions } = options;
  const simulator = createDataverseSimulator(simulatorOptions);
  const server = await listenLocal(simulator.app, port);
  return { ...simulator, ...server };
}
