import { z } from 'zod';
import { OneflowFieldKeySchema } from './fieldCatalog';

export const CanonicalSchema = z.string().nullable();

/** The value each side had for one mapped field at the last successful sync. */
export const BaseValueSchema = z.object({ dynamics: CanonicalSchema, oneflow: CanonicalSchema });
export type BaseValue = z.infer<typeof BaseValueSchema>;

export const LINK_STATES = ['active', 'deleted_in_oneflow'] as const;

/** A Dynamics line ↔ the Oneflow product made from it, with the base of every mapped field. */
export const LinkSchema = z.object({
  contractId: z.number().int(),
  lineId: z.string().min(1),
  productId: z.number().int(),
  state: z.enum(LINK_STATES),
  /** By Oneflow field; a field without a base (newly mapped, or a link rebuilt from custom_id) is unknown. */
  base: z.partialRecord(OneflowFieldKeySchema, BaseValueSchema),
  syncedAt: z.iso.datetime({ offset: true }),
});
export type Link = z.infer<typeof LinkSchema>;

/** A link as a plan leaves it: `productId` is null while the product is one this plan creates. */
export type PlannedLink = Omit<Link, 'productId'> & { productId: number | null };
