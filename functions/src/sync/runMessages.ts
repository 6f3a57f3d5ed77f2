import type { FieldNote, SyncAction, SyncPlan } from '@oneflow-sync/shared';
import { DataverseError } from '../dataverse/errors';
import { OneflowError } from '../oneflow/errors';
import type { SyncOutcome } from '../state/types';
import type { OperationFailure } from './apply';

/**
 * The headlines of the activity log (`message`): one sentence a sales rep can act on, saying what a run did, what
 * it could not do and why. Pure text from plain data, so each wording is tested on its own.
 */

export type RunAction = SyncAction | 'conflict_resolution';

export const ACTION_WORDS: Record<RunAction, string> = {
  initial_transfer: 'Create contract',
  push: 'Push to Oneflow',
  fetch: 'Fetch from Oneflow',
  conflict_resolution: 'Conflict resolution',
};

/** How many reasons of one kind a headline quotes before it only counts the rest. */
const QUOTED = 3;

const plural = (count: number, one: string, many: string): string => `${count} ${count === 1 ? one : many}`;

function quoted(notes: readonly FieldNote[]): string {
  const shown = notes.slice(0, QUOTED).map((note) => note.reason);
  const more = notes.length - shown.length;
  return more > 0 ? `${shown.join('; ')}; and ${more} more` : shown.join('; ');
}

/**
 * What in a plan waits for a person: values refused as invalid (they are not written until fixed) and values
 * held for review. Null when nothing does.
 */
function attentionText(plan: SyncPlan): string | null {
  const notes = plan.operations.flatMap((operation) => operation.notes);
  const refused = notes.filter((note) => note.kind === 'invalid_value');
  const held = notes.filter((note) => note.kind === 'held_for_review');
  const parts: string[] = [];
  if (refused.length > 0) {
    parts.push(`${plural(refused.length, 'value', 'values')} refused until fixed (${quoted(refused)})`);
  }
  if (held.length > 0) {
    parts.push(`${plural(held.length, 'value', 'values')} held for you to choose (${quoted(held)})`);
  }
  return parts.length > 0 ? parts.join('; ') : null;
}

function counts(plan: SyncPlan): string {
  const { summary } = plan;
  return [
    `${plural(summary.productsCreated, 'product', 'products')} created`,
    `${summary.productsUpdated} updated`,
    `${summary.productsDeleted} deleted`,
    `${plural(summary.linesUpdated, 'line', 'lines')} updated`,
  ].join(', ');
}

/** The headline of a run that ran to its end. */
export function describeResult(
  action: RunAction,
  plan: SyncPlan,
  outcome: SyncOutcome,
  failures: readonly OperationFailure[],
): string {
  const words = ACTION_WORDS[action];
  const attention = attentionText(plan);
  const needs = attention ? ` Needs your attention: ${attention}.` : '';
  switch (outcome) {
    case 'refused': {
      const refusal = plan.operations.find(
        (operation) => operation.rule === 'OFF' || operation.rule === 'SETTINGS',
      );
      return `${words}: refused. ${refusal?.reason ?? ''}`.trim();
    }
    case 'failed':
      return `${words}: ${plural(failures.length, 'write', 'writes')} failed and ${failures.length === 1 ? 'stays' : 'stay'} pending (${failures
        .slice(0, QUOTED)
        .map((failure) => failure.message)
        .join('; ')}). Planned: ${counts(plan)}.${needs}`;
    case 'needs_attention':
      return `${words}: nothing was written.${needs}`;
    case 'nothing_to_do':
      return `${words}: nothing to change.`;
    case 'applied':
      return `${words}: ${counts(plan)}.${needs}`;
  }
}

/** The cause of a failure in words for the activity log: the service's own message, never a request's secrets. */
export function causeOf(error: unknown): string {
  if (error instanceof DataverseError) return `Dynamics: ${error.userMessage}`;
  if (error instanceof OneflowError) {
    const answer = error.status === null ? 'did not answer' : `answered ${error.status}`;
    const tries = error.attempts > 1 ? ` (${error.attempts} attempts)` : '';
    return `Oneflow ${answer}${tries}${error.detail ? `: ${error.detail}` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** A run that stopped on an error: what failed, and what it had written by then. */
export function describeFailure(
  action: RunAction,
  cause: string,
  progress: { planned: number; written: number } | null,
): string {
  const words = ACTION_WORDS[action];
  // Services end their messages with a full stop or not; the sentence gets exactly one.
  const reason = `${cause.replace(/[.\s]+$/, '')}.`;
  if (progress === null || progress.written === 0) return `${words}: failed, nothing was written. ${reason}`;
  return (
    `${words}: failed after ${progress.written} of ${plural(progress.planned, 'planned write', 'planned writes')}. ` +
    `${reason} The rest stays pending: run it again to finish.`
  );
}

/** A run that never finished (its process stopped): how far it got, and what to do. */
export function describeInterrupted(
  action: RunAction,
  progress: { planned: number; written: number },
): string {
  return (
    `${ACTION_WORDS[action]}: interrupted, it never finished (the server stopped or timed out). ` +
    `${progress.written} of ${plural(progress.planned, 'planned write', 'planned writes')} were confirmed; ` +
    `the rest may or may not have been made. Run it again: it compares both sides afresh and finishes the rest.`
  );
}
