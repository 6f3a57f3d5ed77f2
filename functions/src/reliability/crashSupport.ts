/**
 * The crash suite's machinery: a contract's two sides read as one state, the state a run must converge to (built
 * from the edits made, not from the code under test), the seeded edits themselves, and calls to the Function
 * app's own process.
 */
import axios from 'axios';
import { QueueClient } from '@azure/storage-queue';
import type { Random } from '@oneflow-sync/simulators/src/common/random';
import { FIXTURE, type ApiAnswer, type Stack } from '../testing/stack';
import type { HostProcess } from '../testing/hostProcess';
import { dynamicsSide, oneflowSide, quantityOf, type OneflowProductView } from '../e2e/syncE2eSupport';

export type CrashKind = 'push' | 'fetch' | 'webhook';

/** The Function app's process has a queue of its own, so the test stack's runner never takes its messages. */
const CRASH_QUEUE = 'crash-webhooks';

/** How soon a message held by a process that died comes back (QUEUE_VISIBILITY_SECONDS of the local runner). */
const CRASH_VISIBILITY_SECONDS = 5;

export const CRASH_HOST_ENV = {
  WEBHOOK_QUEUE_NAME: CRASH_QUEUE,
  QUEUE_VISIBILITY_SECONDS: String(CRASH_VISIBILITY_SECONDS),
} as const;

/** What a line carries that both sides keep in step (two-way by default). */
interface LineValues {
  quantity: number;
  price: number;
}

/** The end state a contract must reach: its lines (so its linked products), and the products added in Oneflow. */
export interface ContractModel {
  lines: Map<string, LineValues>;
  /** Names of the products added by hand in Oneflow (never linked, never deleted). */
  handAdded: string[];
}

/** Both sides of a contract as they are now. */
export interface ContractSides {
  lines: Map<string, LineValues>;
  /** Linked products by their custom_id: more than one for a line is a duplicate. */
  linked: Map<string, LineValues[]>;
  unlinked: string[];
}

const priceOf = (product: OneflowProductView): number =>
  Number(product.price_1?.base_amount?.amount ?? Number.NaN);

export async function sidesOf(stack: Stack, contractId: number, recordId: string): Promise<ContractSides> {
  const [rows, products] = await Promise.all([
    dynamicsSide(stack).linesOf(recordId),
    oneflowSide(stack).products(contractId),
  ]);
  const lines = new Map<string, LineValues>();
  for (const row of rows) {
    lines.set(String(row.opportunityproductid), {
      quantity: Number(row.quantity),
      price: Number(row.priceperunit),
    });
  }
  const linked = new Map<string, LineValues[]>();
  const unlinked: string[] = [];
  for (const product of products) {
    const customId = product._private_ownerside?.custom_id;
    if (customId) {
      const values = { quantity: quantityOf(product), price: priceOf(product) };
      linked.set(customId, [...(linked.get(customId) ?? []), values]);
    } else {
      unlinked.push(product.name);
    }
  }
  return { lines, linked, unlinked: unlinked.sort() };
}

/** The model a contract starts from: its sides as they are (checked to agree). */
export function modelOf(sides: ContractSides): ContractModel {
  return { lines: new Map(sides.lines), handAdded: [...sides.unlinked] };
}

const same = (a: LineValues | undefined, b: LineValues): boolean =>
  a !== undefined && a.quantity === b.quantity && a.price === b.price;

const shown = (values: LineValues | undefined): string =>
  values === undefined ? 'nothing' : `quantity ${values.quantity}, price ${values.price}`;

/** Every way the sides differ from the model ([] when they are exactly it), duplicates first. */
export function differences(model: ContractModel, sides: ContractSides): string[] {
  const found: string[] = [];
  for (const [lineId, products] of sides.linked) {
    if (products.length > 1) found.push(`${products.length} Oneflow products for line ${lineId}`);
  }
  for (const [lineId, expected] of model.lines) {
    const line = sides.lines.get(lineId);
    if (!same(line, expected))
      found.push(`Dynamics line ${lineId}: ${shown(line)}, expected ${shown(expected)}`);
    const product = sides.linked.get(lineId)?.[0];
    if (!same(product, expected))
      found.push(`Oneflow product of ${lineId}: ${shown(product)}, expected ${shown(expected)}`);
  }
  for (const lineId of sides.lines.keys())
    if (!model.lines.has(lineId)) found.push(`Dynamics line ${lineId} should not exist`);
  for (const lineId of sides.linked.keys())
    if (!model.lines.has(lineId)) found.push(`an Oneflow product for line ${lineId} should not exist`);
  const handAdded = [...model.handAdded].sort();
  if (JSON.stringify(handAdded) !== JSON.stringify(sides.unlinked))
    found.push(`products added in Oneflow: ${sides.unlinked.join(', ')}; expected ${handAdded.join(', ')}`);
  return found;
}

/** Products for the same line counted beyond the first, over the whole contract. */
export const duplicatesIn = (sides: ContractSides): number =>
  [...sides.linked.values()].reduce((count, products) => count + products.length - 1, 0);

const between = (random: Random, low: number, high: number): number =>
  low + Math.floor(random() * (high - low + 1));

function hexOf(random: Random, digits: number): string {
  return Array.from({ length: digits }, () => between(random, 0, 15).toString(16)).join('');
}

/**
 * Edits a person makes in Dynamics before a push (quantities and prices changed, a line removed, a write-in
 * added), at least two writes' worth; applied to the model too. Returns how many lines the push writes.
 */
