import {
  BUILT_IN_TWO_WAY_FIELDS,
  CONFLICT_POLICIES,
  DIRECTIONS,
  ONEFLOW_FIELDS,
  ONEFLOW_FIELD_KEYS,
  WRITE_CONDITIONS,
  isBuiltInSalesLineEntity,
  validateSettings,
  type ConflictPolicy,
  type Direction,
  type EntitySettings,
  type FieldMapping,
  type MetadataField,
  type OneflowFieldKey,
  type SettingsProblem,
  type WriteCondition,
} from '../../api/contract';
import type { Translate } from '../../strings/strings';
import type { MappingColumn } from './mappingCells';

/** Why a save would refuse an option, in terms the page words for the admin. */
export type Refusal =
  /** A built-in sales line: Dynamics' pricing engine recalculates every column but price per unit and quantity. */
  | { kind: 'recalculated'; direction: Direction; entity: string }
  /** The direction writes into a column Dynamics does not let anyone write (`because` is the API's reason). */
  | { kind: 'notWritable'; direction: Direction; because: string }
  /** `row` (0-based) already maps the same Oneflow field. */
  | { kind: 'oneflowMapped'; row: number }
  /** `row` (0-based) already maps the same Dynamics column. */
  | { kind: 'dynamicsMapped'; row: number }
  /** `row` (0-based) already maps the other discount (amount or percent) of the same price. */
  | { kind: 'discountBoth'; row: number }
  /** Manual Discount holds an amount for the whole line, never a percent. */
  | { kind: 'wholeLineDiscount'; column: string }
  /** The column holds another kind of value than the Oneflow field takes. */
  | {
      kind: 'wrongKind';
      column: string;
      attributeType: string;
      oneflowField: OneflowFieldKey;
      takes: 'text' | 'decimal';
    }
  | { kind: 'notAColumn'; column: string; entity: string }
  /** The option would take away the only mapping to Oneflow's Name. */
  | { kind: 'nameNeeded' }
  /** A refusal the page has no words of its own for: the save's own message. */
  | { kind: 'other'; message: string };

export interface OptionRule<V extends string> {
  value: V;
  /** Null: a save would accept the draft with this option chosen. */
  refusal: Refusal | null;
}

/** Every option of every editable cell of one mapping row. */
export interface RowRules {
  dynamicsField: OptionRule<string>[];
  oneflowField: OptionRule<OneflowFieldKey>[];
  direction: OptionRule<Direction>[];
  writeCondition: OptionRule<WriteCondition>[];
  conflictPolicy: OptionRule<ConflictPolicy>[];
}

/** The mappings with one cell of one row set to `value`. */
export function withOption(
  mappings: readonly FieldMapping[],
  row: number,
  column: MappingColumn,
  value: string,
): FieldMapping[] {
  return mappings.map((mapping, index) => (index === row ? { ...mapping, [column]: value } : mapping));
}

const PATH = /^mappings\[(\d+)\](?:\.(\w+))?$/;

interface Located {
  problem: SettingsProblem;
  row: number | null;
  column: string | null;
}

function locate(problem: SettingsProblem): Located {
  const match = PATH.exec(problem.path);
  if (match === null) return { problem, row: null, column: null };
  return { problem, row: Number(match[1]), column: match[2] ?? null };
}

function problemKey(problem: SettingsProblem): string {
  return `${problem.path}\u0000${problem.message}`;
}

function problemsOf(settings: EntitySettings, fields: readonly MetadataField[]): SettingsProblem[] {
  const result = validateSettings(settings, fields);
  return result.ok ? [] : result.problems;
}

const SPECS = new Map(ONEFLOW_FIELDS.map((spec) => [spec.key, spec]));

function discountOf(key: OneflowFieldKey): string | null {
  const price = SPECS.get(key)?.price;
  return price && price.part !== 'base_amount' ? price.key : null;
}

/**
 * Which of the checks the save runs produced a problem at this place of the draft: the checks of one place, in
 * the order the save runs them. `row` is the row whose option is judged, so a clash names the other row.
 */
