import { isBuiltInSalesLineEntity, lineValue, type DynamicsLine, type DynamicsValue } from '../dynamics';
import { readOneflowField, type OneflowFieldSpec } from '../fieldCatalog';
import type { BaseValue } from '../link';
import type { OneflowProduct } from '../oneflow';
import type { ConflictNote, FieldChange, FieldNote, FieldNoteKind, Side } from '../plan';
import type { RuleId } from '../rules';
import { writesToDynamics } from '../settingsValidation';
import { DIRECTION_LABELS, type ConflictPolicy, type Direction, type FieldMapping } from '../settings';
import { isZero, normalizeDecimal, normalizeRichText, normalizeText, type Canonical } from '../values';
import type { FieldCodec } from './codec';

/** What one mapped field of one linked pair does in an action, and the base it leaves behind. */
export type FieldOutcome =
  /** Nothing to write, the values are equal: the base moves to the current values. */
  | { kind: 'settled'; base: BaseValue }
  | { kind: 'write'; change: FieldChange; value: DynamicsValue; base: BaseValue }
  /** Not written now and still pending: the base stays where it was. */
  | { kind: 'pending'; note: FieldNote }
  /** The field does not flow in this action's direction. */
  | { kind: 'idle' };

export interface FieldDecisionInput {
  action: 'push' | 'fetch';
  entity: string;
  codec: FieldCodec;
  line: DynamicsLine;
  product: OneflowProduct;
  base: BaseValue | undefined;
  /** When the pair was last synced (the link's `syncedAt`): record times up to it are not edits since. */
  syncedAt: string | undefined;
}

const SIDE_LABELS: Record<Side, string> = { dynamics: 'Dynamics', oneflow: 'Oneflow' };
const OTHER: Record<Side, Side> = { dynamics: 'oneflow', oneflow: 'dynamics' };

function flows(action: 'push' | 'fetch', direction: Direction): boolean {
  return action === 'push'
    ? direction === 'dynamics_to_oneflow' || direction === 'two_way'
    : writesToDynamics(direction);
}

/** Price per unit of a catalog line on a built-in sales line: the price list owns it (rule F4). */
function isCatalogPrice(entity: string, mapping: FieldMapping, line: DynamicsLine): boolean {
  return isBuiltInSalesLineEntity(entity) && mapping.dynamicsField === 'priceperunit' && !line.isWriteIn;
}

/** Empty for `only_if_target_empty`: no text, or an amount that is absent or exactly zero (before rounding). */
function isEmptyRaw(raw: unknown, spec: OneflowFieldSpec): boolean {
  if (spec.kind === 'text') {
    const text = spec.richText ? normalizeRichText(raw) : normalizeText(raw);
    return text.ok && text.value === null;
  }
  const amount = normalizeDecimal(raw, EXACT);
  return amount.ok && isZero(amount.value);
}

/** Enough places to tell any real amount from zero. */
const EXACT = 10;

/** Which side a conflict goes to under a field's policy; `held` waits for a person. */
function resolveConflict(
  policy: ConflictPolicy,
  source: Side,
  line: DynamicsLine,
  product: OneflowProduct,
  syncedAt: string | undefined,
): Side | 'held' {
  switch (policy) {
    case 'by_action':
      return source;
    case 'dynamics_wins':
      return 'dynamics';
    case 'oneflow_wins':
      return 'oneflow';
    case 'review':
      return 'held';
    case 'most_recent': {
      const dynamicsTime = Date.parse(line.modifiedOn);
      const oneflowTime = Date.parse(product._private_ownerside?.updated_time ?? '');
      // Without both times nobody can say which edit is newer: a person decides.
      if (Number.isNaN(dynamicsTime) || Number.isNaN(oneflowTime)) return 'held';
      // Record times, not field times: our own writes at the last sync move them too. A record not edited
      // after the last sync says nothing about when its value changed, so only edits since the sync count.
      const syncedTime = syncedAt === undefined ? Number.NaN : Date.parse(syncedAt);
      const dynamicsSince = Number.isNaN(syncedTime) || dynamicsTime > syncedTime;
      const oneflowSince = Number.isNaN(syncedTime) || oneflowTime > syncedTime;
      if (!dynamicsSince && !oneflowSince) return 'held';
      if (dynamicsSince !== oneflowSince) return dynamicsSince ? 'dynamics' : 'oneflow';
      if (dynamicsTime === oneflowTime) return source;
      return dynamicsTime > oneflowTime ? 'dynamics' : 'oneflow';
    }
  }
}

function show(value: Canonical): string {
  return value === null ? 'empty' : `"${value}"`;
}

/**
 * Decides one field of a linked pair as a three-way merge against the base: a change on one side only flows to
 * the other; a change on both sides is a conflict settled by the field's policy; a one-way field's source wins.
 */
