import * as React from 'react';
import { fireEvent, render, screen, within } from '@testing-library/react';
import {
  FieldsAnswerSchema,
  defaultMappings,
  type EntitySettings,
  type FieldMapping,
  type MetadataField,
} from '../../api/contract';
import { strictGetString } from '../../strings/resx';
import { createTranslate } from '../../strings/strings';
import { SETTINGS_STRINGS } from '../../testing/fakePlatform';
import { AppShell } from '../../ui/AppShell';
import { cellId, placeProblems, type PlacedProblem } from './mappingCells';
import { MappingTable } from './MappingTable';
import sourceFields from './sourceFields.test-data.json';

const FIELDS: MetadataField[] = FieldsAnswerSchema.parse({
  entity: 'opportunityproduct',
  fields: sourceFields.opportunityproduct,
}).fields;

const t = createTranslate(strictGetString(SETTINGS_STRINGS));

const DEFAULTS: EntitySettings = {
  mainEntity: 'opportunity',
  productsEnabled: true,
  productSource: {
    entity: 'opportunityproduct',
    lookupAttribute: 'opportunityid',
    relationship: 'product_opportunities',
  },
  mappings: defaultMappings('opportunityproduct'),
};

interface Options {
  settings?: EntitySettings;
  readOnly?: boolean;
  problems?: readonly PlacedProblem[];
}

/** The table as the Setup tab holds it: the draft follows every change the table reports. */
function renderTable(options: Options = {}) {
  const changes: FieldMapping[][] = [];
  function Holder() {
    const [settings, setSettings] = React.useState(options.settings ?? DEFAULTS);
    return (
      <MappingTable
        settings={settings}
        fields={FIELDS}
        readOnly={options.readOnly ?? false}
        problems={options.problems ?? []}
        idPrefix="p"
        onChange={(mappings) => {
          changes.push(mappings);
          setSettings((previous) => ({ ...previous, mappings }));
        }}
      />
    );
  }
  render(
    <AppShell instanceId="test" theme={undefined} t={t}>
      <Holder />
    </AppShell>,
  );
  return { changes };
}

function openDropdown(name: string): HTMLElement {
  fireEvent.click(screen.getByRole('combobox', { name }));
  return screen.getByRole('listbox');
}

