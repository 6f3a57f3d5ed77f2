import type { CompareAnswer, CompareField, CompareStatus } from '../api/contract';

/** A row's status: the compare's, plus the products only one side still has. */
export type RowStatus = CompareStatus | 'added_in_oneflow' | 'deleted_in_dynamics';

/**
 * Which amount a money value is: Dynamics' manual discount is a total for the whole line while Oneflow's discount
 * is per unit, so the two numbers of one row only agree once their units are named.
 */
type ValueUnit = 'line' | 'unit' | null;

export interface CellValue {
  /** The canonical value as the API gives it (a decimal string or text); null when empty. */
  value: string | null;
  /** Decimal places to show a number with; null for text. */
  decimals: number | null;
  unit: ValueUnit;
}

export interface ProductRow {
  key: string;
  /** The line's name on the first row of its group only; the other rows leave the cell empty. */
  groupStart: boolean;
  lineName: string | null;
  /** Which kind of group the row belongs to, for the line cell's words. */
  lineKind: 'line' | 'added_in_oneflow' | 'deleted_in_dynamics';
  /** The mapped Oneflow field (named in the widget's words, as in the dialogs); null for a row that stands for a whole line. */
  oneflowField: string | null;
  dynamics: CellValue | null;
  oneflow: CellValue | null;
  status: RowStatus;
  /** Why the row has its status: the field's reason, and on a group's first row the line's own reasons. */
  reasons: string[];
}

const TEXT_FIELDS = new Set<string>(['name', 'description']);

function decimalsOf(value: string): number {
  const point = value.indexOf('.');
  return point === -1 ? 0 : value.length - point - 1;
}

function cell(value: string | null, oneflowField: string, unit: ValueUnit): CellValue {
  const decimal = value !== null && !TEXT_FIELDS.has(oneflowField) && /^-?\d+(\.\d+)?$/.test(value);
  return { value, decimals: decimal ? decimalsOf(value) : null, unit };
}

function isDiscountAmount(oneflowField: string): boolean {
  return oneflowField.endsWith('.discount_amount');
}

function dynamicsUnit(field: CompareField): ValueUnit {
  if (!isDiscountAmount(field.oneflowField)) return null;
  return field.dynamicsField === 'manualdiscountamount' ? 'line' : 'unit';
}

function oneflowUnit(oneflowField: string): ValueUnit {
  return isDiscountAmount(oneflowField) ? 'unit' : null;
}

type Draft = Omit<ProductRow, 'groupStart' | 'key'> & { group: string; id: string; lineReasons: string[] };

/**
 * The compare as table rows: grouped by line in the record's order, one row per mapped field; then the products
 * added by hand in Oneflow and the products whose line was deleted in Dynamics. With `changesOnly`, rows in sync
 * are left out, and a group's name (and the line's own reasons) move to its first remaining row.
 */
export function productRows(compare: CompareAnswer, options: { changesOnly: boolean }): ProductRow[] {
  const drafts: Draft[] = [];
  for (const line of compare.lines) {
    const lineReasons = [...(line.push === null ? [] : [line.push]), ...line.notes];
    if (line.fields.length === 0) {
      drafts.push({
        group: line.lineId,
        id: 'line',
        lineName: line.name,
        lineKind: 'line',
        oneflowField: null,
        dynamics: null,
        oneflow: null,
        status: line.state === 'linked' ? 'in_sync' : line.state,
        reasons: [],
        lineReasons,
      });
      continue;
    }
    for (const field of line.fields) {
      drafts.push({
        group: line.lineId,
        id: field.oneflowField,
        lineName: line.name,
        lineKind: 'line',
        oneflowField: field.oneflowField,
        dynamics: cell(field.dynamics, field.oneflowField, dynamicsUnit(field)),
        oneflow: cell(field.oneflow, field.oneflowField, oneflowUnit(field.oneflowField)),
        status: field.status,
        reasons: field.reason === null ? [] : [field.reason],
        lineReasons,
      });
    }
  }
  for (const product of compare.addedInOneflow) {
    const group = `added-${product.productId}`;
    const values = product.values.length > 0 ? product.values : [null];
    values.forEach((value) => {
      drafts.push({
        group,
        id: value === null ? 'product' : value.oneflowField,
        lineName: product.name,
        lineKind: 'added_in_oneflow',
        oneflowField: value === null ? null : value.oneflowField,
        dynamics: null,
        oneflow:
          value === null ? null : cell(value.value, value.oneflowField, oneflowUnit(value.oneflowField)),
        status: 'added_in_oneflow',
        reasons: [],
        lineReasons: [],
      });
    });
  }
  for (const removed of compare.deletedInDynamics) {
    drafts.push({
      group: `deleted-${removed.lineId}`,
      id: 'line',
      lineName: removed.name,
      lineKind: 'deleted_in_dynamics',
      oneflowField: null,
      dynamics: null,
      oneflow: null,
      status: 'deleted_in_dynamics',
      reasons: [],
      lineReasons: [removed.reason],
    });
  }
  const shown = options.changesOnly ? drafts.filter((draft) => draft.status !== 'in_sync') : drafts;
  return shown.map(({ group, id, lineReasons, ...row }, index) => {
    const groupStart = index === 0 || shown[index - 1]?.group !== group;
    return {
      ...row,
      key: `${group}/${id}`,
      groupStart,
      reasons: groupStart ? [...row.reasons, ...lineReasons] : row.reasons,
    };
  });
}
