import * as React from 'react';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { SyncResultAnswer } from '../../api/contract';
import type { ActionOutcome } from '../outcome';
import {
  CONTRACT_ID,
  LINE_SUPPORT,
  LINE_WIDGET,
  FakeSyncApi,
  WithServices,
  apiError,
  held,
  inTurn,
  pushPlanOperations,
  pushPreview,
  syncResult,
  type FakeCalls,
} from './dialogTestKit';
import { APPLY_HOLDS_DIALOG_MS, SyncActionDialog } from './SyncActionDialog';

const LINE_NAMES = { [LINE_WIDGET]: 'Widget', [LINE_SUPPORT]: 'Support Plan' };

function applied(preview: SyncResultAnswer, changes: Partial<SyncResultAnswer> = {}): SyncResultAnswer {
  return { ...preview, applied: true, activityId: 'act-1', ...changes };
}

const ok =
  <T,>(answer: T) =>
  () =>
    Promise.resolve(answer);
const fail = (error: Error) => () => Promise.reject(error);

function open(calls: FakeCalls, action: 'push' | 'fetch' = 'push', sleep?: (ms: number) => Promise<void>) {
  const client = new FakeSyncApi(calls);
  const onDone = jest.fn<undefined, [ActionOutcome]>();
  const onCancel = jest.fn<undefined, []>();
  render(
    <WithServices client={client}>
      <SyncActionDialog
        contractId={CONTRACT_ID}
        action={action}
        lineNames={LINE_NAMES}
        onDone={onDone}
        onCancel={onCancel}
        sleep={sleep}
      />
    </WithServices>,
  );
  return { calls: client.calls, onDone, onCancel };
}