describe('the mapping table', () => {
  it('shows every mapping with its values, each cell named after its row and given its id', () => {
    renderTable();
    const table = screen.getByRole('table', { name: 'Field mappings' });
    expect(within(table).getAllByRole('row')).toHaveLength(6);
    const direction = screen.getByRole('combobox', { name: 'Direction of Quantity' });
    expect(direction).toHaveTextContent('Two-way');
    expect(direction.id).toBe(cellId('p', 3, 'direction'));
    expect(screen.getByRole('combobox', { name: 'Dynamics field of Quantity' })).toHaveValue(
      'Quantity (quantity)',
    );
    expect(screen.getByRole('combobox', { name: 'Dynamics field of Quantity' }).id).toBe(
      cellId('p', 3, 'dynamicsField'),
    );
    expect(screen.getByRole('combobox', { name: 'Oneflow field of Price per unit' })).toHaveTextContent(
      'Price per unit',
    );
    expect(screen.getByRole('combobox', { name: 'Write condition of Name' })).toHaveTextContent('Always');
    expect(screen.getByRole('combobox', { name: 'Conflict policy of Name' })).toHaveTextContent(
      'By action (default)',
    );
    expect(screen.getByRole('button', { name: 'Remove mapping Quantity' })).toBeEnabled();
  });

  it('lists a refused direction disabled with its reason beside it, and choosing it changes nothing', () => {
    const { changes } = renderTable();
    const listbox = openDropdown('Direction of Discount per unit');
    const twoWay = within(listbox).getByRole('option', { name: /^Two-way/ });
    expect(twoWay).toHaveAttribute('aria-disabled', 'true');
    expect(twoWay).toHaveTextContent(
      'Two-way: only for Price per unit and Quantity on Opportunity Product lines, because Dynamics recalculates the rest',
    );
    fireEvent.click(twoWay);
    expect(changes).toEqual([]);
    const syncOnce = within(listbox).getByRole('option', { name: 'Sync once' });
    expect(syncOnce).not.toHaveAttribute('aria-disabled', 'true');
  });

  it('reports an offered choice as the new mappings, and the row shows it', () => {
    const { changes } = renderTable();
    const listbox = openDropdown('Direction of Discount per unit');
    fireEvent.click(within(listbox).getByRole('option', { name: 'Sync once' }));
    expect(changes).toEqual([
      DEFAULTS.mappings.map((mapping, row) => (row === 4 ? { ...mapping, direction: 'sync_once' } : mapping)),
    ]);
    expect(screen.getByRole('combobox', { name: 'Direction of Discount per unit' })).toHaveTextContent(
      'Sync once',
    );
  });

  it('filters the Dynamics columns as the admin types, refused ones explained', () => {
    const { changes } = renderTable();
    const input = screen.getByRole('combobox', { name: 'Dynamics field of Quantity' });
    fireEvent.click(input);
    fireEvent.change(input, { target: { value: 'amount' } });
    const listbox = screen.getByRole('listbox');
    const names = within(listbox)
      .getAllByRole('option')
      .map((option) => option.textContent);
    expect(names.length).toBeGreaterThan(2);
    expect(names.every((name) => /amount/i.test(name))).toBe(true);
    // A column Dynamics recalculates cannot take a two-way Quantity.
    expect(within(listbox).getByRole('option', { name: /^Amount \(baseamount\)/ })).toHaveAttribute(
      'aria-disabled',
      'true',
    );
    expect(within(listbox).getByRole('option', { name: /^Amount \(baseamount\)/ })).toHaveTextContent(
      'Two-way: only for Price per unit and Quantity on Opportunity Product lines',
    );
    fireEvent.change(input, { target: { value: 'no such column' } });
    expect(within(screen.getByRole('listbox')).getByRole('option')).toHaveTextContent(
      'No column matches “no such column”.',
    );
    expect(changes).toEqual([]);
  });

  it('chooses a column by typing part of its name', () => {
    const settings = { ...DEFAULTS, mappings: DEFAULTS.mappings.slice(0, 1) };
    const { changes } = renderTable({ settings });
    const input = screen.getByRole('combobox', { name: 'Dynamics field of Name' });
    fireEvent.click(input);
    fireEvent.change(input, { target: { value: 'write-in' } });
    fireEvent.click(within(screen.getByRole('listbox')).getByRole('option', { name: /productdescription/ }));
    expect(changes).toEqual([[{ ...settings.mappings[0], dynamicsField: 'productdescription' }]]);
    expect(input).toHaveValue('Write-In Product (productdescription)');
  });

  it('refuses an Oneflow field already mapped, naming the row', () => {
    renderTable();
    const listbox = openDropdown('Oneflow field of Description');
    expect(within(listbox).getByRole('option', { name: /^Name/ })).toHaveTextContent(
      'Already mapped in row 1',
    );
    expect(within(listbox).getByRole('option', { name: /^Name/ })).toHaveAttribute('aria-disabled', 'true');
  });

  it('removes a row and moves focus to the row that took its place', () => {
    const { changes } = renderTable();
    fireEvent.click(screen.getByRole('button', { name: 'Remove mapping Description' }));
    expect(changes).toEqual([DEFAULTS.mappings.filter((_mapping, row) => row !== 1)]);
    expect(screen.queryByRole('combobox', { name: 'Direction of Description' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Remove mapping Price per unit' })).toHaveFocus();
  });

  it('adds the first Oneflow field a column can still fill, and focuses its column', () => {
    const { changes } = renderTable();
    fireEvent.click(screen.getByRole('button', { name: 'Add field mapping' }));
    expect(changes).toEqual([
      [
        ...DEFAULTS.mappings,
        {
          dynamicsField: 'baseamount',
          oneflowField: 'price_2.base_amount',
          direction: 'dynamics_to_oneflow',
          writeCondition: 'always',
          conflictPolicy: 'by_action',
        },
      ],
    ]);
    const column = screen.getByRole('combobox', { name: 'Dynamics field of Price 2 per unit' });
    expect(column).toHaveFocus();
    // Its text is selected, so typing searches afresh.
    expect(column).toHaveProperty('selectionStart', 0);
    expect(column).toHaveProperty('selectionEnd', 'Amount (baseamount)'.length);
  });

  it('says why nothing more can be added once every Oneflow field a column can fill is mapped', () => {
    const settings = { ...DEFAULTS, mappings: [] };
    renderTable({ settings });
    expect(
      screen.getByText('No field mappings yet: add one, and map a column to Oneflow’s Name.'),
    ).toBeVisible();
    for (let added = 0; added < 9; added += 1) {
      fireEvent.click(screen.getByRole('button', { name: 'Add field mapping' }));
    }
    expect(screen.getByRole('button', { name: 'Add field mapping' })).toHaveAttribute(
      'aria-disabled',
      'true',
    );
    expect(
      screen.getByText('Every Oneflow field is mapped: remove a mapping to map a field differently.'),
    ).toBeVisible();
  });

  it('shows a refused save’s problem on its cell', () => {
    const problems = placeProblems([
      {
        field: 'body.mappings.3.direction',
        message: 'Two-way is only available for Price Per Unit and Quantity on Opportunity Product lines',
      },
      { field: 'body.mappings', message: "map a Dynamics field to Oneflow's Name" },
    ]);
    renderTable({ problems });
    const direction = screen.getByRole('combobox', { name: 'Direction of Quantity' });
    expect(direction).toHaveAttribute('aria-invalid', 'true');
    expect(direction).toHaveAccessibleDescription(
      'Two-way is only available for Price Per Unit and Quantity on Opportunity Product lines',
    );
    expect(screen.getByRole('combobox', { name: 'Direction of Name' })).not.toHaveAttribute(
      'aria-invalid',
      'true',
    );
    // The whole table's problem is the summary's to show.
    expect(screen.queryByText("map a Dynamics field to Oneflow's Name")).toBeNull();
  });

  it('read-only: every value shows, nothing can be changed', () => {
    const { changes } = renderTable({ readOnly: true });
    for (const control of screen.getAllByRole('combobox')) expect(control).toBeDisabled();
    expect(screen.getByRole('combobox', { name: 'Direction of Quantity' })).toHaveTextContent('Two-way');
    for (const button of screen.getAllByRole('button')) {
      expect(button).toHaveAttribute('aria-disabled', 'true');
      fireEvent.click(button);
    }
    expect(changes).toEqual([]);
  });
});
