/*
 * The API's typed contract, from the same zod schemas the Function app answers with. Imported by path (the
 * bundle compiles shared/'s sources; there is no built package to resolve), and only from this file.
 */
export {
  ActivityPageAnswerSchema,
  type ActivityAction,
  type ActivityChange,
  type ActivityEntry,
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
export { SettingsAnswerSchema, type SettingsAnswer } from '../../../shared/src/api/settings';
export {
  SettingsImpactAnswerSchema,
  type FieldImpact,
  type ImpactRow,
  type MappingDifference,
  type SettingsImpactAnswer,
} from '../../../shared/src/api/settingsImpact';
export {
  FieldsAnswerSchema,
  MainEntitiesAnswerSchema,
  ProductSourcesAnswerSchema,
  type MainEntity,
  type MetadataField,
  type ProductSourceOption,
} from '../../../shared/src/api/metadata';
export {
  LinkAnswerSchema,
  LinksPageAnswerSchema,
  type LinkPatchBody,
  type LinksPageAnswer,
} from '../../../shared/src/api/links';
export { LINK_STATES, type Link } from '../../../shared/src/link';
export {
  CONFLICT_POLICIES,
  DIRECTIONS,
  WRITE_CONDITIONS,
  type ConflictPolicy,
  type Direction,
  type EntitySettings,
  type FieldMapping,
  type WriteCondition,
} from '../../../shared/src/settings';
export { BUILT_IN_TWO_WAY_FIELDS, isBuiltInSalesLineEntity } from '../../../shared/src/dynamics';
export { validateSettings, type SettingsProblem } from '../../../shared/src/settingsValidation';
export { defaultMappings } from '../../../shared/src/defaults';
export { ONEFLOW_FIELDS, ONEFLOW_FIELD_KEYS, type OneflowFieldKey } from '../../../shared/src/fieldCatalog';
export type { FieldChange, FieldNote, Operation, PlanSummary } from '../../../shared/src/plan';
