import { seededRandom } from '@oneflow-sync/simulators/src/common/random';
import { LEASE_TTL_MS } from '../state/lease';
import type { ActivityEntry } from '../state/store';
import type { RunRecord } from '../state/types';
import { startHostProcess, type HostProcess } from '../testing/hostProcess';
import { stackAppSettings, startStack, type Stack } from '../testing/stack';
import { publishContract, writesLogged } from '../e2e/syncE2eSupport';
import {
  clearRequestLogs,
  createContract,
  fixtureWithOpportunities,
  notification,
  opportunity,
  until,
} from '../e2e/webhookSupport';
import {
  CRASH_HOST_ENV,
  differences,
  duplicatesIn,
  editDynamics,
  editOneflow,
  hostCall,
  modelOf,
  queuedMessages,
  requestsLogged,
  sidesOf,
  slowSimulators,
  spread,
  tenantOfCrashes,
  WRITE_LATENCY,
  type ContractModel,
  type CrashKind,
} from './crashSupport';
import { capturingLogger, recordFigures, scaled, secretsIn, secretValuesOf, seedOfRun } from './support';

/**
 * The Function app's process dies (SIGKILL: no handler runs) mid-push, mid-fetch and mid-webhook processing, at
 * a seeded random moment inside the run (the simulators answer slowly, so a run spans a window). It restarts on
 * the same storage and simulators. Whatever the moment: both sides converge to the state the edits call for,
 * with each line's product once; the contract takes work again once the dead run's lease runs out (the busy
 * answer meanwhile says how long); a run killed while writing is in the activity log as interrupted, with what
 * it had written; a webhook's message held by the dead process comes back and is fetched.
 */

const SEED = seedOfRun();
/** A killed webhook costs the most (the message's visibility, then the dead run's lease): fewer of them. */
const KILLS: Record<CrashKind, number> = {
  push: scaled(4, 30),
  fetch: scaled(3, 30),
  webhook: scaled(3, 30),
};
const KINDS: readonly CrashKind[] = ['push', 'fetch', 'webhook'];
/** The activity log's action for each kind of run. */
const ACTION: Record<CrashKind, ActivityEntry['action']> = {
  push: 'push',
  fetch: 'fetch',
  webhook: 'webhook',
};

jest.setTimeout(180_000);

const random = seededRandom(SEED);
/** Kinds in a seeded order, each KILLS_PER_KIND times. */
const plan: CrashKind[] = KINDS.flatMap((kind) => Array.from({ length: KILLS[kind] }, () => kind))
  .map((kind) => ({ kind, order: random() }))
  .sort((a, b) => a.order - b.order)
  .map(({ kind }) => kind);

/**
 * Where a kill lands: while the run reads (some ms after it was asked for); just after Oneflow or Dataverse
 * answered its k-th write (before the run could note it); or while its write k+1 is on the wire (the simulator
 * still makes it, for a client that is gone).
 */
type Moment =
  | { mode: 'reading'; afterMs: number }
  | { mode: 'answered'; k: number }
  | { mode: 'on_the_wire'; k: number; afterMs: number };

