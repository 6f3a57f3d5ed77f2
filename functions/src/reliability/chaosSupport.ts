/**
 * The chaos suite's world: opportunities for both fixture tenants, settings that map fields in every direction
 * the product offers, a seeded generator of people's edits on both sides, and the edits themselves, carried out
 * against the simulators (retried through injected faults, which never reach a simulator's handler) and mirrored
 * in the oracle's model of the contract.
 */
import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  defaultSettings,
  OneflowProductGroupSchema,
  type Direction,
  type DynamicsValue,
  type EntitySettings,
  type OneflowProduct,
} from '@oneflow-sync/shared';
import { seededRandom, type Random } from '@oneflow-sync/simulators/src/common/random';
import axios from 'axios';
import { z } from 'zod';
import {
  dynamicsSide,
  oneflowSide,
  storedContract,
  type DynamicsSide,
  type OneflowSide,
} from '../e2e/syncE2eSupport';
import { FIXTURE, type Stack } from '../testing/stack';
import {
  addProduct,
  editLine,
  editProduct,
  removeLine,
  removeProduct,
  type ContractModel,
} from './chaosOracle';

/** The catalog of simulators/fixtures/dataverse.json the seeded lines use. */
const CATALOG = {
  priceLevel: '5e2b0000-0000-4000-8000-000000000001',
  widget: {
    productId: '3a7c0000-0000-4000-8000-000000000001',
    uomId: '9c1d0000-0000-4000-8000-000000000001',
  },
  support: {
    productId: '3a7c0000-0000-4000-8000-000000000002',
    uomId: '9c1d0000-0000-4000-8000-000000000002',
  },
} as const;

type Field = 'name' | 'description' | 'price' | 'quantity' | 'discount';
const FIELDS: readonly Field[] = ['name', 'description', 'price', 'quantity', 'discount'];

/** The Dynamics column a person edits for each field (a write-in line's name is its product description). */
const EDITED_COLUMN: Record<Field, string> = {
  name: 'productdescription',
  description: 'description',
  price: 'priceperunit',
  quantity: 'quantity',
  discount: 'manualdiscountamount',
};
/** The mapped Dynamics column of each field. */
const MAPPED_COLUMN: Record<Field, string> = { ...EDITED_COLUMN, name: 'productidname' };

export interface ChaosTenant {
  key: 'contoso' | 'fabrikam';
  tenantId: string;
  /** The sales rep who pushes and fetches. */
  user: 'alex' | 'megan';
  /** The admin who saves the settings. */
  admin: 'sam' | 'megan';
  /**
   * Every direction the product offers, within F4 (two-way and Oneflow to Dynamics only on price per unit and
   * quantity of a built-in sales line).
   */
  directions: Record<Field, Direction>;
}

export const TENANTS: readonly ChaosTenant[] = [
  {
    key: 'contoso',
    tenantId: FIXTURE.contoso,
    user: 'alex',
    admin: 'sam',
    directions: {
      name: 'dynamics_to_oneflow',
      description: 'sync_once',
      price: 'two_way',
      quantity: 'oneflow_to_dynamics',
      discount: 'dynamics_to_oneflow',
    },
  },
  {
    key: 'fabrikam',
    tenantId: FIXTURE.fabrikam,
    user: 'megan',
    admin: 'megan',
    directions: {
      name: 'dynamics_to_oneflow',
      description: 'dynamics_to_oneflow',
      price: 'oneflow_to_dynamics',
      quantity: 'two_way',
      discount: 'dynamics_to_oneflow',
    },
  },
];

export function settingsOf(tenant: ChaosTenant): EntitySettings {
  const defaults = defaultSettings('opportunity');
  if (!defaults) throw new Error('opportunity has no default settings');
  return {
    ...defaults,
    mappings: defaults.mappings.map((mapping) => {
      const field = FIELDS.find((candidate) => MAPPED_COLUMN[candidate] === mapping.dynamicsField);
      if (!field) throw new Error(`no chaos field for ${mapping.dynamicsField}`);
      return { ...mapping, direction: tenant.directions[field] };
    }),
  };
}

