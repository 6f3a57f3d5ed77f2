import { z } from 'zod';
import type { ContractChangedMessage, Logger } from '../functions/src/services';
import type { ContractRecord } from '../functions/src/state/types';
import { FIXTURE } from '../functions/src/testing/stack';
import { storeContracts, syncedContractRecord } from '../functions/src/testing/storedContracts';
import { reconcile, reconcilePorts } from '../functions/src/timers/reconcile';
import type { Bench } from './harness';

/**
 * Reconciliation of many stored contracts of which a few changed in Oneflow: the contracts are made in the Oneflow
 * simulator at once and stored as synced straight in the state store, then some are changed (published or deleted:
 * the contract's own time moves; or a product edited), and one reconciliation run is measured with the latencies
 * on. First under the kind reading (list items carry the whole contract), then, with other contracts changed,
 * under the unkind one (list items without product tables, product edits leave the contract's time), where
 * product-only changes are found by full reads spread over several runs.
 */

interface ReconcileRun {
  reading: 'kind' | 'unkind';
  /** Contracts changed in Oneflow before the run: contract-level ones (published, deleted), product-only ones. */
  changed: { contract: number; product: number };
  oneflowRequests: number;
  /** Oneflow requests by route (`GET /v1/contracts`). */
  byRoute: Record<string, number>;
  /** The run's allowance (its share of the org's budget). */
  allowance: number;
  /** Contracts a fetch was queued for, and how many of them were changed ones. */
  queued: number;
  found: number;
  /** Whether exactly the changed contracts were queued. */
  exactlyChanged: boolean;
  fullReads: number;
  fullReadsLeft: number;
  stopped: string | null;
  ms: number;
}

export interface ReconcileResult {
  contracts: number;
  quotaSharePercent: number;
  kind: ReconcileRun;
  unkind: ReconcileRun;
}

const quietLog: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const BulkAnswer = z.object({ ids: z.array(z.number().int()) });
const StoredContract = z.object({
  product_groups: z.array(z.object({ products: z.array(z.object({ id: z.number().int() })) })),
});

/**
 * Oneflow gives times to the second, so reconciliation takes a change within a second of a sync for one after it;
 * this pause keeps the syncs and the changes apart.
 */
const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1100));

