import * as React from 'react';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { TokenProvider } from '../auth/TokenProvider';
import { createTranslate } from '../strings/strings';
import { RECORD_ID, apiError, compareAnswer, contractAnswer, fakeClient } from '../testing/fakeClient';
import { fakePlatform } from '../testing/fakePlatform';
import { AppShell } from '../ui/AppShell';
import type { Operation } from '../api/contract';
import {
  LINE_WIDGET,
  TEMPLATES,
  createAnswer,
  createPreview,
  pushPreview,
  syncResult,
} from './dialogs/dialogTestKit';
import { WidgetApp } from './WidgetApp';
import { ServicesContext, type SyncApi, type Services } from '../ui/Services';

const tokens: TokenProvider = {
  getToken: () => Promise.resolve('token'),
  signIn: () => Promise.resolve(),
  account: () => null,
};

function renderWidget(client: SyncApi) {
  const platform = fakePlatform();
  const services: Services = {
    platform,
    client,
    tokens,
    config: {
      apiBaseUrl: 'https://sync.example.test',
      clientId: 'c',
      tenantId: 't',
      apiScope: 's',
      authority: 'a',
    },
  };
  return render(
    <AppShell instanceId="test" theme={undefined} t={createTranslate((key) => platform.getString(key))}>
      <ServicesContext.Provider value={services}>
        <WidgetApp sleep={() => Promise.resolve()} />
      </ServicesContext.Provider>
    </AppShell>,
  );
}

// Each test walks a real dialog through its steps; on a busy machine that takes longer than jest's 5 s default.
jest.setTimeout(20_000);

