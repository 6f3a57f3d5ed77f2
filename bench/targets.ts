import type { ActionResult } from './actions';
import type { ReconcileResult } from './reconcile';
import type { BurstResult, ReceiverResult } from './webhooks';

/** One of the speed targets next to what was measured (reported, never asserted). */
export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
}

const ratioText = (result: ActionResult): string =>
  `${String(result.ratio)}× (${String(result.ms.median)} ms vs ${String(result.bound.ms)} ms)`;

/** The targets an action's row is held to; `largest` is the most lines measured. */
export function actionTargets(result: ActionResult, largest: number): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const { action, contract, lines } = result;
  const where = `${action}, ${String(lines)} lines, ${contract}`;
  if ((action === 'push-all' || action === 'fetch-all') && contract === 'draft' && lines === largest) {
    const oneflow = result.oneflow.requests.max;
    const dataverse = result.dataverse.requests.max;
    checks.push({
      target: `${where}: ≤ 2 Oneflow and ≤ 2 Dataverse requests`,
      measured: `${String(oneflow)} Oneflow, ${String(dataverse)} Dataverse`,
      met: oneflow <= 2 && dataverse <= 2,
    });
    checks.push({
      target: `${where}: ≤ 1.3× the bound`,
      measured: ratioText(result),
      met: result.ratio <= 1.3,
    });
  }
  if (action === 'push-none' || action === 'fetch-none' || action === 'compare') {
    checks.push({
      target: `${where}: ≤ 1.3× the bound`,
      measured: ratioText(result),
      met: result.ratio <= 1.3,
    });
  }
  if (action === 'create') {
    checks.push({
      target: `${where}: ≤ 1.5× the bound`,
      measured: ratioText(result),
      met: result.ratio <= 1.5,
    });
  }
  if (action === 'push-all' && contract === 'sent' && lines === 150) {
    checks.push({
      target: `${where}: ≤ 151 Oneflow requests in ≤ 10 sequential rounds`,
      measured: `${String(result.oneflow.requests.max)} requests in ${String(result.oneflow.rounds.max)} rounds`,
      met: result.oneflow.requests.max <= 151 && result.oneflow.rounds.max <= 10,
    });
  }
  return checks;
}

export function burstTargets(burst: BurstResult, kind: 'one' | 'many'): TargetCheck[] {
  const converged = burst.converged && burst.allFetched;
  const time = converged
    ? `${String(burst.convergeMs)} ms`
    : `not converged in ${String(burst.convergeMs)} ms`;
  if (kind === 'one') {
    return [
      {
        target: `${String(burst.notifications)} notifications on one contract: ≤ 2 fetch runs, converged in ≤ 3 s, 0 poisoned`,
        measured: `${String(burst.fetchRunsPerContract.max)} fetch runs, ${time}, ${String(burst.poisoned)} poisoned`,
        met:
          burst.fetchRunsPerContract.max <= 2 &&
          converged &&
          burst.convergeMs <= 3000 &&
          burst.poisoned === 0,
      },
    ];
  }
  return [
    {
      target: `${String(burst.notifications)} notifications on ${String(burst.contracts)} contracts: all converged, ≤ 3 remote requests per contract`,
      measured: `${time}, ${String(burst.remoteRequestsPerContract)} requests per contract, ${String(burst.poisoned)} poisoned`,
      met: converged && burst.remoteRequestsPerContract <= 3,
    },
  ];
}

export function receiverTargets(level: ReceiverResult): TargetCheck[] {
  if (level.concurrency !== 64) return [];
  return [
    {
      target: 'receiver at concurrency 64: ≥ 500 acks/s, p99 ≤ 100 ms',
      measured: `${String(level.acksPerSecond)} acks/s, p99 ${String(level.p99Ms)} ms`,
      met: level.acksPerSecond >= 500 && level.p99Ms <= 100,
    },
  ];
}

export function reconcileTargets(result: ReconcileResult): TargetCheck[] {
  const { kind } = result;
  return [
    {
      target: `reconciliation of ${String(result.contracts)} stored contracts of which ${String(kind.changed.contract + kind.changed.product)} changed, kind reading: ≤ 30 Oneflow requests, exactly the changed ones queued`,
      measured: `${String(kind.oneflowRequests)} requests, ${String(kind.queued)} queued${kind.exactlyChanged ? ', exactly the changed ones' : ', not exactly the changed ones'}`,
      met: kind.oneflowRequests <= 30 && kind.exactlyChanged,
    },
  ];
}

/** Every target the bench has figures for. */
export function checkTargets(results: {
  actions: readonly ActionResult[];
  receiver: readonly ReceiverResult[];
  bursts: { oneContract: BurstResult | null; manyContracts: BurstResult | null };
  reconcile: ReconcileResult | null;
}): TargetCheck[] {
  const largest = Math.max(0, ...results.actions.map((result) => result.lines));
  return [
    ...results.actions.flatMap((result) => actionTargets(result, largest)),
    ...(results.bursts.oneContract ? burstTargets(results.bursts.oneContract, 'one') : []),
    ...(results.bursts.manyContracts ? burstTargets(results.bursts.manyContracts, 'many') : []),
    ...results.receiver.flatMap(receiverTargets),
    ...(results.reconcile ? reconcileTargets(results.reconcile) : []),
  ];
}
