import { SENT_WRITE_CONCURRENCY, type ActionResult } from './actions';
import type { BenchResults } from './run';
import type { Spread } from './stats';
import { actionTargets, burstTargets, receiverTargets, reconcileTargets, type TargetCheck } from './targets';

const range = (value: Spread): string =>
  value.min === value.max
    ? String(value.median)
    : `${String(value.median)} (${String(value.min)}–${String(value.max)})`;

const verdict = (checks: readonly TargetCheck[]): string =>
  checks.length === 0 ? '' : checks.map((check) => (check.met ? 'met' : 'missed')).join(', ');

const table = (head: string[], rows: string[][]): string =>
  [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');

const service = (figures: ActionResult['oneflow']): string =>
  `${range(figures.requests)} / ${range(figures.rounds)}`;

function actionsSection(results: BenchResults): string {
  const { remoteLatencyMs: remote, storageLatencyMs: storage } = results.options;
  const largest = Math.max(0, ...results.actions.map((result) => result.lines));
  const rows = results.actions.map((result) => {
    const checks = actionTargets(result, largest);
    return [
      result.action,
      result.contract,
      String(result.lines),
      range(result.ms),
      range(result.localMs),
      `${String(result.bound.ms)} (${String(result.bound.remoteRounds)}×${String(remote)} + ${String(result.bound.storageRounds)}×${String(storage)})`,
      `${String(result.ratio)} (${String(result.ratioRange.min)}–${String(result.ratioRange.max)})`,
      service(result.oneflow),
      service(result.dataverse),
      service(result.remote),
      service(result.table),
      checks.map((check) => check.target.split(': ')[1] ?? check.target).join('; '),
      verdict(checks),
    ];
  });
  return [
    '## Actions',
    '',
    `Median (min–max) over ${String(results.options.runs)} runs; remote latency ${String(remote)} ms per request, storage latency ${String(storage)} ms per request. Requests / sequential rounds per service; "remote" is Oneflow and Dataverse together.`,
    '',
    table(
      [
        'action',
        'contract',
        'lines',
        'ms',
        'ms at no latency',
        'bound ms',
        'measured / bound',
        'Oneflow req / rounds',
        'Dataverse req / rounds',
        'remote req / rounds',
        'Table Storage req / rounds',
        'target',
        '',
      ],
      rows,
    ),
  ].join('\n');
}

function receiverSection(results: BenchResults): string {
  const rows = results.receiver.map((level) => {
    const checks = receiverTargets(level);
    return [
      String(level.concurrency),
      String(level.notifications),
      String(level.acksPerSecond),
      String(level.p50Ms),
      String(level.p99Ms),
      String(level.refused),
      `${String(level.table.requests)} / ${String(level.queue.requests)}`,
      checks.length > 0 ? '≥ 500 acks/s, p99 ≤ 100 ms' : '',
      verdict(checks),
    ];
  });
  return [
    '## Webhook receiver',
    '',
    'Signed notifications posted to `POST /api/webhooks/oneflow/contoso` for contracts nobody stores, so the queue run finds nothing to fetch; storage latency as above.',
    '',
    table(
      [
        'concurrency',
        'notifications',
        'acks/s',
        'p50 ms',
        'p99 ms',
        'refused',
        'table / queue requests',
        'target',
        '',
      ],
      rows,
    ),
  ].join('\n');
}

function burstsSection(results: BenchResults): string {
  const bursts = [
    ...(results.bursts.oneContract ? [{ burst: results.bursts.oneContract, kind: 'one' as const }] : []),
    ...(results.bursts.manyContracts ? [{ burst: results.bursts.manyContracts, kind: 'many' as const }] : []),
  ];
  const rows = bursts.map(({ burst, kind }) => {
    const checks = burstTargets(burst, kind);
    return [
      `${String(burst.notifications)} on ${String(burst.contracts)}`,
      burst.converged && burst.allFetched
        ? String(burst.convergeMs)
        : `not converged (${String(burst.convergeMs)})`,
      `${String(burst.fetchRunsPerContract.mean)} (max ${String(burst.fetchRunsPerContract.max)})`,
      `${String(burst.webhookEntriesPerContract.mean)} (max ${String(burst.webhookEntriesPerContract.max)})`,
      String(burst.remoteRequestsPerContract),
      String(burst.tableRequests),
      String(burst.poisoned),
      checks.map((check) => check.target.split(': ')[1] ?? check.target).join('; '),
      verdict(checks),
    ];
  });
  return [
    '## Webhook bursts',
    '',
    "One product of each contract changed in Oneflow, then the notifications posted (interleaved, 16 or 64 at a time); converged = the queue empty, measured from the first notification, and every contract's Dynamics line showing the change. Fetch runs = Oneflow `GET /v1/contracts/{id}` per contract.",
    '',
    table(
      [
        'notifications on contracts',
        'converge ms',
        'fetch runs per contract',
        'webhook entries per contract',
        'remote requests per contract',
        'table requests',
        'poisoned',
        'target',
        '',
      ],
      rows,
    ),
  ].join('\n');
}

function reconcileSection(results: BenchResults): string {
  const result = results.reconcile;
  if (!result) return '## Reconciliation\n\nNot measured in this run.';
  const checks = reconcileTargets(result);
  const rows = [result.kind, result.unkind].map((run) => [
    run.reading === 'kind' ? 'kind' : 'unkind (`contractListItem`, `productEditMovesContractTime`)',
    `${String(run.changed.contract)} contract, ${String(run.changed.product)} product-only`,
    `${String(run.oneflowRequests)} of ${String(run.allowance)}`,
    Object.entries(run.byRoute)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([route, count]) => `${route} × ${String(count)}`)
      .join('<br>'),
    String(run.queued),
    `${String(run.found)} of ${String(run.changed.contract + run.changed.product)}${run.exactlyChanged ? ' (exactly)' : ''}`,
    `${String(run.fullReads)} (${String(run.fullReadsLeft)} left)`,
    run.stopped ?? '',
    String(run.ms),
    run.reading === 'kind' ? verdict(checks) : '',
  ]);
  return [
    '## Reconciliation',
    '',
    `${String(result.contracts)} contracts made in Oneflow and stored as synced, then 20 of them changed in Oneflow (published or deleted: the contract's time moves; or a product edited), and one run measured with the latencies above, at ${String(result.quotaSharePercent)} % of the org's Oneflow budget. The unkind run has 20 other contracts changed, with list items that carry no product tables and product edits that leave the contract's time: it finds the contract-level changes at once and reads the others in full, a share of them each run, so the rest are found in later runs.`,
    '',
    table(
      [
        'reading',
        'changed',
        'Oneflow requests of the allowance',
        'by route',
        'queued',
        'changed ones queued',
        'full reads',
        'stopped',
        'ms',
        '',
      ],
      rows,
    ),
  ].join('\n');
}

