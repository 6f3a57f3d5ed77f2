import { invalidArgument } from './errors';
import { multiplyAmount, priceLine, roundDecimal, sumAmounts, usesListPrice } from './pricing';
import { PRICED_LINE_PARENTS } from './entities';
import type { AttributeDefinition, EntityDefinition } from './schema';
import type { SimulatorState } from './state';
import type { FieldValue, RecordValues } from './store';

/**
 * What Dataverse computes on every create and update, applied to the record as it will be stored: defaults,
 * status reasons, the currency, system pricing of sales lines, calculated columns; and the parents' totals
 * after a line changes.
 */

const PRICING_DECIMAL_PRECISION = 2;

/** Calculated columns (SourceType 1) of the seeded entities, recomputed on each write. */
const CALCULATED_COLUMNS: Readonly<
  Record<string, Readonly<Record<string, (values: RecordValues, precision: number) => FieldValue>>>
> = {
  new_contractline: {
    new_linetotal: (values, precision) =>
      typeof values.new_unitprice === 'number' && typeof values.new_quantity === 'number'
        ? multiplyAmount(values.new_unitprice, values.new_quantity, precision)
        : null,
  },
};

function text(value: FieldValue | undefined): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function currencyPrecision(state: SimulatorState, currencyId: FieldValue | undefined): number {
  const currency =
    typeof currencyId === 'string' ? state.store.get('transactioncurrency', currencyId) : undefined;
  const precision = currency?.values.currencyprecision;
  return typeof precision === 'number' ? precision : 2;
}

function applyCreateDefaults(entity: EntityDefinition, values: RecordValues): void {
  for (const attribute of entity.attributes) {
    if (attribute.attributeOf !== undefined || values[attribute.logicalName] !== undefined) continue;
    values[attribute.logicalName] = attribute.defaultValue ?? null;
  }
}

function applyStatus(entity: EntityDefinition, values: RecordValues, written: ReadonlySet<string>): void {
  const state = entity.attributes.find((attribute) => attribute.type === 'State');
  const status = entity.attributes.find((attribute) => attribute.type === 'Status');
  if (!state || !status?.statusesByState) return;
  const stateCode = typeof values.statecode === 'number' ? values.statecode : 0;
  const allowed = status.statusesByState[stateCode] ?? [];
  if (!written.has('statuscode') || values.statuscode === null) {
    if (written.has('statecode') || values.statuscode === null) values.statuscode = allowed[0] ?? null;
    return;
  }
  if (typeof values.statuscode !== 'number' || !allowed.includes(values.statuscode)) {
    throw invalidArgument(
      `${String(values.statuscode)} is not a valid status code for state code ${state.options?.[stateCode] ?? stateCode} on ${entity.logicalName} with Id ${String(values[entity.primaryIdAttribute])}.`,
    );
  }
}

function parentOf(state: SimulatorState, entity: EntityDefinition, values: RecordValues) {
  const parentAttribute = PRICED_LINE_PARENTS[entity.logicalName];
  const lookup = parentAttribute ? state.catalog.attribute(entity, parentAttribute)?.lookup : undefined;
  const parentId = parentAttribute ? text(values[parentAttribute]) : null;
  if (!parentAttribute || !lookup) return undefined;
  return { attribute: parentAttribute, entity: lookup.target, id: parentId };
}

function applyCurrency(state: SimulatorState, entity: EntityDefinition, values: RecordValues): void {
  if (!entity.attributes.some((attribute) => attribute.logicalName === 'transactioncurrencyid')) return;
  if (text(values.transactioncurrencyid)) return;
  // A line is in its parent's currency; anything else in the organization's base currency.
  const parent = parentOf(state, entity, values);
  const parentRecord = parent?.id ? state.store.get(parent.entity, parent.id) : undefined;
  values.transactioncurrencyid =
    text(parentRecord?.values.transactioncurrencyid) ?? state.organization.basecurrencyid;
}

