import * as React from 'react';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import {
  FieldsAnswerSchema,
  MainEntitiesAnswerSchema,
  ProductSourcesAnswerSchema,
  SettingsAnswerSchema,
  defaultMappings,
  type EntitySettings,
  type SettingsAnswer,
} from '../../api/contract';
import { ApiError } from '../../api/SyncApiClient';
import { apiError, fakeClient } from '../../testing/fakeClient';
import { SettingsShell } from '../../testing/settingsShell';
import type { SyncApi } from '../../ui/Services';
import { cellId } from './mappingCells';
import { SetupEntitiesTab } from './SetupEntitiesTab';

// Fluent's dialogs and dropdowns render slowly in jsdom on a busy machine.
jest.setTimeout(30_000);

function Tab({ client, readOnly = false }: { client: SyncApi; readOnly?: boolean }) {
  return (
    <SettingsShell client={client}>
      <SetupEntitiesTab readOnly={readOnly} />
    </SettingsShell>
  );
}

const OPPORTUNITY_SOURCE = {
  entity: 'opportunityproduct',
  lookupAttribute: 'opportunityid',
  relationship: 'product_opportunities',
};
const CUSTOM_SOURCE = {
  entity: 'new_contractline',
  lookupAttribute: 'new_opportunityid',
  relationship: 'new_opportunity_new_contractline_OpportunityId',
};

function defaults(mainEntity = 'opportunity'): EntitySettings {
  const productSource =
    mainEntity === 'quote'
      ? { entity: 'quotedetail', lookupAttribute: 'quoteid', relationship: 'quote_details' }
      : OPPORTUNITY_SOURCE;
  return {
    mainEntity,
    productsEnabled: true,
    productSource,
    mappings: defaultMappings(productSource.entity),
  };
}

function defaultAnswer(mainEntity = 'opportunity'): SettingsAnswer {
  return SettingsAnswerSchema.parse({
    settings: defaults(mainEntity),
    etag: null,
    isDefault: true,
    updatedAt: null,
    updatedBy: null,
  });
}

function savedAnswer(
  settings: EntitySettings,
  etag: string,
  by = 'Sam Admin',
  at = '2026-11-24T10:00:03.000Z',
): SettingsAnswer {
  return SettingsAnswerSchema.parse({
    settings,
    etag,
    isDefault: false,
    updatedAt: at,
    updatedBy: by,
  });
}

const MAIN_ENTITIES = MainEntitiesAnswerSchema.parse({
  entities: [
    { logicalName: 'account', displayName: 'Account', entitySetName: 'accounts' },
    { logicalName: 'opportunity', displayName: 'Opportunity', entitySetName: 'opportunities' },
    { logicalName: 'quote', displayName: 'Quote', entitySetName: 'quotes' },
  ],
});

function sources(entity: string) {
  const list =
    entity === 'account'
      ? [
          {
            ...CUSTOM_SOURCE,
            lookupAttribute: 'new_accountid',
            relationship: 'new_account_new_contractline',
            label: 'Contract Line (new_accountid)',
            entitySetName: 'new_contractlines',
          },
        ]
      : [
          {
            ...OPPORTUNITY_SOURCE,
            label: 'Opportunity Product (opportunityid)',
            entitySetName: 'opportunityproducts',
          },
          {
            ...CUSTOM_SOURCE,
            label: 'Contract Line (new_opportunityid)',
            entitySetName: 'new_contractlines',
          },
        ];
  return ProductSourcesAnswerSchema.parse({ entity, sources: list });
}

function fields(entity: string) {
  const column = (logicalName: string, attributeType: string, kind: 'text' | 'decimal') => ({
    logicalName,
    displayName: logicalName,
    attributeType,
    isValidForCreate: true,
    isValidForUpdate: true,
    isCalculated: false,
    attributeOf: null,
    kind,
    notWritableBecause: null,
  });
  const list =
    entity === 'new_contractline'
      ? [column('new_name', 'String', 'text'), column('new_amount', 'Decimal', 'decimal')]
      : [column('quantity', 'Decimal', 'decimal'), column('description', 'Memo', 'text')];
  return FieldsAnswerSchema.parse({ entity, fields: list });
}

