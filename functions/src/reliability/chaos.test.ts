/**
 * Chaos: contracts of both tenants edited at random on both sides while pushes, fetches and webhook runs
 * interleave, webhooks come twice, out of order and late, and a tenth of the requests to Oneflow and Dataverse
 * fail (429, 500, dropped connections), with bursts where one route fails every time. Then quiet, faults off, a
 * final fetch and push of every contract, and the end state asserted exactly against the engine's own reading of
 * the edits made (chaosOracle.ts). Seeded: a failure names its seed, and RELIABILITY_SEED replays it.
 */
import { z } from 'zod';
import { ActivityPageAnswerSchema, type ActivityEntry } from '@oneflow-sync/shared';
import {
  ONEFLOW_HEADERS,
  requestLog,
  settledDeliveries,
  watchQueueTrigger,
  type QueueAttempt,
} from '../e2e/webhookSupport';
import { publishContract, writesLogged } from '../e2e/syncE2eSupport';
import {
  FIXTURE,
  startStack,
  stackAppSettings,
  type ApiAnswer,
  type OneflowReadings,
  type Stack,
} from '../testing/stack';
import {
  contractView,
  expectedAfterWebhooks,
  expectedEndState,
  lineView,
  type ContractView,
  type LineView,
} from './chaosOracle';
import {
  carryOut,
  isDiscounted,
  loadChaosRecords,
  oneflowOwnedColumns,
  people,
  retried,
  scriptFor,
  settingsOf,
  startFabrikamDataverse,
  storedProducts,
  TENANTS,
  type ChaosContract,
  type ChaosEvent,
  type ChaosTenant,
  type People,
} from './chaosSupport';
import {
  capturingLogger,
  recordFigures,
  scaled,
  SOAK,
  secretsIn,
  secretValuesOf,
  seedOfRun,
} from './support';

const SEED = seedOfRun();
const PER_TENANT = scaled(11, 40);
const EVENTS_PER_CONTRACT = scaled(16, 60);
const WORKERS = scaled(8, 12);
/** A tenth of every request to either simulator fails, one way or another. */
const FAULT_RATES = { '429': 0.04, '500': 0.03, drop: 0.03 };
/** Windows in which one route fails every time. */
const BURSTS: { service: 'dataverse' | 'oneflow'; route: string; rates: Record<string, number> }[] = [
  { service: 'dataverse', route: 'POST /api/data/v9.2/$batch', rates: { '500': 1 } },
  { service: 'oneflow', route: 'PUT /v1/contracts/:id/product_groups/:groupId', rates: { '500': 1 } },
  { service: 'oneflow', route: 'GET /v1/contracts/:id', rates: { '429': 1 } },
];
const BURST_MS = 2_500;
/**
 * The harsher reading of Oneflow's open facts (docs/simulators-oneflow.md, Readings), unless
 * E2E_ONEFLOW_READINGS names another (`E2E_ONEFLOW_READINGS=kind npm run soak` runs the soak under the kind one).
 */
const READINGS: OneflowReadings = process.env.E2E_ONEFLOW_READINGS === 'kind' ? 'kind' : 'unkind';

const captured = capturingLogger();
let stack: Stack;
let sides: People;
let contracts: ChaosContract[] = [];
const tokens = new Map<string, string>();
let started = false;
let fabrikamDataverse: { url: string; close: () => Promise<void> } | undefined;
let queue: { attempts: QueueAttempt[]; restore: () => void } | undefined;

/** Every assertion of the suite, failing with the seed first. */
async function seeded<T>(what: string, check: () => T | Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('chaos seed ')) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const failure = new Error(
      `chaos seed ${String(SEED)} (RELIABILITY_SEED=${String(SEED)} replays): ${what}\n${message}`,
    );
    if (error instanceof Error && error.stack) failure.stack = `${failure.message}\n${error.stack}`;
    throw failure;
  }
}

function tokenOf(tenant: ChaosTenant): string {
  const token = tokens.get(tenant.key);
  if (!token) throw new Error(`no token for ${tenant.key}`);
  return token;
}

