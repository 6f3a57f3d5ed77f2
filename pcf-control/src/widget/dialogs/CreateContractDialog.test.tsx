import * as React from 'react';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { CreateContractAnswer } from '../../api/contract';
import { TemplatesAnswerSchema } from '../../api/contract';
import type { ActionOutcome } from '../outcome';
import { CreateContractDialog } from './CreateContractDialog';
import {
  FakeSyncApi,
  TEMPLATES,
  WithServices,
  apiError,
  createAnswer,
  createPreview,
  held,
  type FakeCalls,
} from './dialogTestKit';

const RECORD = '7c5c3b4e-9f1a-4e2b-8c3d-5e6f7a8b9c0d';
const ok =
  <T,>(answer: T) =>
  () =>
    Promise.resolve(answer);

function open(calls: FakeCalls) {
  const client = new FakeSyncApi(calls);
  const onDone = jest.fn<undefined, [ActionOutcome]>();
  const onCancel = jest.fn<undefined, []>();
  const onContractExists = jest.fn<undefined, []>();
  render(
    <WithServices client={client}>
      <CreateContractDialog
        entity="opportunity"
        recordId={RECORD}
        onDone={onDone}
        onCancel={onCancel}
        onContractExists={onContractExists}
      />
    </WithServices>,
  );
  return { calls: client.calls, onDone, onCancel, onContractExists };
}

const previewFor = (_entity: string, _record: string, templateId: number | null) =>
  Promise.resolve(
    createPreview(templateId ?? 0, templateId === 11 ? ['Widget'] : ['Widget', 'Support Plan']),
  );

describe('CreateContractDialog', () => {
  it('pre-selects the default template, previews the lines sent and creates the contract', async () => {
    const create = held<CreateContractAnswer>();
    const { calls, onDone } = open({
      templates: ok(TEMPLATES),
      createPreview: previewFor,
      create: create.call,
    });
    const dialog = await screen.findByRole('dialog', { name: 'Create Oneflow contract' });
    const question = 'Create an Oneflow contract from template Standard quote and send 2 product lines?';
    expect(await within(dialog).findByText(question)).toBeInTheDocument();
    expect(dialog).toHaveAccessibleDescription(question);
    expect(within(dialog).getByRole('combobox', { name: 'Template' })).toHaveTextContent('Standard quote');
    expect(calls.find((call) => call.name === 'createPreview')?.args).toEqual(['opportunity', RECORD, 12]);

    const lines = within(within(dialog).getByRole('table', { name: 'Lines that will be sent' }));
    expect(
      lines
        .getAllByRole('row')
        .slice(1)
        .map((row) => row.textContent),
    ).toEqual(['WidgetQuantity 2 · Price per unit 25.00', 'Support PlanQuantity 3 · Price per unit 25.00']);

    fireEvent.click(within(dialog).getByRole('button', { name: 'Create contract' }));
    expect(
      await within(dialog).findAllByRole('progressbar', { name: 'Creating the Oneflow contract…' }),
    ).toHaveLength(2);
    expect(within(dialog).getByRole('button', { name: 'Close' })).toHaveAttribute('aria-disabled', 'true');
    expect(calls.find((call) => call.name === 'create')?.args).toEqual(['opportunity', RECORD, 12]);

    const answer = createAnswer(createPreview(12, ['Widget', 'Support Plan']));
    create.answer(answer);
    await waitFor(() => {
      expect(onDone).toHaveBeenCalledTimes(1);
    });
    const { contract: _contract, ...result } = answer;
    expect(_contract.contractId).toBe(1001);
    expect(onDone).toHaveBeenCalledWith({ action: 'create', results: [result], previewDiffers: false });
  });

  it('previews again when another template is picked', async () => {
    const { calls } = open({ templates: ok(TEMPLATES), createPreview: previewFor });
    const dialog = await screen.findByRole('dialog');
    await within(dialog).findByText(/from template Standard quote and send 2 product lines/);
    fireEvent.click(within(dialog).getByRole('combobox', { name: 'Template' }));
    fireEvent.click(await screen.findByRole('option', { name: 'Sales agreement' }));
    expect(
      await within(dialog).findByText(
        'Create an Oneflow contract from template Sales agreement and send 1 product line?',
      ),
    ).toBeInTheDocument();
    expect(calls.filter((call) => call.name === 'createPreview').map((call) => call.args[2])).toEqual([
      12, 11,
    ]);
  });

  it('says when no template can receive products, and offers only Close', async () => {
    const { onCancel, calls } = open({ templates: ok(TemplatesAnswerSchema.parse({ templates: [] })) });
    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByText(
        'No Oneflow template of your workspace can receive products. Ask your admin.',
      ),
    ).toBeInTheDocument();
    expect(
      within(dialog)
        .getAllByRole('button')
        .map((button) => button.textContent),
    ).toEqual(['Close']);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Close' }));
    expect(onCancel).toHaveBeenCalledTimes(1);
    expect(calls.map((call) => call.name)).toEqual(['templates']);
  });

  it('says when the record has a contract already, and closing lets the widget load it', async () => {
    const { onContractExists, onDone } = open({
      templates: ok(TEMPLATES),
      createPreview: previewFor,
      create: () => Promise.reject(apiError(409, 'contract_exists')),
    });
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(await within(dialog).findByRole('button', { name: 'Create contract' }));
    expect(
      await within(dialog).findByText('This record already has an Oneflow contract. Refresh to see it.'),
    ).toBeInTheDocument();
    expect(within(dialog).queryByRole('button', { name: 'Retry' })).toBeNull();
    expect(within(dialog).queryByRole('button', { name: 'Create contract' })).toBeNull();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Close' }));
    expect(onContractExists).toHaveBeenCalledTimes(1);
    expect(onDone).not.toHaveBeenCalled();
  });
});
