import { QUANTITY_TYPES } from '@oneflow-sync/shared';
import Big from 'big.js';
import { z } from 'zod';
import { parseDecimal, roundDecimal } from './decimal';
import { fieldPath, type Problems } from './errors';
import type { GroupConfiguration, PriceState, ProductContent, QuantityType } from './model';
import { KIND_READINGS, type Readings } from './readings';

/** Oneflow's documented product limits. */
const PRODUCT_LIMITS = { nameMaxLength: 80, descriptionMaxLength: 3000 } as const;

/** Type given when a product is written without one (documented). */
const DEFAULT_QUANTITY_TYPE: QuantityType = 'multiple_choice';

/** Amount given when a product is written without one (inferred: an unticked choice, one unit otherwise). */
function defaultQuantityAmount(type: QuantityType): Big {
  return new Big(type === 'quantity' ? 1 : 0);
}

/** Discount percentages are kept at two decimals (inferred). */
export const PERCENT_PLACES = 2;

const PER_CENT = new Big('0.01');

const DecimalInput = z.union([z.string(), z.number()]).transform((value, context) => {
  const parsed = parseDecimal(value);
  if (parsed === null) {
    context.addIssue({ code: 'custom', message: 'A valid decimal number is required.' });
    return z.NEVER;
  }
  return parsed;
});

/**
 * A quantity's amount is a JSON number: Oneflow's certified connector definition types it as one (prices, by
 * contrast, are decimal strings). A string is refused, so a client that sends `"10"` fails here as it would there.
 */
const QuantityAmountInput = z
  .number({ error: 'Not a valid number.' })
  .refine(Number.isFinite, 'Not a valid number.')
  .transform((value) => new Big(value));

const AmountInput = z.object({ amount: DecimalInput.nullable().optional() }).nullable();

const PriceInput = z.object({
  base_amount: AmountInput.optional(),
  discount_amount: AmountInput.optional(),
  discount_percent: DecimalInput.nullable().optional(),
  // `amount` (the final price) is computed by Oneflow; a client echoing it back is ignored.
});
type PriceInput = z.output<typeof PriceInput>;

/**
 * A product as a client writes it (create, update, or one row of a bulk replace). Unknown keys are dropped, so
 * a product read with GET can be sent back as is. `custom_id` is accepted top-level (as Oneflow's product
 * tutorial lists it) and under `_private_ownerside` (where Oneflow returns it).
 */
export const ProductInputSchema = z.object({
  id: z.number().int().optional(),
  name: z.string().optional(),
  description: z.string().nullable().optional(),
  counterparty_lock: z.boolean().optional(),
  custom_id: z.string().nullable().optional(),
  _private_ownerside: z.object({ custom_id: z.string().nullable().optional() }).nullable().optional(),
  price_1: PriceInput.nullable().optional(),
  price_2: PriceInput.nullable().optional(),
  quantity: z
    .object({ type: z.enum(QUANTITY_TYPES).optional(), amount: QuantityAmountInput.optional() })
    .nullable()
    .optional(),
});
export type ProductInput = z.output<typeof ProductInputSchema>;

const NO_PRICE: PriceState = { base: new Big(0), discountAmount: null, discountPercent: null };

/** Where a product's custom_id was written, so a duplicate is reported under the field the client used. */
export function customIdField(input: ProductInput): string {
  return input.custom_id !== undefined ? 'custom_id' : '_private_ownerside.custom_id';
}

/**
 * The product that results from writing `input` over `existing` (or over nothing, on create): given fields
 * replace stored ones, `null` clears, omitted fields stay. A nested object given in part (`price_1`, `quantity`)
 * keeps the rest, or under the `reset_rest` reading resets it. Then rounded to the group's precision, as Oneflow
 * stores amounts at the table's precision (inferred).
 */
export function draftProduct(
  existing: ProductContent | undefined,
  input: ProductInput,
  configuration: GroupConfiguration,
  problems: Problems,
  prefix: string,
  readings: Readings = KIND_READINGS,
): ProductContent {
  if (existing === undefined && input.name === undefined) {
    problems.add(fieldPath(prefix, ['name']), 'This field is required.');
  }
  const keepRest = readings.partialNestedUpdate === 'keep_rest';
  const customId = pickCustomId(input, existing?.customId ?? null, problems, prefix);
  const quantity = input.quantity && !keepRest ? undefined : existing?.quantity;
  const type = input.quantity?.type ?? quantity?.type ?? DEFAULT_QUANTITY_TYPE;
  const amount = input.quantity?.amount ?? quantity?.amount ?? defaultQuantityAmount(type);
  const priceBefore = (price: PriceState | undefined, given: PriceInput | null | undefined) =>
    given && !keepRest ? undefined : price;
  const draft: ProductContent = {
    name: input.name ?? existing?.name ?? '',
    description: input.description !== undefined ? input.description : (existing?.description ?? null),
    counterpartyLock: input.counterparty_lock ?? existing?.counterpartyLock ?? false,
    customId,
    price1: mergePrice(priceBefore(existing?.price1, input.price_1), input.price_1),
    price2: mergePrice(priceBefore(existing?.price2, input.price_2), input.price_2),
    quantity: { type, amount },
  };
  return roundToGroup(draft, configuration);
}

/**
 * What is left of a product that a bulk row replaces whole (the `replace` reading) before the row is written
 * over it: a new product's defaults, but its name, which cannot be empty.
 */
