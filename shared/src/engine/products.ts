import { writeOneflowField, type OneflowFieldKey } from '../fieldCatalog';
import type { BaseValue, Link, PlannedLink } from '../link';
import { MAX_PRODUCTS_PER_CONTRACT, type OneflowProduct } from '../oneflow';
import type { FieldChange, FieldNote, Operation } from '../plan';
import type { RuleId } from '../rules';
import { compareDecimals, isZero, normalizeDecimal, type Canonical } from '../values';
import { activeLink, type LinePair, type PlanContext } from './context';

type Values = Partial<Record<OneflowFieldKey, Canonical>>;

/** One entry of a plan in the making: an operation (if any) and the link it leaves (if any). */
export interface Planned {
  operation?: Operation;
  link?: PlannedLink | Link;
}
type Base = Partial<Record<OneflowFieldKey, BaseValue>>;

function decimal(raw: unknown): Canonical {
  const value = normalizeDecimal(raw, 10);
  return value.ok ? value.value : null;
}

/** Oneflow's rules that span several fields of one product: a product breaking one is refused whole. */
export function productProblems(product: OneflowProduct): string[] {
  const problems: string[] = [];
  for (const key of ['price_1', 'price_2'] as const) {
    const price = product[key];
    const raw = {
      base: price?.base_amount?.amount ?? '0',
      amount: price?.discount_amount?.amount ?? '0',
      percent: price?.discount_percent ?? '0',
    };
    const amount = decimal(raw.amount);
    if (!isZero(amount) && !isZero(decimal(raw.percent))) {
      problems.push(
        `Oneflow takes a discount amount or a discount percent on ${key}, not both (amount ${raw.amount}, percent ${raw.percent})`,
      );
    }
    // A base of 0 with a discount is Oneflow's way to a negative price, so only a positive base must exceed it.
    const base = decimal(raw.base);
    if (!isZero(amount) && !isZero(base) && compareDecimals(base, amount) <= 0) {
      problems.push(
        `Oneflow needs the base amount (${raw.base}) to exceed the discount (${raw.amount}) on ${key}, or to be 0 for a negative price`,
      );
    }
  }
  const quantity = product.quantity;
  if (quantity && quantity.type !== 'quantity') {
    const amount = decimal(quantity.amount);
    if (amount !== null && !isZero(amount) && compareDecimals(amount, '1') !== 0) {
      problems.push(
        `this product's quantity is a ${quantity.type.replace('_', ' ')} in Oneflow, which takes only 0 or 1, not ${String(quantity.amount)}`,
      );
    }
  }
  return problems;
}

export function withValues(product: OneflowProduct, values: Values): OneflowProduct {
  return Object.entries(values).reduce<OneflowProduct>(
    (next, [key, value]) => writeOneflowField(next, key as OneflowFieldKey, value ?? null),
    product,
  );
}

function invalid(rule: RuleId, field: OneflowFieldKey | null, reason: string): FieldNote {
  return { kind: 'invalid_value', rule, oneflowField: field, dynamicsField: null, reason };
}

/**
 * The Oneflow product a line becomes, with every mapped field whatever its direction (T1, P2, P5).
 * A line with any invalid value is not created: nothing half-made reaches Oneflow.
 */
export function planCreate(
  context: PlanContext,
  pair: LinePair,
  rule: 'T1' | 'P2' | 'P5',
  reason: string,
  group = context.targetGroup,
): Planned {
  const { line } = pair;
  if (!group) {
    return {
      operation: {
        kind: 'skip',
        rule,
        reason: 'The contract has no product table, so the line cannot be added to it',
        lineId: line.id,
        productId: null,
        notes: [],
      },
      link: pair.link,
    };
  }
  const values: Values = {};
  const base: Base = {};
  const changes: FieldChange[] = [];
  const notes: FieldNote[] = [];
  for (const codec of context.codecsFor(group)) {
    const { mapping } = codec;
    const fieldInvalid = (reason: string): FieldNote => ({
      ...invalid(rule, mapping.oneflowField, reason),
      dynamicsField: mapping.dynamicsField,
    });
    const dynamics = codec.readDynamics(line);
    if (!dynamics.ok) {
      notes.push(fieldInvalid(dynamics.error));
      continue;
    }
    const value = codec.toOneflow(dynamics.value, line);
    if (!value.ok) {
      notes.push(fieldInvalid(value.error));
      continue;
    }
    const sent = codec.sentToOneflow(value.value, line);
    values[mapping.oneflowField] = sent;
    base[mapping.oneflowField] = { dynamics: dynamics.value, oneflow: value.value };
    changes.push({
      oneflowField: mapping.oneflowField,
      dynamicsField: mapping.dynamicsField,
      side: 'oneflow',
      old: null,
      new: sent,
    });
  }
  const draft = withValues({ id: 0, name: '', quantity: { type: 'quantity', amount: '0' } }, values);
  notes.push(...productProblems(draft).map((problem) => invalid(rule, null, problem)));
  if (notes.length > 0) {
    return {
      operation: {
        kind: 'skip',
        rule,
        reason: 'Not added to Oneflow until these values are fixed in Dynamics',
        lineId: line.id,
        productId: null,
        notes,
      },
      link: pair.link,
    };
  }
  return {
    operation: {
      kind: 'create_product',
      rule,
      reason,
      lineId: line.id,
      groupId: group.id,
      customId: line.id,
      values,
      changes,
      notes,
    },
    link: activeLink(context, line.id, null, base),
  };
}

/**
 * Oneflow's product limit: creates beyond it become skips (in line order), and their lines stay unlinked.
 */
export function enforceProductLimit(context: PlanContext, planned: Planned[]): Planned[] {
  const deletes = planned.filter((entry) => entry.operation?.kind === 'delete_product').length;
  let room = MAX_PRODUCTS_PER_CONTRACT - (context.productCount - deletes);
  return planned.map((entry) => {
    const { operation } = entry;
    if (operation?.kind !== 'create_product') return entry;
    if (room > 0) {
      room -= 1;
      return entry;
    }
    const pair = context.pairs.find((candidate) => candidate.line.id === operation.lineId);
    return {
      operation: {
        kind: 'skip',
        rule: operation.rule,
        reason: `Oneflow allows at most ${MAX_PRODUCTS_PER_CONTRACT} products in a contract; this line was not added`,
        lineId: operation.lineId,
        productId: null,
        notes: [
          invalid(operation.rule, null, `the contract already holds ${MAX_PRODUCTS_PER_CONTRACT} products`),
        ],
      },
      link: pair?.link,
    };
  });
}