function explain(
  found: Located,
  draft: EntitySettings,
  fields: ReadonlyMap<string, MetadataField>,
  row: number,
): Refusal {
  const { problem } = found;
  if (found.row === null) {
    return problem.path === 'mappings' ? { kind: 'nameNeeded' } : { kind: 'other', message: problem.message };
  }
  const at = found.row;
  const mapping = draft.mappings[at];
  if (mapping === undefined) return { kind: 'other', message: problem.message };
  const entity = draft.productSource.entity;
  const column = fields.get(mapping.dynamicsField);
  const label = column?.displayName ?? mapping.dynamicsField;
  const other = (first: number): number => (at === row ? first : at);
  const earlier = (same: (candidate: FieldMapping) => boolean): number =>
    draft.mappings.findIndex((candidate, index) => index < at && same(candidate));

  if (found.column === 'oneflowField') {
    const mapped = earlier((candidate) => candidate.oneflowField === mapping.oneflowField);
    if (mapped >= 0) return { kind: 'oneflowMapped', row: other(mapped) };
    const discount = discountOf(mapping.oneflowField);
    if (discount !== null) {
      const both = earlier((candidate) => discountOf(candidate.oneflowField) === discount);
      if (both >= 0) return { kind: 'discountBoth', row: other(both) };
    }
    if (mapping.dynamicsField === 'manualdiscountamount') return { kind: 'wholeLineDiscount', column: label };
  }
  if (found.column === 'dynamicsField') {
    const mapped = earlier((candidate) => candidate.dynamicsField === mapping.dynamicsField);
    if (mapped >= 0) return { kind: 'dynamicsMapped', row: other(mapped) };
    if (column === undefined) return { kind: 'notAColumn', column: label, entity };
    const spec = SPECS.get(mapping.oneflowField);
    if (spec && column.kind !== spec.kind) {
      return {
        kind: 'wrongKind',
        column: label,
        attributeType: column.attributeType,
        oneflowField: spec.key,
        takes: spec.kind,
      };
    }
  }
  if (found.column === 'direction') {
    const twoWay: readonly string[] = BUILT_IN_TWO_WAY_FIELDS;
    if (isBuiltInSalesLineEntity(entity) && !twoWay.includes(mapping.dynamicsField)) {
      return { kind: 'recalculated', direction: mapping.direction, entity };
    }
    if (column?.notWritableBecause) {
      return { kind: 'notWritable', direction: mapping.direction, because: column.notWritableBecause };
    }
  }
  return { kind: 'other', message: problem.message };
}

/**
 * The options of one cell, each tried in the draft through the save's own validation. An option is refused when
 * the draft with it chosen has a problem on that very cell, or a problem anywhere that the draft did not have
 * before (another row now clashing with it, Name left unmapped); problems the draft already had elsewhere are not
 * the option's doing and leave it offered.
 */
function cellRules<V extends string>(
  draft: EntitySettings,
  fields: readonly MetadataField[],
  byName: ReadonlyMap<string, MetadataField>,
  before: ReadonlySet<string>,
  row: number,
  column: MappingColumn,
  values: readonly V[],
): OptionRule<V>[] {
  return values.map((value) => {
    const candidate = { ...draft, mappings: withOption(draft.mappings, row, column, value) };
    const counted = problemsOf(candidate, fields)
      .map(locate)
      .filter(
        (found) => (found.row === row && found.column === column) || !before.has(problemKey(found.problem)),
      );
    // A problem on the row itself explains the option better than its echo on another row.
    const first = counted.find((found) => found.row === row) ?? counted[0];
    return { value, refusal: first === undefined ? null : explain(first, candidate, byName, row) };
  });
}

/** The state of every option of every editable cell of one row of the draft. */
export function rowRules(draft: EntitySettings, fields: readonly MetadataField[], row: number): RowRules {
  const byName = new Map(fields.map((field) => [field.logicalName, field]));
  const before = new Set(problemsOf(draft, fields).map(problemKey));
  const rules = <V extends string>(column: MappingColumn, values: readonly V[]) =>
    cellRules(draft, fields, byName, before, row, column, values);
  return {
    dynamicsField: rules(
      'dynamicsField',
      fields.map((field) => field.logicalName),
    ),
    oneflowField: rules('oneflowField', ONEFLOW_FIELD_KEYS),
    direction: rules('direction', DIRECTIONS),
    writeCondition: rules('writeCondition', WRITE_CONDITIONS),
    conflictPolicy: rules('conflictPolicy', CONFLICT_POLICIES),
  };
}

/** The rules of every row of the draft. */
export function mappingRules(draft: EntitySettings, fields: readonly MetadataField[]): RowRules[] {
  return draft.mappings.map((_mapping, row) => rowRules(draft, fields, row));
}

/** Dynamics' own sales line columns for the Oneflow fields they match, tried first when adding a mapping. */
const MATCHING_COLUMNS: Partial<Record<OneflowFieldKey, readonly string[]>> = {
  name: ['productidname', 'productdescription'],
  description: ['description'],
  'price_1.base_amount': ['priceperunit'],
  'price_1.discount_amount': ['manualdiscountamount'],
  quantity: ['quantity'],
};

/**
 * The mapping "Add field mapping" adds: the first Oneflow field not mapped yet that some column can fill, from
 * the column that matches it or else the first one a save would accept, read from Dynamics (the direction every
 * column allows). When no column can fill any unmapped field, the first unmapped field from the first column, for
 * the admin to choose; null when every Oneflow field is mapped.
 */
