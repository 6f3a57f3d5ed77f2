import type { CompareAnswer, ContractAnswer } from '../api/contract';
import type { ErrorView } from '../api/errors';
import type { SignInProblem } from '../auth/TokenProvider';
import type { Translate } from '../strings/strings';

/** Where the widget stands after its last load: each has its own words and its own actions. */
export type WidgetState =
  | { kind: 'not_saved' }
  | { kind: 'no_contract' }
  | { kind: 'not_configured' }
  | { kind: 'sign_in'; problem: SignInProblem; message: string }
  /** The contract was deleted in Oneflow: it can only be unlinked, so a new one can be created. */
  | { kind: 'deleted'; contractId: number; contract: ContractAnswer | null; message: string | null }
  | { kind: 'ready'; contract: ContractAnswer; compare: CompareAnswer }
  | { kind: 'error'; error: ErrorView };

export type OneflowContractState = CompareAnswer['contract']['state'];

/** Oneflow's page of a contract: the one place its address is built. */
export function oneflowContractUrl(contractId: number): string {
  return `https://app.oneflow.com/contracts/${contractId}`;
}

/** The words Oneflow's own Dynamics integration uses for the contract's state. */
export function contractStateText(state: OneflowContractState, t: Translate): string {
  switch (state) {
    case 'draft':
      return t('ContractState_Draft');
    case 'pending':
      return t('ContractState_Sent');
    case 'overdue':
      return t('ContractState_Expired');
    case 'signed':
      return t('ContractState_Signed');
    case 'declined':
      return t('ContractState_Declined');
  }
}

export interface ChangeCounts {
  push: number;
  fetch: number;
  conflicts: number;
  held: number;
}

/** What each action would write now, and the fields changed on both sides. */
export function changeCounts(compare: CompareAnswer): ChangeCounts {
  const { push, fetch, fields } = compare.counts;
  return {
    push: push.creates + push.updates + push.deletes,
    fetch: fetch.updates,
    conflicts: fields.conflict + fields.conflict_held,
    held: fields.conflict_held,
  };
}

/**
 * "Everything is in sync", or "2 products to push · 1 line to fetch · 1 conflict" (only the parts that are not
 * zero). It counts products and lines, as the compare does; a preview counts the field values each one writes.
 */
export function headerSummary(compare: CompareAnswer, t: Translate): { inSync: boolean; text: string } {
  const counts = changeCounts(compare);
  const parts: string[] = [];
  if (counts.push > 0) {
    parts.push(counts.push === 1 ? t('Counts_Push_One') : t('Counts_Push_Other', counts.push));
  }
  if (counts.fetch > 0) {
    parts.push(counts.fetch === 1 ? t('Counts_Fetch_One') : t('Counts_Fetch_Other', counts.fetch));
  }
  if (counts.conflicts > 0) {
    parts.push(
      counts.conflicts === 1 ? t('Counts_Conflict_One') : t('Counts_Conflict_Other', counts.conflicts),
    );
  }
  if (parts.length === 0) return { inSync: true, text: t('Counts_InSync') };
  return { inSync: false, text: parts.join(' · ') };
}

/** The latest activity is an automatic update from Oneflow that did not finish: the rep should fetch by hand. */
export function failedAutomaticUpdate(contract: ContractAnswer): string | null {
  const latest = contract.lastActivity;
  if (latest === null || latest.action !== 'webhook') return null;
  return latest.outcome === 'failed' || latest.outcome === 'interrupted' ? latest.at : null;
}

export type ToolbarAction = 'create' | 'push' | 'fetch' | 'refresh' | 'history';

export interface ActionAvailability {
  /** Shown at all: Create only while the record has no contract. */
  visible: boolean;
  /** Why the action cannot be used now (the tooltip of the disabled button); null when it can. */
  disabledReason: string | null;
}

export interface ToolbarInput {
  entity: string;
  recordSaved: boolean;
  readOnly: boolean;
  /** A load or an action is running. */
  running: boolean;
  /** The last load, or null while the first one runs. */
  state: WidgetState | null;
}

/** Why neither action may move anything for this record's table: product sync is off, or cannot run. */
function offReason(state: WidgetState | null, entity: string, t: Translate): string | null {
  if (state === null || state.kind !== 'ready') return null;
  if (!state.compare.productsEnabled) return t('Reason_ProductsOff', entity);
  return state.compare.refused === null ? null : t('Reason_Refused', state.compare.refused);
}

/** The contract state Oneflow reported, from the compare or else from the contract read. */
function readyContractState(state: WidgetState | null): OneflowContractState | null {
  if (state === null || state.kind !== 'ready') return null;
  return state.compare.contract.state;
}

/**
 * Which toolbar actions show and, for each disabled one, why: the first reason that applies, from the most basic
 * (nothing saved yet) to the most specific (the contract is signed).
 */
export function toolbarState(input: ToolbarInput, t: Translate): Record<ToolbarAction, ActionAvailability> {
  const { state } = input;
  const noContract = state !== null && (state.kind === 'no_contract' || state.kind === 'not_saved');
  const common = !input.recordSaved ? t('Reason_NotSaved') : input.running ? t('Reason_Running') : null;
  const writes = common ?? (input.readOnly ? t('Reason_ReadOnly') : null);
  const off = offReason(state, input.entity, t);
  const contractState = readyContractState(state);
  const locked =
    contractState === 'signed'
      ? t('Reason_Signed')
      : contractState === 'declined'
        ? t('Reason_Declined')
        : null;
  const needsContract =
    state === null
      ? t('Reason_Running')
      : state.kind === 'ready'
        ? null
        : state.kind === 'no_contract'
          ? t('Reason_NoContract')
          : state.kind === 'deleted'
            ? t('Reason_Deleted')
            : state.kind === 'not_configured'
              ? t('Reason_NotConfigured', input.entity)
              : state.kind === 'sign_in'
                ? t('Reason_SignIn')
                : t('Reason_NotLoaded');
  const createBlocked =
    state === null || state.kind === 'no_contract'
      ? null
      : state.kind === 'not_configured'
        ? t('Reason_NotConfigured', input.entity)
        : state.kind === 'sign_in'
          ? t('Reason_SignIn')
          : t('Reason_NotLoaded');
  return {
    create: { visible: noContract, disabledReason: writes ?? createBlocked },
    push: { visible: true, disabledReason: writes ?? needsContract ?? off ?? locked },
    fetch: { visible: true, disabledReason: writes ?? needsContract ?? off },
    refresh: { visible: true, disabledReason: input.running ? t('Reason_Running') : null },
    history: { visible: true, disabledReason: input.recordSaved ? null : t('Reason_NotSaved') },
  };
}
