import type { FieldNote, Operation, PlanSummary, SyncPlan } from '@oneflow-sync/shared';
import type { ActivityEntry, RunRecord } from '../state/types';
import { interruptedEntry } from './runJournal';
import { describeResult } from './runMessages';
import { outcomeOf } from './syncService';

/** The outcome and headline of a run (the activity `message`): what it did, and what waits for a person. */

const LINE = ['2c3d0000-0000-4000-8000-000000000001', '2c3d0000-0000-4000-8000-000000000002'] as const;

const TOO_LONG: FieldNote = {
  kind: 'invalid_value',
  rule: 'P2',
  oneflowField: 'name',
  dynamicsField: 'productidname',
  reason: 'Name has 102 characters; Oneflow allows at most 80',
};
const HELD: FieldNote = {
  kind: 'held_for_review',
  rule: 'P1',
  oneflowField: 'quantity',
  dynamicsField: 'quantity',
  reason:
    'Quantity changed in both Dynamics ("7") and Oneflow ("13") since the last sync; held for you to choose',
};

function summaryOf(operations: Operation[]): PlanSummary {
  const notes = operations.flatMap((operation) => operation.notes);
  return {
    productsCreated: operations.filter((operation) => operation.kind === 'create_product').length,
    productsUpdated: operations.filter((operation) => operation.kind === 'update_product').length,
    productsDeleted: 0,
    linesUpdated: 0,
    fieldsWritten: 0,
    conflictsOverwritten: 0,
    held: notes.filter((note) => note.kind === 'held_for_review').length,
    untouchedProducts: 0,
    skipped: operations.filter((operation) => operation.kind === 'skip').length,
    errors: notes.filter((note) => note.kind === 'invalid_value').length,
  };
}

function planOf(operations: Operation[]): SyncPlan {
  return {
    action: 'push',
    mainEntity: 'opportunity',
    contractId: 1001,
    productsEnabled: true,
    plannedAt: '2026-11-24T10:00:00.000Z',
    operations,
    links: [],
    summary: summaryOf(operations),
  };
}

const skip = (lineId: string, notes: FieldNote[]): Operation => ({
  kind: 'skip',
  rule: 'P2',
  reason: 'not written until these values are fixed',
  lineId,
  productId: null,
  notes,
});

const update = (lineId: string, productId: number, notes: FieldNote[] = []): Operation => ({
  kind: 'update_product',
  rule: 'P1',
  reason: 'Update "Widget" in Oneflow',
  lineId,
  productId,
  values: { quantity: '4' },
  changes: [{ oneflowField: 'quantity', dynamicsField: 'quantity', side: 'oneflow', old: '10', new: '4' }],
  notes,
});