describe('the widget with its dialogs', () => {
  it('opens Push from the toolbar, shows the result under the header, loads again and gives focus back', async () => {
    const contract = jest.fn(() => Promise.resolve(contractAnswer()));
    const plan = jest.fn(() => Promise.resolve(pushPreview()));
    const apply = jest.fn(() =>
      Promise.resolve(syncResult({ applied: true, summary: { productsUpdated: 1, fieldsWritten: 1 } })),
    );
    renderWidget(fakeClient({ contract, compare: () => Promise.resolve(compareAnswer()), plan, apply }));
    const push = await screen.findByRole('button', { name: 'Push updates to Oneflow' });
    await waitFor(() => {
      expect(push).not.toHaveAttribute('aria-disabled', 'true');
    });
    push.focus();
    fireEvent.click(push);
    const dialog = await screen.findByRole('dialog', { name: 'Push updates to Oneflow: preview' });
    expect(plan).toHaveBeenCalledWith(1001, 'push');
    fireEvent.click(await within(dialog).findByRole('button', { name: /^Push \d+ changes?$/ }));
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });
    expect(apply).toHaveBeenCalledWith(1001, 'push');
    expect(await screen.findByText(/Pushed to Oneflow/)).toBeInTheDocument();
    await waitFor(() => {
      expect(contract).toHaveBeenCalledTimes(2);
    });
    await waitFor(() => {
      expect(screen.getByRole('button', { name: 'Push updates to Oneflow' })).toHaveFocus();
    });
  });

  it('after a fetch that wrote Dynamics lines asks to refresh the form, which a control cannot do', async () => {
    const operations: Operation[] = [
      {
        kind: 'update_line',
        rule: 'F1',
        reason: 'Update "Widget" in Dynamics',
        notes: [],
        lineId: LINE_WIDGET,
        productId: 300015,
        etag: 'W/"1"',
        values: { quantity: '12' },
        changes: [
          { oneflowField: 'quantity', dynamicsField: 'quantity', side: 'dynamics', old: '10', new: '12' },
        ],
      },
    ];
    const summary = { linesUpdated: 1, fieldsWritten: 1 };
    const preview = syncResult({ action: 'fetch', operations, summary });
    const fetched = syncResult({ action: 'fetch', operations, summary, applied: true });
    renderWidget(
      fakeClient({
        contract: () => Promise.resolve(contractAnswer()),
        compare: () => Promise.resolve(compareAnswer()),
        plan: () => Promise.resolve(preview),
        apply: () => Promise.resolve(fetched),
      }),
    );
    const fetch = await screen.findByRole('button', { name: 'Fetch updates from Oneflow' });
    await waitFor(() => {
      expect(fetch).not.toHaveAttribute('aria-disabled', 'true');
    });
    fireEvent.click(fetch);
    const dialog = await screen.findByRole('dialog', { name: 'Fetch updates from Oneflow: preview' });
    fireEvent.click(await within(dialog).findByRole('button', { name: /^Fetch \d+ changes?$/ }));
    expect(
      await screen.findByText(
        'Dynamics lines were updated. Refresh the form to see them in the Products grid.',
      ),
    ).toBeInTheDocument();
  });

  it('after Create contract shows the new contract and keeps focus in the toolbar, on Push', async () => {
    const preview = createPreview(12, ['Widget', 'Support Plan']);
    const contract = jest
      .fn()
      .mockRejectedValueOnce(apiError(404, 'not_found'))
      .mockResolvedValue(contractAnswer());
    const create = jest.fn(() => Promise.resolve(createAnswer(preview)));
    renderWidget(
      fakeClient({
        contract,
        compare: () => Promise.resolve(compareAnswer()),
        templates: () => Promise.resolve(TEMPLATES),
        createPreview: () => Promise.resolve(preview),
        create,
      }),
    );
    await screen.findByText('No Oneflow contract yet', { ignore: '[aria-live]' });
    const trigger = screen.getByRole('button', { name: 'Create contract' });
    trigger.focus();
    fireEvent.click(trigger);
    const dialog = await screen.findByRole('dialog', { name: 'Create Oneflow contract' });
    fireEvent.click(await within(dialog).findByRole('button', { name: 'Create contract' }));
    expect(await screen.findByText('Everything is in sync', { ignore: '[aria-live]' })).toBeInTheDocument();
    expect(create).toHaveBeenCalledWith('opportunity', RECORD_ID, 12);
    expect(screen.queryByRole('button', { name: 'Create contract' })).not.toBeInTheDocument();
    await waitFor(() => {
      expect(screen.getByRole('button', { name: 'Push updates to Oneflow' })).toHaveFocus();
    });
  });

  it('loads the contract someone else created meanwhile when Create is refused as existing', async () => {
    const preview = createPreview(12, ['Widget']);
    const contract = jest
      .fn()
      .mockRejectedValueOnce(apiError(404, 'not_found'))
      .mockResolvedValue(contractAnswer());
    renderWidget(
      fakeClient({
        contract,
        compare: () => Promise.resolve(compareAnswer()),
        templates: () => Promise.resolve(TEMPLATES),
        createPreview: () => Promise.resolve(preview),
        create: () => Promise.reject(apiError(409, 'contract_exists')),
      }),
    );
    await screen.findByText('No Oneflow contract yet', { ignore: '[aria-live]' });
    fireEvent.click(screen.getByRole('button', { name: 'Create contract' }));
    const dialog = await screen.findByRole('dialog', { name: 'Create Oneflow contract' });
    fireEvent.click(await within(dialog).findByRole('button', { name: 'Create contract' }));
    expect(await within(dialog).findByText(/already has an Oneflow contract/)).toBeInTheDocument();
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(await screen.findByText('Everything is in sync', { ignore: '[aria-live]' })).toBeInTheDocument();
    expect(contract).toHaveBeenCalledTimes(2);
    expect(screen.queryByRole('button', { name: 'Create contract' })).not.toBeInTheDocument();
  });

  it('closes a cancelled Fetch without writing or loading again, and gives focus back', async () => {
    const contract = jest.fn(() => Promise.resolve(contractAnswer()));
    const apply = jest.fn(() => Promise.reject(new Error('nothing may be applied')));
    renderWidget(
      fakeClient({
        contract,
        compare: () => Promise.resolve(compareAnswer()),
        plan: () => Promise.resolve(pushPreview()),
        apply,
      }),
    );
    const fetch = await screen.findByRole('button', { name: 'Fetch updates from Oneflow' });
    await waitFor(() => {
      expect(fetch).not.toHaveAttribute('aria-disabled', 'true');
    });
    fetch.focus();
    fireEvent.click(fetch);
    const dialog = await screen.findByRole('dialog', { name: 'Fetch updates from Oneflow: preview' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });
    expect(screen.getByRole('button', { name: 'Fetch updates from Oneflow' })).toHaveFocus();
    expect(apply).not.toHaveBeenCalled();
    expect(contract).toHaveBeenCalledTimes(1);
  });

  it('opens History with the record, and Create contract for a record without one', async () => {
    const activity = jest.fn(() => Promise.resolve({ entries: [], continuationToken: null, total: 0 }));
    const templates = jest.fn(() => new Promise<never>(() => undefined));
    renderWidget(
      fakeClient({ contract: () => Promise.reject(apiError(404, 'not_found')), activity, templates }),
    );
    await screen.findByText('No Oneflow contract yet', { ignore: '[aria-live]' });
    fireEvent.click(screen.getByRole('button', { name: 'History' }));
    const history = await screen.findByRole('dialog', { name: 'Product sync history' });
    expect(activity).toHaveBeenCalledWith({ recordId: RECORD_ID }, { limit: 20 });
    fireEvent.click(within(history).getAllByRole('button', { name: 'Close' })[0] as HTMLElement);
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });
    expect(screen.getByRole('button', { name: 'History' })).toHaveFocus();
    fireEvent.click(screen.getByRole('button', { name: 'Create contract' }));
    expect(await screen.findByRole('dialog', { name: 'Create Oneflow contract' })).toBeInTheDocument();
    expect(templates).toHaveBeenCalled();
  });
});
