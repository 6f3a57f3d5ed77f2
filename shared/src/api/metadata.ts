import { z } from 'zod';
import { DynamicsAttributeSchema } from '../dynamics';

/** An entity that can carry product sync. */
export const MainEntitySchema = z.strictObject({
  logicalName: z.string().min(1),
  displayName: z.string(),
  entitySetName: z.string().min(1),
});
export type MainEntity = z.infer<typeof MainEntitySchema>;

/** `GET /api/metadata/main-entities`. */
export const MainEntitiesAnswerSchema = z.strictObject({ entities: z.array(MainEntitySchema) });
export type MainEntitiesAnswer = z.infer<typeof MainEntitiesAnswerSchema>;

/** A candidate product source: one N:1 relationship from a line entity to the main entity. */
export const ProductSourceOptionSchema = z.strictObject({
  entity: z.string().min(1),
  /** The line's lookup to the main record, e.g. `opportunityid`. */
  lookupAttribute: z.string().min(1),
  /** Schema name of the relationship, e.g. `product_opportunities`. */
  relationship: z.string().min(1),
  /** `Display Name (lookupattribute)`: an entity with two lookups to the main entity is listed twice. */
  label: z.string(),
  entitySetName: z.string().min(1),
});
export type ProductSourceOption = z.infer<typeof ProductSourceOptionSchema>;

/** `GET /api/metadata/product-sources?entity=`. */
export const ProductSourcesAnswerSchema = z.strictObject({
  entity: z.string(),
  sources: z.array(ProductSourceOptionSchema),
});
export type ProductSourcesAnswer = z.infer<typeof ProductSourcesAnswerSchema>;

/** A column of a product source, with what it can be used for in a mapping. */
export const MetadataFieldSchema = DynamicsAttributeSchema.extend({
  kind: z.enum(['text', 'decimal', 'other']),
  /** Why Oneflow's values cannot be written into it (two-way and Oneflow-to-Dynamics are refused); null when they can. */
  notWritableBecause: z.string().nullable(),
});
export type MetadataField = z.infer<typeof MetadataFieldSchema>;

/** `GET /api/metadata/fields?entity=`: sorted by display name. */
export const FieldsAnswerSchema = z.strictObject({
  entity: z.string(),
  fields: z.array(MetadataFieldSchema),
});
export type FieldsAnswer = z.infer<typeof FieldsAnswerSchema>;
