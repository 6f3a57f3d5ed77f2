import { z } from 'zod';
import type { OneflowPrice, OneflowProduct, ProductGroupConfiguration } from './oneflow';

export const ONEFLOW_FIELD_KEYS = [
  'name',
  'description',
  'price_1.base_amount',
  'price_1.discount_amount',
  'price_1.discount_percent',
  'price_2.base_amount',
  'price_2.discount_amount',
  'price_2.discount_percent',
  'quantity',
] as const;
export type OneflowFieldKey = (typeof ONEFLOW_FIELD_KEYS)[number];
export const OneflowFieldKeySchema = z.enum(ONEFLOW_FIELD_KEYS);

type PriceKey = 'price_1' | 'price_2';
type PricePart = 'base_amount' | 'discount_amount' | 'discount_percent';

export interface OneflowFieldSpec {
  key: OneflowFieldKey;
  label: string;
  description: string;
  kind: 'text' | 'decimal';
  /** Oneflow keeps this text as rich text: it is compared in a form a round trip through Oneflow cannot change. */
  richText?: true;
  /** Decimal places: the product group's price or quantity precision, or a fixed 2 for percentages. */
  precision?: 'price' | 'quantity' | 'percent';
  minLength?: number;
  maxLength?: number;
  /** Bounds of a decimal, as decimal strings. */
  min?: string;
  max?: string;
  price?: { key: PriceKey; part: PricePart };
}

function priceFields(key: PriceKey, label: string): OneflowFieldSpec[] {
  return [
    {
      key: `${key}.base_amount`,
      label: `${label}: base amount`,
      description: `${label} per unit before discount`,
      kind: 'decimal',
      precision: 'price',
      price: { key, part: 'base_amount' },
    },
    {
      key: `${key}.discount_amount`,
      label: `${label}: discount amount`,
      description: `Discount per unit on ${label}`,
      kind: 'decimal',
      precision: 'price',
      price: { key, part: 'discount_amount' },
    },
    {
      key: `${key}.discount_percent`,
      label: `${label}: discount percent`,
      description: `Discount in percent on ${label}`,
      kind: 'decimal',
      precision: 'percent',
      min: '0',
      max: '100',
      price: { key, part: 'discount_percent' },
    },
  ];
}

/** Every Oneflow product field a Dynamics field can be mapped to, with its type and limits. */
export const ONEFLOW_FIELDS: readonly OneflowFieldSpec[] = [
  { key: 'name', label: 'Name', description: 'Product name', kind: 'text', minLength: 1, maxLength: 80 },
  {
    key: 'description',
    label: 'Description',
    description: 'Product description',
    kind: 'text',
    richText: true,
    maxLength: 3000,
  },
  ...priceFields('price_1', 'Price 1'),
  ...priceFields('price_2', 'Price 2'),
  { key: 'quantity', label: 'Quantity', description: 'Quantity', kind: 'decimal', precision: 'quantity' },
];

const byKey = new Map(ONEFLOW_FIELDS.map((spec) => [spec.key, spec]));

export function oneflowField(key: OneflowFieldKey): OneflowFieldSpec {
  const spec = byKey.get(key);
  if (!spec) throw new Error(`unknown Oneflow field ${key}`);
  return spec;
}

/** Percentages keep two decimals whatever the group's price precision (12.5 % must stay 12.5 %). */
const PERCENT_PRECISION = 2;

export function precisionOf(spec: OneflowFieldSpec, group: ProductGroupConfiguration): number {
  switch (spec.precision) {
    case 'price':
      return group.price_precision;
    case 'quantity':
      return group.quantity_precision;
    case 'percent':
      return PERCENT_PRECISION;
    case undefined:
      return 0;
  }
}

/** The raw value of one field of an Oneflow product, as Oneflow sent it. */
export function readOneflowField(product: OneflowProduct, key: OneflowFieldKey): unknown {
  const spec = oneflowField(key);
  if (spec.price) {
    const price = product[spec.price.key];
    return spec.price.part === 'discount_percent'
      ? price?.discount_percent
      : price?.[spec.price.part]?.amount;
  }
  if (key === 'name') return product.name;
  if (key === 'description') return product.description;
  return product.quantity?.amount;
}

/** A copy of `product` with one field set to a canonical value (decimal strings, as Oneflow takes them). */
export function writeOneflowField(
  product: OneflowProduct,
  key: OneflowFieldKey,
  value: string | null,
): OneflowProduct {
  const spec = oneflowField(key);
  if (spec.price) {
    const previous: OneflowPrice = product[spec.price.key] ?? {};
    const price: OneflowPrice =
      spec.price.part === 'discount_percent'
        ? { ...previous, discount_percent: value ?? '0' }
        : { ...previous, [spec.price.part]: { amount: value ?? '0' } };
    return { ...product, [spec.price.key]: price };
  }
  if (key === 'name') return { ...product, name: value ?? '' };
  if (key === 'description') return { ...product, description: value ?? '' };
  return { ...product, quantity: { type: product.quantity?.type ?? 'quantity', amount: value ?? '0' } };
}
