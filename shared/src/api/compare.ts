import { z } from 'zod';
import { OneflowFieldKeySchema } from '../fieldCatalog';
import { BaseValueSchema, CanonicalSchema } from '../link';
import { ConflictPolicySchema, DirectionSchema } from '../settings';

/**
 * Where one mapped field of one Dynamics line stands, read from what a push and a fetch would do now:
 * - `in_sync`: both sides agree (or the field never moves after the contract was created, and they agree);
 * - `will_push`: Push writes Dynamics' value into Oneflow; `will_fetch`: Fetch writes Oneflow's into Dynamics;
 * - `conflict`: changed on both sides since the last sync, and the field's policy lets whichever action runs next
 *   keep its own side (Push keeps Dynamics', Fetch keeps Oneflow's);
 * - `conflict_held`: changed on both sides, held for a person to choose (policy `review`);
 * - `skipped`: the values differ but neither action writes them; `reason` says why;
 * - `deleted_in_oneflow`: the line's product was deleted in Oneflow (Push adds it again);
 * - `not_linked`: the line has no Oneflow product yet (Push adds it).
 */
export const COMPARE_STATUSES = [
  'in_sync',
  'will_push',
  'will_fetch',
  'conflict',
  'conflict_held',
  'skipped',
  'deleted_in_oneflow',
  'not_linked',
] as const;
export const CompareStatusSchema = z.enum(COMPARE_STATUSES);
export type CompareStatus = z.infer<typeof CompareStatusSchema>;

/** Oneflow's contract states (signed and declined contracts take no more product writes). */
export const ONEFLOW_CONTRACT_STATES = ['draft', 'pending', 'overdue', 'signed', 'declined'] as const;
export const OneflowContractStateSchema = z.enum(ONEFLOW_CONTRACT_STATES);

export const CompareFieldSchema = z.object({
  oneflowField: OneflowFieldKeySchema,
  dynamicsField: z.string(),
  /** The Oneflow field's name as people see it ("Quantity"). */
  label: z.string(),
  direction: DirectionSchema,
  conflictPolicy: ConflictPolicySchema,
  /** Each side's current value in its own terms, normalised as the engine compares them; null when empty or unreadable. */
  dynamics: CanonicalSchema,
  oneflow: CanonicalSchema,
  /** Both sides' values at the last sync; null when unknown (never synced, or the link was rebuilt). */
  base: BaseValueSchema.nullable(),
  status: CompareStatusSchema,
  /** Changed on both sides since the last sync. */
  conflict: z.boolean(),
  /**
   * Why the field is skipped, held, waits for the other action, or is left alone by the other action; null when
   * the status says it all.
   */
  reason: z.string().nullable(),
});
export type CompareField = z.infer<typeof CompareFieldSchema>;

export const LINE_STATES = ['linked', 'deleted_in_oneflow', 'not_linked'] as const;

export const CompareLineSchema = z.object({
  lineId: z.string(),
  /** The line's Oneflow product; null when it has none. */
  productId: z.number().int().nullable(),
  /** The line's name as Dynamics has it (the mapped name field), else its product's name in Oneflow. */
  name: z.string().nullable(),
  state: z.enum(LINE_STATES),
  /** What Push does with the line as a whole (add it, add it again, or why it cannot); null when nothing. */
  push: z.string().nullable(),
  /** Reasons that concern the whole line (values Oneflow would refuse together, the product limit). */
  notes: z.array(z.string()),
  fields: z.array(CompareFieldSchema),
});
export type CompareLine = z.infer<typeof CompareLineSchema>;

/** A product added by hand in Oneflow: no line points at it; neither action changes it or brings it over. */
export const CompareAddedProductSchema = z.object({
  productId: z.number().int(),
  name: z.string(),
  values: z.array(
    z.object({ oneflowField: OneflowFieldKeySchema, label: z.string(), value: CanonicalSchema }),
  ),
});

/** A product whose line was deleted in Dynamics: Push removes it from Oneflow. */
export const CompareRemovedLineSchema = z.object({
  lineId: z.string(),
  productId: z.number().int(),
  name: z.string(),
  reason: z.string(),
});

export const CompareCountsSchema = z.object({
  lines: z.number().int(),
  linked: z.number().int(),
  notLinked: z.number().int(),
  deletedInOneflow: z.number().int(),
  /** Lines whose every mapped field is in sync. */
  linesInSync: z.number().int(),
  /** Mapped fields of linked lines, by status. */
  fields: z.record(CompareStatusSchema, z.number().int()),
  addedInOneflow: z.number().int(),
  deletedInDynamics: z.number().int(),
  /** The writes each action would make now (operations of its plan). */
  push: z.object({ creates: z.number().int(), updates: z.number().int(), deletes: z.number().int() }),
  fetch: z.object({ updates: z.number().int() }),
});
export type CompareCounts = z.infer<typeof CompareCountsSchema>;

/** `GET /api/contracts/{id}/compare`: both sides' current values, the bases, and a status per field. */
export const CompareAnswerSchema = z.object({
  contract: z.object({
    id: z.number().int(),
    state: OneflowContractStateSchema,
    name: z.string().nullable(),
  }),
  mainEntity: z.string(),
  recordId: z.string(),
  comparedAt: z.iso.datetime({ offset: true }),
  productsEnabled: z.boolean(),
  /** Why neither action would move anything (product sync off, settings unusable); null otherwise. */
  refused: z.string().nullable(),
  counts: CompareCountsSchema,
  lines: z.array(CompareLineSchema),
  addedInOneflow: z.array(CompareAddedProductSchema),
  deletedInDynamics: z.array(CompareRemovedLineSchema),
});
export type CompareAnswer = z.infer<typeof CompareAnswerSchema>;