const FABRIKAM_SERVICE_PRINCIPAL = 'd2e3f4a5-b6c7-4d8e-9f0a-1b2c3d4e5f60';

const hex = (value: number, width: number): string => value.toString(16).padStart(width, '0');
const opportunityId = (n: number): string => `0a1b0000-0000-4000-8016-${hex(n, 12)}`;
const seededLineId = (n: number, index: number): string =>
  `2c3d0000-0000-4000-8016-${hex(n * 100 + index, 12)}`;
const addedLineId = (n: number, index: number): string =>
  `2c3d0000-0000-4000-8017-${hex(n * 100 + index, 12)}`;

type LineShape = 'widget' | 'support' | 'writeIn';

/** Opportunity `n`: a discounted catalog line, a catalog line with its price overridden, two write-in lines. */
function seededLines(n: number): { shape: LineShape; row: Record<string, unknown> }[] {
  const opportunity = opportunityId(n);
  return [
    {
      shape: 'widget',
      row: {
        productid: CATALOG.widget.productId,
        uomid: CATALOG.widget.uomId,
        quantity: 10,
        manualdiscountamount: 25,
        description: `Widgets of deal ${n}`,
      },
    },
    {
      shape: 'support',
      row: {
        productid: CATALOG.support.productId,
        uomid: CATALOG.support.uomId,
        quantity: 12,
        ispriceoverridden: true,
        priceperunit: 90,
        description: `Support hours of deal ${n}`,
      },
    },
    {
      shape: 'writeIn',
      row: {
        isproductoverridden: true,
        productdescription: `Integration ${n}`,
        priceperunit: 1500,
        quantity: 1,
        description: `Write-in of deal ${n}`,
      },
    },
    {
      shape: 'writeIn',
      row: { isproductoverridden: true, productdescription: `Training ${n}`, priceperunit: 400, quantity: 3 },
    },
  ].map((line, index) => ({
    shape: line.shape as LineShape,
    row: {
      opportunityproductid: seededLineId(n, index + 1),
      opportunityid: opportunity,
      sequencenumber: index + 1,
      ...line.row,
    },
  }));
}

export interface ChaosRecord {
  n: number;
  id: string;
  tenant: ChaosTenant;
  /**
   * Sent to its signers: people edit its products in Oneflow. A draft is edited by the rep in Dynamics only, since
   * a push writes a draft's table in one bulk replace that would undo an edit made in Oneflow meanwhile (the risk
   * docs/decisions.md accepts for drafts, "Bulk writes on drafts"; nobody outside the org sees a draft).
   */
  sent: boolean;
  lines: { id: string; shape: LineShape }[];
}

/**
 * The seeded Dataverse fixture with `perTenant` opportunities for each tenant, and Fabrikam's rep and the
 * backend's Fabrikam service principal as Dynamics users (the fixture has Contoso's only; both tenants' settings
 * point at the one simulated environment).
 */