async function saveSettings(tenant: ChaosTenant): Promise<void> {
  const token = await stack.token(tenant.admin);
  const current = await stack.api('GET', 'settings/opportunity', { token });
  const etag = (current.body as { etag?: string | null } | null)?.etag ?? null;
  const saved = await stack.api('PUT', 'settings/opportunity', {
    token,
    body: settingsOf(tenant),
    ...(etag ? { headers: { 'if-match': etag } } : {}),
  });
  if (saved.status !== 200)
    throw new Error(`settings of ${tenant.key}: ${String(saved.status)} ${saved.text}`);
}

async function setFaults(rates: typeof FAULT_RATES | null, burst?: (typeof BURSTS)[number]): Promise<void> {
  for (const service of ['dataverse', 'oneflow'] as const) {
    const routes: Record<string, unknown> = rates ? { '*': { rates } } : {};
    if (burst && burst.service === service) routes[burst.route] = { rates: burst.rates };
    const answer = await stack.sim(service, 'PUT', '/_sim/faults', { seed: SEED % 100_000, routes });
    if (answer.status !== 200) throw new Error(`faults of ${service}: ${answer.text}`);
  }
}

async function settle(): Promise<void> {
  await stack.sim('oneflow', 'POST', '/_sim/webhooks/flush', {});
  await settledDeliveries(stack, 180_000);
  await stack.host.drainQueue();
  await settledDeliveries(stack, 180_000);
  await stack.host.drainQueue();
}

const ContractCreatedSchema = z.object({ contract: z.object({ contractId: z.number().int() }) });

beforeAll(async () => {
  stack = await startStack({
    oneflowReadings: READINGS,
    log: captured.log,
    route: async ({ simulators, azurite }) => {
      fabrikamDataverse = await startFabrikamDataverse(simulators);
      const settings = stackAppSettings(simulators, azurite.connectionString);
      const tenants = z
        .array(z.looseObject({ tenantId: z.string() }))
        .parse(JSON.parse(settings.PRODUCT_SYNC_TENANTS ?? '[]'));
      const url = fabrikamDataverse.url;
      return {
        env: {
          PRODUCT_SYNC_TENANTS: JSON.stringify(
            tenants.map((tenant) =>
              tenant.tenantId === FIXTURE.fabrikam ? { ...tenant, dataverseUrl: url } : tenant,
            ),
          ),
        },
      };
    },
  });
  try {
    sides = people(stack);
    // People's own edits use the product's token too: the simulator's per-token limit would count them.
    await stack.sim('oneflow', 'PUT', '/_sim/rate-limit', { budget: 1_000_000, windowMs: 300_000 });
    const records = await loadChaosRecords(stack, PER_TENANT);
    for (const tenant of TENANTS) {
      tokens.set(tenant.key, await stack.token(tenant.user));
      await saveSettings(tenant);
      const webhook = await stack.sim(
        'oneflow',
        'POST',
        '/v1/webhooks',
        {
          callback_url: `${stack.host.url}/api/webhooks/oneflow/${tenant.key}`,
          sign_key: stackAppSettings(stack.simulators, '')[`ONEFLOW_SIGN_KEY__${tenant.key.toUpperCase()}`],
        },
        ONEFLOW_HEADERS,
      );
      if (webhook.status !== 200) throw new Error(`webhook of ${tenant.key}: ${webhook.text}`);
    }
    const created = await pool(records, 4, async (record) => {
      const answer = await stack.api('POST', 'contracts', {
        token: tokenOf(record.tenant),
        body: { entity: 'opportunity', recordId: record.id },
      });
      if (answer.status !== 201)
        throw new Error(`create on ${record.id}: ${String(answer.status)} ${answer.text}`);
      const contractId = ContractCreatedSchema.parse(answer.body).contract.contractId;
      // Half the contracts are sent to their signers: pushes write one product per request, and people edit
      // their products in Oneflow; the drafts' tables go in one bulk write.
      if (record.sent) await publishContract(stack, contractId);
      return { record, contractId };
    });
    await settle();
    contracts = await pool(created, 4, async ({ record, contractId }) => {
      const settings = settingsOf(record.tenant);
      const gateway = stack.services.tenant(record.tenant.tenantId);
      const [attributes, lines, contract, links, stored] = await Promise.all([
        gateway.dynamics.listAttributes('opportunityproduct'),
        gateway.dynamics.readLines(settings, record.id, {}),
        gateway.oneflow.getContract(contractId),
        stack.services.store.links.list(record.tenant.tenantId, contractId),
        storedProducts(stack, contractId),
      ]);
      // The product reads the contract as Oneflow answers it; the custom ids it leaves out (unkind reading) are
      // the ones it stored.
      const customIds = new Map(
        stored.map((product) => [product.id, product._private_ownerside?.custom_id ?? null]),
      );
      const productGroups = (contract.product_groups ?? []).map((group) => ({
        ...group,
        products: group.products.map((product) => ({
          ...product,
          _private_ownerside: { ...product._private_ownerside, custom_id: customIds.get(product.id) ?? null },
        })),
      }));
      const group = productGroups[0];
      if (!group) throw new Error(`contract ${String(contractId)} has no product table`);
      return {
        record,
        contractId,
        groupId: group.id,
        model: { contractId, settings, attributes, lines, productGroups, links },
        script: scriptFor(record, SEED, EVENTS_PER_CONTRACT),
        productOfLine: new Map(
          stored.flatMap((product) => {
            const line = product._private_ownerside?.custom_id;
            return line ? [[line, product.id] as const] : [];
          }),
        ),
      };
    });
    started = true;
  } catch (error) {
    await stack.close();
    await seeded('starting the stack and the contracts', () => {
      throw error;
    });
  }
}, 300_000);