function momentFor(kind: CrashKind, writes: number): Moment {
  const roll = random();
  if (roll < 0.2)
    return { mode: 'reading', afterMs: Math.floor(random() * (kind === 'webhook' ? 700 : 250)) };
  if (roll < 0.6) return { mode: 'answered', k: 1 + Math.floor(random() * writes) };
  return {
    mode: 'on_the_wire',
    k: Math.floor(random() * writes),
    afterMs: Math.floor(random() * WRITE_LATENCY.latencyMs),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for the moment, then SIGKILL. */
async function killAt(stack: Stack, doomed: HostProcess, moment: Moment): Promise<void> {
  if (moment.mode === 'reading') {
    await sleep(moment.afterMs);
  } else {
    const { k } = moment;
    // Polled back to back (no pause), so a kill after an answer lands before the run can note it, often.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const logged = await requestsLogged(stack);
      if (k === 0 ? logged.total > 0 : logged.writes >= k) break;
      if (Date.now() > deadline) throw new Error(`the run's write ${String(k)} never came`);
    }
    if (moment.mode === 'on_the_wire') await sleep(moment.afterMs);
  }
  await doomed.kill();
}

interface Landing {
  kind: CrashKind;
  moment: Moment;
  /** Simulator requests the run had made when it died. */
  requestsBefore: number;
  /** Its run row then: the lines it planned to write and those confirmed (null: it had not begun writing). */
  planned: number | null;
  written: number | null;
  /** From the kill until the contract took work again (push, fetch) or the message's fetch was done (webhook). */
  recoveryMs: number;
  /** From the kill until the new process listened. */
  restartMs: number;
  /** How long the dead run's lease still held the contract after the kill. */
  leaseHeldMs: number;
  busyAnswers: number;
  interruptedEntries: number;
  duplicates: number;
}

const landings: Landing[] = [];
const captured = capturingLogger();
const processLines: string[][] = [];
let stack: Stack;
let host: HostProcess | null = null;
let alex = '';
let nextRecord = 1;

async function startHost(): Promise<HostProcess> {
  const started = await startHostProcess({
    simulators: stack.simulators,
    storage: stack.azurite.connectionString,
    env: CRASH_HOST_ENV,
  });
  processLines.push(started.lines);
  return started;
}

/** The failure names the seed, so that RELIABILITY_SEED replays the same kinds, edits and kill moments. */
async function seeded(what: () => Promise<void>): Promise<void> {
  try {
    await what();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\n(crash suite seed ${SEED}: RELIABILITY_SEED=${SEED} replays it)`, {
      cause: error,
    });
  }
}

beforeAll(async () => {
  process.stdout.write(`crash suite seed: ${SEED}\n`);
  stack = await startStack({ log: captured.log });
  const loaded = await stack.sim(
    'dataverse',
    'POST',
    '/_sim/fixture',
    fixtureWithOpportunities(plan.length + 1),
  );
  if (loaded.status !== 200) throw new Error(`Dataverse fixture: ${loaded.text}`);
  alex = await stack.token('alex');
  host = await startHost();
}, 120_000);

afterAll(async () => {
  await host?.kill();
  await stack.close();
});

/** A fresh contract on its own opportunity, sent (so Oneflow takes one product per request), its sides agreeing. */
async function freshContract(): Promise<{ recordId: string; contractId: number; model: ContractModel }> {
  const { id: recordId } = opportunity(nextRecord++);
  const contractId = await createContract(stack, recordId);
  await publishContract(stack, contractId);
  const sides = await sidesOf(stack, contractId, recordId);
  const model = modelOf(sides);
  expect(differences(model, sides)).toEqual([]);
  return { recordId, contractId, model };
}

/** Starts the run of `kind` on the process, not waiting for it: it will die. */
async function startRun(doomed: HostProcess, kind: CrashKind, contractId: number): Promise<void> {
  if (kind === 'webhook') {
    const answer = await hostCall(doomed, 'POST', 'webhooks/oneflow/contoso', null, notification(contractId));
    expect(answer.status).toBe(200);
    return;
  }
  // Its answer never comes: the connection dies with the process.
  void hostCall(doomed, 'POST', `contracts/${String(contractId)}/${kind}`, alex).catch(() => null);
}

/** The push or fetch, asked of the restarted process until the contract takes it; busy answers checked. */
async function runAgain(
  restarted: HostProcess,
  kind: 'push' | 'fetch',
  contractId: number,
): Promise<{ busy: number }> {
  let busy = 0;
  await until(
    `contract ${String(contractId)} to take a ${kind} again`,
    async () => {
      const answer = await hostCall(restarted, 'POST', `contracts/${String(contractId)}/${kind}`, alex);
      if (answer.status === 409) {
        const error = (answer.body as { error: { code: string; retryAfterSeconds: number } }).error;
        // The busy answer says how long: within the dead run's lease, never more.
        expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(1);
        expect(error.retryAfterSeconds).toBeLessThanOrEqual(LEASE_TTL_MS / 1000);
        expect(answer.headers['retry-after']).toBe(String(error.retryAfterSeconds));
        busy++;
        await new Promise((resolve) => setTimeout(resolve, 250));
        return null;
      }
      if (answer.status !== 200) throw new Error(`${kind}: ${String(answer.status)} ${answer.text}`);
      expect(['applied', 'nothing_to_do']).toContain((answer.body as { outcome: string }).outcome);
      return true;
    },
    LEASE_TTL_MS + 90_000,
  );
  return { busy };
}

describe.each(plan.map((kind, index) => [index + 1, kind] as const))('kill %i (%s)', (_index, kind) => {
  test(`the process dies mid-${kind} at a random moment; after the restart both sides converge, once`, () =>
    seeded(async () => {
      const { recordId, contractId, model } = await freshContract();
      const writes =
        kind === 'push'
          ? await editDynamics(stack, random, recordId, model)
          : await editOneflow(stack, random, contractId, model);
      const doomed = host;
      if (!doomed) throw new Error('no Function app running');
      // A fetch writes Dynamics in one change set; a push writes each product on its own.
      const moment = momentFor(kind, kind === 'push' ? writes : 1);

      await slowSimulators(stack, SEED, true);
      await clearRequestLogs(stack);
      await startRun(doomed, kind, contractId);
      await killAt(stack, doomed, moment);
      const killedAt = Date.now();
      host = null;
      await slowSimulators(stack, SEED, false);
      const requestsBefore = (await requestsLogged(stack)).total;
      const run: RunRecord | null = await stack.services.store.runs.get(tenantOfCrashes, contractId);
      const holding = await stack.services.store.leases.holding(tenantOfCrashes, contractId);
      const leaseHeldMs = holding === null ? 0 : Math.max(0, Date.parse(holding.expiresAt) - killedAt);

      // Restarted on the same storage and simulators.
      const restarted = await startHost();
      host = restarted;
      const restartMs = Date.now() - killedAt;
      let busy = 0;
      let recoveryMs: number;
      if (kind === 'webhook') {
        // The message the dead process held comes back after its visibility timeout, and is fetched.
        await until(
          `the fetch of contract ${String(contractId)}'s notification to complete after the restart`,
          async () =>
            (await queuedMessages(stack)) === 0 &&
            (await stack.services.store.runs.get(tenantOfCrashes, contractId)) === null &&
            differences(model, await sidesOf(stack, contractId, recordId)).length === 0,
          LEASE_TTL_MS + 90_000,
        );
        recoveryMs = Date.now() - killedAt;
      } else {
        ({ busy } = await runAgain(restarted, kind, contractId));
        recoveryMs = Date.now() - killedAt;
      }

      // Exactly the state the edits call for: every line's values on both sides, each line's product once.
      const sides = await sidesOf(stack, contractId, recordId);
      expect(differences(model, sides)).toEqual([]);

      // A run killed while writing is in the log as interrupted, with what it had confirmed; one that had not
      // begun writing left nothing to report.
      const entries = await stack.services.store.activity.list(tenantOfCrashes, { contractId, limit: 100 });
      const interrupted = entries.filter((entry) => entry.outcome === 'interrupted');
      expect(entries.filter((entry) => entry.outcome === 'running')).toEqual([]);
      if (run === null) {
        expect(interrupted).toEqual([]);
      } else {
        expect(interrupted).toHaveLength(1);
        expect(interrupted[0]?.action).toBe(ACTION[kind]);
        expect(interrupted[0]?.message).toContain(
          `${String(run.written.length)} of ${String(run.planned.length)} planned writes were confirmed`,
        );
      }
      expect(await stack.services.store.runs.get(tenantOfCrashes, contractId)).toBeNull();

      // Converged: a push and a fetch now find nothing to do, and write nothing (no echo).
      await clearRequestLogs(stack);
      for (const action of ['push', 'fetch'] as const) {
        const again = await hostCall(restarted, 'POST', `contracts/${String(contractId)}/${action}`, alex);
        expect([again.status, (again.body as { outcome?: string }).outcome]).toEqual([200, 'nothing_to_do']);
      }
      expect(await writesLogged(stack)).toEqual([]);

      landings.push({
        kind,
        moment,
        requestsBefore,
        restartMs,
        planned: run?.planned.length ?? null,
        written: run?.written.length ?? null,
        recoveryMs,
        leaseHeldMs,
        busyAnswers: busy,
        interruptedEntries: interrupted.length,
        duplicates: duplicatesIn(sides),
      });
    }));
});

