import { lineValue, type DynamicsLine, type DynamicsValue } from '../dynamics';
import type { BaseValue } from '../link';
import type { OneflowProduct } from '../oneflow';
import type { FieldNote } from '../plan';
import type { Canonical } from '../values';
import type { FieldCodec } from './codec';
import type { FieldOutcome } from './fieldDecision';

/**
 * Dynamics' manual discount is a total for the line; Oneflow's discount amount is per unit, and the contract
 * multiplies it by the contract's quantity. When a quantity changes, one of the two has to move, and the side
 * where the quantity changed keeps its own terms:
 * - a quantity changed in Oneflow (a counterparty's edit, brought in by fetch) keeps the per-unit discount the
 *   contract shows, and Dynamics' line total follows: per unit × the new quantity;
 * - a quantity changed in Dynamics keeps the line total, as Dynamics itself does, and push spreads it anew.
 * A push spreads the line total over the quantity the contract will have: Dynamics' own when it is sent in the
 * same push; the contract's when it is not and the discount was changed since the last sync. A discount nobody
 * changed stays as it is while the contract keeps another quantity ({@link contractTermsStay}), so a push and a
 * fetch leave the same end state in either order. The notes say which, in words.
 */

export function isQuantityCodec(codec: FieldCodec): boolean {
  return codec.mapping.dynamicsField === 'quantity' && codec.mapping.oneflowField === 'quantity';
}

function withQuantity(line: DynamicsLine, quantity: DynamicsValue): DynamicsLine {
  return { ...line, values: { ...line.values, quantity } };
}

/**
 * The line as the discount conversion sees it: with the quantity the contract has once this action is applied.
 * Fetch: the quantity it writes into the line, if any. Push: the line's own quantity when push sends it (or the
 * two already agree), else the contract's, which stays.
 */
export function lineForDiscount(
  action: 'push' | 'fetch',
  line: DynamicsLine,
  product: OneflowProduct,
  quantityCodec: FieldCodec | undefined,
  quantityOutcome: FieldOutcome | undefined,
): DynamicsLine {
  if (!quantityCodec || !quantityOutcome) return line;
  if (action === 'fetch') {
    return quantityOutcome.kind === 'write' ? withQuantity(line, quantityOutcome.value) : line;
  }
  if (quantityOutcome.kind === 'write' || quantityOutcome.kind === 'settled') return line;
  const dynamics = quantityCodec.readDynamics(line);
  const oneflow = quantityCodec.readOneflow(product);
  if (!dynamics.ok || !oneflow.ok || oneflow.value === null) return line;
  if (quantityCodec.agrees(dynamics.value, oneflow.value, line)) return line;
  return withQuantity(line, Number(oneflow.value));
}

function quantityText(value: DynamicsValue | undefined): string {
  return value === null || value === undefined ? '0' : String(value);
}

function infoNote(codec: FieldCodec, rule: 'F3' | 'P1', reason: string): FieldNote {
  return {
    kind: 'info',
    rule,
    oneflowField: codec.mapping.oneflowField,
    dynamicsField: codec.mapping.dynamicsField,
    reason,
  };
}

export interface DiscountInput {
  action: 'push' | 'fetch';
  codec: FieldCodec;
  entity: string;
  /** The line as read. */
  line: DynamicsLine;
  /** The line with the quantity the contract has once the action is applied ({@link lineForDiscount}). */
  discountLine: DynamicsLine;
  product: OneflowProduct;
  base: BaseValue | undefined;
  /** What the ordinary rules decided for the discount, with `discountLine`. */
  outcome: FieldOutcome;
  /** Push: whether a fetch would write the contract's quantity into Dynamics now. */
  quantityFetched: boolean;
}

/** The discount's outcome once the quantity is taken into account, and the note that says why in words. */
export function decideLineDiscount(input: DiscountInput): { outcome: FieldOutcome; note: FieldNote | null } {
  const { action, outcome } = input;
  if (!input.codec.lineDiscount) return { outcome, note: null };
  if (action === 'fetch') {
    if (outcome.kind !== 'idle' || input.discountLine === input.line) return { outcome, note: null };
    const followed = followQuantity(input);
    return followed ?? { outcome, note: null };
  }
  if (outcome.kind !== 'write') return { outcome, note: null };
  return contractTermsStay(input) ?? { outcome, note: spreadNote(input, outcome) };
}

/**
 * Push, with the contract at another quantity than Dynamics and this push not sending Dynamics' (the line as the
 * discount sees it is not the line as read): when neither side changed the discount since the last sync, it is
 * left as it is. The contract keeps its per-unit discount for the quantity it has, as the side where the quantity
 * changed keeps its own terms; spreading Dynamics' old line total over the contract's quantity would overwrite
 * the counterparty's price, and the end state would depend on whether a push or a fetch ran first. By the
 * quantity's direction:
 * - two_way: a quantity changed only in Oneflow is not pushed back; Fetch brings it over and keeps the per-unit
 *   discount ({@link followQuantity}), so a push before that fetch and one after it leave the same end state;
 * - oneflow_to_dynamics: the contract's quantity is the one that counts; Fetch writes it into Dynamics with the
 *   line total that follows it, as above;
 * - sync_once: after creation each side keeps its own quantity, and so its own terms for it: Dynamics' line total
 *   for its quantity, the contract's per-unit discount for its own;
 * - dynamics_to_oneflow: push sends Dynamics' quantity and spreads the line total over it (the line as read), as
 *   before; the contract keeps another quantity only while it is held for a person or cannot be written, and
 *   the discount waits with it rather than being rewritten for a quantity that may still change.
 * A discount someone changed since the last sync is that person's value, and the ordinary rules carry it (spread
 * over the contract's quantity, {@link spreadNote}).
 */