export async function loadChaosRecords(stack: Stack, perTenant: number): Promise<ChaosRecord[]> {
  const path = join(__dirname, '..', '..', '..', 'simulators', 'fixtures', 'dataverse.json');
  const fixture = JSON.parse(readFileSync(path, 'utf8')) as {
    systemusers: Record<string, unknown>[];
    records: Record<string, Record<string, unknown>[]>;
  };
  const alex = fixture.systemusers.find(
    (user) => user.azureactivedirectoryobjectid === FIXTURE.users.alex.oid,
  );
  if (!alex) throw new Error('the Dataverse fixture no longer has Alex');
  fixture.systemusers.push({
    ...alex,
    systemuserid: '6a000000-0000-4000-8016-000000000001',
    fullname: 'Megan Bowen',
    domainname: 'megan.bowen@fabrikam.onmicrosoft.com',
    internalemailaddress: 'megan.bowen@fabrikam.example',
    azureactivedirectoryobjectid: FIXTURE.users.megan.oid,
  });
  const application = fixture.systemusers.find((user) => user.applicationid === FIXTURE.apiClientId);
  if (!application) throw new Error("the Dataverse fixture no longer has the product's application user");
  fixture.systemusers.push({
    ...application,
    systemuserid: '6a000000-0000-4000-8016-000000000002',
    domainname: 'oneflow-sync@fabrikam.onmicrosoft.com',
    // The backend's service principal in Fabrikam's directory (simulators/fixtures/identity.json).
    azureactivedirectoryobjectid: FABRIKAM_SERVICE_PRINCIPAL,
  });
  const opportunities = fixture.records.opportunities ?? [];
  const lines = fixture.records.opportunityproducts ?? [];
  const records: ChaosRecord[] = [];
  TENANTS.forEach((tenant, tenantIndex) => {
    for (let i = 1; i <= perTenant; i++) {
      const n = tenantIndex * 1000 + i;
      opportunities.push({
        opportunityid: opportunityId(n),
        name: `Chaos deal ${n} (${tenant.key})`,
        pricelevelid: CATALOG.priceLevel,
      });
      const seeded = seededLines(n);
      lines.push(...seeded.map((line) => line.row));
      records.push({
        n,
        id: opportunityId(n),
        tenant,
        sent: i % 2 === 0,
        lines: seeded.map((line) => ({ id: String(line.row.opportunityproductid), shape: line.shape })),
      });
    }
  });
  fixture.records.opportunities = opportunities;
  fixture.records.opportunityproducts = lines;
  const loaded = await stack.sim('dataverse', 'POST', '/_sim/fixture', fixture);
  if (loaded.status !== 200) throw new Error(`Dataverse fixture refused: ${loaded.text}`);
  return records;
}

// ---------------------------------------------------------------------------------------------------------
// The edit generator

type Owner = 'dynamics' | 'oneflow' | 'both';

/** What the run does to one line: who edits each field, and whether a person deletes it on one side. */
interface LinePlan {
  id: string;
  shape: LineShape;
  added: boolean;
  role: 'keep' | 'deleteInDynamics' | 'deleteInOneflow';
  owners: Partial<Record<Field, Owner>>;
}

export type ChaosEvent =
  | { kind: 'dynamicsEdit'; line: string; field: Field; value: DynamicsValue }
  | { kind: 'oneflowEdit'; line: string; field: Field; value: string | number }
  | { kind: 'dynamicsAdd'; line: string; values: Record<string, DynamicsValue> }
  | { kind: 'dynamicsDelete'; line: string }
  | { kind: 'oneflowDelete'; line: string }
  | { kind: 'oneflowHandAdd'; name: string; price: number; quantity: number }
  | { kind: 'action'; action: 'push' | 'fetch'; awaited: boolean }
  | { kind: 'replay'; pick: number }
  | { kind: 'pause'; ms: number };

/**
 * Who may edit a field of a line so that the end state is determined whatever the timing of the runs between:
 * - a field has ONE owning side for the run (both sides only for sync_once, which never moves after creation);
 * - Oneflow edits only contracts sent to their signers (see `ChaosRecord.sent`);
 * - Oneflow never edits a dynamics_to_oneflow field (push restores it: a legitimate overwrite, not tested here),
 *   a catalog line's price (F4), a line added during the run (its product exists only once a push made it), or a
 *   line whose product a person deletes in Oneflow (push re-creates it from the line);
 * - Dynamics may edit an oneflow_to_dynamics field: the next fetch undoes it, and the final fetch comes last;
 * - Dynamics never edits a sync_once or oneflow_to_dynamics field of a line whose product is created during the
 *   run (added, or re-created after a deletion in Oneflow): that product takes the value the line has at that push;
 * - the discount is edited only where Oneflow does not own the quantity (a quantity fetched from Oneflow sets the
 *   line's discount from the per-unit discount, so the order of the two would matter);
 * - a catalog line's name is its product (not edited); the price-list line's price is the catalog's.
 */
