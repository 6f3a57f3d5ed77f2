import * as React from 'react';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import {
  SettingsImpactAnswerSchema,
  defaultMappings,
  type EntitySettings,
  type SettingsImpactAnswer,
} from '../../api/contract';
import { ApiError } from '../../api/SyncApiClient';
import { apiError, fakeClient } from '../../testing/fakeClient';
import { SettingsShell } from '../../testing/settingsShell';
import type { SyncApi } from '../../ui/Services';
import { ImpactPreview } from './ImpactPreview';

jest.setTimeout(30_000);

function Preview({ client, settings }: { client: SyncApi; settings: EntitySettings }) {
  return (
    <SettingsShell client={client}>
      <ImpactPreview entity="opportunity" settings={settings} />
    </SettingsShell>
  );
}

function settingsWith(quantity: EntitySettings['mappings'][number]['direction']): EntitySettings {
  return {
    mainEntity: 'opportunity',
    productsEnabled: true,
    productSource: {
      entity: 'opportunityproduct',
      lookupAttribute: 'opportunityid',
      relationship: 'product_opportunities',
    },
    mappings: defaultMappings('opportunityproduct').map((mapping) =>
      mapping.oneflowField === 'quantity' ? { ...mapping, direction: quantity } : mapping,
    ),
  };
}

const count = (contracts: number, lines: number) => ({ contracts, lines });
const NONE = count(0, 0);
const HEADLINE =
  "Quantity becomes Two-way: 3 lines of 2 contracts would take Oneflow's value at the next fetch; " +
  '3 lines of 2 contracts would no longer send their value to Oneflow at the next push.';

/** The answer of a direction change, checked with the API's schema. */
function impactAnswer(overrides: Partial<SettingsImpactAnswer> = {}): SettingsImpactAnswer {
  const before = settingsWith('dynamics_to_oneflow').mappings[3];
  const after = settingsWith('two_way').mappings[3];
  return SettingsImpactAnswerSchema.parse({
    entity: 'opportunity',
    plannedAt: '2026-11-24T10:00:17.000Z',
    contracts: { stored: 3, considered: 3, compared: 3, limit: 200, truncated: false },
    unreadable: [],
    transferProducts: null,
    sourceChange: null,
    mappings: [],
    fields: [
      {
        oneflowField: 'quantity',
        label: 'Quantity',
        mapping: {
          oneflowField: 'quantity',
          label: 'Quantity',
          change: 'changed',
          before,
          after,
          properties: ['direction'],
          description: 'Quantity: direction Dynamics to Oneflow → Two-way',
        },
        rows: [
          {
            action: 'fetch',
            side: 'dynamics',
            now: NONE,
            after: count(2, 3),
            added: count(2, 3),
            dropped: NONE,
            otherValue: NONE,
          },
          {
            action: 'push',
            side: 'oneflow',
            now: count(2, 3),
            after: NONE,
            added: NONE,
            dropped: count(2, 3),
            otherValue: NONE,
          },
        ],
        headline: HEADLINE,
      },
    ],
    products: [],
    affected: true,
    headlines: [HEADLINE],
    ...overrides,
  });
}

/** A promise the test settles when it chooses. */
function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

test('says it is planning while the API plans, then shows each changed field in the page’s words with its table', async () => {
  const answer = deferred<SettingsImpactAnswer>();
  const settingsImpact = jest.fn(() => answer.promise);
  render(<Preview client={fakeClient({ settingsImpact })} settings={settingsWith('two_way')} />);

  expect(
    screen.getByText('Planning the next push and fetch of every synced contract with these settings…'),
  ).toBeInTheDocument();
  expect(settingsImpact).toHaveBeenCalledWith('opportunity', settingsWith('two_way'));
  answer.resolve(impactAnswer());

  // The field and its direction in the mapping table's words, then the numbers.
  expect(await screen.findByText('Quantity becomes Two-way')).toBeInTheDocument();
  expect(screen.queryByText(/Planning the next push/)).not.toBeInTheDocument();
  expect(screen.getByText('3 of 3 synced contracts compared.')).toBeInTheDocument();
  const table = screen.getByRole('table', { name: 'Quantity: writes at the next push and fetch' });
  const rows = within(table)
    .getAllByRole('row')
    .map((row) =>
      within(row)
        .getAllByRole(/cell|columnheader/)
        .map((cell) => cell.textContent),
    );
  expect(rows).toEqual([
    ['Action', 'Written into', 'Change', 'Contracts', 'Lines'],
    ['Next fetch', 'Dynamics (Oneflow’s value wins)', 'Newly written', '2', '3'],
    ['Next push', 'Oneflow (Dynamics’ value wins)', 'No longer written', '2', '3'],
  ]);
  expect(screen.queryByText('No contract synced so far is affected.')).not.toBeInTheDocument();
});