export function nextMapping(draft: EntitySettings, fields: readonly MetadataField[]): FieldMapping | null {
  const unmapped = ONEFLOW_FIELD_KEYS.filter(
    (key) => !draft.mappings.some((mapping) => mapping.oneflowField === key),
  );
  const first = unmapped[0];
  if (first === undefined) return null;
  const before = new Set(problemsOf(draft, fields).map(problemKey));
  const mappingOf = (oneflowField: OneflowFieldKey, dynamicsField: string): FieldMapping => ({
    dynamicsField,
    oneflowField,
    direction: 'dynamics_to_oneflow',
    writeCondition: 'always',
    conflictPolicy: 'by_action',
  });
  const accepted = (mapping: FieldMapping): boolean =>
    problemsOf({ ...draft, mappings: [...draft.mappings, mapping] }, fields).every((problem) =>
      before.has(problemKey(problem)),
    );
  for (const key of unmapped) {
    const preferred = MATCHING_COLUMNS[key] ?? [];
    const columns = [
      ...fields.filter((field) => preferred.includes(field.logicalName)),
      ...fields.filter((field) => !preferred.includes(field.logicalName)),
    ];
    const found = columns.map((field) => mappingOf(key, field.logicalName)).find(accepted);
    if (found) return found;
  }
  return mappingOf(first, fields[0]?.logicalName ?? '');
}

/** Oneflow's field in the words the widget uses for it. */
export function oneflowFieldLabel(t: Translate, key: OneflowFieldKey): string {
  switch (key) {
    case 'name':
      return t('Mapping_Oneflow_Name');
    case 'description':
      return t('Mapping_Oneflow_Description');
    case 'price_1.base_amount':
      return t('Mapping_Oneflow_Price1');
    case 'price_1.discount_amount':
      return t('Mapping_Oneflow_Discount1');
    case 'price_1.discount_percent':
      return t('Mapping_Oneflow_DiscountPercent1');
    case 'price_2.base_amount':
      return t('Mapping_Oneflow_Price2');
    case 'price_2.discount_amount':
      return t('Mapping_Oneflow_Discount2');
    case 'price_2.discount_percent':
      return t('Mapping_Oneflow_DiscountPercent2');
    case 'quantity':
      return t('Mapping_Oneflow_Quantity');
  }
}

export function directionLabel(t: Translate, direction: Direction): string {
  switch (direction) {
    case 'sync_once':
      return t('Mapping_Direction_SyncOnce');
    case 'dynamics_to_oneflow':
      return t('Mapping_Direction_DynamicsToOneflow');
    case 'two_way':
      return t('Mapping_Direction_TwoWay');
    case 'oneflow_to_dynamics':
      return t('Mapping_Direction_OneflowToDynamics');
  }
}

export function writeConditionLabel(t: Translate, condition: WriteCondition): string {
  return condition === 'always' ? t('Mapping_Write_Always') : t('Mapping_Write_OnlyIfEmpty');
}

export function conflictPolicyLabel(t: Translate, policy: ConflictPolicy): string {
  switch (policy) {
    case 'by_action':
      return t('Mapping_Conflict_ByAction');
    case 'dynamics_wins':
      return t('Mapping_Conflict_DynamicsWins');
    case 'oneflow_wins':
      return t('Mapping_Conflict_OneflowWins');
    case 'most_recent':
      return t('Mapping_Conflict_MostRecent');
    case 'review':
      return t('Mapping_Conflict_Review');
  }
}

/** A built-in line entity by the name Dynamics shows; a custom one by its logical name. */
function entityLabel(t: Translate, entity: string): string {
  switch (entity) {
    case 'opportunityproduct':
      return t('Mapping_Entity_OpportunityProduct');
    case 'quotedetail':
      return t('Mapping_Entity_QuoteProduct');
    case 'salesorderdetail':
      return t('Mapping_Entity_OrderProduct');
    case 'invoicedetail':
      return t('Mapping_Entity_InvoiceProduct');
    default:
      return entity;
  }
}

/** Why an option is not offered, shown beside it. Rows are numbered from 1, as the admin counts them. */
export function refusalText(t: Translate, refusal: Refusal): string {
  switch (refusal.kind) {
    case 'recalculated':
      return t(
        'Mapping_Refused_Recalculated',
        directionLabel(t, refusal.direction),
        entityLabel(t, refusal.entity),
      );
    case 'notWritable':
      return t('Mapping_Refused_NotWritable', directionLabel(t, refusal.direction), refusal.because);
    case 'oneflowMapped':
    case 'dynamicsMapped':
      return t('Mapping_Refused_AlreadyMapped', refusal.row + 1);
    case 'discountBoth':
      return t('Mapping_Refused_DiscountBoth', refusal.row + 1);
    case 'wholeLineDiscount':
      return t('Mapping_Refused_WholeLineDiscount', refusal.column);
    case 'wrongKind':
      return refusal.takes === 'text'
        ? t(
            'Mapping_Refused_TakesText',
            refusal.column,
            refusal.attributeType,
            oneflowFieldLabel(t, refusal.oneflowField),
          )
        : t(
            'Mapping_Refused_TakesNumber',
            refusal.column,
            refusal.attributeType,
            oneflowFieldLabel(t, refusal.oneflowField),
          );
    case 'notAColumn':
      return t('Mapping_Refused_NotAColumn', refusal.column, entityLabel(t, refusal.entity));
    case 'nameNeeded':
      return t('Mapping_Refused_NameNeeded');
    case 'other':
      return refusal.message;
  }
}
