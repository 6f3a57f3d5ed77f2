import type { TimerFunction } from '../registry';
import { reconcile, reconcilePorts } from '../timers/reconcile';

const definition: TimerFunction = {
  name: 'reconcileTimer',
  /** Every 15 minutes. */
  schedule: '0 */15 * * * *',
  handle: async (services, log) => {
    const organisations = await reconcile(reconcilePorts(services), log);
    // One line per run: what was queued, what it cost, and for each org whether it stopped at its share.
    log.info('reconcile queued fetches', {
      queued: organisations.reduce((sum, result) => sum + result.queued, 0),
      oneflowRequests: organisations.reduce((sum, result) => sum + result.requests, 0),
      organisations,
    });
  },
};
export default definition;
