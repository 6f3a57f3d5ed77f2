import {
  createContract,
  dynamicsSide,
  oneflowSide,
  publishContract,
  quantityOf,
  runAction,
  type SyncAnswer,
} from '../functions/src/e2e/syncE2eSupport';
import type { Bench, Latencies, Traffic } from './harness';
import type { BenchRecord } from './records';
import type { Timing } from './rounds';
import { round, spread, type Spread } from './stats';

export type ActionName =
  'create' | 'push-all' | 'push-one' | 'push-none' | 'fetch-all' | 'fetch-none' | 'compare';
export type ContractState = 'draft' | 'sent';

/**
 * The fewest sequential round trips an action needs, which its time is compared with.
 *
 * Remote rounds (Oneflow and Dataverse, each `remoteMs`): reads of both sides go out together (one round); a
 * draft contract's products are written in one bulk product-group write and Dynamics lines in one change set (one
 * round); a sent contract's products are written one request each, `SENT_WRITE_CONCURRENCY` at a time.
 * Storage rounds (Table Storage, each `storageMs`) are those that cannot overlap a remote one: one conditional
 * write to take the contract's lease before anything is read, and the after-writes (changed links, contract row,
 * activity entry, the lease's release by etag) together at the end. Storage reads (settings, links, the contract
 * row) go out with the remote reads and cost nothing beyond them. Create takes no lease on a contract that does
 * not exist yet, but claims the record with one conditional write; compare changes nothing and takes no lease.
 */
interface Bound {
  remoteRounds: number;
  storageRounds: number;
  ms: number;
}

/** Oneflow requests an action needs beyond one per line at most (reads, create, a retry). */
const ONEFLOW_HEADROOM = 10;

/** Per-product writes in flight on a sent contract at which 150 changed products take 10 rounds with the read. */
export const SENT_WRITE_CONCURRENCY = 17;

function boundOf(action: ActionName, state: ContractState, lines: number, latencies: Latencies): Bound {
  const writeRounds = state === 'draft' ? 1 : Math.ceil(lines / SENT_WRITE_CONCURRENCY);
  const rounds: Record<ActionName, [remote: number, storage: number]> = {
    create: [2, 2], // read the record's lines; create the contract with its products
    'push-all': [1 + writeRounds, 2],
    'push-one': [2, 2],
    'push-none': [1, 2],
    'fetch-all': [2, 2], // read both sides; one change set to Dataverse
    'fetch-none': [1, 2],
    compare: [1, 0],
  };
  const [remoteRounds, storageRounds] = rounds[action];
  return {
    remoteRounds,
    storageRounds,
    ms: remoteRounds * latencies.remoteMs + storageRounds * latencies.storageMs,
  };
}

interface ServiceFigures {
  requests: Spread;
  rounds: Spread;
  /** How many times the requests in flight rose from 0 (bench/rounds.ts). */
  waves: Spread;
}

export interface ActionResult {
  action: ActionName;
  contract: ContractState;
  lines: number;
  runs: number;
  ms: Spread;
  /**
   * As many runs again with no latency anywhere, each right after one with latency: the time the machine itself
   * takes (product, simulators, Azurite), under the same load as the measured runs.
   */
  localMs: Spread;
  bound: Bound;
  /** Measured time / bound, from the median time. */
  ratio: number;
  ratioRange: { min: number; max: number };
  oneflow: ServiceFigures;
  dataverse: ServiceFigures;
  identity: ServiceFigures;
  remote: ServiceFigures;
  table: ServiceFigures;
  /** Requests per route of the last run, Oneflow and Dataverse. */
  routes: Record<string, number>;
  /** What each run answered (outcome and summary counts), to show the work was done. */
  outcomes: string[];
}

function summarise(
  action: ActionName,
  state: ContractState,
  lines: number,
  latencies: Latencies,
  measured: { traffic: Traffic; outcome: string }[],
  local: readonly Traffic[],
): ActionResult {
  const bound = boundOf(action, state, lines, latencies);
  const of = (pick: (traffic: Traffic) => Timing): ServiceFigures => ({
    requests: spread(measured.map((run) => pick(run.traffic).requests)),
    rounds: spread(measured.map((run) => pick(run.traffic).rounds)),
    waves: spread(measured.map((run) => pick(run.traffic).waves)),
  });
  const ms = spread(measured.map((run) => run.traffic.ms));
  const routes: Record<string, number> = {};
  const last = measured.at(-1)?.traffic;
  for (const request of [...(last?.oneflowRequests ?? []), ...(last?.dataverseRequests ?? [])]) {
    routes[request.route] = (routes[request.route] ?? 0) + 1;
  }
  return {
    action,
    contract: state,
    lines,
    runs: measured.length,
    ms,
    localMs: spread(local.map((traffic) => traffic.ms)),
    bound,
    ratio: round(ms.median / bound.ms, 2),
    ratioRange: { min: round(ms.min / bound.ms, 2), max: round(ms.max / bound.ms, 2) },
    oneflow: of((traffic) => traffic.oneflow),
    dataverse: of((traffic) => traffic.dataverse),
    identity: of((traffic) => traffic.identity),
    remote: of((traffic) => traffic.remote),
    table: of((traffic) => traffic.table),
    routes,
    outcomes: measured.map((run) => run.outcome),
  };
}

const outcomeOf = (answer: SyncAnswer): string =>
  `${answer.outcome} ${JSON.stringify(answer.summary)}${answer.failures.length > 0 ? ` failures: ${answer.failures.map((failure) => failure.message).join('; ')}` : ''}`;

export interface ActionPlan {
  lines: number;
  runs: number;
  /** Which actions to measure (all by default). */
  actions: readonly ActionName[];
  states: readonly ContractState[];
}