afterAll(async () => {
  queue?.restore();
  if (started) await stack.close();
  await fabrikamDataverse?.close();
});

/** `work` over `items`, at most `width` at once, results in order. */
async function pool<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      for (;;) {
        const index = next++;
        const item = items[index];
        if (index >= items.length || item === undefined) return;
        results[index] = await work(item);
      }
    }),
  );
  return results;
}

interface ActionRecord {
  contractId: number;
  tenant: ChaosTenant;
  action: 'push' | 'fetch';
  status: number;
  code: string | null;
  outcome: string | null;
  activityId: string | null;
}

const SyncAnswerFieldsSchema = z.object({
  outcome: z.string(),
  activityId: z.string().nullable(),
});
const ErrorCodeSchema = z.object({ error: z.object({ code: z.string() }) });

async function act(contract: ChaosContract, action: 'push' | 'fetch'): Promise<ActionRecord> {
  const answer: ApiAnswer = await stack.api('POST', `contracts/${String(contract.contractId)}/${action}`, {
    token: tokenOf(contract.record.tenant),
  });
  const fields = answer.status === 200 ? SyncAnswerFieldsSchema.safeParse(answer.body) : null;
  return {
    contractId: contract.contractId,
    tenant: contract.record.tenant,
    action,
    status: answer.status,
    code: ErrorCodeSchema.safeParse(answer.body).data?.error.code ?? null,
    outcome: fields?.data?.outcome ?? null,
    activityId: fields?.data?.activityId ?? null,
  };
}

const DeliveryPayloadsSchema = z.object({
  deliveries: z.array(
    z.object({ callbackUrl: z.string(), state: z.string(), payload: z.unknown(), callbackId: z.string() }),
  ),
});

/** How many notifications the Oneflow simulator has made so far (each delivery, duplicates included). */
async function deliveriesMade(): Promise<number> {
  const answer = await stack.sim('oneflow', 'GET', '/_sim/webhooks/deliveries');
  return z.object({ total: z.number() }).parse(answer.body).total;
}

const figures = {
  contracts: 0,
  tenants: TENANTS.length,
  events: {} as Record<string, number>,
  actions: { push: 0, fetch: 0 },
  actionAnswers: {} as Record<string, number>,
  busyAnswers: 0,
  failedActions: 0,
  webhooks: {
    delivered: 0,
    deliveryAttempts: 0,
    duplicatedBySimulator: 0,
    sentWhileReordering: 0,
    replayedLate: 0,
  },
  editsBySide: { dynamics: 0, oneflow: 0 },
  /** Quantities the counterparty changed on a discounted line (the contract keeps its per-unit discount). */
  discountedQuantityEditsInOneflow: 0,
  /** Requests both simulators received during the chaos (the product's and the people's). */
  requests: { dataverse: 0, oneflow: 0 },
  queueRuns: 0,
  queueRunsFailed: 0,
  queueMessagesGivenUp: 0,
  faultsInjected: { dataverse: {} as Record<string, number>, oneflow: {} as Record<string, number> },
  bursts: BURSTS.map((burst) => `${burst.service} ${burst.route}`),
  finalWrites: -1,
  echoWritesToDynamics: -1,
};
const count = (into: Record<string, number>, key: string): void => {
  into[key] = (into[key] ?? 0) + 1;
};

