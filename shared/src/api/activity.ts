import { z } from 'zod';
import { GuidSchema } from '../ids';
import { DynamicsValueSchema } from '../dynamics';
import { PlanSummarySchema, SYNC_ACTIONS } from '../plan';
import { ContinuationTokenParamSchema, ContractIdParamSchema, countParamSchema } from './params';

const IsoTime = z.iso.datetime({ offset: true });

/** One row of an activity entry: a field written (or a line's fate) on one side. */
export const ActivityChangeSchema = z.object({
  lineId: z.string().nullable(),
  productId: z.number().int().nullable(),
  dynamicsField: z.string().nullable(),
  oneflowField: z.string().nullable(),
  side: z.enum(['dynamics', 'oneflow']).nullable(),
  old: DynamicsValueSchema,
  new: DynamicsValueSchema,
  rule: z.string(),
  note: z.string().optional(),
});
export type ActivityChange = z.infer<typeof ActivityChangeSchema>;

export const ACTIVITY_ACTIONS = [
  ...SYNC_ACTIONS,
  'conflict_resolution',
  'webhook',
  'link_edit',
  /** We learnt that the contract was deleted in Oneflow. */
  'contract_deleted',
  /** A person unlinked the record from its (deleted) Oneflow contract. */
  'unlink',
] as const;
export const ActivityActionSchema = z.enum(ACTIVITY_ACTIONS);
export type ActivityAction = z.infer<typeof ActivityActionSchema>;

/**
 * How a run ended; the one list of outcomes (docs/api.md, "The sync result"). A sync answer has one of these;
 * an activity entry may also be `running` (started, not finished yet) or `interrupted` (it never finished).
 */
export const SYNC_OUTCOMES = ['applied', 'nothing_to_do', 'needs_attention', 'refused', 'failed'] as const;
export const SyncOutcomeSchema = z.enum(SYNC_OUTCOMES);
export type SyncOutcome = z.infer<typeof SyncOutcomeSchema>;
const ACTIVITY_OUTCOMES = [...SYNC_OUTCOMES, 'running', 'interrupted'] as const;
export const ActivityOutcomeSchema = z.enum(ACTIVITY_OUTCOMES);
export type ActivityOutcome = z.infer<typeof ActivityOutcomeSchema>;

/** Who acted: a person, or an application with its own token (the backend's own runs name it). */
export const ActivityActorSchema = z.object({
  kind: z.enum(['user', 'application']),
  id: z.string(),
  name: z.string().nullable(),
});
export type ActivityActor = z.infer<typeof ActivityActorSchema>;

/** An activity entry without its changes: what the header row holds. */
export const ActivityHeaderSchema = z.object({
  id: z.string().min(1),
  tenantId: z.string().min(1),
  contractId: z.number().int(),
  mainEntity: z.string().min(1),
  recordId: z.string().min(1),
  action: ActivityActionSchema,
  outcome: ActivityOutcomeSchema,
  actor: ActivityActorSchema,
  at: IsoTime,
  message: z.string(),
  summary: PlanSummarySchema.nullable(),
});
export type ActivityHeader = z.infer<typeof ActivityHeaderSchema>;

export const ActivityChangesSchema = z.array(ActivityChangeSchema);

/** What product sync did once, field by field. */
export const ActivityEntrySchema = ActivityHeaderSchema.extend({ changes: ActivityChangesSchema });
export type ActivityEntry = z.infer<typeof ActivityEntrySchema>;

/** `GET /api/activity`: exactly one of `contractId` or `recordId`; optionally one outcome; a page at a time. */
export const ActivityQuerySchema = z
  .object({
    contractId: ContractIdParamSchema.optional(),
    recordId: GuidSchema.optional(),
    outcome: ActivityOutcomeSchema.optional(),
    limit: countParamSchema(200).default(50),
    continuationToken: ContinuationTokenParamSchema,
  })
  .refine((query) => (query.contractId === undefined) !== (query.recordId === undefined), {
    message: 'give exactly one of contractId or recordId',
  });

/** A page of activity, newest first: `continuationToken` (null on the last page) fetches the next one. */
export const ActivityPageAnswerSchema = z.strictObject({
  entries: z.array(ActivityEntrySchema),
  continuationToken: z.string().nullable(),
  /** Null where counting would read every entry. */
  total: z.number().int().min(0).nullable(),
});
export type ActivityPageAnswer = z.infer<typeof ActivityPageAnswerSchema>;
