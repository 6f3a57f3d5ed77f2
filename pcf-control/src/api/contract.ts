/*
 * The API's typed contract, from the same zod schemas the Function app answers with. Imported by path (the
 * bundle compiles shared/'s sources; there is no built package to resolve), and only from this file.
 */
export {
  ActivityPageAnswerSchema,
  type ActivityAction,
  type ActivityChange,
  type ActivityOutcome,
} from '../../../shared/src/api/activity';
export {
  CompareAnswerSchema,
  type CompareAnswer,
  type CompareField,
  type CompareLine,
  type CompareStatus,
} from '../../../shared/src/api/compare';
export {
  ContractAnswerSchema,
  CreateContractAnswerSchema,
  CreateContractPreviewAnswerSchema,
  ResolveConflictsAnswerSchema,
  SyncResultAnswerSchema,
  UnlinkAnswerSchema,
  type ContractAnswer,
  type CreateContractAnswer,
  type CreateContractPreviewAnswer,
  type OperationFailure,
  type ResolveConflictsAnswer,
  type ResolveConflictsBody,
  type SyncResultAnswer,
  type UnlinkAnswer,
} from '../../../shared/src/api/contracts';
export {
  API_ERROR_CODES,
  ErrorAnswerSchema,
  type ApiErrorCode,
  type ProblemDetail,
} from '../../../shared/src/api/errors';
export { TemplatesAnswerSchema, type ContractTemplate } from '../../../shared/src/api/templates';
export type { FieldChange, FieldNote, Operation, PlanSummary } from '../../../shared/src/plan';
