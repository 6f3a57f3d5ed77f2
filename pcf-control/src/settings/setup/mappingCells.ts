import type { ProblemDetail } from '../../api/contract';

/** The editable columns of the mapping table, named as the settings name them. */
export const MAPPING_COLUMNS = [
  'dynamicsField',
  'oneflowField',
  'direction',
  'writeCondition',
  'conflictPolicy',
] as const;
export type MappingColumn = (typeof MAPPING_COLUMNS)[number];

/** Where on the page a refused save's problem belongs. */
export type ProblemPlace =
  /** A cell of the mapping table: row index (0-based) and column. */
  | { kind: 'cell'; row: number; column: MappingColumn }
  /** A mapping as a whole (an unknown field of it, or the mapping missing something). */
  | { kind: 'row'; row: number }
  /** The mappings together ("map a Dynamics field to Oneflow's Name"). */
  | { kind: 'mappings' }
  | { kind: 'productSource' }
  | { kind: 'productsEnabled' }
  /** Anything else (the whole body, the main entity): shown in the summary only. */
  | { kind: 'settings' };

export interface PlacedProblem {
  place: ProblemPlace;
  /** The API's own field name, e.g. `body.mappings.1.direction`. */
  field: string;
  message: string;
}

function isColumn(value: string | undefined): value is MappingColumn {
  return MAPPING_COLUMNS.some((column) => column === value);
}

/** `body.mappings.1.direction` → row 1 (the second row), Direction; every other field to its part of the page. */
export function placeOf(field: string): ProblemPlace {
  const parts = field.replace(/^body\.?/, '').split('.');
  const [head, index, column] = parts;
  if (head === 'mappings') {
    if (index === undefined || !/^\d+$/.test(index)) return { kind: 'mappings' };
    const row = Number(index);
    return isColumn(column) && parts.length === 3 ? { kind: 'cell', row, column } : { kind: 'row', row };
  }
  if (head === 'productSource') return { kind: 'productSource' };
  if (head === 'productsEnabled') return { kind: 'productsEnabled' };
  return { kind: 'settings' };
}

/** A 400's details, each placed where the admin fixes it. */
export function placeProblems(details: readonly ProblemDetail[]): PlacedProblem[] {
  return details.map((detail) => ({
    place: placeOf(detail.field),
    field: detail.field,
    message: detail.message,
  }));
}

/** The problem of one cell, if the last refused save had one. */
export function cellProblem(
  problems: readonly PlacedProblem[],
  row: number,
  column: MappingColumn,
): string | null {
  const found = problems.find(
    ({ place }) => place.kind === 'cell' && place.row === row && place.column === column,
  );
  return found?.message ?? null;
}

/** The DOM id of a cell's control, so the summary's links can move focus to it. */
export function cellId(idPrefix: string, row: number, column: MappingColumn): string {
  return `${idPrefix}-mapping-${row}-${column}`;
}
