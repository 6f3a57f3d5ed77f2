import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  defaultSettings,
  OneflowProductSchema,
  type DynamicsLine,
  type OneflowProduct,
} from '@oneflow-sync/shared';
import { QUEUE_FUNCTIONS, type QueueFunction } from '../registry';
import type { ContractChangedMessage, Logger } from '../services';
import type { ActivityEntry } from '../state/store';
import { FIXTURE, type ApiAnswer, type Stack } from '../testing/stack';
import { storedContract, wholeEdit } from './syncE2eSupport';

/**
 * Shared by the webhook pipeline's end-to-end tests (webhooks*.integration.test.ts): a Dataverse fixture with
 * opportunities to spare (a record can have one contract, and every test wants a fresh one), signed
 * notifications made the way Oneflow makes them, and probes of the simulators' logs and our tables.
 */

export const ONEFLOW_HEADERS = { 'x-oneflow-api-token': FIXTURE.oneflowToken } as const;
export const WEBHOOK_PATH = '/webhooks/oneflow/contoso';
const API = '/api/data/v9.2/';
export const BATCH_ROUTE = `POST ${API}$batch`;
export const LINES_ROUTE = `GET ${API}opportunityproducts`;
export const CONTRACT_ROUTE = 'GET /v1/contracts/:id';
const OPPORTUNITY_SETTINGS = defaultSettings('opportunity');

/** The seed's opportunity 0001 lines, in order: a discounted catalog line, an overridden price, a write-in. */
export const LINE = { widget: 0, support: 1, writeIn: 2 } as const;

interface DataverseFixture {
  records: Record<string, Record<string, unknown>[]>;
}

/** Opportunity `n` of the e2e fixture (1 ≤ n ≤ 99) and its three lines, copies of the seed's opportunity 0001. */
export function opportunity(n: number): { id: string; lines: [string, string, string] } {
  const nn = String(n).padStart(2, '0');
  return {
    id: `0a1b0000-0000-4000-8000-e2e0000000${nn}`,
    lines: [1, 2, 3].map((line) => `2c3d0000-0000-4000-8000-e2e00000${nn}0${String(line)}`) as [
      string,
      string,
      string,
    ],
  };
}

/** The seeded Dataverse fixture plus `count` copies of the rollout opportunity with their three lines. */
export function fixtureWithOpportunities(count: number): DataverseFixture {
  const path = join(__dirname, '..', '..', '..', 'simulators', 'fixtures', 'dataverse.json');
  const fixture = JSON.parse(readFileSync(path, 'utf8')) as DataverseFixture;
  const opportunities = fixture.records.opportunities ?? [];
  const lines = fixture.records.opportunityproducts ?? [];
  const template = opportunities.find((record) => record.opportunityid === FIXTURE.opportunity);
  const templateLines = FIXTURE.opportunityLines.map((id) =>
    lines.find((line) => line.opportunityproductid === id),
  );
  if (!template || templateLines.some((line) => line === undefined)) {
    throw new Error('the seed fixture no longer has the rollout opportunity and its three lines');
  }
  for (let n = 1; n <= count; n++) {
    const copy = opportunity(n);
    opportunities.push({ ...template, opportunityid: copy.id, name: `E2E webhook opportunity ${String(n)}` });
    templateLines.forEach((line, index) => {
      lines.push({ ...line, opportunityproductid: copy.lines[index], opportunityid: copy.id });
    });
  }
  return fixture;
}

/** Oneflow's signature, computed here independently of the backend's helper. */
function oneflowSignature(callbackId: string, signKey: string): string {
  return createHash('sha1')
    .update(callbackId + signKey)
    .digest('hex');
}

function newCallbackId(): string {
  return randomBytes(20).toString('hex');
}

export interface Notification {
  contract: { id: number };
  callback_id: string;
  events: { created_time: string; id: number; type: string }[];
  signature: string;
}

/** A notification as Oneflow sends it, signed with Contoso's key unless told otherwise. */
export function notification(
  contractId: number,
  options: { callbackId?: string; signKey?: string; type?: string } = {},
): Notification {
  const callbackId = options.callbackId ?? newCallbackId();
  return {
    contract: { id: contractId },
    callback_id: callbackId,
    events: [
      { created_time: '2025-01-15T09:30:00+0000', id: 1, type: options.type ?? 'contract:content_update' },
    ],
    signature: oneflowSignature(callbackId, options.signKey ?? FIXTURE.signKeys.contoso),
  };
}

export function postNotification(stack: Stack, body: unknown, orgKey = 'contoso'): Promise<ApiAnswer> {
  return stack.api('POST', `/webhooks/oneflow/${orgKey}`, { body });
}

