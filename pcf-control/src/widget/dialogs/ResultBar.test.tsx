import * as React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import type { SyncResultAnswer } from '../../api/contract';
import type { ActionOutcome } from '../outcome';
import {
  FakeSyncApi,
  LINE_SUPPORT,
  LINE_WIDGET,
  WithServices,
  pushPreview,
  syncResult,
} from './dialogTestKit';
import { ResultBar, resultView } from './ResultBar';

function appliedPush(changes: Partial<SyncResultAnswer> = {}): SyncResultAnswer {
  return { ...pushPreview(), applied: true, activityId: 'act-1', ...changes };
}

function show(outcome: ActionOutcome) {
  const onDismiss = jest.fn<undefined, []>();
  const { container } = render(
    <WithServices client={new FakeSyncApi({})}>
      <ResultBar outcome={outcome} onDismiss={onDismiss} lineNames={{ [LINE_WIDGET]: 'Widget' }} />
    </WithServices>,
  );
  return { onDismiss, text: container.textContent };
}

const SUCCESS_WORDS = /Pushed to Oneflow|success|Done/i;

describe('ResultBar', () => {
  it('is a success only when everything was written, and says what', () => {
    const outcome: ActionOutcome = { action: 'push', results: [appliedPush()], previewDiffers: false };
    // The preview held one value: a run that held something is not a plain success.
    expect(resultView(outcome).intent).toBe('warning');
    const clean: ActionOutcome = {
      action: 'push',
      results: [appliedPush({ summary: { ...pushPreview().summary, held: 0 } })],
      previewDiffers: false,
    };
    expect(resultView(clean).intent).toBe('success');
    const { onDismiss } = show(clean);
    expect(screen.getByText('Pushed to Oneflow')).toBeInTheDocument();
    expect(
      screen.getByText(
        '1 product added to Oneflow · 1 product updated in Oneflow · 1 product removed from Oneflow · ' +
          '1 change made on the other side overwritten',
      ),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(onDismiss).toHaveBeenCalledTimes(1);
  });

  it('never says success when a write failed, and names each failure with its line', () => {
    const outcome: ActionOutcome = {
      action: 'push',
      results: [
        appliedPush({
          outcome: 'failed',
          failures: [
            {
              kind: 'update_product',
              lineId: LINE_WIDGET,
              productId: 300015,
              message: 'Oneflow answered 500',
            },
            { kind: 'create_product', lineId: LINE_SUPPORT, productId: null, message: 'Name too long' },
          ],
        }),
      ],
      previewDiffers: false,
    };
    expect(resultView(outcome)).toMatchObject({ intent: 'warning', failures: 2, writes: 3 });
    const { text } = show(outcome);
    expect(text).not.toMatch(SUCCESS_WORDS);
    expect(screen.getByText('Not every change was written')).toBeInTheDocument();
    expect(
      screen.getByText('2 of 3 changes were not written. They stay pending and will show again.'),
    ).toBeInTheDocument();
    expect(screen.getAllByRole('listitem').map((item) => item.textContent)).toEqual([
      'Widget: not updated in OneflowOneflow answered 500',
      '2c3d0000: not added to OneflowName too long',
    ]);
    // The plan's counts would claim the failed writes: they are not shown after a failure.
    expect(text).not.toContain('product updated in Oneflow ·');
  });

  it('is an error when nothing asked for was written', () => {
    const one = syncResult({
      applied: true,
      outcome: 'failed',
      operations: pushPreview().plan.operations.slice(0, 1),
      failures: [
        { kind: 'update_product', lineId: LINE_WIDGET, productId: 300015, message: 'Oneflow answered 500' },
      ],
    });
    const outcome: ActionOutcome = { action: 'push', results: [one], previewDiffers: false };
    expect(resultView(outcome).intent).toBe('error');
    const { text } = show(outcome);
    expect(text).toContain('1 of 1 changes were not written.');
    expect(text).not.toMatch(SUCCESS_WORDS);
  });

  it('warns about values held for review, naming how many', () => {
    const held = syncResult({ applied: true, outcome: 'needs_attention', summary: { held: 2 } });
    const outcome: ActionOutcome = { action: 'fetch', results: [held], previewDiffers: false };
    expect(resultView(outcome).intent).toBe('warning');
    show(outcome);
    expect(
      screen.getByText('2 values changed in both Dynamics and Oneflow are held for you to choose.'),
    ).toBeInTheDocument();
  });

  it('says when what was written differs from the preview', () => {
    const clean = appliedPush({ summary: { ...pushPreview().summary, held: 0 } });
    const outcome: ActionOutcome = { action: 'push', results: [clean], previewDiffers: true };
    expect(resultView(outcome).intent).toBe('warning');
    show(outcome);
    expect(
      screen.getByText('Some values changed since the preview; this is what was written.'),
    ).toBeInTheDocument();
  });

  it('says which side each resolved value was written to', () => {
    const written = syncResult({
      applied: true,
      action: 'fetch',
      summary: { linesUpdated: 1, fieldsWritten: 1 },
      operations: [
        {
          kind: 'update_line',
          rule: 'F3',
          reason: 'Update',
          notes: [],
          lineId: LINE_SUPPORT,
          productId: 300016,
          etag: 'W/"1"',
          values: { quantity: 13 },
          changes: [
            { oneflowField: 'quantity', dynamicsField: 'quantity', side: 'dynamics', old: 7, new: 13 },
          ],
        },
      ],
    });
    show({ action: 'resolve', results: [written], previewDiffers: false });
    expect(screen.getByText('Conflicts resolved')).toBeInTheDocument();
    expect(screen.getByText('2c3d0000: Quantity 13 written to Dynamics')).toBeInTheDocument();
  });

  it('says plainly when there was nothing to do', () => {
    const outcome: ActionOutcome = {
      action: 'push',
      results: [syncResult({ applied: true, outcome: 'nothing_to_do' })],
      previewDiffers: false,
    };
    expect(resultView(outcome).intent).toBe('info');
    show(outcome);
    expect(screen.getByText('Nothing to push: Dynamics and Oneflow already match')).toBeInTheDocument();
  });
});