/** The metadata reads every test needs, plus the settings calls each test gives. */
function client(calls: Partial<SyncApi>): SyncApi {
  return fakeClient({
    mainEntities: () => Promise.resolve(MAIN_ENTITIES),
    productSources: (entity) => Promise.resolve(sources(entity)),
    fields: (entity) => Promise.resolve(fields(entity)),
    // The review dialog's impact preview has its own tests: here it stays at its loading state.
    settingsImpact: () => new Promise(() => undefined),
    ...calls,
  });
}

async function ready(): Promise<void> {
  await screen.findByRole('switch', { name: 'Transfer products' });
  await screen.findByRole('tab', { name: 'Quote' });
}

function transferSwitch(): HTMLElement {
  return screen.getByRole('switch', { name: 'Transfer products' });
}

function saveButton(): HTMLElement {
  return screen.getByRole('button', { name: /^(Save mapping|Saving…)$/ });
}

function noDialog(): boolean {
  return document.querySelector('[role="dialog"], [role="alertdialog"]') === null;
}

/**
 * Until the focus manager has let go of a closed dialog it keeps the next one hidden from assistive technology; a
 * person never reopens one that fast, a test waits for it.
 */
async function dialogGone(): Promise<void> {
  await waitFor(() => {
    expect(noDialog()).toBe(true);
  });
  await act(() => new Promise((resolve) => setTimeout(resolve, 300)));
}

/** A tab's name once: Fluent renders an unselected tab's label twice (one reserves the bold width). */
function tabNames(list: HTMLElement): (string | null)[] {
  return within(list)
    .getAllByRole('tab')
    .map(
      (tab) =>
        tab.querySelector('.fui-Tab__content:not(.fui-Tab__content--reserved-space)')?.textContent ?? null,
    );
}

async function saveThroughReview(): Promise<void> {
  await dialogGone();
  fireEvent.click(saveButton());
  const review = await screen.findByRole('dialog', { name: 'Review and save' });
  fireEvent.click(within(review).getByRole('button', { name: 'Save' }));
}