/** The price list amount of a catalog line, or Dataverse's refusal to price it. */
function listPriceOf(state: SimulatorState, entity: EntityDefinition, values: RecordValues): number {
  const parent = parentOf(state, entity, values);
  const parentRecord = parent?.id ? state.store.get(parent.entity, parent.id) : undefined;
  if (!parent || !parentRecord) return 0;
  const priceListId = text(parentRecord.values.pricelevelid);
  if (!priceListId) {
    throw invalidArgument(
      `The ${parent.entity} has no price list (pricelevelid), so the catalog product cannot be priced. Set a price list on the ${parent.entity}, override the price (ispriceoverridden), or add a write-in product.`,
    );
  }
  const priceList = state.store.get('pricelevel', priceListId);
  if (priceList?.values.statecode === 1) {
    throw invalidArgument(
      `The price list ${String(priceList.values.name)} is inactive, so the catalog product cannot be priced.`,
    );
  }
  const productId = text(values.productid) ?? '';
  const product = state.store.get('product', productId);
  if (product && product.values.statecode !== 0 && product.values.statecode !== 3) {
    throw invalidArgument(
      `The product ${String(product.values.name)} is not active, so it cannot be added to a ${parent.entity}.`,
    );
  }
  const item = state.store
    .all('productpricelevel')
    .find(
      (candidate) =>
        candidate.values.pricelevelid === priceListId &&
        candidate.values.productid === productId &&
        candidate.values.uomid === text(values.uomid),
    );
  if (!item) {
    throw invalidArgument(
      `The product ${String(product?.values.name ?? productId)} with this unit is not on the price list of the ${parent.entity}; add a price list item, or override the price (ispriceoverridden).`,
    );
  }
  return typeof item.values.amount === 'number' ? item.values.amount : 0;
}

/** System pricing of opportunity and quote lines: price from the price list unless write-in or overridden. */
function priceSalesLine(state: SimulatorState, entity: EntityDefinition, values: RecordValues): void {
  if (!PRICED_LINE_PARENTS[entity.logicalName]) return;
  const isProductOverridden = values.isproductoverridden === true;
  const isPriceOverridden = values.ispriceoverridden === true;
  if (isProductOverridden) {
    if (!text(values.productdescription)) {
      throw invalidArgument(
        'A write-in product (isproductoverridden true) needs its name in productdescription.',
      );
    }
    if (text(values.productid)) {
      throw invalidArgument(
        'A write-in product (isproductoverridden true) cannot refer to a catalog product (productid).',
      );
    }
  } else {
    if (!text(values.productid)) {
      throw invalidArgument(
        'A catalog line needs a product (productid@odata.bind); for a write-in product set isproductoverridden true and productdescription.',
      );
    }
    if (!text(values.uomid)) throw invalidArgument('A catalog line needs a unit (uomid@odata.bind).');
  }
  const precision = currencyPrecision(state, values.transactioncurrencyid);
  const amounts = priceLine({
    isProductOverridden,
    isPriceOverridden,
    requestedPricePerUnit: typeof values.priceperunit === 'number' ? values.priceperunit : null,
    listPrice: usesListPrice({ isProductOverridden, isPriceOverridden })
      ? listPriceOf(state, entity, values)
      : null,
    quantity: typeof values.quantity === 'number' ? values.quantity : null,
    manualDiscountAmount:
      typeof values.manualdiscountamount === 'number' ? values.manualdiscountamount : null,
    tax: typeof values.tax === 'number' ? values.tax : null,
    precision: Math.max(precision, PRICING_DECIMAL_PRECISION),
  });
  Object.assign(values, amounts);
}

/**
 * The owner: a sales line belongs to whoever owns its opportunity or quote; any other record to the one who
 * created it, unless it names its owner. `owninguser` repeats the owner (owners are always users here).
 */
function applyOwner(
  state: SimulatorState,
  entity: EntityDefinition,
  values: RecordValues,
  previous: RecordValues | undefined,
): void {
  if (!state.catalog.attribute(entity, 'ownerid')) return;
  if (!previous) {
    const parent = parentOf(state, entity, values);
    const parentRecord = parent?.id ? state.store.get(parent.entity, parent.id) : undefined;
    values.ownerid = parent
      ? (text(parentRecord?.values.ownerid) ?? state.defaultOwnerId)
      : (text(values.ownerid) ?? text(values.createdby) ?? state.defaultOwnerId);
  }
  values.owninguser = values.ownerid ?? null;
}

/** Decimal places of a money value in the given currency, from its PrecisionSource. */
export function moneyPrecision(
  state: SimulatorState,
  attribute: AttributeDefinition,
  currencyId: FieldValue,
): number {
  if (attribute.precisionSource === 0) return attribute.precision ?? 2;
  if (attribute.precisionSource === 1) return PRICING_DECIMAL_PRECISION;
  return currencyPrecision(state, currencyId);
}