export async function benchReconcile(
  bench: Bench,
  options: { contracts: number; changed: number; quotaSharePercent: number },
): Promise<ReconcileResult> {
  const { stack } = bench;
  const tenant = stack.services.tenant(FIXTURE.contoso).config;
  const headers = {
    'x-oneflow-api-token': FIXTURE.oneflowToken,
    'x-oneflow-user-email': tenant.oneflow.userEmail,
  };
  const oneflow = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const answer = await stack.sim('oneflow', method, path, body, headers);
    if (answer.status !== 200) {
      throw new Error(
        `Oneflow simulator ${method} ${path}: ${String(answer.status)} ${answer.text.slice(0, 300)}`,
      );
    }
    return answer.body;
  };

  const { ids } = BulkAnswer.parse(
    await oneflow('POST', '/_sim/contracts/bulk', {
      count: options.contracts,
      workspace_id: tenant.oneflow.workspaceId,
      template_id: tenant.oneflow.templateId,
      name: 'Reconciled deal',
      product_groups: [{ products: [{ name: 'Widget', quantity: { type: 'quantity', amount: 1 } }] }],
    }),
  );
  const createdAt = new Date().toISOString();
  await pause();
  const syncedAt = new Date().toISOString();
  await storeContracts(
    stack.services.store,
    ids.map((id) => syncedContractRecord(tenant.tenantId, id, { createdAt, syncedAt })),
  );
  // Two sets of changed contracts, spread over the list (so changes sit on many pages), one for each reading.
  const pick = (set: 0 | 1): number[] =>
    Array.from(
      { length: options.changed },
      (_, index) => ids[Math.floor(((2 * index + set) * ids.length) / (2 * options.changed))] ?? 0,
    );

  /** Changes the contracts; answers how many of each kind, and the rows a fetch would then store for them. */
  const change = async (
    changed: readonly number[],
  ): Promise<{ kinds: ReconcileRun['changed']; synced: (syncedAt: string) => ContractRecord[] }> => {
    await pause();
    const published = Math.round(changed.length * 0.4);
    const deleted = Math.max(1, Math.round(changed.length * 0.1));
    for (const [index, id] of changed.entries()) {
      if (index < published) {
        await oneflow('POST', `/v1/contracts/${String(id)}/publish`, {
          subject: 'Deal',
          message: 'Please sign',
        });
      } else if (index < published + deleted) {
        await oneflow('DELETE', `/v1/contracts/${String(id)}`);
      } else {
        const stored = StoredContract.parse(await oneflow('GET', `/_sim/contracts/${String(id)}`));
        const productId = stored.product_groups[0]?.products[0]?.id;
        if (productId === undefined) throw new Error(`contract ${String(id)} has no product`);
        await oneflow('PUT', `/v1/contracts/${String(id)}/products/${String(productId)}`, {
          quantity: { type: 'quantity', amount: 20 + index },
        });
      }
    }
    return {
      kinds: { contract: published + deleted, product: changed.length - published - deleted },
      synced: (syncedAt) =>
        changed.map((id, index) => {
          const record = syncedContractRecord(tenant.tenantId, id, { createdAt, syncedAt });
          if (index < published) return { ...record, oneflowState: 'pending' };
          if (index < published + deleted) return { ...record, deletedInOneflowAt: syncedAt };
          return record;
        }),
    };
  };

  const run = async (
    reading: ReconcileRun['reading'],
    changed: readonly number[],
    kinds: ReconcileRun['changed'],
  ): Promise<ReconcileRun> => {
    const queued: ContractChangedMessage[] = [];
    const ports = {
      ...reconcilePorts(stack.services),
      tenants: [tenant],
      enqueue: async (message: ContractChangedMessage) => {
        queued.push(message);
      },
      quotaSharePercent: options.quotaSharePercent,
    };
    const allowance = Math.floor((tenant.oneflow.requestBudget * options.quotaSharePercent) / 100);
    await bench.awaitOneflowBudget(allowance);
    let result: Awaited<ReturnType<typeof reconcile>>[number] | undefined;
    const traffic = await bench.measure(async () => {
      [result] = await reconcile(ports, quietLog);
    });
    if (!result) throw new Error('reconciliation gave no result for the org');
    const byRoute: Record<string, number> = {};
    for (const request of traffic.oneflowRequests) {
      byRoute[request.route] = (byRoute[request.route] ?? 0) + 1;
    }
    const queuedIds = [...new Set(queued.map((message) => message.contractId))].sort((a, b) => a - b);
    const changedIds = [...changed].sort((a, b) => a - b);
    return {
      reading,
      changed: kinds,
      oneflowRequests: traffic.oneflowRequests.length,
      byRoute,
      allowance: result.allowance,
      queued: queuedIds.length,
      found: queuedIds.filter((id) => changed.includes(id)).length,
      exactlyChanged: JSON.stringify(queuedIds) === JSON.stringify(changedIds),
      fullReads: result.fullReads,
      fullReadsLeft: result.fullReadsLeft,
      stopped: result.stopped,
      ms: Math.round(traffic.ms),
    };
  };

  const first = pick(0);
  const firstChange = await change(first);
  const kind = await run('kind', first, firstChange.kinds);

  // The changes found are fetched (stored as synced now), and the next run starts with no full read recorded.
  await pause();
  await storeContracts(stack.services.store, firstChange.synced(new Date().toISOString()));
  await stack.services.store.reconcileChecks.forget(tenant.tenantId, ids);
  await oneflow('PUT', '/_sim/readings', {
    contractListItem: 'without_product_groups',
    productEditMovesContractTime: false,
  });
  try {
    const second = pick(1);
    const unkind = await run('unkind', second, (await change(second)).kinds);
    return { contracts: ids.length, quotaSharePercent: options.quotaSharePercent, kind, unkind };
  } finally {
    await oneflow('PUT', '/_sim/readings', 'kind');
  }
}