describe('a run whose lines were only refused or held is not "nothing to change"', () => {
  test('only a refused value (a 102-character name): needs_attention, and the headline names the error', () => {
    const plan = planOf([skip(LINE[0], [TOO_LONG])]);
    expect(outcomeOf(plan, [], [])).toBe('needs_attention');
    const message = describeResult('push', plan, 'needs_attention', []);
    expect(message).toBe(
      'Push to Oneflow: nothing was written. Needs your attention: 1 value refused until fixed (Name has 102 characters; Oneflow allows at most 80).',
    );
    expect(message).not.toContain('nothing to change');
  });

  test('only a value held for review: needs_attention, and the headline names the held value', () => {
    const plan = planOf([skip(LINE[1], [HELD])]);
    expect(outcomeOf(plan, [], [])).toBe('needs_attention');
    expect(describeResult('fetch', plan, 'needs_attention', [])).toBe(
      `Fetch from Oneflow: nothing was written. Needs your attention: 1 value held for you to choose (${HELD.reason}).`,
    );
  });

  test('writes next to a refused and a held value: applied, and the headline still names both', () => {
    const written = update(LINE[0], 300015);
    const plan = planOf([written, skip(LINE[1], [TOO_LONG, HELD])]);
    expect(outcomeOf(plan, [written], [])).toBe('applied');
    const message = describeResult('push', plan, 'applied', []);
    expect(message).toContain('Push to Oneflow: 0 products created, 1 updated');
    expect(message).toContain('1 value refused until fixed (Name has 102 characters');
    expect(message).toContain('1 value held for you to choose (Quantity changed in both');
  });

  test('counts in words that agree with their numbers: one product, one line, one write that stays pending', () => {
    const written = update(LINE[0], 300015);
    const plan = planOf([written]);
    const one = { ...plan, summary: { ...plan.summary, productsCreated: 1, linesUpdated: 1 } };
    expect(describeResult('fetch', one, 'applied', [])).toBe(
      'Fetch from Oneflow: 1 product created, 1 updated, 0 deleted, 1 line updated.',
    );
    const failure = {
      kind: 'update_product' as const,
      lineId: LINE[0],
      productId: 300015,
      message: 'Oneflow answered 500',
    };
    expect(describeResult('push', plan, 'failed', [failure])).toMatch(
      /^Push to Oneflow: 1 write failed and stays pending \(Oneflow answered 500\)\. Planned: /,
    );
  });

  test('nothing differs and nothing waits: nothing_to_do, "nothing to change"', () => {
    const plan = planOf([]);
    expect(outcomeOf(plan, [], [])).toBe('nothing_to_do');
    expect(describeResult('push', plan, 'nothing_to_do', [])).toBe('Push to Oneflow: nothing to change.');
  });

  test('many reasons: the first three are quoted, the rest counted', () => {
    const notes = Array.from({ length: 5 }, (_, index) => ({ ...TOO_LONG, reason: `reason ${index}` }));
    const plan = planOf([skip(LINE[0], notes)]);
    expect(describeResult('push', plan, 'needs_attention', [])).toContain(
      '5 values refused until fixed (reason 0; reason 1; reason 2; and 2 more)',
    );
  });
});

describe('an interrupted run says what it had written', () => {
  const run: RunRecord = {
    runId: 'run-1',
    tenantId: 'tenant-1',
    contractId: 1001,
    mainEntity: 'opportunity',
    recordId: '0a1b0000-0000-4000-8000-000000000001',
    action: 'push',
    actor: { kind: 'user', id: 'user-1', name: 'Alex Seller' },
    startedAt: '2026-11-24T10:00:00.000Z',
    holder: 'host/1/lease',
    planned: [...LINE],
    written: [LINE[0]],
  };
  const running: ActivityEntry = {
    id: 'run-1',
    tenantId: 'tenant-1',
    contractId: 1001,
    mainEntity: 'opportunity',
    recordId: run.recordId,
    action: 'push',
    outcome: 'running',
    actor: run.actor,
    at: run.startedAt,
    message: 'Push to Oneflow: running.',
    summary: summaryOf([update(LINE[0], 1), update(LINE[1], 2)]),
    changes: LINE.map((lineId, index) => ({
      lineId,
      productId: index + 1,
      dynamicsField: 'quantity',
      oneflowField: 'quantity',
      side: 'oneflow' as const,
      old: '10',
      new: '4',
      rule: 'P1',
    })),
  };

  test('from its running entry: each planned write is marked written or not confirmed', () => {
    const entry = interruptedEntry(run, running);
    expect(entry).toMatchObject({ id: 'run-1', at: run.startedAt, outcome: 'interrupted', action: 'push' });
    expect(entry.message).toBe(
      'Push to Oneflow: interrupted, it never finished (the server stopped or timed out). 1 of 2 planned writes were confirmed; the rest may or may not have been made. Run it again: it compares both sides afresh and finishes the rest.',
    );
    expect(entry.changes.map((change) => [change.lineId, change.note])).toEqual([
      [LINE[0], 'Written before the run stopped'],
      [
        LINE[1],
        'Not confirmed: the run stopped before this write was confirmed; it may or may not have been made',
      ],
    ]);
    expect(entry.summary).toEqual(running.summary);
  });

  test('without a running entry (the process stopped right after its run row): one row per planned line', () => {
    const entry = interruptedEntry(run, null);
    expect(entry.summary).toBeNull();
    expect(entry.changes.map((change) => [change.lineId, change.rule, change.note?.slice(0, 13)])).toEqual([
      [LINE[0], 'interrupted', 'Written befor'],
      [LINE[1], 'interrupted', 'Not confirmed'],
    ]);
  });
});
