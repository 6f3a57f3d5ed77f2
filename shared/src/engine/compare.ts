import type { CompareAnswer, CompareCounts, CompareField, CompareLine, CompareStatus } from '../api/compare';
import { COMPARE_STATUSES } from '../api/compare';
import type { FieldChange, FieldNote, Operation, SyncPlan } from '../plan';
import { DIRECTION_LABELS } from '../settings';
import type { Canonical } from '../values';
import type { FieldCodec } from './codec';
import { buildContext, type LinePair, type LocatedProduct, type PlanInput } from './context';
import { isQuantityCodec } from './lineDiscount';
import { planFetch, planPush } from './planners';

/** What the compare needs besides the plan's inputs: the contract as Oneflow describes it, and the record. */
export interface CompareSubject {
  contract: { state: CompareAnswer['contract']['state']; name: string | null };
  recordId: string;
}

/** Both plans' operations that concern one line, by line id. */
type OperationsByLine = Map<string, Operation>;

function byLine(plan: SyncPlan): OperationsByLine {
  const operations: OperationsByLine = new Map();
  for (const operation of plan.operations) {
    if (operation.lineId !== null) operations.set(operation.lineId, operation);
  }
  return operations;
}

function changesOf(operation: Operation | undefined): FieldChange[] {
  return operation && 'changes' in operation ? operation.changes : [];
}

function read(result: { ok: true; value: Canonical } | { ok: false }): Canonical {
  return result.ok ? result.value : null;
}

/** Notes that stop a field, not those that explain a write (`info`) or point at the other action. */
const STOPPING: ReadonlySet<FieldNote['kind']> = new Set([
  'conflict_kept',
  'catalog_price',
  'target_not_empty',
  'invalid_value',
]);

interface FieldVerdict {
  status: CompareStatus;
  conflict: boolean;
  reason: string | null;
}

/**
 * Both actions write a field nobody changed: a line discount following its line's quantity (a push spreads the
 * line total over the contract's quantity, a fetch keeps the contract's per-unit discount). It goes the way the
 * quantity goes, and the reason says what each action would do.
 */
function followsQuantity(
  quantity: CompareStatus | undefined,
  info: { push: string | null; fetch: string | null },
): FieldVerdict {
  const pushSays = info.push === null ? [] : [`Push: ${info.push}`];
  const fetchSays = info.fetch === null ? [] : [`Fetch: ${info.fetch}`];
  const said = (first: 'push' | 'fetch'): string =>
    (first === 'push' ? [...pushSays, ...fetchSays] : [...fetchSays, ...pushSays]).join(' ');
  if (quantity === 'will_fetch') return { status: 'will_fetch', conflict: false, reason: said('fetch') };
  if (quantity === 'will_push') return { status: 'will_push', conflict: false, reason: said('push') };
  return { status: 'conflict', conflict: false, reason: said('push') };
}

/**
 * A linked field's status, read from what the two plans do with it: a field either action writes has that
 * action's status; a field changed on both sides that both write is a conflict each action settles its own way;
 * held and stopped fields say why. A field neither plan mentions agrees, unless it never moves after the
 * contract was created. `quantity` is the status of the line's quantity, which a line discount follows.
 */
