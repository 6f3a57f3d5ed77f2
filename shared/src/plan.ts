import type { DynamicsValue } from './dynamics';
import type { OneflowFieldKey } from './fieldCatalog';
import type { PlannedLink } from './link';
import type { RuleId } from './rules';
import type { ConflictPolicy } from './settings';
import type { Canonical } from './values';

export type Side = 'dynamics' | 'oneflow';
export type SyncAction = 'initial_transfer' | 'push' | 'fetch';

/** A field changed on both sides since the base, and how its policy settled it. */
export interface ConflictNote {
  policy: ConflictPolicy;
  /** The side whose value this action writes (or keeps); `held` waits for a person (policy `review`). */
  resolvedFor: Side | 'held';
  dynamics: Canonical;
  oneflow: Canonical;
  base: { dynamics: Canonical; oneflow: Canonical } | null;
}

/** One field written on one side: the preview row and the activity entry. */
export interface FieldChange {
  oneflowField: OneflowFieldKey;
  dynamicsField: string;
  side: Side;
  old: DynamicsValue;
  new: DynamicsValue;
  /** Present when the field changed on both sides since the last sync: the write overwrites that change. */
  conflict?: ConflictNote;
  /** The written side had its own edit since the last sync, on a field that side does not own. */
  replacesEdit?: true;
}

export type FieldNoteKind =
  | 'held_for_review'
  | 'conflict_kept'
  | 'kept_for_other_action'
  | 'catalog_price'
  | 'target_not_empty'
  | 'invalid_value'
  | 'info';

/** Why a field (or, with null fields, a whole product or line) was not written. */
export interface FieldNote {
  kind: FieldNoteKind;
  rule: RuleId;
  oneflowField: OneflowFieldKey | null;
  dynamicsField: string | null;
  reason: string;
  conflict?: ConflictNote;
}

interface OperationBase {
  rule: RuleId;
  reason: string;
  notes: FieldNote[];
}

export interface CreateProductOperation extends OperationBase {
  kind: 'create_product';
  lineId: string;
  groupId: number;
  /** Stored in the product's `custom_id` so the link can be rebuilt from Oneflow alone. */
  customId: string;
  values: Partial<Record<OneflowFieldKey, Canonical>>;
  changes: FieldChange[];
}

export interface UpdateProductOperation extends OperationBase {
  kind: 'update_product';
  lineId: string;
  productId: number;
  values: Partial<Record<OneflowFieldKey, Canonical>>;
  changes: FieldChange[];
}

export interface DeleteProductOperation extends OperationBase {
  kind: 'delete_product';
  lineId: string;
  productId: number;
}

export interface UpdateLineOperation extends OperationBase {
  kind: 'update_line';
  lineId: string;
  productId: number;
  /** Written with If-Match so a line changed meanwhile is not overwritten. */
  etag: string;
  values: Record<string, DynamicsValue>;
  changes: FieldChange[];
}

export interface SkipOperation extends OperationBase {
  kind: 'skip';
  lineId: string | null;
  productId: number | null;
}

export type Operation =
  | CreateProductOperation
  | UpdateProductOperation
  | DeleteProductOperation
  | UpdateLineOperation
  | SkipOperation;

export interface PlanSummary {
  productsCreated: number;
  productsUpdated: number;
  productsDeleted: number;
  linesUpdated: number;
  /** Field values written, on either side, by creates and updates. */
  fieldsWritten: number;
  conflictsOverwritten: number;
  held: number;
  /** Products the action leaves alone by rule: added by hand in Oneflow (P4, F2). */
  untouchedProducts: number;
  /** Skips that concern a line: nothing to write, held values, refusals. */
  skipped: number;
  errors: number;
}

/** What an action will do: the dry-run preview, the thing applied, and the activity entry. */
export interface SyncPlan {
  action: SyncAction;
  mainEntity: string;
  contractId: number;
  productsEnabled: boolean;
  plannedAt: string;
  operations: Operation[];
  /** The contract's links once the plan is applied. */
  links: PlannedLink[];
  summary: PlanSummary;
}

export function isWrite(operation: Operation): boolean {
  return operation.kind !== 'skip';
}