/**
 * Records every message the receiver and the timers put on the webhook queue (the real queue still gets it). The
 * queue processor's own follow-ups are not recorded: they are the processor's bookkeeping, not changes.
 */
export function recordEnqueues(stack: Stack): ContractChangedMessage[] {
  const sent: ContractChangedMessage[] = [];
  const enqueue = stack.services.enqueue.bind(stack.services);
  stack.services.enqueue = async (message, options) => {
    if (message.source.kind !== 'follow_up') sent.push(message);
    await enqueue(message, options);
  };
  return sent;
}

/** One run of the queue trigger, as the local runner called it. */
export interface QueueAttempt {
  contractId: number | null;
  /** The message's source kind (`webhook`, `reconcile`, `follow_up`), or null for a message that is not one. */
  kind: string | null;
  callbackId: string | null;
  dequeueCount: number;
  /** What the processor made of it (`fetched`, `coalesced`, `deferred`, `duplicate`, …), or null when it threw. */
  outcome: string | null;
  error: string | null;
}

const MessageFieldsSchema = z.object({
  contractId: z.number().optional(),
  source: z.object({ kind: z.string(), callbackId: z.string().optional() }).optional(),
});

/**
 * Watches the registry's queue function (the one the local runner calls) without changing what it does: every
 * attempt with its outcome, as the function logs it, or its error. Returns the attempts and a function to stop.
 */
export function watchQueueTrigger(): { attempts: QueueAttempt[]; restore: () => void } {
  const [definition] = QUEUE_FUNCTIONS as QueueFunction[];
  if (!definition) throw new Error('no queue function registered');
  const original = definition.handle.bind(definition);
  const attempts: QueueAttempt[] = [];
  definition.handle = async (services, message, dequeueCount, log) => {
    const fields = MessageFieldsSchema.safeParse(message);
    const attempt: QueueAttempt = {
      contractId: fields.data?.contractId ?? null,
      kind: fields.data?.source?.kind ?? null,
      callbackId: fields.data?.source?.callbackId ?? null,
      dequeueCount,
      outcome: null,
      error: null,
    };
    const watched: Logger = {
      ...log,
      info: (text, data) => {
        if (typeof data?.outcome === 'string') attempt.outcome = data.outcome;
        log.info(text, data);
      },
    };
    try {
      await original(services, message, dequeueCount, watched);
    } catch (error) {
      attempt.error = error instanceof Error ? error.message : String(error);
      throw error;
    } finally {
      attempts.push(attempt);
    }
  };
  return {
    attempts,
    restore: () => {
      definition.handle = original;
    },
  };
}

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const DeliveriesSchema = z.object({
  total: z.number(),
  deliveries: z.array(
    z.object({
      id: z.number(),
      callbackId: z.string(),
      contractId: z.number(),
      events: z.array(z.object({ type: z.string() })),
      state: z.enum(['held', 'pending', 'delivered', 'failed']),
      attempts: z.array(z.object({ attempt: z.number(), at: z.string(), status: z.number().nullable() })),
    }),
  ),
});
export type Delivery = z.infer<typeof DeliveriesSchema>['deliveries'][number];

/** The simulator's webhook deliveries once none is held or pending (all answered or given up). */
export async function settledDeliveries(stack: Stack, timeoutMs = 10_000): Promise<Delivery[]> {
  return until(
    'the Oneflow simulator to finish its webhook deliveries',
    async () => {
      const { deliveries } = DeliveriesSchema.parse(
        (await stack.sim('oneflow', 'GET', '/_sim/webhooks/deliveries')).body,
      );
      return deliveries.every((delivery) => delivery.state === 'delivered' || delivery.state === 'failed')
        ? deliveries
        : undefined;
    },
    timeoutMs,
  );
}

/** Waits for Oneflow's deliveries to be answered, then for the queue to be processed to the end. */
export async function settle(stack: Stack): Promise<void> {
  await settledDeliveries(stack);
  await stack.host.drainQueue();
}

const ContractAnswerSchema = z.object({ contract: z.object({ contractId: z.number().int() }) });

/** "Create contract" on an opportunity as Alex, and everything its own webhooks cause settled. */
export async function createContract(stack: Stack, recordId: string): Promise<number> {
  const answer = await stack.api('POST', '/contracts', {
    token: await stack.token('alex'),
    body: { entity: 'opportunity', recordId },
  });
  if (answer.status !== 201)
    throw new Error(`create contract on ${recordId}: ${String(answer.status)} ${answer.text}`);
  await settle(stack);
  return ContractAnswerSchema.parse(answer.body).contract.contractId;
}

const StoredContractSchema = z.object({
  product_groups: z.array(z.object({ products: z.array(OneflowProductSchema) })),
});