export function blankProduct(product: ProductContent): ProductContent {
  return {
    name: product.name,
    description: null,
    counterpartyLock: false,
    customId: null,
    price1: NO_PRICE,
    price2: NO_PRICE,
    quantity: { type: DEFAULT_QUANTITY_TYPE, amount: defaultQuantityAmount(DEFAULT_QUANTITY_TYPE) },
  };
}

function pickCustomId(
  input: ProductInput,
  current: string | null,
  problems: Problems,
  prefix: string,
): string | null {
  const topLevel = input.custom_id;
  const nested = input._private_ownerside?.custom_id;
  if (topLevel !== undefined && nested !== undefined && topLevel !== nested) {
    problems.add(
      fieldPath(prefix, ['custom_id']),
      'custom_id and _private_ownerside.custom_id disagree; send one of them.',
    );
  }
  if (topLevel !== undefined) return topLevel;
  if (nested !== undefined) return nested;
  return current;
}

function mergePrice(existing: PriceState | undefined, input: PriceInput | null | undefined): PriceState {
  const start = existing ?? NO_PRICE;
  if (input === undefined) return start;
  if (input === null) return NO_PRICE;
  return {
    base: mergeAmount(start.base, input.base_amount) ?? new Big(0),
    discountAmount: mergeAmount(start.discountAmount, input.discount_amount),
    discountPercent: input.discount_percent !== undefined ? input.discount_percent : start.discountPercent,
  };
}

function mergeAmount(
  current: Big | null,
  field: { amount?: Big | null | undefined } | null | undefined,
): Big | null {
  if (field === undefined) return current;
  if (field === null) return null;
  return field.amount !== undefined ? field.amount : current;
}

/** Amounts at the group's price precision, quantities at its quantity precision (choices stay 0 or 1). */
export function roundToGroup(product: ProductContent, configuration: GroupConfiguration): ProductContent {
  const places = configuration.price_precision;
  const roundPrice = (price: PriceState): PriceState => ({
    base: roundDecimal(price.base, places),
    discountAmount: price.discountAmount === null ? null : roundDecimal(price.discountAmount, places),
    discountPercent:
      price.discountPercent === null ? null : roundDecimal(price.discountPercent, PERCENT_PLACES),
  });
  const { type, amount } = product.quantity;
  return {
    ...product,
    price1: roundPrice(product.price1),
    price2: roundPrice(product.price2),
    quantity: {
      type,
      amount: type === 'quantity' ? roundDecimal(amount, configuration.quantity_precision) : amount,
    },
  };
}

/** Oneflow counts characters as code points (an emoji is one), not UTF-16 units. */
const codePoints = (text: string): number => Array.from(text).length;

/** The rules Oneflow documents for one product, each reported under the field it concerns. */
export function checkProduct(product: ProductContent, problems: Problems, prefix: string): void {
  const at = (...path: string[]): string => fieldPath(prefix, path);
  const nameLength = codePoints(product.name);
  if (nameLength < 1) problems.add(at('name'), 'Ensure this field has at least 1 character.');
  if (nameLength > PRODUCT_LIMITS.nameMaxLength) {
    problems.add(
      at('name'),
      `Ensure this field has no more than ${PRODUCT_LIMITS.nameMaxLength} characters.`,
    );
  }
  if (product.description !== null && codePoints(product.description) > PRODUCT_LIMITS.descriptionMaxLength) {
    problems.add(
      at('description'),
      `Ensure this field has no more than ${PRODUCT_LIMITS.descriptionMaxLength} characters.`,
    );
  }
  checkPrice(product.price1, problems, (field) => at('price_1', field));
  checkPrice(product.price2, problems, (field) => at('price_2', field));
  const { type, amount } = product.quantity;
  if (type !== 'quantity' && !amount.eq(0) && !amount.eq(1)) {
    problems.add(at('quantity', 'amount'), `A ${type} product's amount must be 0 or 1.`);
  }
}

const isSet = (value: Big | null): value is Big => value !== null && !value.eq(0);

function checkPrice(price: PriceState, problems: Problems, at: (field: string) => string): void {
  const { base, discountAmount, discountPercent } = price;
  if (discountAmount?.lt(0)) problems.add(at('discount_amount'), 'The discount cannot be negative.');
  if (discountPercent?.lt(0)) problems.add(at('discount_percent'), 'The discount cannot be negative.');
  if (isSet(discountAmount) && isSet(discountPercent)) {
    const message =
      'Only one of discount_amount and discount_percent can be set; the other must be null or 0.';
    problems.add(at('discount_amount'), message);
    problems.add(at('discount_percent'), message);
    return;
  }
  // "base_amount must be greater than the discount, unless base_amount is 0 (to allow negative prices)".
  const discount = unitDiscount(price);
  if (!discount.eq(0) && !base.eq(0) && base.lte(discount)) {
    const field = isSet(discountAmount) ? 'discount_amount' : 'discount_percent';
    problems.add(at(field), 'The base amount must be greater than the discount, or 0 for a negative price.');
  }
}

/** The discount on one unit, in money: the amount itself, or the percentage of the base. */
function unitDiscount({ base, discountAmount, discountPercent }: PriceState): Big {
  if (isSet(discountAmount)) return discountAmount;
  // Times 0.01 rather than divided by 100: big.js multiplies exactly, but divides to Big.DP (20) places.
  if (isSet(discountPercent)) return base.times(discountPercent).times(PER_CENT);
  return new Big(0);
}

/** The final unit price Oneflow computes: base − discount amount, or base × (1 − percent / 100). */
export function finalAmount(price: PriceState, pricePrecision: number): Big {
  return roundDecimal(price.base.minus(unitDiscount(price)), pricePrecision);
}