function ownerOf(
  field: Field,
  direction: Direction,
  line: LinePlan,
  random: Random,
  sent: boolean,
  quantity?: Owner,
): Owner | undefined {
  if (field === 'name' && line.shape !== 'writeIn') return undefined;
  if (field === 'price' && line.shape === 'widget') return undefined;
  if (field === 'discount' && quantity === 'oneflow') return undefined;
  const createdDuringRun = line.added || line.role === 'deleteInOneflow';
  const dynamics = direction === 'dynamics_to_oneflow' || direction === 'two_way' || !createdDuringRun;
  const oneflow =
    sent &&
    !createdDuringRun &&
    direction !== 'dynamics_to_oneflow' &&
    !(field === 'price' && line.shape !== 'writeIn');
  const choices: Owner[] = [
    ...(dynamics ? (['dynamics'] as const) : []),
    ...(oneflow ? (['oneflow'] as const) : []),
    ...(dynamics && oneflow && direction === 'sync_once' ? (['both'] as const) : []),
  ];
  return choices[Math.floor(random() * choices.length)];
}

function assignOwners(line: LinePlan, record: ChaosRecord, random: Random): void {
  const { directions } = record.tenant;
  const quantity = ownerOf('quantity', directions.quantity, line, random, record.sent);
  for (const field of FIELDS) {
    const owner =
      field === 'quantity'
        ? quantity
        : ownerOf(field, directions[field], line, random, record.sent, quantity);
    if (owner) line.owners[field] = owner;
  }
}

const between = (random: Random, low: number, high: number): number =>
  low + Math.floor(random() * (high - low + 1));

/** A value a person would type into the field, distinct from earlier ones. */
function valueFor(field: Field, random: Random, tag: string): string | number {
  switch (field) {
    case 'name':
      return `Item ${tag}`;
    case 'description':
      return random() < 0.3 ? `Blue & white ${tag}` : `Note ${tag}`;
    case 'price':
      return between(random, 5_000, 200_000) / 100;
    case 'quantity':
      return between(random, 5, 40);
    case 'discount':
      // At most 1 a unit: below every base amount (the price list's widget is 25).
      return between(random, 0, 5);
  }
}

export interface ContractScript {
  lines: LinePlan[];
  events: ChaosEvent[];
}

