import * as React from 'react';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { SignInRequiredError, type TokenProvider } from '../auth/TokenProvider';
import type { Platform } from '../platform/Platform';
import { createTranslate } from '../strings/strings';
import {
  CONTRACT_ID,
  RECORD_ID,
  apiError,
  compareAnswer,
  compareField,
  compareLine,
  contractAnswer,
  fakeClient,
  unlinkAnswer,
} from '../testing/fakeClient';
import { fakePlatform } from '../testing/fakePlatform';
import { AppShell } from '../ui/AppShell';
import { WidgetApp } from './WidgetApp';
import { ServicesContext, type SyncApi, type Services } from '../ui/Services';

function fakeTokens(overrides: Partial<TokenProvider> = {}): TokenProvider {
  return {
    getToken: () => Promise.resolve('token'),
    signIn: () => Promise.resolve(),
    account: () => null,
    ...overrides,
  };
}

interface Setup {
  client: SyncApi;
  platform?: Platform;
  tokens?: TokenProvider;
  sleep?: (milliseconds: number) => Promise<void>;
}

function services({ client, platform = fakePlatform(), tokens = fakeTokens() }: Setup): Services {
  return {
    platform,
    client,
    tokens,
    config: {
      apiBaseUrl: 'https://sync.example.test',
      clientId: 'c',
      tenantId: 't',
      apiScope: 's',
      authority: 'https://login.example.test/t',
    },
  };
}

function Widget(setup: Setup) {
  const value = services(setup);
  const t = createTranslate((key) => value.platform.getString(key));
  return (
    <AppShell instanceId="test" theme={undefined} t={t}>
      <ServicesContext.Provider value={value}>
        <WidgetApp sleep={setup.sleep} />
      </ServicesContext.Provider>
    </AppShell>
  );
}

function renderWidget(setup: Setup) {
  return render(<Widget {...setup} />);
}

const LINE_1 = '2c3d0000-0000-4000-8000-000000000001';
const LINE_2 = '2c3d0000-0000-4000-8000-000000000002';

function ready(compare = compareAnswer(), contract = contractAnswer()): SyncApi {
  return fakeClient({
    contract: () => Promise.resolve(contract),
    compare: () => Promise.resolve(compare),
  });
}

/** Text on screen, leaving out the live region that repeats it for screen readers. */
const visible = { ignore: '[aria-live], script, style' };
const findText = (text: string | RegExp) => screen.findByText(text, visible);
const getText = (text: string | RegExp) => screen.getByText(text, visible);
const queryText = (text: string | RegExp) => screen.queryByText(text, visible);
const findAllText = (text: string | RegExp) => screen.findAllByText(text, visible);
const getAllText = (text: string | RegExp) => screen.getAllByText(text, visible);

function button(name: string | RegExp): HTMLElement {
  return screen.getByRole('button', { name });
}

/** Enabled, or disabled but focusable, with the reason as its description (Fluent's disabledFocusable). */
function expectDisabledFocusable(element: HTMLElement, reason: string): void {
  expect(element).toHaveAttribute('aria-disabled', 'true');
  expect(element).not.toHaveAttribute('disabled');
  element.focus();
  expect(element).toHaveFocus();
  expect(element).toHaveAccessibleDescription(reason);
}

