import { z } from 'zod';
import { OneflowFieldKeySchema } from './fieldCatalog';
import { LogicalNameSchema } from './ids';

export const DIRECTIONS = ['sync_once', 'dynamics_to_oneflow', 'two_way', 'oneflow_to_dynamics'] as const;
export const DirectionSchema = z.enum(DIRECTIONS);
export type Direction = z.infer<typeof DirectionSchema>;

export const DIRECTION_LABELS: Record<Direction, string> = {
  sync_once: 'Sync once',
  dynamics_to_oneflow: 'Dynamics to Oneflow',
  two_way: 'Two-way',
  oneflow_to_dynamics: 'Oneflow to Dynamics',
};

export const WRITE_CONDITIONS = ['always', 'only_if_target_empty'] as const;
export const WriteConditionSchema = z.enum(WRITE_CONDITIONS);
export type WriteCondition = z.infer<typeof WriteConditionSchema>;

export const CONFLICT_POLICIES = [
  'by_action',
  'dynamics_wins',
  'oneflow_wins',
  'most_recent',
  'review',
] as const;
export const ConflictPolicySchema = z.enum(CONFLICT_POLICIES);
export type ConflictPolicy = z.infer<typeof ConflictPolicySchema>;

export const FieldMappingSchema = z.object({
  dynamicsField: LogicalNameSchema,
  oneflowField: OneflowFieldKeySchema,
  direction: DirectionSchema,
  writeCondition: WriteConditionSchema.default('always'),
  conflictPolicy: ConflictPolicySchema.default('by_action'),
});
export type FieldMapping = z.infer<typeof FieldMappingSchema>;

/** The entity whose records are the main record's product lines, and how they point at it. */
export const ProductSourceSchema = z.object({
  entity: LogicalNameSchema,
  /** The line's lookup column to the main record, e.g. `opportunityid`. */
  lookupAttribute: LogicalNameSchema,
  /** Schema name of the N:1 relationship, e.g. `product_opportunities`. */
  relationship: z.string().min(1),
});
export type ProductSource = z.infer<typeof ProductSourceSchema>;

export const EntitySettingsSchema = z.object({
  mainEntity: LogicalNameSchema,
  /** "Transfer products": off means nothing moves in either direction. */
  productsEnabled: z.boolean(),
  productSource: ProductSourceSchema,
  mappings: z.array(FieldMappingSchema),
});
export type EntitySettings = z.infer<typeof EntitySettingsSchema>;
