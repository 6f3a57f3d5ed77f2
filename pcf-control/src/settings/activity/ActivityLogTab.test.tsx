import * as React from 'react';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import type { SyncApi } from '../../ui/Services';
import { strictGetString } from '../../strings/resx';
import { apiError, fakeClient } from '../../testing/fakeClient';
import { SETTINGS_STRINGS, fakePlatform } from '../../testing/fakePlatform';
import { LINE_WIDGET, WithServices, activityPage } from '../../widget/dialogs/dialogTestKit';
import { ActivityLogTab } from './ActivityLogTab';

const RECORD = '7c5c3b4e-9f1a-4e2b-8c3d-5e6f7a8b9c0d';
const GIVEN_UP =
  'Oneflow reported a change, but fetching it failed 5 times and was given up: Oneflow answered 500 (4 attempts): ' +
  'An internal server error occurred. Use Fetch updates from Oneflow once the cause is fixed.';

type ActivityCall = Parameters<SyncApi['activity']>;
type ActivityPageAnswer = ReturnType<typeof activityPage>;

/** The tab with an activity call answering the given pages in turn (the last one answers every later call). */
function renderTab(...answers: (() => Promise<ActivityPageAnswer>)[]) {
  const calls: ActivityCall[] = [];
  const activity = jest.fn((...args: ActivityCall) => {
    calls.push(args);
    const answer = answers[Math.min(calls.length, answers.length) - 1];
    if (answer === undefined) throw new Error('no answer given');
    return answer();
  });
  render(
    <WithServices
      client={fakeClient({ activity })}
      platform={fakePlatform({ getString: strictGetString(SETTINGS_STRINGS) })}
    >
      <ActivityLogTab />
    </WithServices>,
  );
  return { calls, activity };
}

function showContract(id: string): void {
  fireEvent.change(screen.getByRole('textbox', { name: 'Contract id' }), { target: { value: id } });
  fireEvent.click(screen.getByRole('button', { name: 'Show' }));
}

const FIRST = activityPage(
  [
    {
      id: 'a1',
      action: 'webhook',
      outcome: 'failed',
      actor: { kind: 'application', id: 'app', name: null },
      message: GIVEN_UP,
    },
    {
      id: 'a2',
      action: 'push',
      outcome: 'applied',
      message: 'Push to Oneflow: 1 product updated.',
      changes: [
        {
          lineId: LINE_WIDGET,
          productId: 300015,
          dynamicsField: 'quantity',
          oneflowField: 'quantity',
          side: 'oneflow',
          old: '10',
          new: '12',
          rule: 'P1',
        },
        {
          lineId: LINE_WIDGET,
          productId: 300015,
          dynamicsField: 'manualdiscountamount',
          oneflowField: 'price_1.discount_amount',
          side: null,
          old: null,
          new: null,
          rule: 'P1',
          note: 'Held for review: both sides changed',
        },
      ],
    },
  ],
  'page-2',
);
const SECOND = activityPage(
  [
    {
      id: 'a3',
      action: 'initial_transfer',
      outcome: 'applied',
      message: 'Contract created with 3 products.',
    },
  ],
  null,
);

