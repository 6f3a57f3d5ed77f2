import type { DynamicsLine, DynamicsValue } from '../dynamics';
import type { OneflowFieldKey } from '../fieldCatalog';
import type { BaseValue, Link, PlannedLink } from '../link';
import type { FieldChange, FieldNote, Operation, SyncPlan } from '../plan';
import type { Canonical } from '../values';
import {
  activeLink,
  buildContext,
  finishPlan,
  refusal,
  type LinePair,
  type LocatedProduct,
  type PlanContext,
  type PlanInput,
} from './context';
import type { FieldCodec } from './codec';
import { decideField } from './fieldDecision';
import { decideLineDiscount, isQuantityCodec, lineForDiscount } from './lineDiscount';
import { enforceProductLimit, planCreate, productProblems, withValues, type Planned } from './products';

type Base = Partial<Record<OneflowFieldKey, BaseValue>>;
type LinkedPair = LinePair & { link: Link; product: LocatedProduct };

function isLinked(pair: LinePair): pair is LinkedPair {
  return pair.link !== undefined && pair.product !== undefined;
}

function skip(
  rule: Operation['rule'],
  reason: string,
  lineId: string | null,
  productId: number | null,
  notes: FieldNote[] = [],
): Operation {
  return { kind: 'skip', rule, reason, lineId, productId, notes };
}

function collect(context: PlanContext, planned: Planned[]): SyncPlan {
  return finishPlan(
    context,
    planned.flatMap((entry) => (entry.operation ? [entry.operation] : [])),
    planned.flatMap((entry) => (entry.link ? [entry.link] : [])),
  );
}

function untouchedProducts(context: PlanContext, rule: 'P4' | 'F2', reason: string): Planned[] {
  return context.unlinkedProducts.map((located) => ({
    operation: skip(rule, `"${located.product.name}" ${reason}`, null, located.product.id),
  }));
}

/** Every mapped field of a linked pair, decided for push or fetch: the writes, the notes, the base afterwards. */
function decidePair(context: PlanContext, action: 'push' | 'fetch', pair: LinkedPair) {
  const values: Record<string, DynamicsValue> = {};
  const changes: FieldChange[] = [];
  const notes: FieldNote[] = [];
  const base: Base = { ...pair.link.base };
  const writtenBase: Base = {};
  const product = pair.product.product;
  const decide = (codec: FieldCodec, line: DynamicsLine, as: 'push' | 'fetch' = action) =>
    decideField({
      action: as,
      entity: context.entity,
      codec,
      line,
      product,
      base: pair.link.base[codec.mapping.oneflowField],
      syncedAt: pair.link.syncedAt,
    });
  const codecs = context.codecsFor(pair.product.group);
  // The quantity first: a line discount converts at the quantity the contract has afterwards (lineDiscount.ts).
  const quantityCodec = codecs.find(isQuantityCodec);
  const quantityOutcome = quantityCodec && decide(quantityCodec, pair.line);
  const discountLine = lineForDiscount(action, pair.line, product, quantityCodec, quantityOutcome);
  const quantityFetched =
    action === 'push' &&
    quantityCodec !== undefined &&
    decide(quantityCodec, pair.line, 'fetch').kind === 'write';
  for (const codec of codecs) {
    const key = codec.mapping.oneflowField;
    const decided =
      codec === quantityCodec && quantityOutcome
        ? { outcome: quantityOutcome, note: null }
        : decideLineDiscount({
            action,
            codec,
            entity: context.entity,
            line: pair.line,
            discountLine,
            product,
            base: pair.link.base[key],
            outcome: decide(codec, codec.lineDiscount ? discountLine : pair.line),
            quantityFetched,
          });
    const { outcome } = decided;
    if (outcome.kind === 'settled') {
      base[key] = outcome.base;
    } else if (outcome.kind === 'write') {
      values[action === 'push' ? key : codec.mapping.dynamicsField] = outcome.value;
      writtenBase[key] = outcome.base;
      changes.push(outcome.change);
    } else if (outcome.kind === 'pending') {
      notes.push(outcome.note);
    }
    if (decided.note) notes.push(decided.note);
  }
  return { values, changes, notes, base, writtenBase };
}

function pushPair(context: PlanContext, pair: LinkedPair): Planned {
  const { line } = pair;
  const { product } = pair.product;
  const decided = decidePair(context, 'push', pair);
  const link = (base: Base): PlannedLink => activeLink(context, line.id, product.id, base);
  if (decided.changes.length === 0) {
    return {
      operation:
        decided.notes.length > 0
          ? skip('P1', `"${product.name}": nothing to write`, line.id, product.id, decided.notes)
          : undefined,
      link: link(decided.base),
    };
  }
  const values = decided.values as Partial<Record<OneflowFieldKey, Canonical>>;
  const problems = productProblems(withValues(product, values)).map((problem): FieldNote => ({
    kind: 'invalid_value',
    rule: 'P1',
    oneflowField: null,
    dynamicsField: null,
    reason: problem,
  }));
  if (problems.length > 0) {
    return {
      operation: skip(
        'P1',
        `"${product.name}" is not updated until these values are fixed`,
        line.id,
        product.id,
        [...decided.notes, ...problems],
      ),
      link: link(decided.base),
    };
  }
  return {
    operation: {
      kind: 'update_product',
      rule: 'P1',
      reason: `Update "${product.name}" in Oneflow`,
      lineId: line.id,
      productId: product.id,
      values,
      changes: decided.changes,
      notes: decided.notes,
    },
    link: link({ ...decided.base, ...decided.writtenBase }),
  };
}