function coldStartSection(results: BenchResults): string {
  const cold = results.coldStart;
  const rows: string[][] = [];
  if (cold) {
    rows.push(['packaged entry loaded and started in a fresh Node (ms)', range(cold.loadAndStartMs)]);
    rows.push(['a fresh Node loading nothing (ms)', range(cold.bareNodeMs)]);
    rows.push(['peak RSS of that child (MiB)', range(cold.childPeakRssMb)]);
    rows.push(['functions registered', String(cold.functionsRegistered)]);
    rows.push(['package size (bytes)', String(cold.packageBytes)]);
  }
  rows.push([
    'peak RSS of the bench process, which runs the backend (MiB)',
    String(results.backendPeakRssMb),
  ]);
  return ['## Cold start and memory', '', table(['figure', 'value'], rows)].join('\n');
}

const METHOD = `## How it is measured

- **Remote latency**: every simulator (Oneflow, Dataverse, identity) answers each request after the fixed latency
  (\`PUT /_sim/faults\` with \`routes: {"*": {latencyMs}}\`), only while an action is measured.
- **Storage latency**: Table Storage and the queue are reached through an HTTP proxy in front of Azurite's ports that
  holds each request for the fixed latency, then forwards it on a kept-alive connection. It works per HTTP request
  (one connection carries many); a batch is one request. A request's interval runs from its head reaching the proxy
  to the last byte of its answer.
- **Sequential rounds**: the longest chain of requests in which each was sent after the one before it was answered.
  Requests sent together count once; writes through a pool of n count ⌈writes / n⌉. Remote intervals come from the
  simulators' request logs: answered at the logged time, sent the fixed latency before. The JSON also has
  \`waves\`: how many times the count of requests in flight rose from 0.
- **Bound**: the fewest sequential rounds an action needs × latency. Remote: reads of both sides together (1); a
  draft's products in one bulk write, Dynamics lines in one change set (1); a sent contract's products one request
  each, ${String(SENT_WRITE_CONCURRENCY)} at a time. Storage, beyond the reads that go alongside the remote reads: one conditional write
  to take the lease, and the after-writes with the release together (2; compare takes none; create claims the
  record instead of a lease).
- **Measured / bound**: the median time over the bound.
- **ms at no latency**: as many runs again with no latency anywhere, each right after one with latency: what the
  machine itself takes (the product, the simulators and Azurite share its cores).`;

export function renderMarkdown(results: BenchResults): string {
  const { machine } = results;
  const targets = table(
    ['target', 'measured', ''],
    results.targets.map((check) => [check.target, check.measured, check.met ? 'met' : 'missed']),
  );
  return `${[
    '# Benchmark results',
    '',
    `${results.date}, \`${results.command}\`; ${machine.cpuModel} × ${String(machine.cpus)}, ${String(machine.totalMemoryMb)} MiB, Node ${machine.node} (${machine.platform}); load average ${String(machine.loadAverage.start)} at the start, ${String(machine.loadAverage.end)} at the end.`,
    '',
    `Waited ${String(Math.round(results.oneflowBudgetWaitMs / 1000))} s between actions (not measured) for the product's own Oneflow request budget.`,
    '',
    '## Targets',
    '',
    targets,
    '',
    actionsSection(results),
    '',
    receiverSection(results),
    '',
    burstsSection(results),
    '',
    reconcileSection(results),
    '',
    coldStartSection(results),
    '',
    ...(results.problems.length > 0
      ? ['## Problems', '', ...results.problems.map((problem) => `- ${problem}`), '']
      : []),
    METHOD,
  ].join('\n')}\n`;
}
