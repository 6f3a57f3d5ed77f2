import { z } from 'zod';
import { DynamicsValueSchema } from './dynamics';
import { OneflowFieldKeySchema } from './fieldCatalog';
import { BaseValueSchema, CanonicalSchema, LinkSchema } from './link';
import { RULES, type RuleId } from './rules';
import { ConflictPolicySchema } from './settings';

/*
 * The plan is both what the engine computes and what the API answers (preview, push, fetch, create): one zod
 * schema per shape, the TypeScript types read from them, so the controls validate exactly what the engine builds.
 */

export const SideSchema = z.enum(['dynamics', 'oneflow']);
export type Side = z.infer<typeof SideSchema>;
export const SYNC_ACTIONS = ['initial_transfer', 'push', 'fetch'] as const;
export const SyncActionSchema = z.enum(SYNC_ACTIONS);
export type SyncAction = z.infer<typeof SyncActionSchema>;

// Object.keys loses the literal keys; RuleId is exactly those keys.
export const RuleIdSchema = z.enum(Object.keys(RULES) as [RuleId, ...RuleId[]]);

/** A field changed on both sides since the base, and how its policy settled it. */
export const ConflictNoteSchema = z.object({
  policy: ConflictPolicySchema,
  /** The side whose value this action writes (or keeps); `held` waits for a person (policy `review`). */
  resolvedFor: z.enum(['dynamics', 'oneflow', 'held']),
  dynamics: CanonicalSchema,
  oneflow: CanonicalSchema,
  base: BaseValueSchema.nullable(),
});
export type ConflictNote = z.infer<typeof ConflictNoteSchema>;

/** One field written on one side: the preview row and the activity entry. */
export const FieldChangeSchema = z.object({
  oneflowField: OneflowFieldKeySchema,
  dynamicsField: z.string(),
  side: SideSchema,
  old: DynamicsValueSchema,
  new: DynamicsValueSchema,
  /** Present when the field changed on both sides since the last sync: the write overwrites that change. */
  conflict: ConflictNoteSchema.optional(),
  /** The written side had its own edit since the last sync, on a field that side does not own. */
  replacesEdit: z.literal(true).optional(),
});
export type FieldChange = z.infer<typeof FieldChangeSchema>;

export const FieldNoteKindSchema = z.enum([
  'held_for_review',
  'conflict_kept',
  'kept_for_other_action',
  'catalog_price',
  'target_not_empty',
  'invalid_value',
  'info',
]);
export type FieldNoteKind = z.infer<typeof FieldNoteKindSchema>;

/** Why a field (or, with null fields, a whole product or line) was not written. */
export const FieldNoteSchema = z.object({
  kind: FieldNoteKindSchema,
  rule: RuleIdSchema,
  oneflowField: OneflowFieldKeySchema.nullable(),
  dynamicsField: z.string().nullable(),
  reason: z.string(),
  conflict: ConflictNoteSchema.optional(),
});
export type FieldNote = z.infer<typeof FieldNoteSchema>;

const OperationBase = {
  rule: RuleIdSchema,
  reason: z.string(),
  notes: z.array(FieldNoteSchema),
};

const OneflowValuesSchema = z.partialRecord(OneflowFieldKeySchema, CanonicalSchema);

export const CreateProductOperationSchema = z.object({
  ...OperationBase,
  kind: z.literal('create_product'),
  lineId: z.string(),
  groupId: z.number().int(),
  /** Stored in the product's `custom_id` so the link can be rebuilt from Oneflow alone. */
  customId: z.string(),
  values: OneflowValuesSchema,
  changes: z.array(FieldChangeSchema),
});
export type CreateProductOperation = z.infer<typeof CreateProductOperationSchema>;

export const UpdateProductOperationSchema = z.object({
  ...OperationBase,
  kind: z.literal('update_product'),
  lineId: z.string(),
  productId: z.number().int(),
  values: OneflowValuesSchema,
  changes: z.array(FieldChangeSchema),
});
export type UpdateProductOperation = z.infer<typeof UpdateProductOperationSchema>;

export const DeleteProductOperationSchema = z.object({
  ...OperationBase,
  kind: z.literal('delete_product'),
  lineId: z.string(),
  productId: z.number().int(),
});
export type DeleteProductOperation = z.infer<typeof DeleteProductOperationSchema>;

export const UpdateLineOperationSchema = z.object({
  ...OperationBase,
  kind: z.literal('update_line'),
  lineId: z.string(),
  productId: z.number().int(),
  /** Written with If-Match so a line changed meanwhile is not overwritten. */
  etag: z.string(),
  values: z.record(z.string(), DynamicsValueSchema),
  changes: z.array(FieldChangeSchema),
});
export type UpdateLineOperation = z.infer<typeof UpdateLineOperationSchema>;

export const SkipOperationSchema = z.object({
  ...OperationBase,
  kind: z.literal('skip'),
  lineId: z.string().nullable(),
  productId: z.number().int().nullable(),
});
export type SkipOperation = z.infer<typeof SkipOperationSchema>;

export const OperationSchema = z.discriminatedUnion('kind', [
  CreateProductOperationSchema,
  UpdateProductOperationSchema,
  DeleteProductOperationSchema,
  UpdateLineOperationSchema,
  SkipOperationSchema,
]);
export type Operation = z.infer<typeof OperationSchema>;
export const OperationKindSchema = z.enum(OperationSchema.options.map((option) => option.shape.kind.value));

const Count = z.number().int().min(0);

export const PlanSummarySchema = z.object({
  productsCreated: Count,
  productsUpdated: Count,
  productsDeleted: Count,
  linesUpdated: Count,
  /** Field values written, on either side, by creates and updates. */
  fieldsWritten: Count,
  conflictsOverwritten: Count,
  held: Count,
  /** Products the action leaves alone by rule: added by hand in Oneflow (P4, F2). */
  untouchedProducts: Count,
  /** Skips that concern a line: nothing to write, held values, refusals. */
  skipped: Count,
  errors: Count,
});
export type PlanSummary = z.infer<typeof PlanSummarySchema>;

/** A link as a plan leaves it: `productId` is null while the product is one this plan creates. */
export const PlannedLinkSchema = LinkSchema.extend({ productId: z.number().int().nullable() });

/** What an action will do: the dry-run preview, the thing applied, and the activity entry. */
export const SyncPlanSchema = z.object({
  action: SyncActionSchema,
  mainEntity: z.string(),
  contractId: z.number().int(),
  productsEnabled: z.boolean(),
  plannedAt: z.iso.datetime({ offset: true }),
  operations: z.array(OperationSchema),
  /** The contract's links once the plan is applied. */
  links: z.array(PlannedLinkSchema),
  summary: PlanSummarySchema,
});
export type SyncPlan = z.infer<typeof SyncPlanSchema>;

export function isWrite(operation: Operation): boolean {
  return operation.kind !== 'skip';
}
