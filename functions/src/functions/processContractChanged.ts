import { processContractChanged } from '../queue/processContractChanged';
import type { QueueFunction } from '../registry';

/** Queue trigger on the webhook queue: one fetch per changed contract, coalesced. */
const definition: QueueFunction = {
  name: 'processContractChanged',
  handle: async (services, message, dequeueCount, log) => {
    const outcome = await processContractChanged(services, message, dequeueCount, log);
    log.info('contract change processed', { outcome });
  },
};
export default definition;