/**
 * The records an action plan uses: `runs` creates on a draft, as many at no latency, and one more contract for
 * the sent runs.
 */
export const recordsNeeded = (plan: ActionPlan): number =>
  2 * plan.runs + (plan.states.includes('sent') ? 1 : 0);

/**
 * Every action of the plan on a draft and on a sent contract of `plan.lines` lines, `plan.runs` times each. A
 * contract whose runs fail is reported as a problem; the other's figures stand.
 */
export async function benchActions(
  bench: Bench,
  plan: ActionPlan,
  records: BenchRecord[],
): Promise<{ results: ActionResult[]; problems: string[] }> {
  const { stack } = bench;
  const token = await stack.token('alex');
  const results: ActionResult[] = [];
  const problems: string[] = [];

  const created: { traffic: Traffic; outcome: string }[] = [];
  const createdLocally: Traffic[] = [];
  const contracts: Partial<Record<ContractState, BenchContract>> = {};
  // Every other run is at no latency.
  for (let run = 0; run < 2 * plan.runs; run++) {
    const record = records[run];
    if (!record) throw new Error('not enough bench records for the creates');
    let answer: Awaited<ReturnType<typeof createContract>> | undefined;
    const latency = run % 2 === 0;
    await bench.awaitOneflowBudget(ONEFLOW_HEADROOM);
    const traffic = await bench.measure(
      async () => {
        answer = await createContract(stack, token, record.id);
      },
      { latency },
    );
    if (!answer) throw new Error('create answered nothing');
    if (latency) created.push({ traffic, outcome: outcomeOf(answer) });
    else createdLocally.push(traffic);
    if (run === 0) contracts.draft = { id: answer.contract.contractId, record };
  }
  if (plan.actions.includes('create')) {
    results.push(summarise('create', 'draft', plan.lines, bench.latencies, created, createdLocally));
  }

  if (plan.states.includes('sent')) {
    const record = records[2 * plan.runs];
    if (!record) throw new Error('not enough bench records for the sent contract');
    const answer = await createContract(stack, token, record.id);
    const id = answer.contract.contractId;
    await publishContract(stack, id);
    contracts.sent = { id, record };
  }

  for (const state of plan.states) {
    const contract = contracts[state];
    if (!contract) continue;
    try {
      results.push(...(await benchOnContract(bench, plan, state, contract, token)));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      problems.push(`${state} contract, ${String(plan.lines)} lines: ${message}`);
    }
  }
  return { results, problems };
}

interface BenchContract {
  id: number;
  record: BenchRecord;
}

/**
 * Push, fetch and compare on one contract, `plan.runs` times each and as many at no latency (alternating), with
 * the edits each one needs made first.
 */
async function benchOnContract(
  bench: Bench,
  plan: ActionPlan,
  state: ContractState,
  contract: BenchContract,
  token: string,
): Promise<ActionResult[]> {
  const { stack } = bench;
  const dynamics = dynamicsSide(stack);
  const oneflow = oneflowSide(stack);
  const want = (action: ActionName): boolean => plan.actions.includes(action);
  const measured = new Map<ActionName, { traffic: Traffic; outcome: string }[]>();
  const local = new Map<ActionName, Traffic[]>();
  let latency = true;
  const keep = (action: ActionName, traffic: Traffic, outcome: string): void => {
    if (latency) measured.set(action, [...(measured.get(action) ?? []), { traffic, outcome }]);
    else local.set(action, [...(local.get(action) ?? []), traffic]);
  };
  const sync = async (action: ActionName, verb: 'push' | 'fetch'): Promise<void> => {
    await bench.awaitOneflowBudget(plan.lines + ONEFLOW_HEADROOM);
    let answer: SyncAnswer | undefined;
    const traffic = await bench.measure(
      async () => {
        answer = await runAction(stack, token, contract.id, verb);
      },
      { latency },
    );
    if (!answer) throw new Error(`${verb} answered nothing`);
    keep(action, traffic, outcomeOf(answer));
  };
  // Every other run is at no latency.
  for (let run = 0; run < 2 * plan.runs; run++) {
    latency = run % 2 === 0;
    if (want('push-all')) {
      await dynamics.updateMany(
        contract.record.lineIds.map((id, index) => ({
          id,
          values: { quantity: 20 + run * 10 + (index % 5) },
        })),
      );
      await sync('push-all', 'push');
    }
    if (want('push-one')) {
      const first = contract.record.lineIds[0];
      if (first) await dynamics.update(first, { quantity: 500 + run });
      await sync('push-one', 'push');
    }
    if (want('push-none')) await sync('push-none', 'push');
    if (want('fetch-all')) {
      const products = await oneflow.products(contract.id);
      for (let start = 0; start < products.length; start += 25) {
        await Promise.all(
          products
            .slice(start, start + 25)
            .map((product) =>
              oneflow.update(contract.id, product.id, { quantity: { amount: quantityOf(product) + 100 } }),
            ),
        );
      }
      await sync('fetch-all', 'fetch');
    }
    if (want('fetch-none')) await sync('fetch-none', 'fetch');
    if (want('compare')) {
      let status = 0;
      await bench.awaitOneflowBudget(ONEFLOW_HEADROOM);
      const traffic = await bench.measure(
        async () => {
          status = (await stack.api('GET', `contracts/${String(contract.id)}/compare`, { token })).status;
        },
        { latency },
      );
      keep('compare', traffic, `HTTP ${String(status)}`);
    }
  }
  return [...measured].map(([action, runs]) =>
    summarise(action, state, plan.lines, bench.latencies, runs, local.get(action) ?? []),
  );
}