function fetchPair(context: PlanContext, pair: LinkedPair): Planned {
  const { line } = pair;
  const { product } = pair.product;
  const decided = decidePair(context, 'fetch', pair);
  if (decided.changes.length === 0) {
    return {
      operation:
        decided.notes.length > 0
          ? skip('F3', `"${product.name}": nothing to write`, line.id, product.id, decided.notes)
          : undefined,
      link: activeLink(context, line.id, product.id, decided.base),
    };
  }
  return {
    operation: {
      kind: 'update_line',
      rule: 'F3',
      reason: `Update the Dynamics line from "${product.name}"`,
      lineId: line.id,
      productId: product.id,
      etag: line.etag,
      values: decided.values,
      changes: decided.changes,
      notes: decided.notes,
    },
    link: activeLink(context, line.id, product.id, { ...decided.base, ...decided.writtenBase }),
  };
}

/**
 * A product an earlier, interrupted transfer already made (found by custom_id): it gets every mapped field, as a
 * new product would, and is linked instead of being made twice.
 */
function completeEarlierTransfer(context: PlanContext, pair: LinkedPair): Planned {
  const { product, group } = pair.product;
  const created = planCreate(context, pair, 'T1', '', group);
  if (created.operation?.kind !== 'create_product') return created;
  const codecs = new Map(context.codecsFor(group).map((codec) => [codec.mapping.oneflowField, codec]));
  const changes = created.operation.changes.flatMap((change) => {
    const current = codecs.get(change.oneflowField)?.readOneflow(product);
    const old = current?.ok ? current.value : null;
    return old === change.new ? [] : [{ ...change, old }];
  });
  const link = activeLink(context, pair.line.id, product.id, created.link?.base ?? {});
  if (changes.length === 0) return { link };
  return {
    operation: {
      kind: 'update_product',
      rule: 'T1',
      reason: `"${product.name}" was added by an earlier attempt; bring every field up to date`,
      lineId: pair.line.id,
      productId: product.id,
      values: Object.fromEntries(changes.map((change) => [change.oneflowField, change.new])),
      changes,
      notes: [],
    },
    link,
  };
}

/** Create contract (T1): every line becomes an Oneflow product with every mapped field, sync-once ones included. */
export function planInitialTransfer(input: PlanInput): SyncPlan {
  const refused = refusal('initial_transfer', input);
  if (refused) return refused;
  const context = buildContext('initial_transfer', input);
  const planned = context.pairs.map((pair) =>
    isLinked(pair)
      ? completeEarlierTransfer(context, pair)
      : planCreate(context, pair, 'T1', 'Add the line to the contract'),
  );
  // Lines deleted since an earlier attempt keep their links, so the next push removes their products (P3).
  for (const { link, product } of context.orphanLinks) {
    if (product) planned.push({ link: { ...link, productId: product.product.id } });
  }
  planned.push(...untouchedProducts(context, 'P4', 'was already in the contract; left untouched'));
  return collect(context, enforceProductLimit(context, planned));
}

/** Push updates to Oneflow (P1–P5): the product table comes to match the Dynamics lines. */
export function planPush(input: PlanInput): SyncPlan {
  const refused = refusal('push', input);
  if (refused) return refused;
  const context = buildContext('push', input);
  // Deletes come first, so the contract stays within Oneflow's product limit at every step of applying.
  const planned: Planned[] = context.orphanLinks.flatMap(({ link, product }): Planned[] =>
    // A link whose product is gone too is simply dropped.
    product
      ? [
          {
            operation: {
              kind: 'delete_product',
              rule: 'P3',
              reason: `The line was deleted in Dynamics: remove "${product.product.name}" from Oneflow`,
              lineId: link.lineId,
              productId: product.product.id,
              notes: [],
            },
          },
        ]
      : [],
  );
  for (const pair of context.pairs) {
    if (isLinked(pair)) planned.push(pushPair(context, pair));
    else if (pair.link) {
      planned.push(
        planCreate(
          context,
          pair,
          'P5',
          'The product was deleted in Oneflow; it is added again because push makes the table match Dynamics',
        ),
      );
    } else planned.push(planCreate(context, pair, 'P2', 'New line in Dynamics: add it to Oneflow'));
  }
  planned.push(...untouchedProducts(context, 'P4', 'was added in Oneflow; push never changes or deletes it'));
  return collect(context, enforceProductLimit(context, planned));
}

/** Fetch updates from Oneflow (F1–F4): only linked pairs, only fields that flow into Dynamics. */
export function planFetch(input: PlanInput): SyncPlan {
  const refused = refusal('fetch', input);
  if (refused) return refused;
  const context = buildContext('fetch', input);
  const planned: Planned[] = context.pairs.map((pair) => {
    if (isLinked(pair)) return fetchPair(context, pair);
    if (pair.link) {
      return {
        operation: skip(
          'F1',
          'The product was deleted in Oneflow; the line stays in Dynamics (Push adds it again)',
          pair.line.id,
          pair.link.productId,
        ),
        link: { ...pair.link, state: 'deleted_in_oneflow' },
      };
    }
    return {
      operation: skip('P2', 'Not in Oneflow yet; Push adds it', pair.line.id, null),
    };
  });
  for (const { link, product } of context.orphanLinks) {
    if (!product) continue;
    planned.push({
      operation: skip(
        'P3',
        `The line was deleted in Dynamics; Push removes "${product.product.name}" from Oneflow`,
        link.lineId,
        link.productId,
      ),
      link,
    });
  }
  planned.push(...untouchedProducts(context, 'F2', 'was added in Oneflow; it is not brought into Dynamics'));
  return collect(context, planned);
}
