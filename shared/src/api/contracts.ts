import { z } from 'zod';
import { GuidSchema, LogicalNameSchema } from '../ids';
import { OperationKindSchema, PlanSummarySchema, SyncActionSchema, SyncPlanSchema } from '../plan';
import { OneflowFieldKeySchema } from '../fieldCatalog';
import {
  ActivityActionSchema,
  ActivityActorSchema,
  ActivityOutcomeSchema,
  SyncOutcomeSchema,
} from './activity';
import { OneflowContractStateSchema } from './compare';

const IsoTime = z.iso.datetime({ offset: true });

/** A record's Oneflow contract as product sync keeps it. */
export const ContractRecordSchema = z.object({
  tenantId: z.string().min(1),
  contractId: z.number().int(),
  mainEntity: z.string().min(1),
  recordId: z.string().min(1),
  recordName: z.string().nullable(),
  createdAt: IsoTime,
  createdBy: z.string(),
  lastSyncAt: IsoTime.nullable(),
  lastAction: z.enum([...SyncActionSchema.options, 'conflict_resolution']).nullable(),
  /** When the last fetch (or webhook fetch) started: a queued change older than this is already covered. */
  lastFetchStartedAt: IsoTime.nullable(),
  /**
   * When we learnt that the contract no longer exists in Oneflow (a `contract:delete` notification, or Oneflow
   * answering 404 for it); null while it exists. Such a contract takes no more runs and can be unlinked.
   */
  deletedInOneflowAt: IsoTime.nullable(),
  /**
   * The contract's state in Oneflow when a run (or the create) last read it; null before any did. Reconciliation
   * skips contracts that can no longer change (signed, declined) without asking Oneflow.
   */
  oneflowState: OneflowContractStateSchema.nullable(),
});
export type ContractRecord = z.infer<typeof ContractRecordSchema>;

/** A write of the plan that did not happen; its line keeps its old link, so the next run tries again. */
export const OperationFailureSchema = z.strictObject({
  kind: OperationKindSchema,
  lineId: z.string().nullable(),
  productId: z.number().int().nullable(),
  message: z.string(),
});
export type OperationFailure = z.infer<typeof OperationFailureSchema>;

/**
 * The sync result: what preview (`GET …/plan`), push, fetch, conflict resolution and Create contract answer. The
 * plan (counts, field-level changes, skips, held conflicts), whether it was applied, and how the run ended.
 */
export const SyncResultFields = {
  /** False for a dry run or a refused action (toggle off, invalid settings): nothing was written anywhere. */
  applied: z.boolean(),
  outcome: SyncOutcomeSchema,
  summary: PlanSummarySchema,
  plan: SyncPlanSchema,
  failures: z.array(OperationFailureSchema),
  /** The activity entry of the run; null for a dry run. */
  activityId: z.string().nullable(),
};
export const SyncResultAnswerSchema = z.strictObject(SyncResultFields);
export type SyncResultAnswer = z.infer<typeof SyncResultAnswerSchema>;

/** `GET /api/contracts/{id}/plan?action=`. */
export const PlanQuerySchema = z.object({ action: z.enum(['push', 'fetch']) });

/** `POST /api/contracts`: the record to create the contract of. */
export const CreateContractBodySchema = z.object({
  entity: LogicalNameSchema,
  recordId: GuidSchema,
  /** An Oneflow template of the workspace that can receive products; the configured one when left out. */
  templateId: z.number().int().positive().optional(),
});
export type CreateContractBody = z.infer<typeof CreateContractBodySchema>;

export const CreateContractQuerySchema = z.object({
  /** `true`: answer the initial transfer it would apply, and write nothing. */
  dryRun: z.enum(['true', 'false']).optional(),
});

/** `POST /api/contracts`: 201 with the new contract and the applied initial transfer (200 when it re-ran on one). */
export const CreateContractAnswerSchema = z.strictObject({
  contract: ContractRecordSchema,
  ...SyncResultFields,
});
export type CreateContractAnswer = z.infer<typeof CreateContractAnswerSchema>;

/** `POST /api/contracts?dryRun=true`: the transfer Create contract would apply now; nothing is written. */
export const CreateContractPreviewAnswerSchema = z.strictObject({
  /** The record's contract when its unfinished transfer would be re-run; null when one would be created. */
  contract: ContractRecordSchema.nullable(),
  /** What would be created; null when the unfinished transfer of the record's contract would be re-run. */
  newContract: z.strictObject({ name: z.string(), templateId: z.number().int() }).nullable(),
  ...SyncResultFields,
});
export type CreateContractPreviewAnswer = z.infer<typeof CreateContractPreviewAnswerSchema>;

/** `GET /api/contracts?entity&recordId`. */
export const ContractQuerySchema = z.object({ entity: LogicalNameSchema, recordId: GuidSchema });

/** The record's contract: its state in Oneflow, its links, its last sync run and latest activity. */
export const ContractAnswerSchema = z.strictObject({
  contract: ContractRecordSchema,
  status: z.enum(['linked', 'deleted_in_oneflow']),
  /** What to do about a contract deleted in Oneflow; null while it exists. */
  message: z.string().nullable(),
  /** The contract as Oneflow has it now; null once it is deleted there. */
  oneflow: z
    .strictObject({
      state: OneflowContractStateSchema,
      name: z.string().nullable(),
      stateUpdatedAt: z.string().nullable(),
    })
    .nullable(),
  links: z.strictObject({ active: z.number().int().min(0), deletedInOneflow: z.number().int().min(0) }),
  lastSync: z
    .strictObject({
      activityId: z.string(),
      at: IsoTime,
      action: ActivityActionSchema,
      outcome: ActivityOutcomeSchema,
      actor: ActivityActorSchema,
    })
    .nullable(),
  lastActivity: z
    .strictObject({
      id: z.string(),
      action: ActivityActionSchema,
      outcome: ActivityOutcomeSchema,
      at: IsoTime,
      message: z.string(),
    })
    .nullable(),
});
export type ContractAnswer = z.infer<typeof ContractAnswerSchema>;

/** `POST /api/contracts/{id}/conflicts/resolve`: which side to keep for each held field. */
export const ResolveConflictsBodySchema = z.object({
  resolutions: z
    .array(
      z.object({
        lineId: GuidSchema,
        oneflowField: OneflowFieldKeySchema,
        keep: z.enum(['dynamics', 'oneflow']),
      }),
    )
    .min(1, 'must name at least one held field'),
});
export type ResolveConflictsBody = z.infer<typeof ResolveConflictsBodySchema>;

/** One sync result per side written to. */
export const ResolveConflictsAnswerSchema = z.strictObject({ results: z.array(SyncResultAnswerSchema) });
export type ResolveConflictsAnswer = z.infer<typeof ResolveConflictsAnswerSchema>;

/** `POST /api/contracts/{id}/unlink`: the record let go of its contract deleted in Oneflow. */
export const UnlinkAnswerSchema = z.strictObject({
  unlinked: z.strictObject({
    contractId: z.number().int(),
    mainEntity: z.string(),
    recordId: z.string(),
  }),
  linksDropped: z.number().int().min(0),
  activityId: z.string(),
});
export type UnlinkAnswer = z.infer<typeof UnlinkAnswerSchema>;