test(
  'chaos on both tenants converges to exactly the state the engine states from the edits made',
  () => seeded('the chaos run', chaosRun),
  scaled(600_000, 3_600_000),
);

async function chaosRun(): Promise<void> {
  figures.contracts = contracts.length;
  expect(contracts.length).toBeGreaterThanOrEqual(20);
  expect(new Set(contracts.map((contract) => contract.record.tenant.key)).size).toBe(2);
  await stack.sim('dataverse', 'DELETE', '/_sim/requests');
  await stack.sim('oneflow', 'DELETE', '/_sim/requests');
  await stack.sim('oneflow', 'DELETE', '/_sim/webhooks/deliveries');
  queue = watchQueueTrigger();

  // ---- chaos
  const actions: Promise<ActionRecord>[] = [];
  const total = contracts.reduce((sum, contract) => sum + contract.script.events.length, 0);
  let done = 0;
  let burstsStarted = 0;
  let reordering = false;
  let reorderedFrom = 0;
  let controller: Promise<void> = Promise.resolve();
  await setFaults(FAULT_RATES);
  await stack.sim('oneflow', 'PUT', '/_sim/webhooks/delivery', { duplicates: true, reorder: false });
  const progress = (): void => {
    done += 1;
    const share = done / total;
    if (!reordering && share >= 0.5) {
      reordering = true;
      controller = controller.then(async () => {
        await stack.sim('oneflow', 'PUT', '/_sim/webhooks/delivery', {
          duplicates: false,
          reorder: true,
          reorderWindowMs: 400,
        });
        reorderedFrom = await deliveriesMade();
      });
    }
    const burst = BURSTS[burstsStarted];
    if (burst && share >= (burstsStarted + 1) / (BURSTS.length + 1)) {
      burstsStarted += 1;
      controller = controller.then(async () => {
        await setFaults(FAULT_RATES, burst);
        await new Promise((resolve) => setTimeout(resolve, BURST_MS));
        await setFaults(FAULT_RATES);
      });
    }
  };
  const replay = async (pick: number): Promise<void> => {
    const { deliveries } = DeliveryPayloadsSchema.parse(
      (await stack.sim('oneflow', 'GET', '/_sim/webhooks/deliveries')).body,
    );
    const delivered = deliveries.filter((delivery) => delivery.state === 'delivered');
    const chosen = delivered[Math.floor(pick * delivered.length)];
    if (!chosen) return;
    const path = chosen.callbackUrl.slice(`${stack.host.url}/api`.length);
    const answer = await stack.api('POST', path, { body: chosen.payload });
    figures.webhooks.replayedLate += 1;
    await seeded(`a late replay of callback ${chosen.callbackId} is answered 200`, () => {
      expect(answer.status).toBe(200);
    });
  };
  const run = async (contract: ChaosContract, event: ChaosEvent): Promise<void> => {
    switch (event.kind) {
      case 'action': {
        const running = act(contract, event.action);
        actions.push(running);
        if (event.awaited) await running;
        return;
      }
      case 'replay':
        await replay(event.pick);
        return;
      case 'pause':
        await new Promise((resolve) => setTimeout(resolve, event.ms));
        return;
      default:
        await carryOut(stack, sides, contract, event);
    }
  };
  await pool(contracts, WORKERS, async (contract) => {
    for (const event of contract.script.events) {
      count(figures.events, event.kind === 'action' ? `action:${event.action}` : event.kind);
      if (event.kind.startsWith('dynamics')) figures.editsBySide.dynamics += 1;
      if (event.kind.startsWith('oneflow')) figures.editsBySide.oneflow += 1;
      if (
        event.kind === 'oneflowEdit' &&
        event.field === 'quantity' &&
        isDiscounted(contract.script, event.line)
      ) {
        figures.discountedQuantityEditsInOneflow += 1;
      }
      await run(contract, event);
      progress();
    }
  });
  const answered = await Promise.all(actions);
  await controller;

  // ---- quiet: faults off, Oneflow's held notifications sent, every queued run done
  await setFaults(null);
  await stack.sim('oneflow', 'PUT', '/_sim/webhooks/delivery', { duplicates: false, reorder: false });
  // Held notifications go out (newest first) when flushed: they count as sent while reordering.
  await stack.sim('oneflow', 'POST', '/_sim/webhooks/flush', {});
  figures.webhooks.sentWhileReordering = (await deliveriesMade()) - reorderedFrom;
  await settle();

  const [dataverseLog, oneflowLog] = await Promise.all([
    requestLog(stack, 'dataverse'),
    requestLog(stack, 'oneflow'),
  ]);
  for (const [service, log] of [
    ['dataverse', dataverseLog],
    ['oneflow', oneflowLog],
  ] as const) {
    for (const request of log.requests) {
      if (request.status === 0) count(figures.faultsInjected[service], 'drop');
      else if (request.status === 429 || request.status === 500)
        count(figures.faultsInjected[service], String(request.status));
    }
  }
  const { deliveries } = DeliveryPayloadsSchema.parse(
    (await stack.sim('oneflow', 'GET', '/_sim/webhooks/deliveries')).body,
  );
  const attemptsSchema = z.object({
    deliveries: z.array(z.object({ attempts: z.array(z.unknown()), callbackId: z.string() })),
  });
  const deliveryAttempts = attemptsSchema.parse(
    (await stack.sim('oneflow', 'GET', '/_sim/webhooks/deliveries')).body,
  );
  figures.webhooks.delivered = deliveries.filter((delivery) => delivery.state === 'delivered').length;
  figures.webhooks.deliveryAttempts = deliveryAttempts.deliveries.reduce(
    (sum, d) => sum + d.attempts.length,
    0,
  );
  const perCallback = new Map<string, number>();
  for (const delivery of deliveries)
    perCallback.set(delivery.callbackId, (perCallback.get(delivery.callbackId) ?? 0) + 1);
  figures.webhooks.duplicatedBySimulator = [...perCallback.values()].filter((n) => n > 1).length;
  figures.actions.push = answered.filter((answer) => answer.action === 'push').length;
  figures.actions.fetch = answered.filter((answer) => answer.action === 'fetch').length;
  for (const answer of answered)
    count(figures.actionAnswers, `${String(answer.status)} ${answer.outcome ?? answer.code ?? ''}`);
  figures.busyAnswers = answered.filter((answer) => answer.code === 'contract_busy').length;
  const failedAnswers = answered.filter((answer) => answer.status >= 500 || answer.outcome === 'failed');
  figures.failedActions = failedAnswers.length;
  const attempts = queue.attempts;
  figures.requests = { dataverse: dataverseLog.total, oneflow: oneflowLog.total };
  figures.queueRuns = attempts.length;
  figures.queueRunsFailed = attempts.filter((attempt) => attempt.error !== null).length;
  figures.queueMessagesGivenUp = attempts.filter(
    (attempt) => attempt.error !== null && attempt.dequeueCount >= 5,
  ).length;

  await seeded('every answer to a push or fetch under faults is one the API documents', () => {
    const unexpected = answered.filter(
      (answer) =>
        !(
          (answer.status === 200 && answer.outcome !== null) ||
          (answer.status === 409 && answer.code === 'contract_busy') ||
          (answer.status === 502 && /_unavailable$/.test(answer.code ?? '')) ||
          (answer.status === 503 && /_busy$/.test(answer.code ?? ''))
        ),
    );
    expect(unexpected).toEqual([]);
  });

  // ---- every failure visible in the activity log
  const activity = new Map<number, ActivityEntry[]>();
  for (const contract of contracts) activity.set(contract.contractId, await activityOf(contract));
  await seeded('every failed push or fetch has its failed entry in the activity log', () => {
    for (const contract of contracts) {
      const entries = activity.get(contract.contractId) ?? [];
      for (const action of ['push', 'fetch'] as const) {
        const failed = failedAnswers.filter(
          (answer) => answer.contractId === contract.contractId && answer.action === action,
        ).length;
        const logged = entries.filter(
          (entry) => entry.action === action && entry.outcome === 'failed',
        ).length;
        expect({ contract: contract.contractId, action, failedEntries: logged }).toEqual({
          contract: contract.contractId,
          action,
          failedEntries: failed,
        });
      }
    }
    for (const answer of answered) {
      if (answer.activityId === null) continue;
      const entry = (activity.get(answer.contractId) ?? []).find(
        (candidate) => candidate.id === answer.activityId,
      );
      expect({ id: answer.activityId, outcome: entry?.outcome }).toEqual({
        id: answer.activityId,
        outcome: answer.outcome,
      });
    }
    const running = [...activity.values()]
      .flat()
      .filter((entry) => entry.outcome === 'running' || entry.outcome === 'interrupted');
    expect(running).toEqual([]);
  });
  await seeded('every queued fetch given up after its retries has its failed entry', () => {
    for (const contract of contracts) {
      const givenUp = attempts.filter(
        (attempt) =>
          attempt.contractId === contract.contractId && attempt.error !== null && attempt.dequeueCount >= 5,
      ).length;
      const logged = (activity.get(contract.contractId) ?? []).filter(
        (entry) => entry.action === 'webhook' && entry.outcome === 'failed',
      ).length;
      expect(logged).toBeGreaterThanOrEqual(givenUp);
    }
  });

  // ---- before anyone clicks again: the webhooks alone brought every Oneflow edit into Dynamics (the fields
  // Oneflow owns in the run; whether a fetch has yet undone a Dynamics edit of a field only Oneflow writes depends
  // on when the last run happened)
  await seeded('the webhook runs alone brought every Oneflow edit into Dynamics', async () => {
    const quiet = new Date();
    const actual: Record<number, LineView[]> = {};
    const expected: Record<number, LineView[]> = {};
    for (const contract of contracts) {
      // A message given up after its retries leaves its fetch to a person (its failed entry says so).
      if (attempts.some((attempt) => attempt.contractId === contract.contractId && attempt.dequeueCount >= 5))
        continue;
      const lines = await stack.services
        .tenant(contract.record.tenant.tenantId)
        .dynamics.readLines(contract.model.settings, contract.record.id, {});
      const owned = oneflowOwnedColumns(contract.script);
      const ownedOnly = (views: LineView[]): LineView[] =>
        views.map((view) => ({
          id: view.id,
          columns: Object.fromEntries(
            (owned.get(view.id) ?? []).map((column) => [column, view.columns[column] ?? null]),
          ),
        }));
      actual[contract.contractId] = ownedOnly(
        lines.map((line) => lineView(line, contract.model.settings)).sort((a, b) => a.id.localeCompare(b.id)),
      );
      expected[contract.contractId] = ownedOnly(expectedAfterWebhooks(contract.model, quiet));
    }
    expect(actual).toEqual(expected);
  });

  // ---- the final fetch and push, faults off
  const final = await pool(contracts, 4, async (contract) => {
    const fetched = await untilFree(contract, 'fetch');
    const pushed = await untilFree(contract, 'push');
    return { contractId: contract.contractId, fetch: fetched.outcome, push: pushed.outcome };
  });
  await seeded('the final fetch and push of every contract succeed', () => {
    expect(
      final.filter(
        (run) =>
          run.fetch === 'failed' ||
          run.push === 'failed' ||
          run.fetch === 'refused' ||
          run.push === 'refused',
      ),
    ).toEqual([]);
  });
  // The webhooks of the final pushes: the fetches they cause find nothing to write into Dynamics.
  await stack.sim('dataverse', 'DELETE', '/_sim/requests');
  await settle();
  figures.echoWritesToDynamics = (await requestLog(stack, 'dataverse')).requests.filter(
    (request) => request.method !== 'GET',
  ).length;

  // ---- the end state, exactly
  const now = new Date();
  await seeded('both sides of every contract hold exactly what the oracle states', async () => {
    const actual: Record<number, ContractView> = {};
    const expected: Record<number, ContractView> = {};
    for (const contract of contracts) {
      const gateway = stack.services.tenant(contract.record.tenant.tenantId);
      const lines = await gateway.dynamics.readLines(contract.model.settings, contract.record.id, {});
      const products = await storedProducts(stack, contract.contractId);
      actual[contract.contractId] = contractView(
        lines,
        [{ ...firstGroup(contract), products }],
        contract.model.settings,
      );
      expected[contract.contractId] = expectedEndState(contract.model, now);
    }
    expect(actual).toEqual(expected);
  });
  await seeded('no Oneflow product is there twice; every hand-added one is there once', async () => {
    for (const contract of contracts) {
      const products = await storedProducts(stack, contract.contractId);
      const customIds = products.flatMap((product) =>
        product._private_ownerside?.custom_id ? [product._private_ownerside.custom_id] : [],
      );
      expect(customIds.length).toBe(new Set(customIds).size);
      const handAdded = contract.script.events.flatMap((event) =>
        event.kind === 'oneflowHandAdd' ? [event.name] : [],
      );
      for (const name of handAdded)
        expect({ name, copies: products.filter((product) => product.name === name).length }).toEqual({
          name,
          copies: 1,
        });
    }
  });
  await seeded('the fetches caused by the final pushes wrote nothing into Dynamics (no echo)', () => {
    expect(figures.echoWritesToDynamics).toBe(0);
  });

  // ---- once more: nothing to do, nothing written
  await stack.sim('dataverse', 'DELETE', '/_sim/requests');
  await stack.sim('oneflow', 'DELETE', '/_sim/requests');
  const again = await pool(contracts, 4, async (contract) => {
    const fetched = await untilFree(contract, 'fetch');
    const pushed = await untilFree(contract, 'push');
    return { contractId: contract.contractId, fetch: fetched.outcome, push: pushed.outcome };
  });
  await settle();
  const writes = await writesLogged(stack);
  figures.finalWrites = writes.length;
  await seeded('a fetch and a push of every converged contract write nothing to either side', () => {
    expect(again.filter((run) => run.fetch !== 'nothing_to_do' || run.push !== 'nothing_to_do')).toEqual([]);
    expect(writes).toEqual([]);
  });
  await seeded('no log line of the run holds a secret or a token', () => {
    expect(
      secretsIn(
        captured.lines,
        secretValuesOf(stackAppSettings(stack.simulators, stack.azurite.connectionString)),
      ),
    ).toEqual([]);
  });
  recordFigures('chaos', {
    seed: SEED,
    oneflowReadings: READINGS,
    logLines: captured.lines.length,
    ...figures,
  });
}