describe('the widget', () => {
  it('asks to save the record first, and asks the API nothing', async () => {
    const platform = fakePlatform({ record: { entityName: 'opportunity', id: null, name: null } });
    renderWidget({ client: fakeClient({}), platform });
    expect(await findAllText('Save the record to create its Oneflow contract.')).not.toHaveLength(0);
    expectDisabledFocusable(button('Create contract'), 'Save the record first.');
    expectDisabledFocusable(button('History'), 'Save the record first.');
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('loads once the record is saved: the id is read again on every render', async () => {
    const contract = jest.fn(() => Promise.reject(apiError(404, 'not_found')));
    const client = fakeClient({ contract });
    const unsaved = fakePlatform({ record: { entityName: 'opportunity', id: null, name: null } });
    const view = renderWidget({ client, platform: unsaved });
    await findAllText('Save the record to create its Oneflow contract.');
    expect(contract).not.toHaveBeenCalled();
    view.rerender(<Widget client={client} platform={fakePlatform()} />);
    expect(await findText('No Oneflow contract yet')).toBeInTheDocument();
    expect(contract).toHaveBeenCalledWith('opportunity', RECORD_ID);
  });

  it('shows the heading and three placeholder rows while the first load runs', async () => {
    let answer: (value: ReturnType<typeof contractAnswer>) => void = () => undefined;
    const client = fakeClient({
      contract: () =>
        new Promise((resolve) => {
          answer = resolve;
        }),
      compare: () => Promise.resolve(compareAnswer()),
    });
    renderWidget({ client });
    expect(screen.getByRole('heading', { name: 'Oneflow contract' })).toBeInTheDocument();
    const table = screen.getByRole('table', { name: 'Product lines in Dynamics and Oneflow' });
    expect(table).toHaveAttribute('aria-busy', 'true');
    expect(within(table).getAllByRole('progressbar')).toHaveLength(3);
    expect(screen.getByRole('status')).toHaveTextContent('Loading the Oneflow contract…');
    act(() => {
      answer(contractAnswer());
    });
    await waitFor(() => {
      expect(table).toHaveAttribute('aria-busy', 'false');
    });
  });

  it('without a contract offers Create contract, and Push says why it cannot run', async () => {
    renderWidget({ client: fakeClient({ contract: () => Promise.reject(apiError(404, 'not_found')) }) });
    expect(await findText('No Oneflow contract yet')).toBeInTheDocument();
    expect(
      getText("Create a contract to send this opportunity's product lines to Oneflow."),
    ).toBeInTheDocument();
    const create = button('Create contract');
    expect(create).not.toHaveAttribute('aria-disabled', 'true');
    expectDisabledFocusable(
      button('Push updates to Oneflow'),
      'This record has no Oneflow contract yet. Create one first.',
    );
  });

  it('in sync: the header names the contract, its state, its page and the last sync', async () => {
    renderWidget({ client: ready() });
    expect(await findText('Everything is in sync')).toBeInTheDocument();
    expect(getText('Contoso rollout: 10 widgets')).toBeInTheDocument();
    expect(getText('Draft')).toBeInTheDocument();
    expect(getText(`Contract ${CONTRACT_ID}`)).toBeInTheDocument();
    const link = screen.getByRole('link', { name: 'Open in Oneflow' });
    expect(link).toHaveAttribute('href', `https://app.oneflow.com/contracts/${CONTRACT_ID}`);
    expect(link).toHaveAttribute('target', '_blank');
    expect(link).toHaveAttribute('rel', 'noreferrer');
    expect(getText('Last synced 2026-11-24 10:18 by Alex Seller (push) · 1 linked line')).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('Everything is in sync');
    expect(button('Push updates to Oneflow')).not.toHaveAttribute('aria-disabled', 'true');
    expect(screen.queryByRole('button', { name: 'Create contract' })).not.toBeInTheDocument();

    const table = screen.getByRole('table', { name: 'Product lines in Dynamics and Oneflow' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(
      rows.map((row) =>
        within(row)
          .getAllByRole('cell')
          .map((cell) => cell.textContent),
      ),
    ).toEqual([
      ['Widget', 'Quantity', '10', '10', 'In sync'],
      ['', 'Discount per unit', '25.00 (line)', '2.50/unit', 'In sync'],
    ]);
    fireEvent.click(screen.getByRole('switch', { name: 'Changes only' }));
    expect(getText('No differences between Dynamics and Oneflow.')).toBeInTheDocument();
    expect(within(table).getAllByRole('row')).toHaveLength(1);
  });

  it('with changes pending counts them, and shows each reason on a focusable element', async () => {
    const compare = compareAnswer({
      lines: [
        compareLine({
          lineId: LINE_1,
          fields: [
            compareField({ oneflowField: 'quantity', dynamics: '10', oneflow: '12', status: 'will_fetch' }),
            compareField({
              oneflowField: 'price_1.base_amount',
              dynamics: '25.00',
              oneflow: '20.00',
              status: 'skipped',
              reason: 'Price per unit comes from the price list on catalog lines',
            }),
          ],
        }),
        compareLine({
          lineId: LINE_2,
          name: 'Support Plan',
          fields: [
            compareField({ oneflowField: 'quantity', dynamics: '8', oneflow: null, status: 'will_push' }),
          ],
        }),
      ],
      push: { creates: 0, updates: 2, deletes: 0 },
      fetchUpdates: 1,
    });
    renderWidget({ client: ready(compare) });
    expect(await findText('2 products to push · 1 line to fetch')).toBeInTheDocument();
    const why = button('Why Skipped: Price per unit');
    expect(why).toHaveAccessibleDescription('Price per unit comes from the price list on catalog lines');
    expect(getText('Will fetch')).toBeInTheDocument();
    expect(getText('Will push')).toBeInTheDocument();
    expect(screen.getByRole('img', { name: 'empty' })).toHaveTextContent('—');
  });

  it('with conflicts held says how many and opens the conflict dialog from Resolve conflicts', async () => {
    const compare = compareAnswer({
      lines: [
        compareLine({
          lineId: LINE_2,
          name: 'Support Plan',
          fields: [
            compareField({
              oneflowField: 'quantity',
              dynamics: '7',
              oneflow: '13',
              status: 'conflict_held',
              conflict: true,
            }),
            compareField({
              oneflowField: 'price_1.base_amount',
              dynamics: '9',
              oneflow: '8',
              status: 'conflict_held',
              conflict: true,
            }),
          ],
        }),
      ],
    });
    renderWidget({ client: ready(compare) });
    expect(
      await findText('2 values changed in both Dynamics and Oneflow. Choose which value to keep.'),
    ).toBeInTheDocument();
    expect(getText('2 conflicts')).toBeInTheDocument();
    expect(getAllText('Conflict (held)')).toHaveLength(2);
    expect(getText(/· 2 held$/)).toBeInTheDocument();
    fireEvent.click(button('Resolve conflicts'));
    expect(await screen.findByRole('dialog', { name: 'Resolve conflicts' })).toBeInTheDocument();
  });

  it('on a signed contract keeps Push disabled but focusable with its reason, and Fetch enabled', async () => {
    const compare = compareAnswer({ contract: { id: CONTRACT_ID, state: 'signed', name: 'Signed deal' } });
    renderWidget({ client: ready(compare) });
    expect(await findText('Signed')).toBeInTheDocument();
    expect(
      getText(
        'This contract is signed. Its products can no longer be changed in Oneflow. You can still fetch updates.',
      ),
    ).toBeInTheDocument();
    expectDisabledFocusable(
      button('Push updates to Oneflow'),
      'The contract is signed. Its products can no longer be changed in Oneflow.',
    );
    const fetch = button('Fetch updates from Oneflow');
    expect(fetch).not.toHaveAttribute('aria-disabled', 'true');
  });

  it('with product sync off says nothing moves and disables Push and Fetch with that reason', async () => {
    renderWidget({ client: ready(compareAnswer({ productsEnabled: false })) });
    expect(
      await findText('Product sync is turned off for opportunity. Nothing is sent to or taken from Oneflow.'),
    ).toBeInTheDocument();
    expectDisabledFocusable(button('Push updates to Oneflow'), 'Product sync is turned off for opportunity.');
    expectDisabledFocusable(
      button('Fetch updates from Oneflow'),
      'Product sync is turned off for opportunity.',
    );
  });

  it('when the contract is busy says it waits, tries once more after the server wait, and shows the answer', async () => {
    let wake: () => void = () => undefined;
    const sleep = jest.fn(
      () =>
        new Promise<void>((resolve) => {
          wake = resolve;
        }),
    );
    const contract = jest
      .fn()
      .mockRejectedValueOnce(apiError(409, 'contract_busy', { retryAfterSeconds: 3 }))
      .mockResolvedValueOnce(contractAnswer());
    const client = fakeClient({ contract, compare: () => Promise.resolve(compareAnswer()) });
    renderWidget({ client, sleep });
    expect(
      await findText('Another sync of this contract is running. Trying again in 3 seconds…'),
    ).toBeInTheDocument();
    expect(sleep).toHaveBeenCalledWith(3000);
    act(() => {
      wake();
    });
    expect(await findText('Everything is in sync')).toBeInTheDocument();
    expect(contract).toHaveBeenCalledTimes(2);
    expect(queryText(/Trying again/)).not.toBeInTheDocument();
  });

  it('busy twice shows the error with Retry, and Retry loads again', async () => {
    const busy = apiError(409, 'contract_busy', { retryAfterSeconds: 1 });
    const contract = jest
      .fn()
      .mockRejectedValueOnce(busy)
      .mockRejectedValueOnce(busy)
      .mockResolvedValueOnce(contractAnswer());
    renderWidget({
      client: fakeClient({ contract, compare: () => Promise.resolve(compareAnswer()) }),
      sleep: () => Promise.resolve(),
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Retry' }));
    expect(await findText('Everything is in sync')).toBeInTheDocument();
    expect(contract).toHaveBeenCalledTimes(3);
  });

  it('when the service cannot be reached says so and gives the request id to copy', async () => {
    const writeText = jest.fn(() => Promise.resolve());
    Object.assign(navigator, { clipboard: { writeText } });
    renderWidget({
      client: fakeClient({
        contract: () => Promise.reject(apiError(0, 'network', { requestId: 'req-7f3a' })),
      }),
    });
    expect(
      await findText(
        "Can't reach Oneflow product sync. Check your connection or ask your admin whether the service is running.",
      ),
    ).toBeInTheDocument();
    fireEvent.click(button('Copy request id'));
    expect(writeText).toHaveBeenCalledWith('req-7f3a');
    expect(await screen.findByRole('button', { name: 'Request id copied' })).toBeInTheDocument();
    expectDisabledFocusable(
      button('Push updates to Oneflow'),
      'The Oneflow contract could not be loaded. Use Retry.',
    );
  });

  it('names a refusal of Dynamics and a table that is not set up', async () => {
    const view = renderWidget({
      client: fakeClient({ contract: () => Promise.reject(apiError(403, 'dynamics_forbidden')) }),
    });
    expect(
      await findText("Dynamics refused: you don't have permission to change these product lines."),
    ).toBeInTheDocument();
    view.unmount();
    renderWidget({
      client: fakeClient({
        contract: () => Promise.resolve(contractAnswer()),
        compare: () => Promise.reject(apiError(409, 'not_configured')),
      }),
    });
    expect(
      await findAllText(
        'Product sync is not set up for opportunity. Ask an admin to choose a product source in Oneflow sync settings.',
      ),
    ).not.toHaveLength(0);
  });

  it('when sign-in is needed opens the pop-up within the click itself, then loads', async () => {
    const events: string[] = [];
    let signedIn = false;
    const signIn = jest.fn(() => {
      events.push('signIn');
      signedIn = true;
      return Promise.resolve();
    });
    const contract = jest.fn(() => {
      events.push('contract');
      return signedIn
        ? Promise.resolve(contractAnswer())
        : Promise.reject(new SignInRequiredError('interaction_required', 'no session'));
    });
    renderWidget({
      client: fakeClient({ contract, compare: () => Promise.resolve(compareAnswer()) }),
      tokens: fakeTokens({ signIn }),
    });
    expect(await findText('Sign in to use Oneflow product sync.')).toBeInTheDocument();
    fireEvent.click(button('Sign in'));
    // Synchronous: nothing was awaited between the click and the pop-up.
    expect(signIn).toHaveBeenCalledTimes(1);
    expect(events).toEqual(['contract', 'signIn']);
    expect(await findText('Everything is in sync')).toBeInTheDocument();
    expect(queryText('Sign in to use Oneflow product sync.')).not.toBeInTheDocument();
  });

  it('when the browser blocks the sign-in window says so and offers to try again', async () => {
    const signIn = jest.fn(() =>
      Promise.reject(new SignInRequiredError('popup_blocked', 'popup_window_error')),
    );
    renderWidget({
      client: fakeClient({
        contract: () => Promise.reject(new SignInRequiredError('interaction_required', 'no session')),
      }),
      tokens: fakeTokens({ signIn }),
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Sign in' }));
    expect(
      await findText('Your browser blocked the sign-in window. Allow pop-ups for this site and try again.'),
    ).toBeInTheDocument();
    fireEvent.click(button('Try again'));
    expect(signIn).toHaveBeenCalledTimes(2);
    expect(await screen.findByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });

  it('on a read-only form shows the contract and allows no change', async () => {
    renderWidget({ client: ready(), platform: fakePlatform({ readOnly: true }) });
    expect(await findText('Everything is in sync')).toBeInTheDocument();
    expect(
      getText('This record is read-only: you can view its Oneflow contract but not change it.'),
    ).toBeInTheDocument();
    expectDisabledFocusable(button('Push updates to Oneflow'), 'This record is read-only.');
    expectDisabledFocusable(button('Fetch updates from Oneflow'), 'This record is read-only.');
    expect(button('History')).not.toHaveAttribute('aria-disabled', 'true');
  });

  it('warns when the latest automatic update from Oneflow failed', async () => {
    const contract = contractAnswer({
      lastActivity: {
        id: 'f0000000-0000-4000-8000-000000000005',
        action: 'webhook',
        outcome: 'failed',
        at: '2026-11-24T11:05:00.000Z',
        message: 'Fetch from Oneflow (notification) failed',
      },
    });
    renderWidget({ client: ready(compareAnswer(), contract) });
    expect(
      await findText(
        'Automatic update from Oneflow failed on 2026-11-24 11:05. Use Fetch updates from Oneflow.',
      ),
    ).toBeInTheDocument();
  });

  it('offers to unlink a contract deleted in Oneflow, and loads again once unlinked', async () => {
    const deleted = contractAnswer({
      status: 'deleted_in_oneflow',
      oneflow: null,
      message:
        'The Oneflow contract 1001 of this opportunity was deleted in Oneflow. Unlink it, then create a new contract.',
    });
    const contract = jest
      .fn()
      .mockResolvedValueOnce(deleted)
      .mockRejectedValueOnce(apiError(404, 'not_found'));
    const unlink = jest.fn(() => Promise.resolve(unlinkAnswer()));
    renderWidget({ client: fakeClient({ contract, unlink }) });
    expect(
      await findText(
        'The Oneflow contract 1001 of this opportunity was deleted in Oneflow. Unlink it, then create a new contract.',
      ),
    ).toBeInTheDocument();
    const trigger = button('Unlink');
    fireEvent.click(trigger);
    const dialog = await screen.findByRole('alertdialog', { name: 'Unlink the deleted contract?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Unlink' }));
    expect(await findText('No Oneflow contract yet')).toBeInTheDocument();
    expect(unlink).toHaveBeenCalledWith(CONTRACT_ID);
    expect(button('Create contract')).not.toHaveAttribute('aria-disabled', 'true');
  });

  it('returns focus to the button that opened a dialog once it is cancelled', async () => {
    const deleted = contractAnswer({ status: 'deleted_in_oneflow', oneflow: null, message: null });
    renderWidget({ client: fakeClient({ contract: () => Promise.resolve(deleted) }) });
    const trigger = await screen.findByRole('button', { name: 'Unlink' });
    trigger.focus();
    fireEvent.click(trigger);
    const dialog = await screen.findByRole('alertdialog');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => {
      expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    });
    expect(button('Unlink')).toHaveFocus();
  });

  it('drops an answer for a record it no longer shows', async () => {
    let answerFirst: (value: ReturnType<typeof contractAnswer>) => void = () => undefined;
    const other = '11111111-2222-4333-8444-555555555555';
    const contract = jest.fn((_entity: string, recordId: string) =>
      recordId === RECORD_ID
        ? new Promise<ReturnType<typeof contractAnswer>>((resolve) => {
            answerFirst = resolve;
          })
        : Promise.reject(apiError(404, 'not_found')),
    );
    const client = fakeClient({ contract, compare: () => Promise.resolve(compareAnswer()) });
    const view = renderWidget({ client });
    view.rerender(
      <Widget
        client={client}
        platform={fakePlatform({ record: { entityName: 'opportunity', id: other, name: null } })}
      />,
    );
    expect(await findText('No Oneflow contract yet')).toBeInTheDocument();
    await act(async () => {
      answerFirst(contractAnswer());
      await Promise.resolve();
    });
    expect(queryText('Everything is in sync')).not.toBeInTheDocument();
    expect(getText('No Oneflow contract yet')).toBeInTheDocument();
  });
});