/** The edits, actions and replays of one contract, from the run's seed and the contract's number. */
export function scriptFor(record: ChaosRecord, seed: number, eventCount: number): ContractScript {
  const random = seededRandom((seed ^ Math.imul(record.n, 0x9e3779b1)) >>> 0);
  const lines: LinePlan[] = record.lines.map((line, index) => {
    const roll = random();
    const role: LinePlan['role'] =
      record.sent && index === 2 && roll < 0.4
        ? 'deleteInOneflow'
        : index >= 1 && roll > 0.75
          ? 'deleteInDynamics'
          : 'keep';
    const plan: LinePlan = { id: line.id, shape: line.shape, added: false, role, owners: {} };
    assignOwners(plan, record, random);
    return plan;
  });
  const alive = new Set(lines.map((line) => line.id));
  const deleteAt = new Map<number, LinePlan>();
  for (const line of lines) {
    if (line.role !== 'keep') deleteAt.set(between(random, 1, eventCount - 2), line);
  }
  const events: ChaosEvent[] = [];
  let added = 0;
  for (let index = 0; index < eventCount; index++) {
    const doomed = deleteAt.get(index);
    if (doomed) {
      alive.delete(doomed.id);
      events.push(
        doomed.role === 'deleteInDynamics'
          ? { kind: 'dynamicsDelete', line: doomed.id }
          : { kind: 'oneflowDelete', line: doomed.id },
      );
      // Nothing edits a product deleted in Oneflow; its line goes on (push re-creates the product).
      if (doomed.role === 'deleteInOneflow') alive.add(doomed.id);
      continue;
    }
    const tag = `${record.n}.${index}`;
    const roll = random();
    /** An edit on `side` of a field that side may change, on a line still there. */
    const edit = (side: 'dynamics' | 'oneflow'): void => {
      const candidates = lines.filter((line) => alive.has(line.id));
      const line = candidates[Math.floor(random() * candidates.length)];
      const fields = FIELDS.filter((field) => {
        const owner = line?.owners[field];
        return owner === side || owner === 'both';
      });
      const field = fields[Math.floor(random() * fields.length)];
      if (line && field) {
        const value = valueFor(field, random, tag);
        events.push({
          kind: side === 'dynamics' ? 'dynamicsEdit' : 'oneflowEdit',
          line: line.id,
          field,
          value,
        });
      }
    };
    if (roll < 0.3) {
      edit('dynamics');
    } else if (roll < 0.52) {
      edit('oneflow');
    } else if (roll < 0.76) {
      events.push({ kind: 'action', action: random() < 0.5 ? 'push' : 'fetch', awaited: random() < 0.5 });
    } else if (roll < 0.81 && added < 2) {
      added += 1;
      const line: LinePlan = {
        id: addedLineId(record.n, added),
        shape: 'writeIn',
        added: true,
        role: 'keep',
        owners: {},
      };
      assignOwners(line, record, random);
      lines.push(line);
      alive.add(line.id);
      events.push({
        kind: 'dynamicsAdd',
        line: line.id,
        values: {
          productdescription: `Added ${tag}`,
          priceperunit: between(random, 5_000, 90_000) / 100,
          quantity: between(random, 5, 20),
          description: `Added in Dynamics (${tag})`,
        },
      });
    } else if (roll < 0.85 && record.sent) {
      events.push({
        kind: 'oneflowHandAdd',
        name: `Hand-added ${tag}`,
        price: between(random, 1_000, 50_000) / 100,
        quantity: between(random, 1, 9),
      });
    } else if (roll < 0.9) {
      events.push({ kind: 'replay', pick: random() });
    } else {
      events.push({ kind: 'pause', ms: between(random, 20, 300) });
    }
  }
  return { lines, events };
}

/** Whether a line of the script is the discounted catalog line (25.00 off the line when the run starts). */
export function isDiscounted(script: ContractScript, lineId: string): boolean {
  return script.lines.some((line) => line.id === lineId && line.shape === 'widget');
}

/**
 * The Dynamics columns of each line whose field Oneflow owns in the run: once every notification has been
 * processed, they hold Oneflow's values whenever the runs happened. (A Dynamics edit of a field that only
 * Oneflow writes is undone by the next fetch, whenever that is: not compared before the final runs.)
 */
export function oneflowOwnedColumns(script: ContractScript): Map<string, string[]> {
  return new Map(
    script.lines.map((line) => [
      line.id,
      FIELDS.filter((field) => line.owners[field] === 'oneflow').map((field) => MAPPED_COLUMN[field]),
    ]),
  );
}

// ---------------------------------------------------------------------------------------------------------
// Carrying the edits out

/** Runs `attempt` until it succeeds: injected faults are answered before a simulator acts, so a retry is safe. */
export async function retried<T>(what: string, attempt: () => Promise<T>, tries = 120): Promise<T> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      return await attempt();
    } catch (error) {
      last = error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`${what}: still failing after ${String(tries)} tries: ${String(last)}`);
}

const StoredGroupsSchema = z.object({ product_groups: z.array(OneflowProductGroupSchema) });