/** The contract's products as Oneflow stores them, by the Dynamics line id in their custom_id. */
export async function productsByLine(stack: Stack, contractId: number): Promise<Map<string, OneflowProduct>> {
  const contract = StoredContractSchema.parse((await storedContract(stack, contractId)).body);
  const products = new Map<string, OneflowProduct>();
  for (const product of contract.product_groups.flatMap((group) => group.products)) {
    const lineId = product._private_ownerside?.custom_id;
    if (lineId) products.set(lineId, product);
  }
  return products;
}

export async function productFor(stack: Stack, contractId: number, lineId: string): Promise<OneflowProduct> {
  const product = (await productsByLine(stack, contractId)).get(lineId);
  if (!product) throw new Error(`contract ${String(contractId)} has no product for line ${lineId}`);
  return product;
}

/** A product edit through the Oneflow API (as a user of Oneflow would make it: nested objects whole). */
export async function editProduct(
  stack: Stack,
  contractId: number,
  productId: number,
  body: Record<string, unknown>,
): Promise<void> {
  const path = `/v1/contracts/${String(contractId)}/products/${String(productId)}`;
  const current = await stack.sim('oneflow', 'GET', path, undefined, ONEFLOW_HEADERS);
  if (current.status !== 200)
    throw new Error(`Oneflow product read: ${String(current.status)} ${current.text}`);
  const answer = await stack.sim(
    'oneflow',
    'PUT',
    path,
    wholeEdit(current.body as Record<string, unknown>, body),
    ONEFLOW_HEADERS,
  );
  if (answer.status !== 200) throw new Error(`Oneflow product edit: ${String(answer.status)} ${answer.text}`);
}

/** The opportunity's lines in Dynamics, read as the application user through the backend's own gateway. */
async function dynamicsLines(stack: Stack, recordId: string): Promise<Map<string, DynamicsLine>> {
  if (!OPPORTUNITY_SETTINGS) throw new Error('opportunity has no default settings');
  const lines = await stack.services
    .tenant(FIXTURE.contoso)
    .dynamics.readLines(OPPORTUNITY_SETTINGS, recordId, {});
  return new Map(lines.map((line) => [line.id, line]));
}

export async function dynamicsLine(stack: Stack, recordId: string, lineId: string): Promise<DynamicsLine> {
  const line = (await dynamicsLines(stack, recordId)).get(lineId);
  if (!line) throw new Error(`no line ${lineId} on ${recordId}`);
  return line;
}

/** The contract's activity, oldest first. */
export async function activity(stack: Stack, contractId: number): Promise<ActivityEntry[]> {
  return (await stack.services.store.activity.list(FIXTURE.contoso, { contractId, limit: 1000 })).reverse();
}

const RequestLogSchema = z.object({
  total: z.number(),
  counts: z.record(z.string(), z.number()),
  requests: z.array(
    z.object({
      method: z.string(),
      url: z.string(),
      route: z.string(),
      status: z.number(),
      headers: z.record(z.string(), z.string()),
    }),
  ),
});
export type RequestLog = z.infer<typeof RequestLogSchema>;

export async function requestLog(stack: Stack, service: 'dataverse' | 'oneflow'): Promise<RequestLog> {
  return RequestLogSchema.parse((await stack.sim(service, 'GET', '/_sim/requests')).body);
}

export async function clearRequestLogs(stack: Stack): Promise<void> {
  await stack.sim('dataverse', 'DELETE', '/_sim/requests');
  await stack.sim('oneflow', 'DELETE', '/_sim/requests');
}

/** Requests of one route for one contract (the Oneflow log's URLs carry the contract id). */
export function countRoute(log: RequestLog, route: string, urlPart = ''): number {
  return log.requests.filter((request) => request.route === route && request.url.includes(urlPart)).length;
}

/**
 * Holds the contract's lease (as a running push or fetch would) while `change` runs and until every Oneflow
 * delivery has been answered: the contract's notifications are all queued before any of them is processed.
 */
export async function whileLeaseHeldUntilDelivered(
  stack: Stack,
  contractId: number,
  change: () => Promise<void>,
): Promise<void> {
  const holder = `e2e-test/${newCallbackId()}`;
  const { leases } = stack.services.store;
  if (!(await leases.acquire(FIXTURE.contoso, contractId, holder, 20_000))) {
    throw new Error(`the lease of contract ${String(contractId)} is busy`);
  }
  try {
    await change();
    await settledDeliveries(stack);
  } finally {
    await leases.release(FIXTURE.contoso, contractId, holder);
  }
}

export const messagesFor = (
  sent: readonly ContractChangedMessage[],
  contractId: number,
): ContractChangedMessage[] => sent.filter((message) => message.contractId === contractId);