/**
 * `exchangerate` is the record's currency's rate at the time of the write, and every `<column>_base` is the
 * column's value divided by it, rounded as its PrecisionSource says (in the base currency's precision).
 */
function applyBaseCurrency(state: SimulatorState, entity: EntityDefinition, values: RecordValues): void {
  if (!entity.attributes.some((attribute) => attribute.isBaseCurrency)) return;
  const currencyId = text(values.transactioncurrencyid);
  const currency = currencyId ? state.store.get('transactioncurrency', currencyId) : undefined;
  const rate = currency?.values.exchangerate;
  const exchangeRate = typeof rate === 'number' && rate > 0 ? rate : 1;
  values.exchangerate = exchangeRate;
  for (const attribute of entity.attributes) {
    if (!attribute.isBaseCurrency || attribute.calculationOf === undefined) continue;
    const source = values[attribute.calculationOf];
    const precision = moneyPrecision(state, attribute, state.organization.basecurrencyid);
    values[attribute.logicalName] =
      typeof source === 'number' ? roundDecimal(source / exchangeRate, precision) : null;
  }
}

function computeCalculatedColumns(
  state: SimulatorState,
  entity: EntityDefinition,
  values: RecordValues,
): void {
  const columns = CALCULATED_COLUMNS[entity.logicalName];
  if (!columns) return;
  const precision = currencyPrecision(state, values.transactioncurrencyid);
  for (const [name, compute] of Object.entries(columns)) values[name] = compute(values, precision);
}

/**
 * Completes a record about to be stored. `values` is the whole record (the previous values merged with the
 * written ones); `written` names the attributes the request set, which decides defaults such as the status
 * reason of a new state.
 */
export function completeRecord(
  state: SimulatorState,
  entity: EntityDefinition,
  values: RecordValues,
  previous: RecordValues | undefined,
  written: ReadonlySet<string> = new Set(Object.keys(values)),
): void {
  if (!previous) applyCreateDefaults(entity, values);
  applyStatus(entity, values, written);
  applyCurrency(state, entity, values);
  priceSalesLine(state, entity, values);
  computeCalculatedColumns(state, entity, values);
  applyOwner(state, entity, values, previous);
  applyBaseCurrency(state, entity, values);
}

/** Recomputes an opportunity's or quote's totals from its lines, as Dataverse does after a line changes. */
export function refreshParentTotals(
  state: SimulatorState,
  lineEntity: string,
  parentId: string,
  /** When the change happened; seeding leaves the parent's modifiedon as the fixture has it. */
  timestamp?: string,
): void {
  const parentAttribute = PRICED_LINE_PARENTS[lineEntity];
  const line = state.catalog.entity(lineEntity);
  const parentEntity =
    line && parentAttribute ? state.catalog.attribute(line, parentAttribute)?.lookup?.target : undefined;
  const parent = parentEntity ? state.store.get(parentEntity, parentId) : undefined;
  if (!parentAttribute || !parentEntity || !parent) return;
  const precision = currencyPrecision(state, parent.values.transactioncurrencyid);
  const amounts = state.store
    .all(lineEntity)
    .filter((candidate) => candidate.values[parentAttribute] === parent.id)
    .map((candidate) =>
      typeof candidate.values.extendedamount === 'number' ? candidate.values.extendedamount : 0,
    );
  const total = roundDecimal(sumAmounts(amounts, precision), precision);
  const values: RecordValues = {
    ...parent.values,
    totallineitemamount: total,
    totalamount: total,
    modifiedon: timestamp ?? parent.values.modifiedon ?? null,
  };
  const definition = state.catalog.entity(parentEntity);
  if (definition) applyBaseCurrency(state, definition, values);
  state.store.put(parentEntity, parent.id, values);
}

export function refreshAllTotals(state: SimulatorState): void {
  for (const [lineEntity, parentAttribute] of Object.entries(PRICED_LINE_PARENTS)) {
    const line = state.catalog.entity(lineEntity);
    const parentEntity = line ? state.catalog.attribute(line, parentAttribute)?.lookup?.target : undefined;
    for (const parent of parentEntity ? state.store.all(parentEntity) : []) {
      refreshParentTotals(state, lineEntity, parent.id);
    }
  }
}