/** The contract's products as Oneflow stores them (custom ids included whatever its answers show). */
export async function storedProducts(stack: Stack, contractId: number): Promise<OneflowProduct[]> {
  const { product_groups: groups } = StoredGroupsSchema.parse((await storedContract(stack, contractId)).body);
  return groups.flatMap((group) => group.products);
}

/** One contract under chaos: its record, its model, its script, and the product of each seeded line. */
export interface ChaosContract {
  record: ChaosRecord;
  contractId: number;
  groupId: number;
  model: ContractModel;
  script: ContractScript;
  /** The Oneflow product of each line at the start (custom id → product id). */
  productOfLine: Map<string, number>;
}

/** What a person's edit does to the product's fields, as Oneflow takes it. */
function oneflowEditBody(field: Field, value: string | number): Record<string, unknown> {
  switch (field) {
    case 'description':
      return { description: value };
    case 'price':
      return { price_1: { base_amount: { amount: String(value) } } };
    case 'quantity':
      return { quantity: { amount: Number(value) } };
    case 'name':
      return { name: value };
    case 'discount':
      return { price_1: { discount_amount: { amount: String(value) } } };
  }
}

/** The field of a product as stored, laid over the model's copy of it (nothing else of it is taken). */
function withStoredField(model: OneflowProduct, stored: OneflowProduct, field: Field): OneflowProduct {
  switch (field) {
    case 'description':
      return { ...model, description: stored.description ?? null };
    case 'name':
      return { ...model, name: stored.name };
    case 'quantity':
      return stored.quantity ? { ...model, quantity: stored.quantity } : model;
    case 'price':
      return {
        ...model,
        price_1: { ...model.price_1, base_amount: stored.price_1?.base_amount ?? { amount: null } },
      };
    case 'discount':
      return {
        ...model,
        price_1: { ...model.price_1, discount_amount: stored.price_1?.discount_amount ?? { amount: null } },
      };
  }
}

export interface People {
  dynamics: DynamicsSide;
  oneflow: OneflowSide;
}

export function people(stack: Stack): People {
  return { dynamics: dynamicsSide(stack), oneflow: oneflowSide(stack) };
}