describe('the entity list', () => {
  it('lists Opportunity and Quote, and configures another entity from the main entities', async () => {
    const read: string[] = [];
    render(
      <Tab
        client={client({
          settings: (entity) => {
            read.push(entity);
            return entity === 'account'
              ? Promise.reject(apiError(404, 'not_found'))
              : Promise.resolve(defaultAnswer(entity));
          },
        })}
      />,
    );
    await ready();
    const list = screen.getByRole('tablist', { name: 'Entities' });
    expect(tabNames(list)).toEqual(['Opportunity', 'Quote']);
    expect(
      screen.getByText('Opportunity uses the built-in defaults; nothing has been saved for it yet.'),
    ).toBeVisible();

    const configure = screen.getByRole('button', { name: 'Configure' });
    expect(configure).toHaveAttribute('aria-disabled', 'true');
    const find = screen.getByRole('combobox', { name: 'Configure another entity' });
    fireEvent.click(find);
    fireEvent.change(find, {
      target: { value: 'acc' },
    });
    fireEvent.click(await screen.findByRole('option', { name: 'Account (account)' }));
    fireEvent.click(configure);

    expect(
      await screen.findByText(
        'Nothing is saved for Account yet. This is a new draft with the first product source and no mappings: add the mappings you need and save.',
      ),
    ).toBeVisible();
    expect(tabNames(list)).toEqual(['Opportunity', 'Quote', 'Account (unsaved changes)']);
    expect(read).toEqual(['opportunity', 'account']);
    await waitFor(() => {
      expect(
        screen.getByRole('combobox', { name: 'Select a source for product information' }),
      ).toHaveTextContent('Contract Line (new_accountid)');
    });
  });

  it('says so when a configured entity has no entity that can hold its lines, and offers nothing to save', async () => {
    render(
      <Tab
        client={client({
          settings: (entity) =>
            entity === 'account'
              ? Promise.reject(apiError(404, 'not_found'))
              : Promise.resolve(defaultAnswer(entity)),
          productSources: (entity) =>
            Promise.resolve(
              entity === 'account'
                ? ProductSourcesAnswerSchema.parse({ entity, sources: [] })
                : sources(entity),
            ),
        })}
      />,
    );
    await ready();
    const find = screen.getByRole('combobox', { name: 'Configure another entity' });
    fireEvent.click(find);
    fireEvent.click(await screen.findByRole('option', { name: 'Account (account)' }));
    fireEvent.click(screen.getByRole('button', { name: 'Configure' }));
    expect(
      await screen.findByText(
        'Account has no entity that can hold its product lines (no lookup to it), so its products cannot be synced.',
      ),
    ).toBeVisible();
    expect(screen.queryByText(/^Nothing is saved for Account yet\. This is a new draft/)).toBeNull();
    expect(screen.queryByRole('switch', { name: 'Transfer products' })).toBeNull();
    expect(screen.getByText('There is nothing to save yet.', { selector: 'span' })).toBeVisible();
    expect(saveButton()).toHaveAttribute('aria-disabled', 'true');
    expect(screen.getByRole('tab', { name: 'Account' })).toHaveAttribute('aria-selected', 'true');
  });

  it('asks before leaving unsaved changes, keeps them on Keep editing and drops them on Discard', async () => {
    render(<Tab client={client({ settings: (entity) => Promise.resolve(defaultAnswer(entity)) })} />);
    await ready();
    fireEvent.click(transferSwitch());
    expect(transferSwitch()).not.toBeChecked();
    expect(screen.getByText('Unsaved changes.', { selector: 'span' })).toBeVisible();

    fireEvent.click(screen.getByRole('tab', { name: 'Quote' }));
    const ask = await screen.findByRole('alertdialog', { name: 'Unsaved changes' });
    expect(ask).toHaveTextContent('Opportunity has changes that are not saved.');
    fireEvent.click(within(ask).getByRole('button', { name: 'Keep editing' }));
    await dialogGone();
    expect(screen.getByRole('tab', { name: 'Opportunity (unsaved changes)' })).toHaveAttribute(
      'aria-selected',
      'true',
    );
    expect(transferSwitch()).not.toBeChecked();

    fireEvent.click(screen.getByRole('tab', { name: 'Quote' }));
    fireEvent.click(
      within(await screen.findByRole('alertdialog', { name: 'Unsaved changes' })).getByRole('button', {
        name: 'Discard changes',
      }),
    );
    expect(
      await screen.findByText('Quote uses the built-in defaults; nothing has been saved for it yet.'),
    ).toBeVisible();
    fireEvent.click(screen.getByRole('tab', { name: 'Opportunity' }));
    await waitFor(() => {
      expect(transferSwitch()).toBeChecked();
    });
  });

  it('says when the main entities cannot be read, and reads them again on Retry', async () => {
    let calls = 0;
    render(
      <Tab
        client={client({
          settings: (entity) => Promise.resolve(defaultAnswer(entity)),
          mainEntities: () => {
            calls += 1;
            return calls === 1
              ? Promise.reject(apiError(503, 'dynamics_unavailable'))
              : Promise.resolve(MAIN_ENTITIES);
          },
        })}
      />,
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Retry' }));
    expect(await screen.findByRole('combobox', { name: 'Configure another entity' })).toBeVisible();
  });
});

describe('the Products sub-tab', () => {
  it('keeps the source and the mappings when the admin cancels the change of source', async () => {
    render(<Tab client={client({ settings: (entity) => Promise.resolve(defaultAnswer(entity)) })} />);
    await ready();
    fireEvent.click(screen.getByRole('combobox', { name: 'Select a source for product information' }));
    fireEvent.click(await screen.findByRole('option', { name: 'Contract Line (new_opportunityid)' }));
    const ask = await screen.findByRole('alertdialog', { name: 'Change the product source?' });
    expect(ask).toHaveTextContent(
      'The mappings of Opportunity will be reset to the defaults of Contract Line (new_opportunityid)',
    );
    fireEvent.click(within(ask).getByRole('button', { name: 'Cancel' }));
    await dialogGone();
    expect(screen.getByText('No changes to save.', { selector: 'span' })).toBeVisible();
    expect(
      screen.getByRole('combobox', { name: 'Select a source for product information' }),
    ).toHaveTextContent('Opportunity Product (opportunityid)');
  });

  it('asks before a new source resets the mappings, then saves the new source with its defaults', async () => {
    const saved: { settings: EntitySettings; etag: string | null }[] = [];
    const fieldsRead: string[] = [];
    render(
      <Tab
        client={client({
          settings: (entity) => Promise.resolve(defaultAnswer(entity)),
          fields: (entity) => {
            fieldsRead.push(entity);
            return Promise.resolve(fields(entity));
          },
          saveSettings: (_entity, settings, etag) => {
            saved.push({ settings, etag });
            return Promise.resolve(savedAnswer(settings, 'etag-1'));
          },
        })}
      />,
    );
    await ready();
    fireEvent.click(screen.getByRole('combobox', { name: 'Select a source for product information' }));
    fireEvent.click(await screen.findByRole('option', { name: 'Contract Line (new_opportunityid)' }));
    fireEvent.click(
      within(await screen.findByRole('alertdialog', { name: 'Change the product source?' })).getByRole(
        'button',
        {
          name: 'Change source and reset mappings',
        },
      ),
    );
    await waitFor(() => {
      expect(
        screen.getByRole('combobox', { name: 'Select a source for product information' }),
      ).toHaveTextContent('Contract Line (new_opportunityid)');
    });
    expect(fieldsRead).toContain('new_contractline');

    await saveThroughReview();
    expect(await screen.findByText('Saved at 2026-11-24 10:00 by Sam Admin.')).toBeVisible();
    expect(saved).toEqual([
      {
        etag: null,
        settings: {
          ...defaults(),
          productSource: CUSTOM_SOURCE,
          mappings: [
            {
              dynamicsField: 'new_name',
              oneflowField: 'name',
              direction: 'dynamics_to_oneflow',
              writeCondition: 'always',
              conflictPolicy: 'by_action',
            },
          ],
        },
      },
    ]);
  });

  it('saves through the review dialog with the etag it read, and says when and by whom', async () => {
    const stored = savedAnswer(defaults(), 'etag-1');
    const calls: { entity: string; settings: EntitySettings; etag: string | null }[] = [];
    render(
      <Tab
        client={client({
          settings: () => Promise.resolve(stored),
          saveSettings: (entity, settings, etag) => {
            calls.push({ entity, settings, etag });
            return Promise.resolve(savedAnswer(settings, 'etag-2', 'Sam Admin', '2026-11-24T11:30:00.000Z'));
          },
        })}
      />,
    );
    await ready();
    expect(screen.getByText('Last saved at 2026-11-24 10:00 by Sam Admin.')).toBeVisible();
    expect(saveButton()).toHaveAttribute('aria-disabled', 'true');
    fireEvent.click(saveButton());
    expect(screen.queryByRole('dialog')).toBeNull();

    fireEvent.click(transferSwitch());
    await saveThroughReview();
    expect(await screen.findByText('Saved at 2026-11-24 11:30 by Sam Admin.')).toBeVisible();
    expect(calls).toEqual([
      { entity: 'opportunity', settings: { ...defaults(), productsEnabled: false }, etag: 'etag-1' },
    ]);
    expect(screen.getByText('No changes to save.', { selector: 'span' })).toBeVisible();
    expect(saveButton()).toHaveAttribute('aria-disabled', 'true');

    // The next save goes with the etag of this one.
    fireEvent.click(transferSwitch());
    await saveThroughReview();
    await waitFor(() => {
      expect(calls[1]?.etag).toBe('etag-2');
    });
  });

  it('puts a refused save’s problem on its cell and moves focus to the summary, whose link focuses the cell', async () => {
    const message = 'Two-way is only available for Price Per Unit and Quantity on Opportunity Product lines';
    render(
      <Tab
        client={client({
          settings: () => Promise.resolve(savedAnswer(defaults(), 'etag-1')),
          saveSettings: () =>
            Promise.reject(
              new ApiError(
                400,
                'bad_request',
                'The settings are not valid',
                [
                  { field: 'body.mappings.1.direction', message },
                  { field: 'body.productSource', message: 'is not a product source of opportunity' },
                ],
                'req-7',
              ),
            ),
        })}
      />,
    );
    await ready();
    fireEvent.click(transferSwitch());
    await saveThroughReview();

    const title = await screen.findByText('2 problems need attention');
    const summary = title.closest('[tabindex="-1"]');
    await waitFor(() => {
      expect(summary).toHaveFocus();
    });
    expect(screen.getByText(message)).toBeVisible();
    expect(screen.getByText('is not a product source of opportunity')).toBeVisible();
    expect(screen.queryByText(/^Saved/)).toBeNull();
    expect(screen.getByText('Unsaved changes.', { selector: 'span' })).toBeVisible();

    fireEvent.click(screen.getByRole('button', { name: `Mapping 2, Direction: ${message}` }));
    const cell = document.activeElement;
    expect(cell?.id).toMatch(/-mapping-1-direction$/);
    expect(cell?.id).toBe(cellId(cell?.id.replace(/-mapping-1-direction$/, '') ?? '', 1, 'direction'));

    fireEvent.click(
      screen.getByRole('button', { name: 'Product source: is not a product source of opportunity' }),
    );
    expect(document.activeElement).toBe(screen.getByRole('combobox', { name: /Select a source/ }));
  });

  it('after a 412 reloads what the other admin saved and applies the edits again on top', async () => {
    const mine = savedAnswer(defaults(), 'etag-1');
    const theirSettings: EntitySettings = {
      ...defaults(),
      mappings: defaults().mappings.map((one) =>
        one.oneflowField === 'quantity' ? { ...one, conflictPolicy: 'review' } : one,
      ),
    };
    const theirs = savedAnswer(theirSettings, 'etag-2', 'Sky Admin');
    let reads = 0;
    const saves: { settings: EntitySettings; etag: string | null }[] = [];
    render(
      <Tab
        client={client({
          settings: () => {
            reads += 1;
            return Promise.resolve(reads === 1 ? mine : theirs);
          },
          saveSettings: (_entity, settings, etag) => {
            saves.push({ settings, etag });
            return saves.length === 1
              ? Promise.reject(apiError(412, 'precondition_failed'))
              : Promise.resolve(savedAnswer(settings, 'etag-3'));
          },
        })}
      />,
    );
    await ready();
    fireEvent.click(transferSwitch());
    await saveThroughReview();

    expect(
      await screen.findByText('Someone else saved the settings of Opportunity since you opened them.'),
    ).toBeVisible();
    expect(screen.queryByText(/^Saved at/)).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Reload' }));
    expect(
      await screen.findByText(
        'Reloaded the settings saved at 2026-11-24 10:00 by Sky Admin. Your changes are applied again on top of them and are not saved yet: review them and save.',
      ),
    ).toBeVisible();
    expect(transferSwitch()).not.toBeChecked();
    expect(screen.getByText('Unsaved changes.', { selector: 'span' })).toBeVisible();

    await saveThroughReview();
    expect(await screen.findByText('Saved at 2026-11-24 10:00 by Sam Admin.')).toBeVisible();
    expect(saves[1]).toEqual({ settings: { ...theirSettings, productsEnabled: false }, etag: 'etag-2' });
  });

  it('resets to the defaults after confirming, with the etag it read', async () => {
    const changed: EntitySettings = { ...defaults(), mappings: defaults().mappings.slice(0, 2) };
    const resets: { entity: string; etag: string | null }[] = [];
    render(
      <Tab
        client={client({
          settings: () => Promise.resolve(savedAnswer(changed, 'etag-1')),
          resetSettings: (entity, etag) => {
            resets.push({ entity, etag });
            return Promise.resolve(savedAnswer(defaults(), 'etag-2'));
          },
        })}
      />,
    );
    await ready();
    fireEvent.click(screen.getByRole('button', { name: 'Reset to default' }));
    const confirm = await screen.findByRole('alertdialog', { name: 'Reset to default' });
    expect(confirm).toHaveTextContent('Replace all mappings of Opportunity with the defaults?');
    fireEvent.click(within(confirm).getByRole('button', { name: 'Replace with defaults' }));
    expect(
      await screen.findByText('Reset to the defaults and saved at 2026-11-24 10:00 by Sam Admin.'),
    ).toBeVisible();
    expect(resets).toEqual([{ entity: 'opportunity', etag: 'etag-1' }]);
  });

  it('resets nothing when the admin cancels', async () => {
    render(<Tab client={client({ settings: () => Promise.resolve(savedAnswer(defaults(), 'etag-1')) })} />);
    await ready();
    fireEvent.click(screen.getByRole('button', { name: 'Reset to default' }));
    const confirm = await screen.findByRole('alertdialog', { name: 'Reset to default' });
    fireEvent.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    await dialogGone();
    // fakeClient fails every call it was not given: a reset sent anyway would show as an error.
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull();
    expect(screen.getByText('Last saved at 2026-11-24 10:00 by Sam Admin.')).toBeVisible();
  });

  it('shows another failure with Retry, and never says saved', async () => {
    let attempts = 0;
    render(
      <Tab
        client={client({
          settings: () => Promise.resolve(savedAnswer(defaults(), 'etag-1')),
          saveSettings: (_entity, settings) => {
            attempts += 1;
            return attempts === 1
              ? Promise.reject(apiError(503, 'dynamics_unavailable', { requestId: 'req-42' }))
              : Promise.resolve(savedAnswer(settings, 'etag-2'));
          },
        })}
      />,
    );
    await ready();
    fireEvent.click(transferSwitch());
    await saveThroughReview();
    fireEvent.click(await screen.findByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('Saved at 2026-11-24 10:00 by Sam Admin.')).toBeVisible();
    expect(attempts).toBe(2);
  });

  it('explains a failed read of the product sources and reads them again on Retry', async () => {
    let calls = 0;
    render(
      <Tab
        client={client({
          settings: (entity) => Promise.resolve(defaultAnswer(entity)),
          productSources: (entity) => {
            calls += 1;
            return calls === 1
              ? Promise.reject(apiError(503, 'dynamics_unavailable'))
              : Promise.resolve(sources(entity));
          },
        })}
      />,
    );
    await screen.findByRole('switch', { name: 'Transfer products' });
    fireEvent.click(await screen.findByRole('button', { name: 'Retry' }));
    expect(
      await screen.findByRole('combobox', { name: 'Select a source for product information' }),
    ).toBeVisible();
  });
});

describe('read-only', () => {
  it('disables every input and says why Save and Reset are unavailable', async () => {
    render(
      <Tab
        readOnly
        client={client({ settings: () => Promise.resolve(savedAnswer(defaults(), 'etag-1')) })}
      />,
    );
    await ready();
    expect(transferSwitch()).toBeDisabled();
    expect(screen.getByRole('combobox', { name: 'Select a source for product information' })).toBeDisabled();
    expect(saveButton()).toHaveAttribute('aria-disabled', 'true');
    expect(screen.getByRole('button', { name: 'Reset to default' })).toHaveAttribute('aria-disabled', 'true');
    expect(
      screen.getByText('Changing settings needs the ProductSync.Admin role.', { selector: 'span' }),
    ).toBeVisible();
    fireEvent.click(screen.getByRole('button', { name: 'Reset to default' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });

  it('turns read-only when the service refuses the save with 403', async () => {
    render(
      <Tab
        client={client({
          settings: () => Promise.resolve(savedAnswer(defaults(), 'etag-1')),
          saveSettings: () => Promise.reject(apiError(403, 'forbidden')),
        })}
      />,
    );
    await ready();
    fireEvent.click(transferSwitch());
    await saveThroughReview();
    expect(
      await screen.findByText(
        'The service refused the change: your account lacks the ProductSync.Admin role. These settings are read-only for you.',
      ),
    ).toBeVisible();
    expect(transferSwitch()).toBeDisabled();
    expect(saveButton()).toHaveAttribute('aria-disabled', 'true');
    await act(() => Promise.resolve());
  });
});