export async function editDynamics(
  stack: Stack,
  random: Random,
  recordId: string,
  model: ContractModel,
): Promise<number> {
  const dynamics = dynamicsSide(stack);
  let writes = 0;
  for (const [lineId, values] of [...model.lines]) {
    const roll = random();
    if (roll < 0.2) {
      await dynamics.remove(lineId);
      model.lines.delete(lineId);
    } else if (roll < 0.85) {
      const next = { quantity: between(random, 1, 60), price: values.price };
      // A catalog line's price is the price list's: a write-in line takes one of its own.
      const writeIn = (await dynamics.line(lineId))?.isproductoverridden === true;
      if (writeIn && random() < 0.6) next.price = between(random, 10, 900);
      await dynamics.update(lineId, { quantity: next.quantity, priceperunit: next.price });
      model.lines.set(lineId, next);
    } else continue;
    writes++;
  }
  while (writes < 2 || random() < 0.3) {
    const lineId = `2c3d0000-0000-4000-8000-${hexOf(random, 12)}`;
    const values = { quantity: between(random, 1, 20), price: between(random, 10, 500) };
    await dynamics.addWriteInLine(recordId, lineId, {
      productdescription: `Write-in ${lineId.slice(-4)}`,
      priceperunit: values.price,
      quantity: values.quantity,
    });
    model.lines.set(lineId, values);
    writes++;
  }
  return writes;
}

/**
 * Edits the counterparty makes in Oneflow before a fetch (quantities changed, at least two; sometimes a product
 * added by hand, which stays Oneflow's own); applied to the model too. Returns how many lines the fetch writes.
 */
export async function editOneflow(
  stack: Stack,
  random: Random,
  contractId: number,
  model: ContractModel,
): Promise<number> {
  const oneflow = oneflowSide(stack);
  const contract = await oneflow.contract(contractId);
  const products = contract.product_groups.flatMap((group) => group.products);
  let writes = 0;
  for (const product of products) {
    const lineId = product._private_ownerside?.custom_id;
    const values = lineId ? model.lines.get(lineId) : undefined;
    if (!lineId || !values) continue;
    if (writes >= 2 && random() < 0.4) continue;
    let quantity = between(random, 1, 60);
    if (quantity === values.quantity) quantity += 1;
    await oneflow.update(contractId, product.id, { quantity: { type: 'quantity', amount: quantity } });
    model.lines.set(lineId, { ...values, quantity });
    writes++;
  }
  const group = contract.product_groups[0];
  if (group && random() < 0.4) {
    const name = `Added by the counterparty ${hexOf(random, 4)}`;
    await oneflow.add(contractId, group.id, {
      name,
      price_1: { base_amount: { amount: `${between(random, 10, 99)}.00` } },
      quantity: { type: 'quantity', amount: between(random, 1, 9) },
    });
    model.handAdded.push(name);
  }
  return writes;
}

/** A call to the Function app's own process, never throwing on an error status. */
export async function hostCall(
  host: HostProcess,
  method: 'GET' | 'POST',
  path: string,
  token: string | null,
  body?: unknown,
): Promise<ApiAnswer> {
  const response = await axios.request<string>({
    method,
    url: `${host.url}/api/${path}`,
    headers: {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    data: body === undefined ? undefined : JSON.stringify(body),
    responseType: 'text',
    transformResponse: (data: string) => data,
    validateStatus: () => true,
  });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (typeof value === 'string') headers[name.toLowerCase()] = value;
  }
  let parsed: unknown = null;
  try {
    parsed = response.data === '' ? null : JSON.parse(response.data);
  } catch {
    parsed = null;
  }
  return { status: response.status, headers, body: parsed, text: response.data };
}

/** Messages on the process's queue, visible or not (a message held by a dead process counts). */
export async function queuedMessages(stack: Stack): Promise<number> {
  const queue = new QueueClient(stack.azurite.connectionString, CRASH_QUEUE);
  if (!(await queue.exists())) return 0;
  return (await queue.getProperties()).approximateMessagesCount ?? 0;
}

/** The routes by which a run writes: Oneflow's product writes (a push), Dataverse's change sets (a fetch). */
export const WRITE_ROUTES = {
  oneflow: [
    'DELETE /v1/contracts/:id/products/:productId',
    'POST /v1/contracts/:id/product_groups/:groupId/products',
    'PUT /v1/contracts/:id/products/:productId',
  ],
  dataverse: ['POST /api/data/v9.2/$batch'],
} as const;

/** Reads answer after READ_LATENCY, writes after WRITE_LATENCY (each plus up to its jitter). */
const READ_LATENCY = { latencyMs: 60, jitterMs: 60 } as const;
export const WRITE_LATENCY = { latencyMs: 500, jitterMs: 300 } as const;

/** Both simulators answer slowly (reads a little, writes a lot), or normally again (`slow` false). */
export async function slowSimulators(stack: Stack, seed: number, slow: boolean): Promise<void> {
  for (const service of ['dataverse', 'oneflow'] as const) {
    const routes = slow
      ? {
          '*': READ_LATENCY,
          ...Object.fromEntries(WRITE_ROUTES[service].map((route) => [route, WRITE_LATENCY])),
        }
      : {};
    const answer = await stack.sim(service, 'PUT', '/_sim/faults', { seed, routes });
    if (answer.status !== 200) throw new Error(`${service} faults: ${String(answer.status)} ${answer.text}`);
  }
}

export const tenantOfCrashes = FIXTURE.contoso;

/** min, median and max of some durations, in ms (null when there are none). */
export function spread(values: readonly number[]): { min: number; median: number; max: number } | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return {
    min: sorted[0] ?? 0,
    median: sorted[Math.floor((sorted.length - 1) / 2)] ?? 0,
    max: sorted[sorted.length - 1] ?? 0,
  };
}