describe('SyncActionDialog', () => {
  it('previews every write and skip, confirms with the count, shows progress while applying and reports the result', async () => {
    const preview = pushPreview();
    const apply = held<SyncResultAnswer>();
    const { onDone, calls } = open({ plan: ok(preview), apply: apply.call });

    const dialog = await screen.findByRole('dialog', { name: 'Push updates to Oneflow: preview' });
    const confirm = await within(dialog).findByRole('button', { name: 'Push 5 changes' });
    expect(calls[0]).toEqual({ name: 'plan', args: [CONTRACT_ID, 'push'] });
    expect(dialog).toHaveAccessibleDescription(
      '1 product added to Oneflow · 1 product updated in Oneflow · 1 product removed from Oneflow · ' +
        '1 change made on the other side overwritten · 1 value held for review',
    );

    const changes = within(within(dialog).getByRole('table', { name: 'Changes that will be written' }));
    const rows = changes
      .getAllByRole('row')
      .slice(1)
      .map((row) => row.textContent);
    expect(rows).toEqual([
      'WidgetQuantity10 → 12Written to Oneflow',
      'WidgetPrice per unit25.00 → 27.50Written to OneflowOverwrites a change made in Oneflow since the last sync',
      'SetupName— → SetupAdded to Oneflow',
      'SetupQuantity— → 1Added to Oneflow',
      '2c3d0000Whole product—Removed from Oneflow',
    ]);
    // A long table scrolls in the dialog: its box is reachable by keyboard to scroll it.
    expect(within(dialog).getByRole('region', { name: 'Changes that will be written' })).toHaveAttribute(
      'tabindex',
      '0',
    );
    const skips = within(within(dialog).getByRole('table', { name: 'Values that will not be written' }));
    expect(
      skips
        .getAllByRole('row')
        .slice(1)
        .map((row) => row.textContent),
    ).toEqual([
      'Support PlanQuantityHeld for reviewQuantity changed in both Dynamics ("7") and Oneflow ("13") since the last sync; held for you to choose',
      'Support PlanPrice per unitSkippedPrice per unit comes from the price list on catalog lines',
    ]);

    fireEvent.click(confirm);
    // The spinner says what runs; the bar beside it has no value: the one request reports no progress.
    const progress = await within(dialog).findAllByRole('progressbar', { name: 'Pushing to Oneflow…' });
    expect(progress).toHaveLength(2);
    for (const bar of progress) expect(bar).not.toHaveAttribute('aria-valuenow');
    expect(within(dialog).queryByRole('button', { name: 'Push 5 changes' })).toBeNull();
    expect(calls.map((call) => call.name)).toEqual(['plan', 'apply']);
    expect(calls[1]?.args).toEqual([CONTRACT_ID, 'push']);
    expect(onDone).not.toHaveBeenCalled();

    const result = applied(preview, {
      plan: { ...preview.plan, operations: [...preview.plan.operations].reverse() },
    });
    apply.answer(result);
    await waitFor(() => {
      expect(onDone).toHaveBeenCalledTimes(1);
    });
    expect(onDone).toHaveBeenCalledWith({ action: 'push', results: [result], previewDiffers: false });
  });

  it('ignores Esc and keeps Close disabled (focusable, saying why) while applying', async () => {
    const apply = held<SyncResultAnswer>();
    const first = open({ plan: ok(pushPreview()), apply: apply.call });
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(await within(dialog).findByRole('button', { name: 'Push 5 changes' }));
    await within(dialog).findAllByRole('progressbar');

    fireEvent.keyDown(dialog, { key: 'Escape' });
    const cancel = within(dialog).getByRole('button', { name: 'Close' });
    expect(cancel).toHaveAttribute('aria-disabled', 'true');
    fireEvent.click(cancel);
    expect(first.onCancel).not.toHaveBeenCalled();
    expect(screen.getByRole('dialog')).toBeInTheDocument();
    expect(cancel).toHaveAccessibleDescription(
      'Wait until the changes are written: closing now would not stop them.',
    );

    apply.answer(applied(pushPreview()));
    await waitFor(() => {
      expect(first.onDone).toHaveBeenCalledTimes(1);
    });
  });

  it('closes on Esc while previewing, without applying anything', async () => {
    const { onCancel, onDone, calls } = open({ plan: ok(pushPreview()) });
    const dialog = await screen.findByRole('dialog');
    await within(dialog).findByRole('button', { name: 'Push 5 changes' });
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(onCancel).toHaveBeenCalledTimes(1);
    expect(onDone).not.toHaveBeenCalled();
    expect(calls).toHaveLength(1);
  });

  it('shows an error of the plan in words with Retry, and Retry plans again', async () => {
    const { calls } = open({
      plan: inTurn(fail(apiError(502, 'oneflow_unavailable')), ok(pushPreview())),
    });
    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByText("Oneflow can't be reached right now. Try again in a moment."),
    ).toBeInTheDocument();
    expect(within(dialog).queryByRole('button', { name: /^Push/ })).toBeNull();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Retry' }));
    expect(await within(dialog).findByRole('button', { name: 'Push 5 changes' })).toBeInTheDocument();
    expect(calls).toHaveLength(2);
  });

  it('retries an apply that failed with an error, and reports its result', async () => {
    const result = applied(pushPreview());
    const { onDone, calls } = open({
      plan: ok(pushPreview()),
      apply: inTurn(fail(apiError(502, 'oneflow_unavailable')), ok(result)),
    });
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(await within(dialog).findByRole('button', { name: 'Push 5 changes' }));
    fireEvent.click(await within(dialog).findByRole('button', { name: 'Retry' }));
    await waitFor(() => {
      expect(onDone).toHaveBeenCalledWith({ action: 'push', results: [result], previewDiffers: false });
    });
    expect(calls.filter((call) => call.name === 'apply')).toHaveLength(2);
  });

  it('says the contract is busy and when it tries again, then tries once more', async () => {
    let wake: () => void = () => undefined;
    const waits: number[] = [];
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        waits.push(ms);
        wake = resolve;
      });
    open({ plan: inTurn(fail(apiError(409, 'contract_busy', 3)), ok(pushPreview())) }, 'push', sleep);
    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByText('Another sync of this contract is running. Trying again in 3 seconds…'),
    ).toBeInTheDocument();
    expect(waits).toEqual([3000]);
    wake();
    expect(await within(dialog).findByRole('button', { name: 'Push 5 changes' })).toBeInTheDocument();
  });

  it('says there is nothing to push and offers only Close', async () => {
    const { onCancel } = open({ plan: ok(syncResult({ outcome: 'nothing_to_do' })) });
    const dialog = await screen.findByRole('dialog');
    const text = 'Nothing to push. Dynamics and Oneflow already match for every pushable field.';
    expect(await within(dialog).findByText(text)).toBeInTheDocument();
    expect(dialog).toHaveAccessibleDescription(text);
    expect(
      within(dialog)
        .getAllByRole('button')
        .map((button) => button.textContent),
    ).toEqual(['Close']);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Close' }));
    expect(onCancel).toHaveBeenCalledTimes(1);
  });

  it('says why nothing can be pushed when every difference is held or skipped, and lists them', async () => {
    const heldOnly = syncResult({
      outcome: 'needs_attention',
      summary: { held: 1, skipped: 1 },
      operations: pushPlanOperations().filter((operation) => operation.kind === 'skip'),
    });
    open({ plan: ok(heldOnly) });
    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByText(
        'Nothing can be pushed now: every difference is held for review or skipped, as listed below.',
      ),
    ).toBeInTheDocument();
    expect(dialog).toHaveAccessibleDescription('1 value held for review');
    expect(within(dialog).queryByRole('table', { name: 'Changes that will be written' })).toBeNull();
    expect(
      within(dialog).getByRole('table', { name: 'Values that will not be written' }),
    ).toBeInTheDocument();
    expect(
      within(dialog)
        .getAllByRole('button')
        .map((button) => button.textContent),
    ).toEqual(['Close']);
  });

  it('gives the reason of a refused plan and offers only Close', async () => {
    const refused = syncResult({
      outcome: 'refused',
      operations: [
        {
          kind: 'skip',
          rule: 'OFF',
          reason: 'Product sync is turned off for opportunity',
          notes: [],
          lineId: null,
          productId: null,
        },
      ],
    });
    open({ plan: ok(refused) });
    const dialog = await screen.findByRole('dialog');
    expect(await within(dialog).findAllByText('Product sync is turned off for opportunity')).not.toHaveLength(
      0,
    );
    expect(
      within(dialog)
        .getAllByRole('button')
        .map((button) => button.textContent),
    ).toEqual(['Close']);
  });

  it('hands a 200 with failures to the widget as a result, and says when it differs from the preview', async () => {
    const preview = pushPreview(12);
    const failedRun = applied(pushPreview(13), {
      outcome: 'failed',
      failures: [
        { kind: 'update_product', lineId: LINE_WIDGET, productId: 300015, message: 'Oneflow answered 500' },
      ],
    });
    const { onDone } = open({ plan: ok(preview), apply: ok(failedRun) });
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(await within(dialog).findByRole('button', { name: 'Push 5 changes' }));
    await waitFor(() => {
      expect(onDone).toHaveBeenCalledWith({ action: 'push', results: [failedRun], previewDiffers: true });
    });
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('fetches with its own words and count', async () => {
    const fetchPreview = syncResult({
      action: 'fetch',
      summary: { linesUpdated: 1, fieldsWritten: 1 },
      operations: [
        {
          kind: 'update_line',
          rule: 'F3',
          reason: 'Update the Dynamics line from "Widget"',
          notes: [],
          lineId: LINE_WIDGET,
          productId: 300015,
          etag: 'W/"1"',
          values: { quantity: 13 },
          changes: [
            { oneflowField: 'quantity', dynamicsField: 'quantity', side: 'dynamics', old: 12, new: 13 },
          ],
        },
      ],
    });
    open({ plan: ok(fetchPreview) }, 'fetch');
    const dialog = await screen.findByRole('dialog', { name: 'Fetch updates from Oneflow: preview' });
    expect(await within(dialog).findByRole('button', { name: 'Fetch 1 change' })).toBeInTheDocument();
    expect(within(dialog).getByText('Written to Dynamics')).toBeInTheDocument();
    expect(dialog).toHaveAccessibleDescription('1 Dynamics line updated');
    expect(pushPlanOperations()).toHaveLength(4);
  });
  // Last: Fluent's focus management keeps timers it set up under the fake clock.
  it('lets the person close the dialog once a write has run for 60 seconds', async () => {
    jest.useFakeTimers();
    try {
      const apply = held<SyncResultAnswer>();
      const { onCancel } = open({ plan: ok(pushPreview()), apply: apply.call });
      const dialog = await screen.findByRole('dialog');
      fireEvent.click(await within(dialog).findByRole('button', { name: 'Push 5 changes' }));
      await within(dialog).findAllByRole('progressbar');
      act(() => {
        jest.advanceTimersByTime(APPLY_HOLDS_DIALOG_MS - 1000);
      });
      fireEvent.keyDown(dialog, { key: 'Escape' });
      expect(onCancel).not.toHaveBeenCalled();
      act(() => {
        jest.advanceTimersByTime(1000);
      });
      expect(within(dialog).getByRole('button', { name: 'Close' })).not.toHaveAttribute('aria-disabled');
      fireEvent.keyDown(dialog, { key: 'Escape' });
      expect(onCancel).toHaveBeenCalledTimes(1);
    } finally {
      jest.useRealTimers();
    }
  });
});
