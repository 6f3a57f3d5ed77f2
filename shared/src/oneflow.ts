import { z } from 'zod';

/** Oneflow sends amounts as decimal strings; numbers are accepted when reading. */
const DecimalInput = z.union([z.string(), z.number()]);

const AmountSchema = z.object({ amount: DecimalInput.nullable().optional() });

export const OneflowPriceSchema = z.object({
  base_amount: AmountSchema.optional(),
  discount_amount: AmountSchema.optional(),
  discount_percent: DecimalInput.nullable().optional(),
  /** The final unit price, computed by Oneflow. */
  amount: AmountSchema.optional(),
});
export type OneflowPrice = z.infer<typeof OneflowPriceSchema>;

export const QUANTITY_TYPES = ['quantity', 'single_choice', 'multiple_choice'] as const;

export const OneflowProductSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string().nullable().optional(),
  counterparty_lock: z.boolean().optional(),
  _private_ownerside: z
    .object({
      created_time: z.string().optional(),
      updated_time: z.string().optional(),
      /** Set to the Dynamics line id for products this product sync creates. */
      custom_id: z.string().nullable().optional(),
    })
    .optional(),
  price_1: OneflowPriceSchema.optional(),
  price_2: OneflowPriceSchema.optional(),
  quantity: z.object({ type: z.enum(QUANTITY_TYPES), amount: DecimalInput }).optional(),
});
export type OneflowProduct = z.infer<typeof OneflowProductSchema>;

export const COLUMN_KEYS = ['name', 'description', 'price_1', 'price_2', 'count'] as const;

export const ProductGroupConfigurationSchema = z.object({
  columns: z
    .array(z.object({ key: z.enum(COLUMN_KEYS), label: z.string().optional(), enabled: z.boolean() }))
    .optional(),
  counterpart_edit: z.boolean().optional(),
  hide_price_summation: z.boolean().optional(),
  price_affixes: z
    .object({ prefix: z.string().nullable().optional(), postfix: z.string().nullable().optional() })
    .optional(),
  price_precision: z.number().int().min(0).max(4).default(2),
  quantity_precision: z.number().int().min(0).max(4).default(0),
  tax_1: z.object({ label: z.string().nullable().optional() }).optional(),
});
export type ProductGroupConfiguration = z.infer<typeof ProductGroupConfigurationSchema>;

export const OneflowProductGroupSchema = z.object({
  id: z.number().int(),
  created_from: z.number().int().nullable().optional(),
  _private_ownerside: z
    .object({ created_time: z.string().optional(), updated_time: z.string().optional() })
    .optional(),
  /**
   * Oneflow's developer reference lists it, its connector's `Product_Group` does not: a group without it has the
   * defaults (prices at 2 places, quantities at 0).
   */
  configuration: ProductGroupConfigurationSchema.nullish().transform(
    (configuration) => configuration ?? ProductGroupConfigurationSchema.parse({}),
  ),
  products: z.array(OneflowProductSchema),
});
export type OneflowProductGroup = z.infer<typeof OneflowProductGroupSchema>;

/** Oneflow refuses more products than this in one contract. */
export const MAX_PRODUCTS_PER_CONTRACT = 150;