function firstGroup(contract: ChaosContract) {
  const group = contract.model.productGroups.find((candidate) => candidate.id === contract.groupId);
  if (!group) throw new Error(`contract ${String(contract.contractId)} lost its product table`);
  return group;
}

/**
 * A push or fetch once the contract is free (a webhook run may hold it for a moment) and the org's Oneflow
 * request budget has room (a long run may spend it: the product then answers oneflow_busy without sending).
 */
async function untilFree(contract: ChaosContract, action: 'push' | 'fetch'): Promise<ActionRecord> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const answer = await act(contract, action);
    if (answer.status === 200) return answer;
    if (answer.code === 'contract_busy') {
      await new Promise((resolve) => setTimeout(resolve, 250));
    } else if (answer.code === 'oneflow_busy' && SOAK) {
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    } else {
      throw new Error(
        `final ${action} of ${String(contract.contractId)}: ${String(answer.status)} ${answer.code ?? ''}`,
      );
    }
  }
  throw new Error(`contract ${String(contract.contractId)} stayed busy`);
}

async function activityOf(contract: ChaosContract): Promise<ActivityEntry[]> {
  const entries: ActivityEntry[] = [];
  let continuation: string | null = null;
  do {
    const query: string = `activity?contractId=${String(contract.contractId)}&limit=200${continuation ? `&continuationToken=${encodeURIComponent(continuation)}` : ''}`;
    const answer = await retried(`activity of ${String(contract.contractId)}`, async () => {
      const page = await stack.api('GET', query, { token: tokenOf(contract.record.tenant) });
      if (page.status !== 200) throw new Error(`${String(page.status)} ${page.text}`);
      return ActivityPageAnswerSchema.parse(page.body);
    });
    entries.push(...answer.entries);
    continuation = answer.continuationToken;
  } while (continuation);
  return entries;
}