/** A person's edit in Dynamics or Oneflow, made and mirrored in the model. */
export async function carryOut(
  stack: Stack,
  sides: People,
  contract: ChaosContract,
  event: Extract<ChaosEvent, { kind: `${'dynamics' | 'oneflow'}${string}` }>,
): Promise<void> {
  const { model, contractId } = contract;
  switch (event.kind) {
    case 'dynamicsEdit': {
      const column = EDITED_COLUMN[event.field];
      await retried(`edit ${column} of ${event.line}`, () =>
        sides.dynamics.update(event.line, { [column]: event.value }),
      );
      editLine(model, event.line, { [column]: event.value });
      return;
    }
    case 'dynamicsAdd': {
      await retried(`add line ${event.line}`, async () => {
        // A change set that failed wrote nothing; one that was written and answered is not sent again.
        if ((await sides.dynamics.line(event.line)) === null)
          await sides.dynamics.addWriteInLine(contract.record.id, event.line, event.values);
      });
      // The line as Dynamics holds it, read the way the product reads lines (nothing writes an unlinked line).
      const read = await retried(`read line ${event.line}`, () =>
        stack.services
          .tenant(contract.record.tenant.tenantId)
          .dynamics.readLines(model.settings, contract.record.id, {}),
      );
      const line = read.find((candidate) => candidate.id === event.line);
      if (!line) throw new Error(`line ${event.line} is not on ${contract.record.id} after it was added`);
      model.lines.push(line);
      return;
    }
    case 'dynamicsDelete':
      await retried(`delete line ${event.line}`, async () => {
        if ((await sides.dynamics.line(event.line)) !== null) await sides.dynamics.remove(event.line);
      });
      removeLine(model, event.line);
      return;
    case 'oneflowEdit': {
      const productId = contract.productOfLine.get(event.line);
      if (productId === undefined) throw new Error(`no product of ${event.line}`);
      await retried(`edit ${event.field} of product ${String(productId)}`, () =>
        sides.oneflow.update(contractId, productId, oneflowEditBody(event.field, event.value)),
      );
      const stored = (await storedProducts(stack, contractId)).find((product) => product.id === productId);
      if (!stored)
        throw new Error(`product ${String(productId)} is gone from contract ${String(contractId)}`);
      editProduct(model, productId, (product) => withStoredField(product, stored, event.field));
      return;
    }
    case 'oneflowDelete': {
      const productId = contract.productOfLine.get(event.line);
      if (productId === undefined) throw new Error(`no product of ${event.line}`);
      await retried(`delete product ${String(productId)}`, async () => {
        if ((await storedProducts(stack, contractId)).some((product) => product.id === productId))
          await sides.oneflow.remove(contractId, productId);
      });
      removeProduct(model, productId);
      return;
    }
    case 'oneflowHandAdd': {
      const before = new Set((await storedProducts(stack, contractId)).map((product) => product.id));
      await retried(`add a product by hand to ${String(contractId)}`, async () => {
        // A POST that failed made nothing: only one that was answered made the product.
        const made = (await storedProducts(stack, contractId)).some(
          (product) => !before.has(product.id) && product.name === event.name,
        );
        if (!made)
          await sides.oneflow.add(contractId, contract.groupId, {
            name: event.name,
            price_1: { base_amount: { amount: String(event.price) } },
            quantity: { type: 'quantity', amount: event.quantity },
          });
      });
      const stored = (await storedProducts(stack, contractId)).find(
        (product) => !before.has(product.id) && product.name === event.name,
      );
      if (!stored) throw new Error(`the hand-added product ${event.name} is not on ${String(contractId)}`);
      addProduct(model, contract.groupId, stored);
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Fabrikam's Dynamics

/**
 * Fabrikam's Dynamics environment: a pass-through to the one simulated environment, which takes tokens of its
 * home tenant only. Each bearer token the backend got from Fabrikam's directory is exchanged for one of the home
 * tenant naming the same object (the backend's Fabrikam service principal, a user of the environment here);
 * requests, answers, faults and dropped connections pass unchanged.
 */
export async function startFabrikamDataverse(simulators: {
  dataverseUrl: string;
  identityUrl: string;
  identityCertificatePem: string;
}): Promise<{ url: string; close: () => Promise<void> }> {
  const httpsAgent = new Agent({ ca: simulators.identityCertificatePem });
  const exchanged = new Map<string, Promise<string>>();
  const homeToken = (oid: string): Promise<string> => {
    let token = exchanged.get(oid);
    if (!token) {
      token = axios
        .post<{ access_token: string }>(
          `${simulators.identityUrl}/_sim/tokens`,
          { tid: FIXTURE.contoso, oid, aud: simulators.dataverseUrl },
          { httpsAgent },
        )
        .then((answer) => answer.data.access_token);
      exchanged.set(oid, token);
    }
    return token;
  };
  const target = new URL(simulators.dataverseUrl);
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void (async () => {
        const headers = { ...request.headers, host: target.host };
        const bearer = /^Bearer\s+([^.]+)\.([^.]+)\./i.exec(request.headers.authorization ?? '');
        const claims = bearer?.[2]
          ? (JSON.parse(Buffer.from(bearer[2], 'base64url').toString('utf8')) as { oid?: unknown })
          : {};
        if (typeof claims.oid === 'string') headers.authorization = `Bearer ${await homeToken(claims.oid)}`;
        const upstream = httpRequest(
          { host: target.hostname, port: target.port, path: request.url, method: request.method, headers },
          (answer) => {
            response.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(response);
          },
        );
        upstream.on('error', () => request.socket.destroy());
        upstream.end(Buffer.concat(chunks));
      })().catch(() => request.socket.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