describe('ActivityLogTab', () => {
  it('names a malformed or missing id on its field and sends nothing', () => {
    const { activity } = renderTab(() => Promise.resolve(FIRST));
    expect(
      screen.getByText('Enter a contract id or a Dynamics record id and choose Show.'),
    ).toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: 'Show' }));
    const contract = screen.getByRole('textbox', { name: 'Contract id' });
    expect(contract).toHaveAttribute('aria-invalid', 'true');
    expect(contract).toHaveAccessibleDescription('Enter a contract id.');
    expect(contract).toHaveFocus();

    for (const bad of ['10a', '0', '01001', '1e3', '-5']) {
      showContract(bad);
      expect(contract).toHaveAccessibleDescription(
        'A contract id is a whole number in plain digits without leading zeros, like 1001.',
      );
    }

    fireEvent.click(screen.getByRole('radio', { name: 'Dynamics record id' }));
    const record = screen.getByRole('textbox', { name: 'Dynamics record id' });
    expect(record).not.toHaveAttribute('aria-invalid', 'true');
    fireEvent.change(record, { target: { value: '7c5c3b4e-9f1a-4e2b-8c3d' } });
    fireEvent.submit(record);
    expect(record).toHaveAccessibleDescription(/^A Dynamics record id is a GUID/);
    expect(activity).not.toHaveBeenCalled();
  });

  it('asks for a contract or a record (Enter works too), and for the outcome chosen', async () => {
    const { calls } = renderTab(() => Promise.resolve(activityPage([], null)));
    showContract(' 1001 ');
    expect(await screen.findByText('No activity for contract 1001.')).toBeInTheDocument();
    expect(calls[0]).toEqual([{ contractId: 1001 }, { limit: 20 }]);

    fireEvent.click(screen.getByRole('radio', { name: 'Failed' }));
    expect(await screen.findByText('No failed runs for contract 1001.')).toBeInTheDocument();
    expect(calls[1]).toEqual([{ contractId: 1001 }, { limit: 20, outcome: 'failed' }]);

    fireEvent.click(screen.getByRole('radio', { name: 'Held' }));
    expect(await screen.findByText('No held runs for contract 1001.')).toBeInTheDocument();
    expect(calls[2]).toEqual([{ contractId: 1001 }, { limit: 20, outcome: 'needs_attention' }]);

    fireEvent.click(screen.getByRole('radio', { name: 'Dynamics record id' }));
    const record = screen.getByRole('textbox', { name: 'Dynamics record id' });
    fireEvent.change(record, { target: { value: `{${RECORD.toUpperCase()}}` } });
    fireEvent.submit(record);
    expect(await screen.findByText(`No held runs for record ${RECORD}.`)).toBeInTheDocument();
    expect(calls[3]).toEqual([{ recordId: RECORD }, { limit: 20, outcome: 'needs_attention' }]);

    fireEvent.click(screen.getByRole('radio', { name: 'Interrupted' }));
    expect(await screen.findByText(`No interrupted runs for record ${RECORD}.`)).toBeInTheDocument();
    fireEvent.click(screen.getByRole('radio', { name: 'All' }));
    expect(await screen.findByText(`No activity for record ${RECORD}.`)).toBeInTheDocument();
    expect(calls.slice(4)).toEqual([
      [{ recordId: RECORD }, { limit: 20, outcome: 'interrupted' }],
      [{ recordId: RECORD }, { limit: 20 }],
    ]);
  });

  it('appends the next page with the continuation token, and says when every entry is shown', async () => {
    const { calls } = renderTab(
      () => Promise.resolve(FIRST),
      () => Promise.resolve(SECOND),
    );
    showContract('1001');
    expect(
      await screen.findByText('The newest 2 entries for contract 1001; older ones follow with Load more.'),
    ).toBeInTheDocument();
    expect(screen.getAllByRole('button', { name: /^2026-11-24/ })).toHaveLength(2);

    fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('All 3 entries for contract 1001 are shown.')).toBeInTheDocument();
    const headers = screen.getAllByRole('button', { name: /^2026-11-24/ });
    expect(headers.map((header) => header.textContent)).toEqual([
      `2026-11-24 10:10Oneflow webhookWebhook: Oneflow reported a changeFailed${GIVEN_UP}`,
      '2026-11-24 10:11Alex SellerPush to OneflowAppliedPush to Oneflow: 1 product updated.',
      '2026-11-24 10:10Alex SellerContract createdAppliedContract created with 3 products.',
    ]);
    expect(calls[1]).toEqual([{ contractId: 1001 }, { limit: 20, continuationToken: 'page-2' }]);
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });

  it('gives the total when the API counts it', async () => {
    renderTab(() => Promise.resolve({ ...activityPage([{ id: 'a1' }, { id: 'a2' }], null), total: 2 }));
    showContract('1001');
    expect(await screen.findByText('2 entries for contract 1001.')).toBeInTheDocument();
  });

  it('expands an entry to its field-level changes, and says when an entry has none', async () => {
    renderTab(() => Promise.resolve(FIRST));
    showContract('1001');
    const push = await screen.findByRole('button', { name: /Push to Oneflow: 1 product updated/ });
    expect(screen.queryByRole('table')).toBeNull();
    fireEvent.click(push);
    const table = screen.getByRole('table', { name: 'Changes of this entry' });
    const rows = within(table)
      .getAllByRole('row')
      .map((row) =>
        within(row)
          .queryAllByRole(/^(cell|columnheader)$/)
          .map((cell) => cell.textContent),
      );
    expect(rows).toEqual([
      ['Line', 'Field (Dynamics ↔ Oneflow)', 'Written to', 'Old → new', 'Rule and note'],
      [`${LINE_WIDGET}Oneflow product 300015`, 'quantity ↔ quantity', 'Oneflow', '10 → 12', 'P1'],
      [
        `${LINE_WIDGET}Oneflow product 300015`,
        'manualdiscountamount ↔ price_1.discount_amount',
        'Not written',
        '— → —',
        'P1: Held for review: both sides changed',
      ],
    ]);

    fireEvent.click(screen.getByRole('button', { name: /given up/ }));
    expect(screen.getByText('No value was written, held or refused in this entry.')).toBeInTheDocument();
    // Both stay open: an admin compares entries side by side.
    expect(screen.getByRole('table', { name: 'Changes of this entry' })).toBeInTheDocument();
  });

  it('shows a failed run with its cause in full, marked by icon and words', async () => {
    renderTab(() => Promise.resolve(FIRST));
    fireEvent.click(screen.getByRole('radio', { name: 'Failed' }));
    showContract('1001');
    const header = await screen.findByRole('button', { name: /given up/ });
    expect(within(header).getByText(GIVEN_UP)).toBeVisible();
    const badge = within(header).getByText('Failed');
    expect(badge.querySelector('svg')).not.toBeNull();
  });

  it('shows an error in words with its request id, and Retry asks again', async () => {
    const { calls } = renderTab(
      () => Promise.reject(apiError(503, 'oneflow_unavailable', { requestId: 'req-7' })),
      () => Promise.resolve(FIRST),
    );
    showContract('1001');
    expect(await screen.findByRole('button', { name: 'Copy request id' })).toBeInTheDocument();
    expect(screen.queryByText(/No activity/)).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByRole('button', { name: /given up/ })).toBeInTheDocument();
    expect(calls).toEqual([
      [{ contractId: 1001 }, { limit: 20 }],
      [{ contractId: 1001 }, { limit: 20 }],
    ]);
  });
  it('says what it is loading, and an answer to an earlier filter never replaces the later one', async () => {
    let answerFirst: (page: ActivityPageAnswer) => void = () => undefined;
    const { calls } = renderTab(
      () =>
        new Promise<ActivityPageAnswer>((resolve) => {
          answerFirst = resolve;
        }),
      () => Promise.resolve(activityPage([], null)),
    );
    showContract('1001');
    expect(screen.getByText('Loading the activity of contract 1001…')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('radio', { name: 'Failed' }));
    expect(await screen.findByText('No failed runs for contract 1001.')).toBeInTheDocument();
    await act(async () => {
      answerFirst(FIRST);
      await Promise.resolve();
    });
    expect(screen.getByText('No failed runs for contract 1001.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /given up/ })).toBeNull();
    expect(calls.map(([, options]) => options?.outcome)).toEqual([undefined, 'failed']);
  });

  it('keeps the entries shown when a further page fails, and Retry asks for that page again', async () => {
    const { calls } = renderTab(
      () => Promise.resolve(FIRST),
      () => Promise.reject(apiError(502, 'network')),
      () => Promise.resolve(SECOND),
    );
    showContract('1001');
    fireEvent.click(await screen.findByRole('button', { name: 'Load more' }));
    expect(await screen.findByRole('button', { name: 'Retry' })).toBeInTheDocument();
    expect(screen.getAllByRole('button', { name: /^2026-11-24/ })).toHaveLength(2);
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('All 3 entries for contract 1001 are shown.')).toBeInTheDocument();
    expect(calls.slice(1)).toEqual([
      [{ contractId: 1001 }, { limit: 20, continuationToken: 'page-2' }],
      [{ contractId: 1001 }, { limit: 20, continuationToken: 'page-2' }],
    ]);
  });
});
