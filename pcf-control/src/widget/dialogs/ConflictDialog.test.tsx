import * as React from 'react';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { ResolveConflictsAnswerSchema, type ResolveConflictsAnswer } from '../../api/contract';
import type { ActionOutcome } from '../outcome';
import { ConflictDialog, heldFields, resolutionsBody } from './ConflictDialog';
import {
  CONTRACT_ID,
  FakeSyncApi,
  LINE_SUPPORT,
  LINE_WIDGET,
  WithServices,
  compareWithHeld,
  apiError,
  held,
  inTurn,
  syncResult,
  type FakeCalls,
} from './dialogTestKit';

function open(calls: FakeCalls) {
  const client = new FakeSyncApi(calls);
  const onDone = jest.fn<undefined, [ActionOutcome]>();
  const onCancel = jest.fn<undefined, []>();
  render(
    <WithServices client={client}>
      <ConflictDialog
        contractId={CONTRACT_ID}
        compare={compareWithHeld()}
        onDone={onDone}
        onCancel={onCancel}
      />
    </WithServices>,
  );
  return { calls: client.calls, onDone, onCancel };
}

const ANSWER: ResolveConflictsAnswer = ResolveConflictsAnswerSchema.parse({
  results: [syncResult({ applied: true, action: 'fetch' }), syncResult({ applied: true, action: 'push' })],
});

describe('ConflictDialog', () => {
  it('finds one row per held field, with both values and the base', () => {
    const fields = heldFields(compareWithHeld());
    expect(fields).toEqual([
      expect.objectContaining({
        lineName: 'Support Plan',
        oneflowField: 'quantity',
        dynamics: '7',
        oneflow: '13',
        base: '12',
      }),
      expect.objectContaining({
        lineName: 'Widget',
        oneflowField: 'price_1.base_amount',
        dynamics: '27.50',
        oneflow: '26.00',
      }),
    ]);
    expect(resolutionsBody(fields, { [`${LINE_WIDGET}|price_1.base_amount`]: 'oneflow' })).toEqual({
      resolutions: [{ lineId: LINE_WIDGET, oneflowField: 'price_1.base_amount', keep: 'oneflow' }],
    });
  });

  it('labels each choice with the system and its value, and shows the base', async () => {
    open({});
    const dialog = await screen.findByRole('dialog', { name: 'Resolve conflicts' });
    const quantity = within(dialog).getByRole('radiogroup', {
      name: 'Value to keep for Support Plan, Quantity',
    });
    expect(
      within(quantity)
        .getAllByRole('radio')
        .map((radio) => radio.closest('span')?.textContent),
    ).toEqual(['Keep Dynamics: 7', 'Keep Oneflow: 13']);
    expect(within(dialog).getByText('Base: 12')).toBeInTheDocument();
    expect(within(dialog).getByRole('radio', { name: 'Keep Dynamics: 27.50' })).toBeInTheDocument();
    expect(within(dialog).getByRole('radio', { name: 'Keep Oneflow: 26.00' })).toBeInTheDocument();
    expect(dialog.textContent).not.toMatch(/ours|theirs|current|incoming/i);
  });

  it('holds Apply until every row has a choice, saying why, and sends the choices', async () => {
    const resolve = held<ResolveConflictsAnswer>();
    const { calls, onDone } = open({ resolveConflicts: resolve.call });
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(within(dialog).getByRole('radio', { name: 'Keep Oneflow: 13' }));
    const waiting = within(dialog).getByRole('button', { name: 'Apply 1 choice' });
    expect(waiting).toHaveAttribute('aria-disabled', 'true');
    expect(waiting).toHaveAccessibleDescription('Choose a value for every field first (1 left).');
    fireEvent.click(waiting);
    expect(calls).toEqual([]);

    fireEvent.click(within(dialog).getByRole('radio', { name: 'Keep Dynamics: 27.50' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Apply 2 choices' }));
    expect(await within(dialog).findAllByRole('progressbar', { name: 'Writing your choices…' })).toHaveLength(
      2,
    );
    expect(calls).toEqual([
      {
        name: 'resolveConflicts',
        args: [
          CONTRACT_ID,
          {
            resolutions: [
              { lineId: LINE_SUPPORT, oneflowField: 'quantity', keep: 'oneflow' },
              { lineId: LINE_WIDGET, oneflowField: 'price_1.base_amount', keep: 'dynamics' },
            ],
          },
        ],
      },
    ]);
    resolve.answer(ANSWER);
    await waitFor(() => {
      expect(onDone).toHaveBeenCalledWith({
        action: 'resolve',
        results: ANSWER.results,
        previewDiffers: false,
      });
    });
  });

  it('keeps all of one side with one click', async () => {
    const { calls } = open({ resolveConflicts: () => Promise.resolve(ANSWER) });
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Keep all Dynamics' }));
    expect(within(dialog).getByRole('radio', { name: 'Keep Dynamics: 7' })).toBeChecked();
    expect(within(dialog).getByRole('radio', { name: 'Keep Dynamics: 27.50' })).toBeChecked();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Keep all Oneflow' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Apply 2 choices' }));
    await waitFor(() => {
      expect(calls).toHaveLength(1);
    });
    expect(calls[0]?.args[1]).toEqual({
      resolutions: [
        { lineId: LINE_SUPPORT, oneflowField: 'quantity', keep: 'oneflow' },
        { lineId: LINE_WIDGET, oneflowField: 'price_1.base_amount', keep: 'oneflow' },
      ],
    });
  });

  it('shows an error of the resolve call in words with Retry, keeping the choices', async () => {
    const { calls, onDone } = open({
      resolveConflicts: inTurn(
        () => Promise.reject(apiError(502, 'oneflow_unavailable')),
        () => Promise.resolve(ANSWER),
      ),
    });
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Keep all Oneflow' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Apply 2 choices' }));
    expect(
      await within(dialog).findByText("Oneflow can't be reached right now. Try again in a moment."),
    ).toBeInTheDocument();
    expect(within(dialog).getByRole('radio', { name: 'Keep Oneflow: 13' })).toBeChecked();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Retry' }));
    await waitFor(() => {
      expect(onDone).toHaveBeenCalledTimes(1);
    });
    expect(calls.map((call) => call.args[1])).toEqual([calls[0]?.args[1], calls[0]?.args[1]]);
    expect(calls).toHaveLength(2);
  });
});