function verdict(
  codec: FieldCodec,
  pair: LinePair,
  values: { dynamics: Canonical; oneflow: Canonical; readable: boolean },
  plans: { push: Operation | undefined; fetch: Operation | undefined; quantity?: CompareStatus },
): FieldVerdict {
  const { push, fetch } = plans;
  const key = codec.mapping.oneflowField;
  const pushed = changesOf(push).find((change) => change.oneflowField === key);
  const fetched = changesOf(fetch).find((change) => change.oneflowField === key);
  const ofField = (operation: Operation | undefined) =>
    (operation?.notes ?? []).filter((note) => note.oneflowField === key);
  const notes = [...ofField(push), ...ofField(fetch)];
  const conflict =
    pushed?.conflict !== undefined ||
    fetched?.conflict !== undefined ||
    notes.some((note) => note.conflict !== undefined);
  const joined = (found: readonly FieldNote[]): string | null =>
    found.length > 0 ? found.map((note) => note.reason).join(' ') : null;
  const reasons = (kinds: (kind: FieldNote['kind']) => boolean): string | null =>
    joined(notes.filter((note) => kinds(note.kind)));

  const held = notes.find((note) => note.kind === 'held_for_review');
  if (held) return { status: 'conflict_held', conflict: true, reason: held.reason };
  if (pushed && fetched && !conflict) {
    const info = (operation: Operation | undefined) =>
      joined(ofField(operation).filter((note) => note.kind === 'info'));
    return followsQuantity(plans.quantity, { push: info(push), fetch: info(fetch) });
  }
  if (pushed && fetched) {
    return {
      status: 'conflict',
      conflict: true,
      reason: `${codec.spec.label} changed in both Dynamics and Oneflow since the last sync: Push keeps Dynamics' value, Fetch keeps Oneflow's`,
    };
  }
  // A field one action writes says why, then why the other action leaves it (a catalog line's price is never
  // fetched; a line discount stays in a push while the contract keeps another quantity).
  const explained = (writer: Operation | undefined, other: Operation | undefined): string | null =>
    joined([
      ...ofField(writer).filter((note) => note.kind === 'info'),
      ...ofField(other).filter((note) => note.kind === 'info' || STOPPING.has(note.kind)),
    ]);
  if (pushed) return { status: 'will_push', conflict, reason: explained(push, fetch) };
  if (fetched) return { status: 'will_fetch', conflict, reason: explained(fetch, push) };
  const stopped = reasons((kind) => STOPPING.has(kind));
  if (stopped) return { status: 'skipped', conflict, reason: stopped };
  const waiting = reasons((kind) => kind === 'kept_for_other_action');
  if (waiting) return { status: 'skipped', conflict, reason: waiting };

  const { dynamics, oneflow } = values;
  const base = pair.link?.base[key];
  const untouched = base !== undefined && base.dynamics === dynamics && base.oneflow === oneflow;
  const agree =
    values.readable &&
    (codec.agrees(dynamics, oneflow, pair.line) ||
      (untouched && codec.agreesWithinRounding(dynamics, oneflow, pair.line)));
  if (agree) return { status: 'in_sync', conflict: false, reason: null };
  // Values that differ with nothing planned: the line is refused whole (values Oneflow would not take together),
  // or the field never moves after the contract was created.
  const lineNotes = (push?.notes ?? []).filter((note) => note.oneflowField === null);
  if (push && lineNotes.length > 0) {
    return {
      status: 'skipped',
      conflict,
      reason: [push.reason, ...lineNotes.map((note) => note.reason)].join(': '),
    };
  }
  return {
    status: 'skipped',
    conflict,
    reason: `${DIRECTION_LABELS[codec.mapping.direction]}: written only when the contract is created, never by Push or Fetch`,
  };
}

function fieldOf(
  codec: FieldCodec,
  pair: LinePair,
  product: LocatedProduct | undefined,
  status: (values: { dynamics: Canonical; oneflow: Canonical; readable: boolean }) => FieldVerdict,
): CompareField {
  const { mapping, spec } = codec;
  const dynamicsRead = codec.readDynamics(pair.line);
  const oneflowRead = product ? codec.readOneflow(product.product) : null;
  const values = {
    dynamics: read(dynamicsRead),
    oneflow: oneflowRead ? read(oneflowRead) : null,
    readable: dynamicsRead.ok && (oneflowRead?.ok ?? false),
  };
  return {
    oneflowField: mapping.oneflowField,
    dynamicsField: mapping.dynamicsField,
    label: spec.label,
    direction: mapping.direction,
    conflictPolicy: mapping.conflictPolicy,
    dynamics: values.dynamics,
    oneflow: values.oneflow,
    base: pair.link?.base[mapping.oneflowField] ?? null,
    ...status(values),
  };
}

/**
 * The compare: for every Dynamics line and mapped field, both sides' current values, the base and a status,
 * derived from the plans a push and a fetch would make now from the same reads, so the compare never says
 * something the actions would not do.
 */
