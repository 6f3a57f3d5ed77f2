import type { FieldChange, FieldNote, Operation, SyncResultAnswer } from '../../api/contract';

type Plan = SyncResultAnswer['plan'];
type Side = FieldChange['side'];
type Value = FieldChange['new'];

/** One write the action makes: a field of a line written on one side, or a whole product added or removed. */
export interface PreviewChangeRow {
  kind: 'update' | 'create' | 'delete';
  lineId: string;
  lineName: string;
  /** The Oneflow field key, or null for a product removed as a whole. */
  field: string | null;
  from: Value;
  to: Value;
  /** The side written to. */
  side: Side;
  /** The side whose own edit since the last sync this write overwrites; null when it overwrites nothing. */
  overwrites: Side | null;
  /** Explanations the plan attaches to this field (how a discount was recalculated, …). */
  notes: string[];
}

/** Something the action leaves alone, and why. */
export interface PreviewSkipRow {
  lineId: string | null;
  lineName: string | null;
  field: string | null;
  kind: FieldNote['kind'] | 'skip';
  reason: string;
}

export interface PreviewRows {
  changes: PreviewChangeRow[];
  skips: PreviewSkipRow[];
}

/** How a line is named in the dialogs: its name when known, else the start of its id. */
export function lineLabel(lineId: string, lineNames: Readonly<Record<string, string>>): string {
  return lineNames[lineId] ?? lineId.slice(0, 8);
}

/** Names the plan itself carries: a product created gets its Oneflow name from the line. */
export function lineNamesOfPlan(plan: Plan): Record<string, string> {
  const names: Record<string, string> = {};
  for (const operation of plan.operations) {
    if (operation.kind === 'create_product' || operation.kind === 'update_product') {
      const name = operation.values.name;
      if (typeof name === 'string' && name !== '') names[operation.lineId] = name;
    }
  }
  return names;
}

function changeRow(
  kind: PreviewChangeRow['kind'],
  lineId: string,
  lineName: string,
  change: FieldChange,
  notes: readonly FieldNote[],
): PreviewChangeRow {
  return {
    kind,
    lineId,
    lineName,
    field: change.oneflowField,
    from: change.old,
    to: change.new,
    side: change.side,
    // Both flags mean the written side had its own edit since the last sync: this write replaces it.
    overwrites: change.conflict !== undefined || change.replacesEdit === true ? change.side : null,
    notes: notes
      .filter((note) => note.kind === 'info' && note.oneflowField === change.oneflowField)
      .map((note) => note.reason),
  };
}

function skipRowsOf(operation: Operation, lineName: string | null): PreviewSkipRow[] {
  const lineId = operation.lineId;
  const skipNotes = operation.notes.filter((note) => note.kind !== 'info');
  const rows = skipNotes.map<PreviewSkipRow>((note) => ({
    lineId,
    lineName,
    field: note.oneflowField,
    kind: note.kind,
    reason: note.reason,
  }));
  // A skip whose notes say why speaks through them; its own reason ("nothing to write") would only repeat them.
  if (operation.kind === 'skip' && rows.length === 0) {
    rows.push({ lineId, lineName, field: null, kind: 'skip', reason: operation.reason });
  }
  return rows;
}

/** Every write and every skip of a plan, in the plan's order, as the preview table lists them. */
export function previewRows(plan: Plan, lineNames: Readonly<Record<string, string>> = {}): PreviewRows {
  const names = { ...lineNamesOfPlan(plan), ...lineNames };
  const changes: PreviewChangeRow[] = [];
  const skips: PreviewSkipRow[] = [];
  for (const operation of plan.operations) {
    const name = operation.lineId === null ? null : lineLabel(operation.lineId, names);
    switch (operation.kind) {
      case 'create_product':
      case 'update_product':
      case 'update_line': {
        const kind = operation.kind === 'create_product' ? 'create' : 'update';
        for (const change of operation.changes) {
          changes.push(changeRow(kind, operation.lineId, name ?? '', change, operation.notes));
        }
        break;
      }
      case 'delete_product':
        changes.push({
          kind: 'delete',
          lineId: operation.lineId,
          lineName: name ?? '',
          field: null,
          from: null,
          to: null,
          side: 'oneflow',
          overwrites: null,
          notes: [],
        });
        break;
      case 'skip':
        break;
    }
    skips.push(...skipRowsOf(operation, name));
  }
  return { changes, skips };
}

/** The number of changes an action writes, as its confirm button says it: one per row of the preview. */
export function changeCount(plan: Plan): number {
  return previewRows(plan).changes.length;
}

function writeKeys(plan: Plan): Set<string> {
  return new Set(
    previewRows(plan).changes.map((row) =>
      JSON.stringify([row.kind, row.lineId, row.field, row.side, row.to]),
    ),
  );
}

/**
 * Whether what was applied differs from what the preview showed (the server plans again when applying): the
 * writes are compared as (line, field, new value) tuples, so a different order is no difference.
 */
export function previewDiffers(preview: Plan, applied: Plan): boolean {
  const before = writeKeys(preview);
  const after = writeKeys(applied);
  if (before.size !== after.size) return true;
  for (const key of after) if (!before.has(key)) return true;
  return false;
}
