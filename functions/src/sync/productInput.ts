import {
  oneflowField,
  type Canonical,
  type OneflowFieldKey,
  type OneflowPrice,
  type OneflowProduct,
} from '@oneflow-sync/shared';
import type { OneflowPriceInput, OneflowProductInput } from '../oneflow/oneflowClient';

type Values = Partial<Record<OneflowFieldKey, Canonical>>;
type PriceKey = 'price_1' | 'price_2';
type Amount = string | number | null;

/**
 * The Oneflow request body that writes these field values over `current` (the product as read for the plan;
 * none when creating). Top-level fields the plan does not touch are left out, so they keep what Oneflow has.
 * A price or the quantity goes out whole whenever one of its parts is written: whether Oneflow keeps the parts
 * an update leaves out of a nested object is not documented, so every part is sent (base, both discount kinds,
 * quantity type and amount), taken from `current` where the plan does not set it. The quantity amount is a JSON
 * number (Oneflow's connector types it as one); prices stay decimal strings.
 */
export function productInput(values: Values, current: OneflowProduct | undefined): OneflowProductInput {
  const input: OneflowProductInput = {};
  const prices = new Set<PriceKey>();
  for (const [key, value] of Object.entries(values) as [OneflowFieldKey, Canonical][]) {
    const spec = oneflowField(key);
    if (spec.price) prices.add(spec.price.key);
    else if (key === 'name') input.name = value ?? '';
    else if (key === 'description') input.description = value ?? '';
    else input.quantity = { type: quantityType(current), amount: quantityAmount(value) };
  }
  for (const key of prices) input[key] = wholePrice(key, values, current?.[key]);
  return input;
}

/**
 * A product exactly as read, as a row of a bulk group write that must leave it as it is: every field, since a
 * row given in part may be taken as the whole product. `customId` is the one it carries (Oneflow may not say,
 * the caller may know it from a link); left out when unknown.
 */
export function unchangedProductInput(
  product: OneflowProduct,
  customId: string | null,
): OneflowProductInput & { id: number } {
  return {
    id: product.id,
    name: product.name,
    description: product.description ?? null,
    counterparty_lock: product.counterparty_lock ?? false,
    ...(customId === null ? {} : { _private_ownerside: { custom_id: customId } }),
    price_1: wholePrice('price_1', {}, product.price_1),
    price_2: wholePrice('price_2', {}, product.price_2),
    quantity: { type: quantityType(product), amount: quantityAmount(product.quantity?.amount ?? null) },
  };
}

/** A new product states its type: Oneflow's default (multiple choice) would refuse any amount but 0 or 1. */
function quantityType(current: OneflowProduct | undefined): 'quantity' | 'single_choice' | 'multiple_choice' {
  return current?.quantity?.type ?? 'quantity';
}

function quantityAmount(value: string | number | null): number {
  return Number(value ?? 0);
}

function wholePrice(key: PriceKey, values: Values, current: OneflowPrice | undefined): OneflowPriceInput {
  const part = (name: 'base_amount' | 'discount_amount' | 'discount_percent', read: Amount | undefined) => {
    const field = `${key}.${name}` as OneflowFieldKey;
    // A value the plan empties is written as zero, as Oneflow shows an empty amount.
    return field in values ? (values[field] ?? '0') : (read ?? null);
  };
  return {
    base_amount: { amount: part('base_amount', current?.base_amount?.amount) ?? '0' },
    discount_amount: { amount: part('discount_amount', current?.discount_amount?.amount) },
    discount_percent: part('discount_percent', current?.discount_percent),
  };
}