export function decideField(input: FieldDecisionInput): FieldOutcome {
  const { action, entity, codec, line, product, base, syncedAt } = input;
  const { mapping, spec } = codec;
  const rule: RuleId = action === 'push' ? 'P1' : 'F3';
  const note = (kind: FieldNoteKind, reason: string, ruleId: RuleId = rule): FieldNote => ({
    kind,
    rule: ruleId,
    oneflowField: mapping.oneflowField,
    dynamicsField: mapping.dynamicsField,
    reason,
  });

  const dynamics = codec.readDynamics(line);
  if (!dynamics.ok) return { kind: 'pending', note: note('invalid_value', dynamics.error) };
  const oneflow = codec.readOneflow(product);
  if (!oneflow.ok) return { kind: 'pending', note: note('invalid_value', oneflow.error) };
  const d = dynamics.value;
  const o = oneflow.value;
  const dAsOneflow = codec.toOneflow(d, line);
  // A line total and a per-unit discount in step at the last sync, and touched by nobody since, are still in
  // step when only rounding parts them (a quantity below 1): rewriting either would change a value nobody touched.
  const unchanged = base !== undefined && base.dynamics === d && base.oneflow === o;
  const equal = codec.agrees(d, o, line) || (unchanged && codec.agreesWithinRounding(d, o, line));
  const current: BaseValue = { dynamics: d, oneflow: o };

  const catalogPrice = isCatalogPrice(entity, mapping, line);
  if (action === 'fetch' && catalogPrice && writesToDynamics(mapping.direction)) {
    if (equal) return { kind: 'settled', base: current };
    return {
      kind: 'pending',
      note: note(
        'catalog_price',
        `${spec.label} ${show(o)} from Oneflow is not applied: this line is a catalog product, so its price comes from the price list. Only write-in lines take prices from Oneflow.`,
        'F4',
      ),
    };
  }
  // On a catalog line Oneflow's price can never come back, so Dynamics owns it (rule F4).
  const direction: Direction =
    catalogPrice && mapping.direction === 'two_way' ? 'dynamics_to_oneflow' : mapping.direction;
  if (!flows(action, direction)) return { kind: 'idle' };
  if (equal) return { kind: 'settled', base: current };

  const source: Side = action === 'push' ? 'dynamics' : 'oneflow';
  const target = OTHER[source];
  const dynamicsChanged = base === undefined || base.dynamics !== d;
  const oneflowChanged = base === undefined || base.oneflow !== o;
  const sourceChanged = source === 'dynamics' ? dynamicsChanged : oneflowChanged;
  const targetChanged = source === 'dynamics' ? oneflowChanged : dynamicsChanged;
  const rawOf = (side: Side): unknown =>
    side === 'oneflow'
      ? readOneflowField(product, mapping.oneflowField)
      : lineValue(entity, line, mapping.dynamicsField);
  const writesInto = (side: Side): boolean =>
    mapping.writeCondition === 'always' || isEmptyRaw(rawOf(side), spec);
  /** What the other action will do with the value this one keeps, said truthfully. */
  const afterwards = (): string => {
    const otherAction = action === 'push' ? 'Fetch' : 'Push';
    if (!flows(action === 'push' ? 'fetch' : 'push', direction)) {
      return `it stays as it is: ${DIRECTION_LABELS[direction]} never writes it into ${SIDE_LABELS[source]}`;
    }
    if (!writesInto(source)) {
      return `it stays as it is: it is written only into an empty field, and ${SIDE_LABELS[source]} has ${show(source === 'oneflow' ? o : d)}`;
    }
    return `${otherAction} brings it over`;
  };

  let conflict: ConflictNote | undefined;
  if (sourceChanged && targetChanged) {
    const resolvedFor = resolveConflict(mapping.conflictPolicy, source, line, product, syncedAt);
    conflict = { policy: mapping.conflictPolicy, resolvedFor, dynamics: d, oneflow: o, base: base ?? null };
    const both = `${spec.label} changed in both Dynamics (${show(d)}) and Oneflow (${show(o)}) since the last sync`;
    if (resolvedFor === 'held') {
      return {
        kind: 'pending',
        note: { ...note('held_for_review', `${both}; held for you to choose`), conflict },
      };
    }
    if (resolvedFor === target) {
      return {
        kind: 'pending',
        note: {
          ...note(
            'conflict_kept',
            `${both}; the ${mapping.conflictPolicy} policy keeps ${SIDE_LABELS[target]}'s value, and ${afterwards()}`,
          ),
          conflict,
        },
      };
    }
  } else if (targetChanged && direction === 'two_way') {
    const changed = target === 'oneflow' ? o : d;
    return {
      kind: 'pending',
      note: note(
        'kept_for_other_action',
        `${spec.label} changed in ${SIDE_LABELS[target]} (${show(changed)}) since the last sync; ${afterwards()}`,
      ),
    };
  }

  const targetValue = target === 'oneflow' ? o : d;
  if (!writesInto(target)) {
    return {
      kind: 'pending',
      note: note(
        'target_not_empty',
        `${spec.label} is written only into an empty field, and ${SIDE_LABELS[target]} already has ${show(targetValue)}`,
      ),
    };
  }

  const extra = {
    ...(conflict ? { conflict } : {}),
    ...(!conflict && targetChanged ? { replacesEdit: true as const } : {}),
  };
  if (action === 'push') {
    if (!dAsOneflow.ok) return { kind: 'pending', note: note('invalid_value', dAsOneflow.error) };
    const value = codec.sentToOneflow(dAsOneflow.value, line);
    return {
      kind: 'write',
      value,
      base: { dynamics: d, oneflow: dAsOneflow.value },
      change: {
        oneflowField: mapping.oneflowField,
        dynamicsField: mapping.dynamicsField,
        side: 'oneflow',
        old: o,
        new: value,
        ...extra,
      },
    };
  }
  const written = codec.toDynamics(o, line);
  if (!written.ok) return { kind: 'pending', note: note('invalid_value', written.error) };
  const normalized = codec.normalizeDynamics(written.value);
  return {
    kind: 'write',
    value: written.value,
    base: { dynamics: normalized.ok ? normalized.value : d, oneflow: o },
    change: {
      oneflowField: mapping.oneflowField,
      dynamicsField: mapping.dynamicsField,
      side: 'dynamics',
      old: lineValue(entity, line, mapping.dynamicsField),
      new: written.value,
      ...extra,
    },
  };
}