test('says when no contract synced so far is affected, and lists a changed mapping without a table, saying so', async () => {
  const headline =
    'Quantity: write condition always → only if the target is empty: no contract synced so far is affected.';
  const quiet = impactAnswer({ affected: false, headlines: ['No contract synced so far is affected.'] });
  const [field] = quiet.fields;
  if (!field) throw new Error('the answer has a field');
  const mapping = field.mapping && { ...field.mapping, properties: ['writeCondition' as const] };
  const settingsImpact = jest.fn(() =>
    Promise.resolve({ ...quiet, fields: [{ ...field, mapping, rows: [], headline }] }),
  );
  render(<Preview client={fakeClient({ settingsImpact })} settings={settingsWith('two_way')} />);

  expect(await screen.findByText('No contract synced so far is affected.')).toBeInTheDocument();
  expect(screen.getByText('Quantity: Write condition changed')).toBeInTheDocument();
  expect(screen.getByText('No contract synced so far is affected by this change.')).toBeInTheDocument();
  expect(screen.queryByRole('table')).not.toBeInTheDocument();
});

test('shows products switched off, more contracts than were planned, and the contracts it could not read', async () => {
  const off =
    'Transfer products switched off: 250 contracts stop syncing; no products are sent to or taken from Oneflow.';
  const settingsImpact = jest.fn(() =>
    Promise.resolve(
      impactAnswer({
        contracts: { stored: 250, considered: 200, compared: 199, limit: 200, truncated: true },
        transferProducts: { before: true, after: false, contracts: 250, headline: off },
        unreadable: [
          {
            contractId: 1004,
            recordId: '0a1b0000-0000-4000-8001-000000000005',
            reason: 'Oneflow no longer has this contract: it was deleted there',
          },
        ],
      }),
    ),
  );
  render(<Preview client={fakeClient({ settingsImpact })} settings={settingsWith('two_way')} />);

  expect(await screen.findByText(off)).toBeInTheDocument();
  expect(screen.getByText('199 of 250 synced contracts compared.')).toBeInTheDocument();
  expect(
    screen.getByText('Only the 200 most recently synced of 250 contracts were planned.'),
  ).toBeInTheDocument();
  expect(
    screen.getByText('Contracts that could not be read, so they are not counted: 1'),
  ).toBeInTheDocument();
  expect(
    screen.getByText('Contract 1004: Oneflow no longer has this contract: it was deleted there'),
  ).toBeInTheDocument();
});

test('a refusal of the settings (400) is shown in the API’s words, naming the field, without a retry', async () => {
  const refused = new ApiError(
    400,
    'bad_request',
    'The settings are not valid',
    [
      {
        field: 'body.mappings.1.direction',
        message: 'Two-way is only available for Price Per Unit and Quantity',
      },
    ],
    'req-0400',
  );
  const settingsImpact = jest.fn(() => Promise.reject(refused));
  render(<Preview client={fakeClient({ settingsImpact })} settings={settingsWith('two_way')} />);

  expect(
    await screen.findByText(
      'These settings cannot be previewed: The settings are not valid · body.mappings.1.direction: Two-way is only available for Price Per Unit and Quantity',
    ),
  ).toBeInTheDocument();
  expect(screen.queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument();
  expect(screen.queryByText(/synced contracts compared/)).not.toBeInTheDocument();
});

test('a failure shows the error bar with its request id; Retry plans again', async () => {
  const settingsImpact = jest
    .fn<Promise<SettingsImpactAnswer>, [string, EntitySettings]>()
    .mockRejectedValueOnce(apiError(502, 'dynamics_unavailable', { requestId: 'req-0502' }))
    .mockResolvedValueOnce(impactAnswer());
  render(<Preview client={fakeClient({ settingsImpact })} settings={settingsWith('two_way')} />);

  const retry = await screen.findByRole('button', { name: 'Retry' });
  expect(screen.getByRole('button', { name: 'Copy request id' })).toBeInTheDocument();
  fireEvent.click(retry);
  expect(await screen.findByText('Quantity becomes Two-way')).toBeInTheDocument();
  expect(settingsImpact).toHaveBeenCalledTimes(2);
});

test('plans again when the settings change, not when the page hands the same settings anew', async () => {
  const settingsImpact = jest.fn(() => Promise.resolve(impactAnswer()));
  const client = fakeClient({ settingsImpact });
  const { rerender } = render(<Preview client={client} settings={settingsWith('two_way')} />);
  await screen.findByText('Quantity becomes Two-way');

  rerender(<Preview client={client} settings={settingsWith('two_way')} />);
  await screen.findByText('Quantity becomes Two-way');
  expect(settingsImpact).toHaveBeenCalledTimes(1);

  rerender(<Preview client={client} settings={settingsWith('oneflow_to_dynamics')} />);
  await waitFor(() => {
    expect(settingsImpact).toHaveBeenCalledTimes(2);
  });
  expect(settingsImpact).toHaveBeenLastCalledWith('opportunity', settingsWith('oneflow_to_dynamics'));
});