function contractTermsStay(input: DiscountInput): { outcome: FieldOutcome; note: FieldNote } | null {
  const { codec, line, discountLine, product, base } = input;
  if (discountLine === line || base === undefined) return null;
  const dynamics = codec.readDynamics(line);
  const oneflow = codec.readOneflow(product);
  if (!dynamics.ok || !oneflow.ok) return null;
  if (dynamics.value !== base.dynamics || oneflow.value !== base.oneflow) return null;
  const perUnit = oneflow.value ?? '0';
  const quantity = quantityText(discountLine.values.quantity);
  const stays = `${codec.spec.label} stays ${perUnit}: the contract's quantity is ${quantity} (Dynamics has ${quantityText(line.values.quantity)}, which this push does not send), and neither side changed the discount since the last sync, so the contract keeps its ${perUnit} per unit`;
  return {
    outcome: { kind: 'idle' },
    note: infoNote(
      codec,
      'P1',
      input.quantityFetched
        ? `${stays}; Fetch brings the quantity into Dynamics, with a ${codec.dynamicsLabel} of ${quantity} × ${perUnit} for the line.`
        : `${stays}.`,
    ),
  };
}

/**
 * Fetch: the line total that keeps Oneflow's per-unit discount at the quantity fetched, when neither side touched
 * the discount since the last sync (a discount someone changed is that person's value, and the ordinary rules
 * carry it). At a quantity of 0 the line total is kept, with a note: a line with no units has no per-unit
 * discount to express, and the contract's comes back with the units.
 */
function followQuantity(input: DiscountInput): { outcome: FieldOutcome; note: FieldNote } | null {
  const { codec, entity, line, discountLine: after, product, base } = input;
  if (codec.mapping.direction === 'sync_once' || base === undefined) return null;
  const dynamics = codec.readDynamics(line);
  const oneflow = codec.readOneflow(product);
  if (!dynamics.ok || !oneflow.ok) return null;
  const d = dynamics.value;
  const o = oneflow.value;
  if (d !== base.dynamics || o !== base.oneflow) return null;
  if (codec.agrees(d, o, after) || codec.agreesWithinRounding(d, o, after)) return null;
  const label = codec.dynamicsLabel;
  const was = quantityText(line.values.quantity);
  const now = quantityText(after.values.quantity);
  const perUnit = o ?? '0';
  const quantity = after.values.quantity;
  if (typeof quantity !== 'number' || quantity === 0) {
    return {
      outcome: input.outcome,
      note: infoNote(
        codec,
        'F3',
        `${label} stays ${d ?? '0'}: the quantity changed in Oneflow (${was} → ${now}), and with no units there is nothing to take ${perUnit} off each; when the quantity changes again, the discount follows it at ${perUnit} per unit.`,
      ),
    };
  }
  const written = codec.toDynamics(o, after);
  if (!written.ok) return null;
  const normalized = codec.normalizeDynamics(written.value);
  const lineTotal: Canonical = normalized.ok ? normalized.value : d;
  return {
    outcome: {
      kind: 'write',
      value: written.value,
      base: { dynamics: lineTotal, oneflow: o },
      change: {
        oneflowField: codec.mapping.oneflowField,
        dynamicsField: codec.mapping.dynamicsField,
        side: 'dynamics',
        old: lineValue(entity, line, codec.mapping.dynamicsField),
        new: written.value,
      },
    },
    note: infoNote(
      codec,
      'F3',
      `${label} ${d ?? '0'} → ${lineTotal ?? '0'}: the quantity changed in Oneflow (${was} → ${now}), and the contract keeps its discount of ${perUnit} per unit, so the line now has ${now} × ${perUnit} off.`,
    ),
  };
}

/**
 * Push: the note on a per-unit discount spread over the contract's quantity where Dynamics has another, or one
 * that changes only because the line's quantity did (line total and per-unit discount as at the last sync).
 */
function spreadNote(
  input: DiscountInput,
  outcome: Extract<FieldOutcome, { kind: 'write' }>,
): FieldNote | null {
  const { codec, line, discountLine, base } = input;
  const total = outcome.base.dynamics ?? '0';
  const old = outcome.change.old;
  const change = `${codec.spec.label} ${quantityText(old)} → ${outcome.base.oneflow ?? '0'}`;
  const quantity = quantityText(discountLine.values.quantity);
  if (discountLine !== line) {
    return infoNote(
      codec,
      'P1',
      `${change}: the ${codec.dynamicsLabel} of ${total} is for the whole line, and the contract's quantity is ${quantity} (Dynamics has ${quantityText(line.values.quantity)}, which this push does not send), so each unit gets ${total} ÷ ${quantity} off.`,
    );
  }
  if (base === undefined || outcome.base.dynamics !== base.dynamics || old !== base.oneflow) return null;
  return infoNote(
    codec,
    'P1',
    `${change}: the ${codec.dynamicsLabel} of ${total} is for the whole line, and the line's quantity is now ${quantity}, so each unit gets ${total} ÷ ${quantity} off.`,
  );
}
