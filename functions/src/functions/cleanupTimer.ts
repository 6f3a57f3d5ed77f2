import type { TimerFunction } from '../registry';
import { cleanup } from '../timers/cleanup';

const definition: TimerFunction = {
  name: 'cleanupTimer',
  /** Daily at 03:30 UTC. */
  schedule: '0 30 3 * * *',
  handle: async (services, log) => {
    log.info('cleanup removed old rows', await cleanup(services));
  },
};
export default definition;
