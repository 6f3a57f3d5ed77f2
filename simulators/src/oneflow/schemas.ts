import { z } from 'zod';
import { DATA_FIELD_VALUE_MAX, FILTER_RULE_TYPES, GroupConfigurationSchema } from './model';
import { ProductInputSchema } from './products';

/** Request bodies and query strings of the modeled endpoints. */

const Id = z.number().int().positive();

export const ContractCreateSchema = z.object({
  workspace_id: Id,
  template_id: Id,
  name: z.string().min(1).max(255).optional(),
  /** `custom_id` required, `value` not (the connector's `Datafield_for_create`); null empties the field. */
  data_fields: z
    .array(
      z.object({
        custom_id: z.string().min(1),
        value: z.string().max(DATA_FIELD_VALUE_MAX).nullable().optional(),
      }),
    )
    .optional(),
  parties: z.array(z.record(z.string(), z.unknown())).optional(),
  my_party: z.record(z.string(), z.unknown()).optional(),
  /**
   * One entry per product table of the template, matched by the template group's `id` when given and by
   * position otherwise (inferred).
   */
  product_groups: z
    .array(z.object({ id: Id.optional(), products: z.array(ProductInputSchema).default([]) }))
    .optional(),
});
export type ContractCreate = z.output<typeof ContractCreateSchema>;

/** `{subject, message}`: the reference marks optional fields with `?` and neither of these has one. */
export const PublishSchema = z.object({ subject: z.string(), message: z.string() });

export const GroupReplacementSchema = z.object({
  configuration: GroupConfigurationSchema.optional(),
  products: z.array(ProductInputSchema).optional(),
});

export const GroupsReplacementSchema = z.object({
  product_groups: z.array(GroupReplacementSchema.extend({ id: Id })),
});

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

export const WebhookFilterSchema = z.object({
  filter_rules: z
    .array(
      z.object({
        type: z.enum(FILTER_RULE_TYPES),
        values: z
          .array(z.union([z.string(), z.number()]))
          .min(1)
          .max(50),
      }),
    )
    .min(1)
    .max(2),
});

/** Oneflow's create-webhook body: callback_url 1–1000 characters; filters, sign_key, template_group_id nullable. */
export const WebhookInputSchema = z.object({
  callback_url: z.string().min(1).max(1000).refine(isHttpUrl, 'Enter a valid URL.'),
  sign_key: z.string().nullable().optional(),
  filters: z.array(WebhookFilterSchema).nullable().optional(),
  template_group_id: Id.nullable().optional(),
});

/** Oneflow's paging: `limit` 1–100 (default 100), `offset` 0–19900 (default 0). */
export const PaginationSchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(100),
  offset: z.coerce.number().int().min(0).max(19900).default(0),
});
