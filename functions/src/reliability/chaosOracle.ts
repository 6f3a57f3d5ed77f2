/**
 * The chaos suite's oracle: a model of both sides of one contract (what Dynamics and Oneflow hold after every edit
 * a person made), from which the end state after the final fetch and push is stated by the engine itself: the
 * shared planners run over the model from the links of the initial transfer, and their plans are applied in
 * memory. The edit generator (chaosSupport.ts) gives every (line, field) one owning side for the run, so the end
 * state does not depend on when the runs in between happened.
 */
import {
  applyPlanInMemory,
  normalizeRichText,
  planFetch,
  planPush,
  type DynamicsAttribute,
  type DynamicsLine,
  type DynamicsValue,
  type EntitySettings,
  type InMemoryState,
  type Link,
  type OneflowProduct,
  type OneflowProductGroup,
} from '@oneflow-sync/shared';

/** Both sides of one contract as the people editing them left them, and the links of the initial transfer. */
export interface ContractModel {
  contractId: number;
  settings: EntitySettings;
  attributes: readonly DynamicsAttribute[];
  lines: DynamicsLine[];
  productGroups: OneflowProductGroup[];
  /** The links stored by Create contract: the base every edit of the run is measured from. */
  links: Link[];
}

/** A Dynamics line's mapped columns as the end state is compared: numbers and text in one canonical form. */
export interface LineView {
  id: string;
  columns: Record<string, string | null>;
}

/** An Oneflow product's mapped fields, canonical; `customId` null for a product added by hand in Oneflow. */
interface ProductView {
  customId: string | null;
  name: string;
  description: string | null;
  price: string | null;
  discount: string | null;
  quantity: string | null;
}

export interface ContractView {
  lines: LineView[];
  products: ProductView[];
}

/** `100`, `100.00` and `"100.0000"` are one number; empty text is no value. */
function canonical(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number' || (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value))) {
    return String(Number(Number(value).toFixed(6)));
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The Dynamics columns the comparison covers: every mapped one, and the name columns of both kinds of line. */
function comparedColumns(settings: EntitySettings): string[] {
  const columns = new Set(settings.mappings.map((mapping) => mapping.dynamicsField));
  columns.add('productdescription');
  return [...columns].sort();
}

export function lineView(line: DynamicsLine, settings: EntitySettings): LineView {
  const columns: Record<string, string | null> = {};
  for (const column of comparedColumns(settings)) columns[column] = canonical(line.values[column]);
  return { id: line.id, columns };
}

function productView(product: OneflowProduct): ProductView {
  const description = normalizeRichText(product.description);
  return {
    customId: product._private_ownerside?.custom_id ?? null,
    name: product.name,
    description: description.ok ? canonical(description.value) : `unreadable: ${String(product.description)}`,
    price: canonical(product.price_1?.base_amount?.amount),
    discount: canonical(product.price_1?.discount_amount?.amount),
    quantity: canonical(product.quantity?.amount),
  };
}

const byKey = (view: ProductView): string => `${view.customId ?? '~hand'}|${view.name}`;

/** Both sides as one comparable structure: lines by id, products by custom id (hand-added ones by name). */
export function contractView(
  lines: readonly DynamicsLine[],
  groups: readonly OneflowProductGroup[],
  settings: EntitySettings,
): ContractView {
  return {
    lines: lines.map((line) => lineView(line, settings)).sort((a, b) => a.id.localeCompare(b.id)),
    products: groups
      .flatMap((group) => group.products.map(productView))
      .sort((a, b) => byKey(a).localeCompare(byKey(b))),
  };
}

function inputOf(model: ContractModel, state: InMemoryState, now: Date) {
  return {
    settings: model.settings,
    attributes: model.attributes,
    lines: state.lines,
    contract: { id: model.contractId, productGroups: state.productGroups },
    links: state.links,
    clock: () => now,
  };
}

function fetchedModel(model: ContractModel, now: Date): InMemoryState {
  const start: InMemoryState = {
    lines: model.lines,
    productGroups: model.productGroups,
    links: model.links,
    nextProductId: 1_000_000_000,
  };
  return applyPlanInMemory(start, planFetch(inputOf(model, start, now)), now.toISOString());
}

/**
 * What Dynamics must hold once every notification Oneflow sent has been processed, before anyone clicks again:
 * the engine's fetch plan over the model, applied (the webhook runs are fetches).
 */
export function expectedAfterWebhooks(model: ContractModel, now: Date): LineView[] {
  return contractView(fetchedModel(model, now).lines, [], model.settings).lines;
}

/**
 * What both sides must hold once faults are off and a fetch then a push ran: the engine's fetch plan over the
 * model, applied, then its push plan over the result, applied.
 */
export function expectedEndState(model: ContractModel, now: Date): ContractView {
  const fetched = fetchedModel(model, now);
  const pushed = applyPlanInMemory(fetched, planPush(inputOf(model, fetched, now)), now.toISOString());
  return contractView(pushed.lines, pushed.productGroups, model.settings);
}

/** A Dynamics edit of the model: the columns as the person set them. */
export function editLine(model: ContractModel, lineId: string, values: Record<string, DynamicsValue>): void {
  const line = model.lines.find((candidate) => candidate.id === lineId);
  if (!line) throw new Error(`the model has no line ${lineId}`);
  line.values = { ...line.values, ...values };
}

export function removeLine(model: ContractModel, lineId: string): void {
  model.lines = model.lines.filter((line) => line.id !== lineId);
}

/** An Oneflow edit of the model: `update` gives the product as the person left it. */
export function editProduct(
  model: ContractModel,
  productId: number,
  update: (product: OneflowProduct) => OneflowProduct,
): void {
  const found = model.productGroups.some((group) =>
    group.products.some((product) => product.id === productId),
  );
  model.productGroups = model.productGroups.map((group) => ({
    ...group,
    products: group.products.map((product) => (product.id === productId ? update(product) : product)),
  }));
  if (!found)
    throw new Error(`the model of contract ${String(model.contractId)} has no product ${String(productId)}`);
}

export function removeProduct(model: ContractModel, productId: number): void {
  model.productGroups = model.productGroups.map((group) => ({
    ...group,
    products: group.products.filter((product) => product.id !== productId),
  }));
}

export function addProduct(model: ContractModel, groupId: number, product: OneflowProduct): void {
  model.productGroups = model.productGroups.map((group) =>
    group.id === groupId ? { ...group, products: [...group.products, product] } : group,
  );
}
