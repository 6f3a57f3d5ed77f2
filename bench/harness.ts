import { oneflowBudgetLeft } from '../functions/src/oneflow/requestBudget';
import { FIXTURE, startStack, type Stack } from '../functions/src/testing/stack';
import { intervalsOf, remoteControl, type LoggedRequest, type RemoteControl } from './remote';
import { timing, type Interval, type Timing } from './rounds';
import { proxiedConnectionString, startStorageProxy, type StorageProxy } from './storageProxy';

export interface Latencies {
  remoteMs: number;
  storageMs: number;
}

/** The requests of one measured stretch, per service, with their rounds. */
export interface Traffic {
  ms: number;
  oneflow: Timing;
  dataverse: Timing;
  identity: Timing;
  /** Oneflow and Dataverse together: the remote rounds an action waits for. */
  remote: Timing;
  table: Timing;
  queue: Timing;
  oneflowRequests: LoggedRequest[];
  dataverseRequests: LoggedRequest[];
}

export interface Bench {
  stack: Stack;
  latencies: Latencies;
  remote: RemoteControl;
  /**
   * Waits until the org's Oneflow request budget in this process (the product's own, 1 800 per 5 minutes by
   * default) has `requests` left, so a measured action never meets the budget half way; the wait is not measured.
   */
  awaitOneflowBudget(requests: number): Promise<void>;
  /** How long the bench has waited for the budget so far (ms). */
  budgetWaitMs(): number;
  /**
   * Runs `work` with the latencies on (or, with `latency: false`, at none: what the machine alone costs) and
   * returns what it cost.
   */
  measure(work: () => Promise<unknown>, options?: { latency?: boolean }): Promise<Traffic>;
  close(): Promise<void>;
}

/** The stack with the backend's table and queue traffic through delaying proxies, and the remote latency control. */
export async function startBench(latencies: Latencies): Promise<Bench> {
  const proxies: StorageProxy[] = [];
  const closeProxies = async (): Promise<void> => {
    await Promise.all(proxies.map((proxy) => proxy.close()));
  };
  let stack: Stack;
  try {
    stack = await startStack({
      oneflowReadings: 'kind',
      route: async ({ azurite }) => {
        const table = await startStorageProxy({ port: azurite.tablePort, latencyMs: 0 });
        proxies.push(table);
        const queue = await startStorageProxy({ port: azurite.queuePort, latencyMs: 0 });
        proxies.push(queue);
        return {
          storageConnection: proxiedConnectionString(azurite.connectionString, {
            table: table.port,
            queue: queue.port,
          }),
        };
      },
    });
  } catch (error) {
    await closeProxies();
    throw error;
  }
  const [table, queue] = proxies;
  if (!table || !queue) throw new Error('the storage proxies did not start');
  // The bench's own edits in Oneflow (a person's, between the measured actions) use the product's API token, and
  // would spend the simulator's 2 000 requests per 5 minutes that Oneflow gives a token; the product's own
  // request budget still holds it to Oneflow's.
  const rateLimit = await stack.sim('oneflow', 'PUT', '/_sim/rate-limit', {
    budget: 1_000_000,
    windowMs: 300_000,
  });
  if (rateLimit.status !== 200) {
    await stack.close();
    await closeProxies();
    throw new Error(`Oneflow simulator rate limit: ${String(rateLimit.status)} ${rateLimit.text}`);
  }
  const remote = remoteControl(stack);
  const setLatency = async (on: boolean): Promise<void> => {
    table.latencyMs = on ? latencies.storageMs : 0;
    queue.latencyMs = on ? latencies.storageMs : 0;
    await remote.setLatency(on ? latencies.remoteMs : 0);
  };
  let waitedMs = 0;
  const tenant = stack.services.tenant(FIXTURE.contoso).config;
  return {
    stack,
    latencies,
    remote,
    async awaitOneflowBudget(requests) {
      for (;;) {
        const state = oneflowBudgetLeft(tenant);
        const wanted = Math.min(requests, state.limit);
        if (state.left >= wanted) return;
        const pause = Math.max(200, Math.min(state.nextFreeInMs, 5_000));
        waitedMs += pause;
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    },
    budgetWaitMs: () => waitedMs,
    async measure(work, options = {}) {
      await remote.clearLogs();
      await setLatency(options.latency ?? true);
      table.take();
      queue.take();
      const started = performance.now();
      let ms = 0;
      try {
        await work();
      } finally {
        ms = performance.now() - started;
        await setLatency(false);
      }
      const tableIntervals = table.take();
      const queueIntervals = queue.take();
      const [oneflowRequests, dataverseRequests, identityRequests] = await Promise.all([
        remote.log('oneflow'),
        remote.log('dataverse'),
        remote.log('identity'),
      ]);
      const oneflow = intervalsOf(oneflowRequests, latencies.remoteMs);
      const dataverse = intervalsOf(dataverseRequests, latencies.remoteMs);
      const remoteIntervals: Interval[] = [...oneflow, ...dataverse];
      return {
        ms,
        oneflow: timing(oneflow),
        dataverse: timing(dataverse),
        identity: timing(intervalsOf(identityRequests, latencies.remoteMs)),
        remote: timing(remoteIntervals),
        table: timing(tableIntervals),
        queue: timing(queueIntervals),
        oneflowRequests,
        dataverseRequests,
      };
    },
    async close() {
      try {
        await stack.close();
      } finally {
        await closeProxies();
      }
    },
  };
}
