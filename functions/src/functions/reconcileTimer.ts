import type { TimerFunction } from '../registry';
import { reconcile } from '../timers/reconcile';

const definition: TimerFunction = {
  name: 'reconcileTimer',
  /** Every 15 minutes. */
  schedule: '0 */15 * * * *',
  handle: async (services, log) => {
    log.info('reconcile queued fetches', { queued: await reconcile(services, log) });
  },
};
export default definition;
