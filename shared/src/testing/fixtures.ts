import { defaultSettings } from '../defaults';
import {
  builtInSalesLineAttributes,
  type DynamicsAttribute,
  type DynamicsLine,
  type DynamicsValue,
} from '../dynamics';
import type { PlanInput } from '../engine/context';
import { applyPlanInMemory, type InMemoryState } from '../engine/applyInMemory';
import { planInitialTransfer } from '../engine/planners';
import { writeOneflowField, type OneflowFieldKey } from '../fieldCatalog';
import type { OneflowProduct, OneflowProductGroup } from '../oneflow';
import { isWrite, type SyncPlan } from '../plan';
import type { EntitySettings, FieldMapping } from '../settings';

export const CONTRACT_ID = 9001;
export const GROUP_ID = 77;
export const T0 = '2026-11-24T09:00:00.000Z';
export const T1 = '2026-11-24T10:00:00.000Z';
export const T2 = '2026-11-24T11:00:00.000Z';
const clockAt = (iso: string) => (): Date => new Date(iso);

const opportunityAttributes: DynamicsAttribute[] = builtInSalesLineAttributes('opportunityproduct');

/** Opportunity settings with the default mappings; `patches` change single mappings by Oneflow field. */
export function opportunitySettings(
  patches: Partial<Record<OneflowFieldKey, Partial<FieldMapping>>> = {},
  extra: Partial<EntitySettings> = {},
): EntitySettings {
  const base = defaultSettings('opportunity');
  if (!base) throw new Error('opportunity has default settings');
  return {
    ...base,
    ...extra,
    mappings: (extra.mappings ?? base.mappings).map((mapping) => ({
      ...mapping,
      ...patches[mapping.oneflowField],
    })),
  };
}

export function line(
  id: string,
  values: Record<string, DynamicsValue> = {},
  options: { isWriteIn?: boolean; modifiedOn?: string } = {},
): DynamicsLine {
  return {
    id,
    values: {
      productidname: `Product ${id}`,
      productdescription: null,
      description: null,
      priceperunit: 100,
      quantity: 2,
      manualdiscountamount: 0,
      ...values,
    },
    isWriteIn: options.isWriteIn ?? false,
    modifiedOn: options.modifiedOn ?? T0,
    etag: 'W/"1"',
  };
}

function emptyGroup(products: OneflowProduct[] = []): OneflowProductGroup {
  return { id: GROUP_ID, configuration: { price_precision: 2, quantity_precision: 0 }, products };
}

export function emptyState(lines: DynamicsLine[], products: OneflowProduct[] = []): InMemoryState {
  return { lines, productGroups: [emptyGroup(products)], links: [], nextProductId: 1 };
}

export function inputOf(
  state: InMemoryState,
  settings: EntitySettings,
  now = T1,
  attributes = opportunityAttributes,
): PlanInput {
  return {
    settings,
    attributes,
    lines: state.lines,
    contract: { id: CONTRACT_ID, productGroups: state.productGroups },
    links: state.links,
    clock: clockAt(now),
  };
}

export function apply(state: InMemoryState, plan: SyncPlan, now = T1): InMemoryState {
  return applyPlanInMemory(state, plan, now);
}

/** Lines already transferred into a new contract: the synced starting point of most rules. */
export function transferred(
  lines: DynamicsLine[],
  settings: EntitySettings = opportunitySettings(),
  attributes = opportunityAttributes,
): InMemoryState {
  const start = emptyState(lines);
  return apply(start, planInitialTransfer(inputOf(start, settings, T0, attributes)), T0);
}

export function productOf(state: InMemoryState, lineId: string): OneflowProduct {
  const product = state.productGroups
    .flatMap((group) => group.products)
    .find((candidate) => candidate._private_ownerside?.custom_id === lineId);
  if (!product) throw new Error(`no product for line ${lineId}`);
  return product;
}

/** A counterparty's edit in Oneflow: one field of the product made from `lineId`. */
export function editProduct(
  state: InMemoryState,
  lineId: string,
  key: OneflowFieldKey,
  value: string | null,
  at = T1,
): InMemoryState {
  const target = productOf(state, lineId);
  return {
    ...state,
    productGroups: state.productGroups.map((group) => ({
      ...group,
      products: group.products.map((product) =>
        product.id === target.id
          ? {
              ...writeOneflowField(product, key, value),
              _private_ownerside: { ...product._private_ownerside, updated_time: at },
            }
          : product,
      ),
    })),
  };
}

/** A sales rep's edit in Dynamics. */
export function editLine(
  state: InMemoryState,
  lineId: string,
  values: Record<string, DynamicsValue>,
  at = T1,
): InMemoryState {
  return {
    ...state,
    lines: state.lines.map((candidate) =>
      candidate.id === lineId
        ? { ...candidate, values: { ...candidate.values, ...values }, modifiedOn: at }
        : candidate,
    ),
  };
}

export function writes(plan: SyncPlan) {
  return plan.operations.filter(isWrite);
}