test('no log line of the stack or of any Function app process, killed or not, holds a secret or a token', async () => {
  await host?.kill();
  host = null;
  const lines = [...captured.lines, ...processLines.flat()];
  const secrets = secretValuesOf(stackAppSettings(stack.simulators, stack.azurite.connectionString));
  expect(secrets.length).toBeGreaterThan(0);
  expect(processLines.flat().length).toBeGreaterThan(0);
  expect(secretsIn(lines, [...secrets, alex])).toEqual([]);

  const of = (kind: CrashKind) => landings.filter((landing) => landing.kind === kind);
  recordFigures('crash', {
    seed: SEED,
    kills: landings.length,
    killsByKind: Object.fromEntries(KINDS.map((kind) => [kind, of(kind).length])),
    processesStarted: processLines.length,
    killedWhileWriting: landings.filter((landing) => landing.planned !== null).length,
    killedBeforeWriting: landings.filter((landing) => landing.planned === null).length,
    landings: landings.map(({ kind, moment, requestsBefore, planned, written }) => ({
      kind,
      moment,
      requestsBefore,
      written: planned === null ? null : `${String(written)} of ${String(planned)}`,
    })),
    recoveryMs: Object.fromEntries(KINDS.map((kind) => [kind, spread(of(kind).map((l) => l.recoveryMs))])),
    restartMs: spread(landings.map((landing) => landing.restartMs)),
    leaseHeldAfterKillMs: spread(landings.map((landing) => landing.leaseHeldMs)),
    busyAnswers: landings.reduce((sum, landing) => sum + landing.busyAnswers, 0),
    interruptedEntries: landings.reduce((sum, landing) => sum + landing.interruptedEntries, 0),
    duplicates: landings.reduce((sum, landing) => sum + landing.duplicates, 0),
    logLinesChecked: lines.length,
  });
  expect(landings).toHaveLength(plan.length);
});
