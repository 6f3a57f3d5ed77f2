import { isBuiltInSalesLineEntity, lineValue, type DynamicsLine, type DynamicsValue } from '../dynamics';
import { readOneflowField, type OneflowFieldSpec } from '../fieldCatalog';
import type { BaseValue } from '../link';
import type { OneflowProduct } from '../oneflow';
import type { ConflictNote, FieldChange, FieldNote, FieldNoteKind, Side } from '../plan';
import type { RuleId } from '../rules';
import { writesToDynamics } from '../settingsValidation';
import { DIRECTION_LABELS, type ConflictPolicy, type Direction, type FieldMapping } from '../settings';
import { ok, type Result } from '../result';
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
    case 'most_recent':
      return mostRecent(source, line, product, syncedAt);
  }
}

/** Policy `most_recent`: the side edited later since the last sync; `held` when nobody can tell. */
function mostRecent(
  source: Side,
  line: DynamicsLine,
  product: OneflowProduct,
  syncedAt: string | undefined,
): Side | 'held' {
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

function show(value: Canonical): string {
  return value === null ? 'empty' : `"${value}"`;
}

/** A field's two values, read and normalised, and whether they already agree. */
interface FieldReading {
  dynamics: Canonical;
  oneflow: Canonical;
  equal: boolean;
}

/** A field that flows in this action and differs: what the three-way merge and its outcome work from. */
interface FieldContext {
  input: FieldDecisionInput;
  reading: FieldReading;
  /** The mapping's direction, except on a catalog price (rule F4). */
  direction: Direction;
  source: Side;
  target: Side;
}

function noteOf(input: FieldDecisionInput, kind: FieldNoteKind, reason: string, rule?: RuleId): FieldNote {
  const { mapping } = input.codec;
  return {
    kind,
    rule: rule ?? (input.action === 'push' ? 'P1' : 'F3'),
    oneflowField: mapping.oneflowField,
    dynamicsField: mapping.dynamicsField,
    reason,
  };
}

function pending(note: FieldNote): FieldOutcome {
  return { kind: 'pending', note };
}

function valueOn(reading: FieldReading, side: Side): Canonical {
  return side === 'oneflow' ? reading.oneflow : reading.dynamics;
}

/** Both sides' values in comparable form, or why one of them cannot be read. */
function readField(input: FieldDecisionInput): Result<FieldReading> {
  const { codec, line, product, base } = input;
  const dynamics = codec.readDynamics(line);
  if (!dynamics.ok) return dynamics;
  const oneflow = codec.readOneflow(product);
  if (!oneflow.ok) return oneflow;
  const d = dynamics.value;
  const o = oneflow.value;
  // A line total and a per-unit discount in step at the last sync, and touched by nobody since, are still in
  // step when only rounding parts them (a quantity below 1): rewriting either would change a value nobody touched.
  const unchanged = base !== undefined && base.dynamics === d && base.oneflow === o;
  const equal = codec.agrees(d, o, line) || (unchanged && codec.agreesWithinRounding(d, o, line));
  return ok({ dynamics: d, oneflow: o, equal });
}

function settled(reading: FieldReading): FieldOutcome {
  return { kind: 'settled', base: { dynamics: reading.dynamics, oneflow: reading.oneflow } };
}

/** Fetch on a catalog line's price: Oneflow's price is never applied, and says so (rule F4). */
function catalogPriceFetch(input: FieldDecisionInput, reading: FieldReading): FieldOutcome {
  if (reading.equal) return settled(reading);
  const label = input.codec.spec.label;
  return pending(
    noteOf(
      input,
      'catalog_price',
      `${label} ${show(reading.oneflow)} from Oneflow is not applied: this line is a catalog product, so its price comes from the price list. Only write-in lines take prices from Oneflow.`,
      'F4',
    ),
  );
}

/** On a catalog line Oneflow's price can never come back, so Dynamics owns it (rule F4). */
function effectiveDirection(mapping: FieldMapping, catalogPrice: boolean): Direction {
  return catalogPrice && mapping.direction === 'two_way' ? 'dynamics_to_oneflow' : mapping.direction;
}

/**
 * Where each side stands against the base, the key of {@link THREE_WAY}: which side changed since the last sync
 * and, when both did, the side the field's conflict policy resolves it for.
 */
type MergeKey =
  'source' | 'neither' | 'target/two_way' | 'target/one_way' | 'both/source' | 'both/target' | 'both/held';

/** What the action does with a field that flows in its direction and differs. */
type Verdict = 'write' | 'restore' | 'keep_for_other_action' | 'overwrite_conflict' | 'keep_target' | 'hold';

/** The three-way merge against the base, rule by rule as docs/sync-rules.md states it ("Both sides changed"). */
const THREE_WAY: Record<MergeKey, Verdict> = {
  // A change on one side only flows to the other.
  source: 'write',
  // Both hold what they held at the last sync and still differ (a filled target was left as it was).
  neither: 'write',
  // A two-way field changed only in the target is not overwritten: the other action brings it over.
  'target/two_way': 'keep_for_other_action',
  // A one-way field edited in its target is restored, and the preview marks that it replaces an edit.
  'target/one_way': 'restore',
  // A change on both sides is a conflict, settled by the field's policy.
  'both/source': 'overwrite_conflict',
  'both/target': 'keep_target',
  'both/held': 'hold',
};

/** Which side changed since the base; no base means both did. */
function changedSides(input: FieldDecisionInput, reading: FieldReading): Record<Side, boolean> {
  const { base } = input;
  return {
    dynamics: base === undefined || base.dynamics !== reading.dynamics,
    oneflow: base === undefined || base.oneflow !== reading.oneflow,
  };
}

function mergeKey(
  changed: Record<Side, boolean>,
  context: FieldContext,
  resolve: () => Side | 'held',
): MergeKey {
  const { source, target } = context;
  if (changed[source] && changed[target]) {
    const resolvedFor = resolve();
    return resolvedFor === 'held' ? 'both/held' : resolvedFor === source ? 'both/source' : 'both/target';
  }
  if (changed[target]) return context.direction === 'two_way' ? 'target/two_way' : 'target/one_way';
  return changed[source] ? 'source' : 'neither';
}

function conflictOf(context: FieldContext): ConflictNote {
  const { input, reading } = context;
  const policy = input.codec.mapping.conflictPolicy;
  return {
    policy,
    resolvedFor: resolveConflict(policy, context.source, input.line, input.product, input.syncedAt),
    dynamics: reading.dynamics,
    oneflow: reading.oneflow,
    base: input.base ?? null,
  };
}

function rawOf(input: FieldDecisionInput, side: Side): unknown {
  const { mapping } = input.codec;
  return side === 'oneflow'
    ? readOneflowField(input.product, mapping.oneflowField)
    : lineValue(input.entity, input.line, mapping.dynamicsField);
}

function writesInto(input: FieldDecisionInput, side: Side): boolean {
  return input.codec.mapping.writeCondition === 'always' || isEmptyRaw(rawOf(input, side), input.codec.spec);
}

/** What the other action will do with the value this one keeps, said truthfully. */
function afterwards(context: FieldContext): string {
  const { input, direction, source } = context;
  const otherAction = input.action === 'push' ? 'fetch' : 'push';
  if (!flows(otherAction, direction)) {
    return `it stays as it is: ${DIRECTION_LABELS[direction]} never writes it into ${SIDE_LABELS[source]}`;
  }
  if (!writesInto(input, source)) {
    return `it stays as it is: it is written only into an empty field, and ${SIDE_LABELS[source]} has ${show(valueOn(context.reading, source))}`;
  }
  return `${otherAction === 'fetch' ? 'Fetch' : 'Push'} brings it over`;
}

function bothChanged(context: FieldContext): string {
  const { input, reading } = context;
  return `${input.codec.spec.label} changed in both Dynamics (${show(reading.dynamics)}) and Oneflow (${show(reading.oneflow)}) since the last sync`;
}

/** The outcome of a verdict that keeps both values as they are, with the note that says why. */
function kept(
  context: FieldContext,
  verdict: 'keep_for_other_action' | 'keep_target' | 'hold',
): FieldOutcome {
  const { input, target } = context;
  if (verdict === 'keep_for_other_action') {
    const changed = show(valueOn(context.reading, target));
    return pending(
      noteOf(
        input,
        'kept_for_other_action',
        `${input.codec.spec.label} changed in ${SIDE_LABELS[target]} (${changed}) since the last sync; ${afterwards(context)}`,
      ),
    );
  }
  const conflict = conflictOf(context);
  if (verdict === 'hold') {
    return pending({
      ...noteOf(input, 'held_for_review', `${bothChanged(context)}; held for you to choose`),
      conflict,
    });
  }
  const reason = `${bothChanged(context)}; the ${conflict.policy} policy keeps ${SIDE_LABELS[target]}'s value, and ${afterwards(context)}`;
  return pending({ ...noteOf(input, 'conflict_kept', reason), conflict });
}

/** How a write is marked in the preview: over a conflict, or over an edit on a side that does not own the field. */
type WriteMark = Pick<FieldChange, 'conflict' | 'replacesEdit'>;

/** The source's value written into the target, unless the target must be empty and is not. */
function written(context: FieldContext, mark: WriteMark): FieldOutcome {
  const { input, target } = context;
  if (!writesInto(input, target)) {
    return pending(
      noteOf(
        input,
        'target_not_empty',
        `${input.codec.spec.label} is written only into an empty field, and ${SIDE_LABELS[target]} already has ${show(valueOn(context.reading, target))}`,
      ),
    );
  }
  return input.action === 'push'
    ? pushWrite(input, context.reading, mark)
    : fetchWrite(input, context.reading, mark);
}

function pushWrite(input: FieldDecisionInput, reading: FieldReading, mark: WriteMark): FieldOutcome {
  const { codec, line } = input;
  const asOneflow = codec.toOneflow(reading.dynamics, line);
  if (!asOneflow.ok) return pending(noteOf(input, 'invalid_value', asOneflow.error));
  const value = codec.sentToOneflow(asOneflow.value, line);
  return {
    kind: 'write',
    value,
    base: { dynamics: reading.dynamics, oneflow: asOneflow.value },
    change: {
      oneflowField: codec.mapping.oneflowField,
      dynamicsField: codec.mapping.dynamicsField,
      side: 'oneflow',
      old: reading.oneflow,
      new: value,
      ...mark,
    },
  };
}

function fetchWrite(input: FieldDecisionInput, reading: FieldReading, mark: WriteMark): FieldOutcome {
  const { codec, line, entity } = input;
  const value = codec.toDynamics(reading.oneflow, line);
  if (!value.ok) return pending(noteOf(input, 'invalid_value', value.error));
  const normalized = codec.normalizeDynamics(value.value);
  return {
    kind: 'write',
    value: value.value,
    base: { dynamics: normalized.ok ? normalized.value : reading.dynamics, oneflow: reading.oneflow },
    change: {
      oneflowField: codec.mapping.oneflowField,
      dynamicsField: codec.mapping.dynamicsField,
      side: 'dynamics',
      old: lineValue(entity, line, codec.mapping.dynamicsField),
      new: value.value,
      ...mark,
    },
  };
}

/** The outcome of the three-way merge's verdict, with the note that explains a value not written. */
function outcomeOf(context: FieldContext, verdict: Verdict): FieldOutcome {
  switch (verdict) {
    case 'write':
      return written(context, {});
    case 'restore':
      return written(context, { replacesEdit: true });
    case 'overwrite_conflict':
      return written(context, { conflict: conflictOf(context) });
    default:
      return kept(context, verdict);
  }
}

/**
 * Decides one field of a linked pair as a three-way merge against the base: a change on one side only flows to
 * the other; a change on both sides is a conflict settled by the field's policy; a one-way field's source wins.
 */
export function decideField(input: FieldDecisionInput): FieldOutcome {
  const { action, entity, codec, line } = input;
  const read = readField(input);
  if (!read.ok) return pending(noteOf(input, 'invalid_value', read.error));
  const reading = read.value;
  const catalogPrice = isCatalogPrice(entity, codec.mapping, line);
  if (action === 'fetch' && catalogPrice && writesToDynamics(codec.mapping.direction)) {
    return catalogPriceFetch(input, reading);
  }
  const direction = effectiveDirection(codec.mapping, catalogPrice);
  if (!flows(action, direction)) return { kind: 'idle' };
  if (reading.equal) return settled(reading);
  const source: Side = action === 'push' ? 'dynamics' : 'oneflow';
  const context: FieldContext = { input, reading, direction, source, target: OTHER[source] };
  const key = mergeKey(changedSides(input, reading), context, () => conflictOf(context).resolvedFor);
  return outcomeOf(context, THREE_WAY[key]);
}
