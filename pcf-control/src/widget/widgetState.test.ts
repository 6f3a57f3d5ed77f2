import { strictGetString } from '../strings/resx';
import { createTranslate } from '../strings/strings';
import { WIDGET_STRINGS } from '../testing/fakePlatform';
import { compareAnswer, compareField, compareLine, contractAnswer } from '../testing/fakeClient';
import {
  failedAutomaticUpdate,
  headerSummary,
  oneflowContractUrl,
  toolbarState,
  type ToolbarInput,
  type WidgetState,
} from './widgetState';

const t = createTranslate(strictGetString(WIDGET_STRINGS));

function ready(overrides: Parameters<typeof compareAnswer>[0] = {}): WidgetState {
  return { kind: 'ready', contract: contractAnswer(), compare: compareAnswer(overrides) };
}

const base: ToolbarInput = {
  entity: 'opportunity',
  recordSaved: true,
  readOnly: false,
  running: false,
  state: ready(),
};

function reasons(input: Partial<ToolbarInput>) {
  const actions = toolbarState({ ...base, ...input }, t);
  return Object.fromEntries(
    Object.entries(actions).map(([action, availability]) => [
      action,
      availability.visible ? availability.disabledReason : 'hidden',
    ]),
  );
}

describe('the header summary', () => {
  it('says everything is in sync when no action would write anything and nothing conflicts', () => {
    expect(headerSummary(compareAnswer(), t)).toEqual({ inSync: true, text: 'Everything is in sync' });
  });

  it('counts the writes of each action and the conflicts, leaving out what is zero', () => {
    const compare = compareAnswer({
      lines: [
        compareLine({
          lineId: '2c3d0000-0000-4000-8000-000000000001',
          fields: [compareField({ oneflowField: 'quantity', status: 'conflict_held', conflict: true })],
        }),
      ],
      push: { creates: 1, updates: 1, deletes: 0 },
      fetchUpdates: 1,
    });
    expect(headerSummary(compare, t)).toEqual({
      inSync: false,
      text: '2 products to push · 1 line to fetch · 1 conflict',
    });
    expect(headerSummary(compareAnswer({ fetchUpdates: 3 }), t).text).toBe('3 lines to fetch');
  });
});

describe('a failed automatic update', () => {
  it('is the latest activity being a webhook run that failed or never finished', () => {
    const at = '2026-11-24T11:00:00.000Z';
    const latest = (action: 'webhook' | 'push', outcome: 'failed' | 'interrupted' | 'applied') =>
      contractAnswer({ lastActivity: { id: 'a', action, outcome, at, message: 'm' } });
    expect(failedAutomaticUpdate(latest('webhook', 'failed'))).toBe(at);
    expect(failedAutomaticUpdate(latest('webhook', 'interrupted'))).toBe(at);
    expect(failedAutomaticUpdate(latest('webhook', 'applied'))).toBeNull();
    expect(failedAutomaticUpdate(latest('push', 'failed'))).toBeNull();
    expect(failedAutomaticUpdate(contractAnswer({ lastActivity: null }))).toBeNull();
  });
});

describe('the toolbar', () => {
  it('offers Push, Fetch, Refresh and History on a contract, and no Create', () => {
    expect(reasons({})).toEqual({ create: 'hidden', push: null, fetch: null, refresh: null, history: null });
  });

  it('offers Create only without a contract', () => {
    expect(reasons({ state: { kind: 'no_contract' } })).toEqual({
      create: null,
      push: 'This record has no Oneflow contract yet. Create one first.',
      fetch: 'This record has no Oneflow contract yet. Create one first.',
      refresh: null,
      history: null,
    });
  });

  it('disables everything but Refresh on a record not saved yet', () => {
    expect(reasons({ recordSaved: false, state: { kind: 'not_saved' } })).toEqual({
      create: 'Save the record first.',
      push: 'Save the record first.',
      fetch: 'Save the record first.',
      refresh: null,
      history: 'Save the record first.',
    });
  });

  it('on a read-only form allows only looking', () => {
    const readOnly = 'This record is read-only.';
    expect(reasons({ readOnly: true })).toMatchObject({ push: readOnly, fetch: readOnly, history: null });
    expect(reasons({ readOnly: true, state: { kind: 'no_contract' } }).create).toBe(readOnly);
  });

  it('on a signed or declined contract disables Push, and keeps Fetch', () => {
    const signed = ready({ contract: { id: 1001, state: 'signed', name: 'c' } });
    expect(reasons({ state: signed })).toMatchObject({
      push: 'The contract is signed. Its products can no longer be changed in Oneflow.',
      fetch: null,
    });
    const declined = ready({ contract: { id: 1001, state: 'declined', name: 'c' } });
    expect(reasons({ state: declined }).push).toBe(
      'The contract is declined. Its products can no longer be changed in Oneflow.',
    );
  });

  it('with product sync off or refused disables Push and Fetch and says why', () => {
    expect(reasons({ state: ready({ productsEnabled: false }) })).toMatchObject({
      push: 'Product sync is turned off for opportunity.',
      fetch: 'Product sync is turned off for opportunity.',
    });
    expect(
      reasons({ state: ready({ refused: 'The mapping names a field that no longer exists' }) }).push,
    ).toBe('Product sync cannot run for this record: The mapping names a field that no longer exists');
  });

  it('while a load runs disables every action', () => {
    const running = 'Wait until the Oneflow contract has loaded.';
    expect(reasons({ running: true })).toMatchObject({ push: running, fetch: running, refresh: running });
    expect(reasons({ state: null })).toMatchObject({ push: running, fetch: running });
  });

  it('after a failed load or on a deleted contract names what to do first', () => {
    expect(reasons({ state: { kind: 'not_configured' } }).push).toBe(
      'Product sync is not set up for opportunity.',
    );
    expect(
      reasons({ state: { kind: 'deleted', contractId: 1001, contract: null, message: null } }).fetch,
    ).toBe('The contract was deleted in Oneflow. Unlink it first.');
    expect(
      reasons({ state: { kind: 'sign_in', problem: 'interaction_required', message: 'no session' } }).push,
    ).toBe('Sign in first.');
  });
});

describe("Oneflow's contract page", () => {
  it('is addressed by the contract id', () => {
    expect(oneflowContractUrl(1001)).toBe('https://app.oneflow.com/contracts/1001');
  });
});
