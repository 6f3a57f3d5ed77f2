import { builtInSalesLineAttributes, type DynamicsLine, type DynamicsValue } from '../dynamics';
import type { OneflowProduct } from '../oneflow';
import type { FieldMapping } from '../settings';
import {
  editLine,
  editProduct,
  line,
  opportunitySettings,
  productOf,
  T0,
  T1,
  T2,
  transferred,
} from '../testing/fixtures';
import { makeCodec } from './codec';
import { decideField, type FieldDecisionInput } from './fieldDecision';

const ENTITY = 'opportunityproduct';
const ATTRIBUTES = builtInSalesLineAttributes(ENTITY);

/** One line of quantity 2 transferred at T0, then edited: `dynamics` on the line, `oneflow` on its product. */
function quantityField(
  action: 'push' | 'fetch',
  patch: Partial<FieldMapping>,
  edits: { dynamics?: DynamicsValue; oneflow?: string; dynamicsAt?: string; oneflowAt?: string },
  syncedAt: string | undefined = T0,
): FieldDecisionInput {
  const settings = opportunitySettings({ quantity: patch });
  const mapping = settings.mappings.find((candidate) => candidate.oneflowField === 'quantity');
  if (!mapping) throw new Error('quantity is mapped by default');
  let state = transferred([line('a')], settings);
  const base = state.links[0]?.base.quantity;
  if (edits.dynamics !== undefined)
    state = editLine(state, 'a', { quantity: edits.dynamics }, edits.dynamicsAt);
  if (edits.oneflow !== undefined)
    state = editProduct(state, 'a', 'quantity', edits.oneflow, edits.oneflowAt);
  const edited: DynamicsLine | undefined = state.lines[0];
  if (!edited) throw new Error('one line');
  const product: OneflowProduct = productOf(state, 'a');
  const attribute = ATTRIBUTES.find((candidate) => candidate.logicalName === mapping.dynamicsField);
  const codec = makeCodec(ENTITY, mapping, attribute, { price_precision: 2, quantity_precision: 0 });
  return { action, entity: ENTITY, codec, line: edited, product, base, syncedAt };
}

describe('the three-way merge of one field against its base (sync-rules.md, "Both sides changed: conflicts")', () => {
  it('a change on one side only flows to the other', () => {
    const outcome = decideField(quantityField('push', {}, { dynamics: 5 }));
    expect(outcome).toMatchObject({ kind: 'write', change: { side: 'oneflow', old: '2', new: '5' } });
    if (outcome.kind !== 'write') throw new Error('a write');
    expect(outcome.change.conflict).toBeUndefined();
    expect(outcome.change.replacesEdit).toBeUndefined();
  });

  it('a two-way field changed only in Oneflow is not overwritten by push: push leaves it, and says that Fetch brings it over', () => {
    const outcome = decideField(quantityField('push', {}, { oneflow: '3' }));
    expect(outcome).toEqual({
      kind: 'pending',
      note: expect.objectContaining({
        kind: 'kept_for_other_action',
        rule: 'P1',
        reason: 'Quantity changed in Oneflow ("3") since the last sync; Fetch brings it over',
      }) as unknown,
    });
  });

  it('a dynamics_to_oneflow field edited in Oneflow is restored by push, and the preview marks that it replaces an edit', () => {
    const outcome = decideField(
      quantityField('push', { direction: 'dynamics_to_oneflow' }, { oneflow: '3' }),
    );
    expect(outcome).toMatchObject({ kind: 'write', change: { old: '3', new: '2', replacesEdit: true } });
  });

  it.each([
    ['by_action', 'push', { kind: 'write', change: { new: '5', conflict: { resolvedFor: 'dynamics' } } }],
    [
      'by_action',
      'fetch',
      { kind: 'write', change: { side: 'dynamics', new: 3, conflict: { resolvedFor: 'oneflow' } } },
    ],
    [
      'dynamics_wins',
      'fetch',
      { kind: 'pending', note: { kind: 'conflict_kept', conflict: { resolvedFor: 'dynamics' } } },
    ],
    [
      'oneflow_wins',
      'push',
      { kind: 'pending', note: { kind: 'conflict_kept', conflict: { resolvedFor: 'oneflow' } } },
    ],
    [
      'review',
      'push',
      { kind: 'pending', note: { kind: 'held_for_review', conflict: { resolvedFor: 'held' } } },
    ],
  ] as const)(
    'a change on both sides is a conflict settled by the policy: %s on %s',
    (policy, action, expected) => {
      const outcome = decideField(
        quantityField(action, { conflictPolicy: policy }, { dynamics: 5, oneflow: '3' }),
      );
      expect(outcome).toMatchObject(expected);
    },
  );

  it("most_recent without a last sync time: the side edited later wins, and equal times go to the action's source", () => {
    const newerOneflow = quantityField(
      'push',
      { conflictPolicy: 'most_recent' },
      { dynamics: 5, oneflow: '3', dynamicsAt: T1, oneflowAt: T2 },
      undefined,
    );
    expect(decideField(newerOneflow)).toMatchObject({ kind: 'pending', note: { kind: 'conflict_kept' } });
    const sameTime = quantityField(
      'fetch',
      { conflictPolicy: 'most_recent' },
      { dynamics: 5, oneflow: '3', dynamicsAt: T1, oneflowAt: T1 },
      undefined,
    );
    expect(decideField(sameTime)).toMatchObject({
      kind: 'write',
      change: { conflict: { resolvedFor: 'oneflow' } },
    });
  });

  it('both sides still hold what they held at the last sync, and differ: the source value is written where it may be', () => {
    const input = quantityField('push', {}, { dynamics: 5 });
    const settledApart = { ...input, base: { dynamics: '5', oneflow: '2' } };
    expect(decideField(settledApart)).toMatchObject({ kind: 'write', change: { old: '2', new: '5' } });
    const onlyIntoEmpty = {
      ...settledApart,
      codec: {
        ...input.codec,
        mapping: { ...input.codec.mapping, writeCondition: 'only_if_target_empty' as const },
      },
    };
    expect(decideField(onlyIntoEmpty)).toMatchObject({
      kind: 'pending',
      note: {
        kind: 'target_not_empty',
        reason: 'Quantity is written only into an empty field, and Oneflow already has "2"',
      },
    });
  });

  it('a value that cannot be read is not written, and the note names the field and why', () => {
    const outcome = decideField(quantityField('push', {}, { dynamics: 'many' }));
    expect(outcome).toMatchObject({
      kind: 'pending',
      note: { kind: 'invalid_value', rule: 'P1', dynamicsField: 'quantity', oneflowField: 'quantity' },
    });
  });
});
