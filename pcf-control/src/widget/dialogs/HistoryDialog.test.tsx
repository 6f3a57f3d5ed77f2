import * as React from 'react';
import { fireEvent, render, screen, within } from '@testing-library/react';
import {
  FakeSyncApi,
  LINE_WIDGET,
  WithServices,
  activityPage,
  apiError,
  inTurn,
  type FakeCalls,
} from './dialogTestKit';
import { HistoryDialog } from './HistoryDialog';

const RECORD = '7c5c3b4e-9f1a-4e2b-8c3d-5e6f7a8b9c0d';

function open(calls: FakeCalls) {
  const client = new FakeSyncApi(calls);
  const onClose = jest.fn<undefined, []>();
  render(
    <WithServices client={client}>
      <HistoryDialog recordId={RECORD} onClose={onClose} lineNames={{ [LINE_WIDGET]: 'Widget' }} />
    </WithServices>,
  );
  return { calls: client.calls, onClose };
}

const FIRST = activityPage(
  [
    {
      id: 'a1',
      action: 'webhook',
      outcome: 'applied',
      actor: { kind: 'application', id: 'app', name: null },
      changes: [
        {
          lineId: LINE_WIDGET,
          productId: 300015,
          dynamicsField: 'quantity',
          oneflowField: 'quantity',
          side: 'dynamics',
          old: 12,
          new: 13,
          rule: 'F3',
        },
      ],
    },
    { id: 'a2', action: 'push', outcome: 'failed' },
  ],
  'next-page',
);
const SECOND = activityPage(
  [
    {
      id: 'a3',
      action: 'initial_transfer',
      outcome: 'applied',
      actor: { kind: 'application', id: 'timer', name: null },
    },
  ],
  null,
);

describe('HistoryDialog', () => {
  it('lists the latest entries with time, actor, action and outcome in words, and expands to field changes', async () => {
    const { calls } = open({ activity: inTurn(() => Promise.resolve(FIRST)) });
    const dialog = await screen.findByRole('dialog', { name: 'Product sync history' });
    const first = await within(dialog).findByRole('button', { name: /Entry a1/ });
    expect(first).toHaveTextContent('2026-11-24 10:10Oneflow webhookAutomatic updateAppliedEntry a1');
    expect(within(dialog).getByRole('button', { name: /Entry a2/ })).toHaveTextContent(
      '2026-11-24 10:11Alex SellerPushFailedEntry a2',
    );
    expect(calls).toEqual([{ name: 'activity', args: [{ recordId: RECORD }, { limit: 20 }] }]);

    expect(within(dialog).queryByText('Widget: Quantity 12 → 13 (Dynamics)')).toBeNull();
    fireEvent.click(first);
    expect(within(dialog).getByText('Widget: Quantity 12 → 13 (Dynamics)')).toBeInTheDocument();
  });

  it('loads more with the continuation token until there is no more', async () => {
    const { calls } = open({
      activity: inTurn(
        () => Promise.resolve(FIRST),
        () => Promise.resolve(SECOND),
      ),
    });
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(await within(dialog).findByRole('button', { name: 'Load more' }));
    expect(await within(dialog).findByRole('button', { name: /Entry a3/ })).toHaveTextContent(
      'AutomationCreate contractApplied',
    );
    expect(within(dialog).getAllByRole('button', { name: /Entry a/ })).toHaveLength(3);
    expect(calls[1]?.args).toEqual([{ recordId: RECORD }, { limit: 20, continuationToken: 'next-page' }]);
    expect(within(dialog).queryByRole('button', { name: 'Load more' })).toBeNull();
  });

  it('says when there is no history yet', async () => {
    open({ activity: () => Promise.resolve(activityPage([], null)) });
    expect(await screen.findByText('No product sync activity for this record yet.')).toBeInTheDocument();
  });

  it('shows an error in words with Retry, and Retry loads again', async () => {
    const { calls, onClose } = open({
      activity: inTurn(
        () => Promise.reject(apiError(502, 'network')),
        () => Promise.resolve(FIRST),
      ),
    });
    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByText(
        "Can't reach Oneflow product sync. Check your connection or ask your admin whether the service is running.",
      ),
    ).toBeInTheDocument();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Retry' }));
    expect(await within(dialog).findByRole('button', { name: /Entry a1/ })).toBeInTheDocument();
    expect(calls).toHaveLength(2);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Close' }));
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});
