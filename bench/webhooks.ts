import { QueueClient } from '@azure/storage-queue';
import { createContract, dynamicsSide, oneflowSide, quantityOf } from '../functions/src/e2e/syncE2eSupport';
import { notification, postNotification } from '../functions/src/e2e/webhookSupport';
import { FIXTURE } from '../functions/src/testing/stack';
import type { Bench } from './harness';
import type { BenchRecord } from './records';
import { quantile, round } from './stats';

/** Contract ids no stored contract has: the receiver's own work, with the queue run finding nothing to fetch. */
const UNKNOWN_CONTRACT_BASE = 9_000_000;

export interface ReceiverResult {
  concurrency: number;
  notifications: number;
  acksPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers other than 200. */
  refused: number;
  table: { requests: number; rounds: number };
  queue: { requests: number; rounds: number };
}

/** Posts `count` signed notifications, `concurrency` at a time; the latency of each answer. */
async function postAll(
  bench: Bench,
  contractIds: readonly number[],
  concurrency: number,
): Promise<{ latencies: number[]; refused: number }> {
  const latencies: number[] = [];
  let refused = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const index = next++;
      const contractId = contractIds[index];
      if (contractId === undefined) return;
      const started = performance.now();
      const answer = await postNotification(bench.stack, notification(contractId));
      latencies.push(performance.now() - started);
      if (answer.status !== 200) refused++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latencies, refused };
}

/** The receiver alone: acks per second and answer times at each concurrency. */
export async function benchReceiver(
  bench: Bench,
  levels: readonly { concurrency: number; notifications: number }[],
): Promise<ReceiverResult[]> {
  const results: ReceiverResult[] = [];
  let offset = 0;
  for (const level of levels) {
    const ids = Array.from({ length: level.notifications }, (_, i) => UNKNOWN_CONTRACT_BASE + offset + i);
    offset += level.notifications;
    // A few unmeasured first, so the first measured answers do not pay for the process warming up.
    const warmUp = Array.from({ length: level.concurrency * 2 }, (_, i) => UNKNOWN_CONTRACT_BASE - 1 - i);
    await postAll(bench, warmUp, level.concurrency);
    let posted: Awaited<ReturnType<typeof postAll>> = { latencies: [], refused: 0 };
    const traffic = await bench.measure(async () => {
      posted = await postAll(bench, ids, level.concurrency);
    });
    results.push({
      concurrency: level.concurrency,
      notifications: level.notifications,
      acksPerSecond: round(level.notifications / (traffic.ms / 1000)),
      p50Ms: quantile(posted.latencies, 0.5),
      p99Ms: quantile(posted.latencies, 0.99),
      refused: posted.refused,
      table: { requests: traffic.table.requests, rounds: traffic.table.rounds },
      queue: { requests: traffic.queue.requests, rounds: traffic.queue.rounds },
    });
    await bench.stack.host.drainQueue();
  }
  return results;
}

export interface BurstResult {
  notifications: number;
  contracts: number;
  converged: boolean;
  /** From the first notification sent to the queue found empty (ms); the time limit when it never emptied. */
  convergeMs: number;
  /** Every contract's Dynamics line shows the change made in Oneflow before the burst. */
  allFetched: boolean;
  /** Oneflow `GET /v1/contracts/{id}` per contract: each fetch run reads the contract once. */
  fetchRunsPerContract: { max: number; mean: number };
  /** Webhook entries in the contracts' activity (fetch runs that wrote something). */
  webhookEntriesPerContract: { max: number; mean: number };
  /** Oneflow and Dataverse requests per contract. */
  remoteRequestsPerContract: number;
  oneflowRequests: number;
  dataverseRequests: number;
  tableRequests: number;
  poisoned: number;
}

/**
 * `perContract` notifications for each contract (one product changed in Oneflow before), interleaved and sent
 * `concurrency` at a time, as Oneflow would deliver a burst; then until the queue is empty.
 */
export async function benchBurst(
  bench: Bench,
  records: readonly BenchRecord[],
  options: { perContract: number; concurrency: number; timeLimitMs: number },
): Promise<BurstResult> {
  const { stack } = bench;
  const token = await stack.token('alex');
  const oneflow = oneflowSide(stack);
  const dynamics = dynamicsSide(stack);
  const contracts: { id: number; lineId: string; quantity: number }[] = [];
  for (const record of records) {
    await bench.awaitOneflowBudget(10);
    const { contract } = await createContract(stack, token, record.id);
    const lineId = record.lineIds[0];
    if (!lineId) throw new Error('a bench record without lines');
    const product = await oneflow.productOf(contract.contractId, lineId);
    if (!product) throw new Error(`contract ${String(contract.contractId)} has no product for ${lineId}`);
    const quantity = quantityOf(product) + 1000;
    await oneflow.update(contract.contractId, product.id, { quantity: { amount: quantity } });
    contracts.push({ id: contract.contractId, lineId, quantity });
  }
  await stack.host.drainQueue();
  const queueName = stack.services.config.webhookQueue;
  // Straight to Azurite, past the counting proxy: these probes are not the backend's traffic.
  const queue = new QueueClient(stack.azurite.connectionString, queueName);
  const poison = new QueueClient(stack.azurite.connectionString, `${queueName}-poison`);
  const poisonedBefore = (await poison.getProperties()).approximateMessagesCount ?? 0;

  const ids = Array.from({ length: options.perContract }, () =>
    contracts.map((contract) => contract.id),
  ).flat();
  // Room for a few fetch runs of every contract.
  await bench.awaitOneflowBudget(contracts.length * 5 + 10);
  let converged = false;
  let convergeMs = options.timeLimitMs;
  const traffic = await bench.measure(async () => {
    const started = performance.now();
    await postAll(bench, ids, options.concurrency);
    for (;;) {
      const { approximateMessagesCount } = await queue.getProperties();
      const elapsed = performance.now() - started;
      if (!approximateMessagesCount) {
        converged = true;
        convergeMs = elapsed;
        return;
      }
      if (elapsed > options.timeLimitMs) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  const poisoned = ((await poison.getProperties()).approximateMessagesCount ?? 0) - poisonedBefore;

  const fetchRuns = contracts.map(
    (contract) =>
      traffic.oneflowRequests.filter(
        (request) =>
          request.route === 'GET /v1/contracts/:id' &&
          request.url.split('?')[0] === `/v1/contracts/${String(contract.id)}`,
      ).length,
  );
  const entries = await Promise.all(
    contracts.map(
      async (contract) =>
        (
          await stack.services.store.activity.list(FIXTURE.contoso, { contractId: contract.id, limit: 1000 })
        ).filter((entry) => entry.action === 'webhook').length,
    ),
  );
  const lines = await Promise.all(contracts.map((contract) => dynamics.line(contract.lineId)));
  const allFetched = contracts.every((contract, index) => lines[index]?.quantity === contract.quantity);
  const perContract = (values: number[]) => ({
    max: Math.max(...values),
    mean: round(values.reduce((sum, value) => sum + value, 0) / values.length, 2),
  });
  return {
    notifications: ids.length,
    contracts: contracts.length,
    converged,
    convergeMs: round(convergeMs),
    allFetched,
    fetchRunsPerContract: perContract(fetchRuns),
    webhookEntriesPerContract: perContract(entries),
    remoteRequestsPerContract: round(
      (traffic.oneflow.requests + traffic.dataverse.requests) / contracts.length,
      2,
    ),
    oneflowRequests: traffic.oneflow.requests,
    dataverseRequests: traffic.dataverse.requests,
    tableRequests: traffic.table.requests,
    poisoned,
  };
}