export function compareContract(input: PlanInput, subject: CompareSubject): CompareAnswer {
  const push = planPush(input);
  const fetch = planFetch(input);
  const context = buildContext('push', input);
  const refusal = push.operations.find(
    (operation) => operation.rule === 'OFF' || operation.rule === 'SETTINGS',
  );
  const pushByLine = byLine(push);
  const fetchByLine = byLine(fetch);
  const nameCodec = (codecs: FieldCodec[]) => codecs.find((codec) => codec.mapping.oneflowField === 'name');

  const lines = context.pairs.map((pair): CompareLine => {
    const located = pair.link && pair.product ? pair.product : undefined;
    const group = located?.group ?? context.targetGroup;
    const codecs = group ? context.codecsFor(group) : [];
    const pushOperation = pushByLine.get(pair.line.id);
    const fetchOperation = fetchByLine.get(pair.line.id);
    const state: CompareLine['state'] = located ? 'linked' : pair.link ? 'deleted_in_oneflow' : 'not_linked';
    const compared = (codec: FieldCodec, quantity?: CompareStatus) =>
      fieldOf(codec, pair, located, (values): FieldVerdict => {
        if (refusal) return { status: 'skipped', conflict: false, reason: refusal.reason };
        if (state !== 'linked') return { status: state, conflict: false, reason: null };
        return verdict(codec, pair, values, { push: pushOperation, fetch: fetchOperation, quantity });
      });
    // The quantity first: a line discount goes the way it goes (lineDiscount.ts).
    const quantityCodec = codecs.find(isQuantityCodec);
    const quantity = quantityCodec && compared(quantityCodec);
    const fields = codecs.map((codec) =>
      codec === quantityCodec && quantity ? quantity : compared(codec, quantity?.status),
    );
    const named = nameCodec(codecs);
    const dynamicsName = named ? read(named.readDynamics(pair.line)) : null;
    return {
      lineId: pair.line.id,
      productId: located?.product.id ?? null,
      name: dynamicsName ?? located?.product.name ?? null,
      state,
      push: state === 'linked' || refusal ? null : (pushOperation?.reason ?? null),
      notes: (pushOperation?.notes ?? [])
        .filter((note) => note.oneflowField === null)
        .map((note) => note.reason),
      fields,
    };
  });

  const addedInOneflow = context.unlinkedProducts.map(({ product, group }) => ({
    productId: product.id,
    name: product.name,
    values: context.codecsFor(group).map((codec) => ({
      oneflowField: codec.mapping.oneflowField,
      label: codec.spec.label,
      value: read(codec.readOneflow(product)),
    })),
  }));
  const deletedInDynamics = push.operations.flatMap((operation) =>
    operation.kind === 'delete_product'
      ? [
          {
            lineId: operation.lineId,
            productId: operation.productId,
            name:
              context.orphanLinks.find((orphan) => orphan.link.lineId === operation.lineId)?.product?.product
                .name ?? '',
            reason: operation.reason,
          },
        ]
      : [],
  );

  return {
    contract: { id: input.contract.id, ...subject.contract },
    mainEntity: input.settings.mainEntity,
    recordId: subject.recordId,
    comparedAt: context.now,
    productsEnabled: input.settings.productsEnabled,
    refused: refusal?.reason ?? null,
    counts: countsOf(lines, addedInOneflow.length, deletedInDynamics.length, push, fetch),
    lines,
    addedInOneflow,
    deletedInDynamics,
  };
}

function countsOf(
  lines: CompareLine[],
  added: number,
  removed: number,
  push: SyncPlan,
  fetch: SyncPlan,
): CompareCounts {
  const linked = lines.filter((line) => line.state === 'linked');
  const fields = Object.fromEntries(COMPARE_STATUSES.map((status) => [status, 0])) as Record<
    CompareStatus,
    number
  >;
  for (const field of linked.flatMap((line) => line.fields)) fields[field.status] += 1;
  return {
    lines: lines.length,
    linked: linked.length,
    notLinked: lines.filter((line) => line.state === 'not_linked').length,
    deletedInOneflow: lines.filter((line) => line.state === 'deleted_in_oneflow').length,
    linesInSync: linked.filter((line) => line.fields.every((field) => field.status === 'in_sync')).length,
    fields,
    addedInOneflow: added,
    deletedInDynamics: removed,
    push: {
      creates: push.summary.productsCreated,
      updates: push.summary.productsUpdated,
      deletes: push.summary.productsDeleted,
    },
    fetch: { updates: fetch.summary.linesUpdated },
  };
}
