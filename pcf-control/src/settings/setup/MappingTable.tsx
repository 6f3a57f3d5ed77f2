import * as React from 'react';
import {
  Button,
  Caption1,
  Combobox,
  Dropdown,
  Field,
  Option,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { Add16Regular, Delete16Regular } from '@fluentui/react-icons';
import type { EntitySettings, FieldMapping, MetadataField, OneflowFieldKey } from '../../api/contract';
import { useStrings, type Translate } from '../../strings/strings';
import { cellId, cellProblem, type MappingColumn, type PlacedProblem } from './mappingCells';
import {
  conflictPolicyLabel,
  directionLabel,
  mappingRules,
  nextMapping,
  oneflowFieldLabel,
  refusalText,
  withOption,
  writeConditionLabel,
  type OptionRule,
  type RowRules,
} from './mappingRules';

export interface MappingTableProps {
  /** The draft: its mappings are the rows, its product source the entity whose columns are offered. */
  settings: EntitySettings;
  /** The product source entity's columns (`client.fields(source.entity).fields`). */
  fields: readonly MetadataField[];
  readOnly: boolean;
  /** The last refused save's problems; those of a cell show on it. */
  problems: readonly PlacedProblem[];
  /** `cellId(idPrefix, row, column)` is each cell control's DOM id. */
  idPrefix: string;
  onChange(mappings: FieldMapping[]): void;
}

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS, minWidth: 0 },
  // Five choices side by side do not fit a narrow form: the table scrolls sideways, the page does not.
  scroll: { overflowX: 'auto', maxWidth: '100%' },
  table: { minWidth: '880px', tableLayout: 'fixed' },
  dynamicsColumn: { width: '27%' },
  oneflowColumn: { width: '16%' },
  directionColumn: { width: '18%' },
  writeColumn: { width: '16%' },
  conflictColumn: { width: '18%' },
  removeColumn: { width: '48px' },
  cell: { paddingBlock: tokens.spacingVerticalXS, verticalAlign: 'top' },
  control: { width: '100%', minWidth: 0 },
  option: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalXXS,
    overflowWrap: 'anywhere',
  },
  reason: { color: tokens.colorNeutralForeground3, whiteSpace: 'normal' },
  // Wide enough for a reason beside its option, short enough to open next to its cell and scroll.
  listbox: { minWidth: '300px', maxWidth: '440px', maxHeight: '360px', overflowY: 'auto' },
  footer: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalXS,
  },
  note: { color: tokens.colorNeutralForeground2 },
  empty: { color: tokens.colorNeutralForeground2 },
});

function removeId(idPrefix: string, row: number): string {
  return `${idPrefix}-mapping-${row}-remove`;
}

/**
 * An option with the reason a save would refuse it written under its text: a tooltip on a disabled option could
 * not be reached by keyboard, and the option's accessible name carries the reason with it.
 */
function RuleOption({ rule, text }: { rule: OptionRule<string>; text: string }): React.ReactElement {
  const t = useStrings();
  const styles = useStyles();
  if (rule.refusal === null) {
    return (
      <Option value={rule.value} text={text}>
        <span className={styles.option}>{text}</span>
      </Option>
    );
  }
  return (
    <Option value={rule.value} text={text} disabled>
      <span className={styles.option}>
        <span>{text}</span>
        <Caption1 className={styles.reason}>{refusalText(t, rule.refusal)}</Caption1>
      </span>
    </Option>
  );
}

interface CellProps {
  id: string;
  label: string;
  problem: string | null;
  disabled: boolean;
}

/** A cell's control in a Field, so a refused save's problem on it shows under it and is announced with it. */
function CellField({ problem, children }: { problem: string | null; children: React.ReactElement }) {
  return problem === null ? (
    <Field>{children}</Field>
  ) : (
    <Field validationState="error" validationMessage={problem}>
      {children}
    </Field>
  );
}

function ChoiceCell<V extends string>({
  id,
  label,
  problem,
  disabled,
  value,
  rules,
  textOf,
  onSelect,
}: CellProps & {
  value: V;
  rules: readonly OptionRule<V>[];
  textOf: (value: V) => string;
  onSelect: (value: V) => void;
}): React.ReactElement {
  const styles = useStyles();
  return (
    <CellField problem={problem}>
      <Dropdown
        id={id}
        aria-label={label}
        className={styles.control}
        listbox={{ className: styles.listbox }}
        value={textOf(value)}
        selectedOptions={[value]}
        disabled={disabled}
        onOptionSelect={(_event, data) => {
          const chosen = rules.find((rule) => rule.value === data.optionValue);
          if (chosen !== undefined && chosen.refusal === null && chosen.value !== value)
            onSelect(chosen.value);
        }}
      >
        {rules.map((rule) => (
          <RuleOption key={rule.value} rule={rule} text={textOf(rule.value)} />
        ))}
      </Dropdown>
    </CellField>
  );
}

function columnText(t: Translate, fields: ReadonlyMap<string, MetadataField>, name: string): string {
  const field = fields.get(name);
  if (field === undefined) return t('Mapping_UnknownColumn', name);
  return field.displayName ? `${field.displayName} (${name})` : name;
}

/** The Dynamics column, searchable by display or logical name as the admin types. */
function ColumnCell({
  id,
  label,
  problem,
  disabled,
  value,
  rules,
  fields,
  onSelect,
}: CellProps & {
  value: string;
  rules: readonly OptionRule<string>[];
  fields: ReadonlyMap<string, MetadataField>;
  onSelect: (value: string) => void;
}): React.ReactElement {
  const t = useStrings();
  const styles = useStyles();
  // Null while the admin is not typing: the input shows the chosen column.
  const [query, setQuery] = React.useState<string | null>(null);
  const needle = query?.trim().toLowerCase() ?? '';
  const shown =
    needle === ''
      ? rules
      : rules.filter((rule) => columnText(t, fields, rule.value).toLowerCase().includes(needle));
  return (
    <CellField problem={problem}>
      <Combobox
        id={id}
        aria-label={label}
        className={styles.control}
        listbox={{ className: styles.listbox }}
        value={query ?? columnText(t, fields, value)}
        selectedOptions={[value]}
        disabled={disabled}
        onChange={(event) => {
          setQuery(event.target.value);
        }}
        // Typing replaces the column shown rather than adding to its name.
        onFocus={(event) => {
          event.target.select();
        }}
        onOpenChange={(_event, data) => {
          if (!data.open) setQuery(null);
        }}
        onOptionSelect={(_event, data) => {
          // Typing text no option starts with clears the selection: not a choice, the column stays.
          if (data.optionValue === undefined) return;
          setQuery(null);
          const chosen = rules.find((rule) => rule.value === data.optionValue);
          if (chosen !== undefined && chosen.refusal === null && chosen.value !== value)
            onSelect(chosen.value);
        }}
      >
        {shown.length === 0 ? (
          <Option value="" text="" disabled>
            {t('Mapping_NoMatch', query ?? '')}
          </Option>
        ) : (
          shown.map((rule) => (
            <RuleOption key={rule.value} rule={rule} text={columnText(t, fields, rule.value)} />
          ))
        )}
      </Combobox>
    </CellField>
  );
}

interface RowProps {
  row: number;
  mapping: FieldMapping;
  rules: RowRules;
  fields: ReadonlyMap<string, MetadataField>;
  props: MappingTableProps;
  onRemove: (row: number) => void;
}

function MappingRow({ row, mapping, rules, fields, props, onRemove }: RowProps): React.ReactElement {
  const t = useStrings();
  const styles = useStyles();
  const { settings, readOnly, problems, idPrefix } = props;
  const name = oneflowFieldLabel(t, mapping.oneflowField);
  const cell = (column: MappingColumn, label: string): CellProps => ({
    id: cellId(idPrefix, row, column),
    label,
    problem: cellProblem(problems, row, column),
    disabled: readOnly,
  });
  const set = (column: MappingColumn) => (value: string) => {
    props.onChange(withOption(settings.mappings, row, column, value));
  };
  return (
    <TableRow>
      <TableCell className={styles.cell}>
        <ColumnCell
          {...cell('dynamicsField', t('Mapping_Label_Dynamics', name))}
          value={mapping.dynamicsField}
          rules={rules.dynamicsField}
          fields={fields}
          onSelect={set('dynamicsField')}
        />
      </TableCell>
      <TableCell className={styles.cell}>
        <ChoiceCell<OneflowFieldKey>
          {...cell('oneflowField', t('Mapping_Label_Oneflow', name))}
          value={mapping.oneflowField}
          rules={rules.oneflowField}
          textOf={(key) => oneflowFieldLabel(t, key)}
          onSelect={set('oneflowField')}
        />
      </TableCell>
      <TableCell className={styles.cell}>
        <ChoiceCell
          {...cell('direction', t('Mapping_Label_Direction', name))}
          value={mapping.direction}
          rules={rules.direction}
          textOf={(direction) => directionLabel(t, direction)}
          onSelect={set('direction')}
        />
      </TableCell>
      <TableCell className={styles.cell}>
        <ChoiceCell
          {...cell('writeCondition', t('Mapping_Label_WriteCondition', name))}
          value={mapping.writeCondition}
          rules={rules.writeCondition}
          textOf={(condition) => writeConditionLabel(t, condition)}
          onSelect={set('writeCondition')}
        />
      </TableCell>
      <TableCell className={styles.cell}>
        <ChoiceCell
          {...cell('conflictPolicy', t('Mapping_Label_ConflictPolicy', name))}
          value={mapping.conflictPolicy}
          rules={rules.conflictPolicy}
          textOf={(policy) => conflictPolicyLabel(t, policy)}
          onSelect={set('conflictPolicy')}
        />
      </TableCell>
      <TableCell className={styles.cell}>
        <Button
          id={removeId(idPrefix, row)}
          appearance="subtle"
          icon={<Delete16Regular />}
          aria-label={t('Mapping_Remove', name)}
          disabledFocusable={readOnly}
          onClick={() => {
            onRemove(row);
          }}
        />
      </TableCell>
    </TableRow>
  );
}

/**
 * The field mappings of one product source: one row per mapping, every choice of every cell offered only when a
 * save would accept it (the others stay listed, disabled, with the reason), and a refused save's problems on
 * their cells.
 */
export function MappingTable(props: MappingTableProps): React.ReactElement {
  const { settings, fields, readOnly, idPrefix } = props;
  const t = useStrings();
  const styles = useStyles();
  const rules = React.useMemo(() => mappingRules(settings, fields), [settings, fields]);
  const byName = React.useMemo(() => new Map(fields.map((field) => [field.logicalName, field])), [fields]);
  const next = React.useMemo(() => nextMapping(settings, fields), [settings, fields]);
  const addId = `${idPrefix}-mapping-add`;
  // Where focus goes once the rows have changed: the new row, or the row that took a removed row's place.
  const [focusTarget, setFocusTarget] = React.useState<string | null>(null);
  React.useEffect(() => {
    if (focusTarget === null) return;
    document.getElementById(focusTarget)?.focus();
    setFocusTarget(null);
  }, [focusTarget]);

  const remove = (row: number): void => {
    const left = settings.mappings.filter((_mapping, index) => index !== row);
    props.onChange(left);
    setFocusTarget(left.length === 0 ? addId : removeId(idPrefix, Math.min(row, left.length - 1)));
  };
  const add = (): void => {
    if (next === null) return;
    props.onChange([...settings.mappings, next]);
    setFocusTarget(cellId(idPrefix, settings.mappings.length, 'dynamicsField'));
  };

  return (
    <div className={styles.root}>
      <div className={styles.scroll}>
        <Table size="small" aria-label={t('Mapping_Table_Label')} className={styles.table}>
          <TableHeader>
            <TableRow>
              <TableHeaderCell className={styles.dynamicsColumn}>
                {t('Mapping_Column_Dynamics')}
              </TableHeaderCell>
              <TableHeaderCell className={styles.oneflowColumn}>
                {t('Mapping_Column_Oneflow')}
              </TableHeaderCell>
              <TableHeaderCell className={styles.directionColumn}>
                {t('Mapping_Column_Direction')}
              </TableHeaderCell>
              <TableHeaderCell className={styles.writeColumn}>
                {t('Mapping_Column_WriteCondition')}
              </TableHeaderCell>
              <TableHeaderCell className={styles.conflictColumn}>
                {t('Mapping_Column_ConflictPolicy')}
              </TableHeaderCell>
              <TableHeaderCell className={styles.removeColumn}>{t('Mapping_Column_Remove')}</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {settings.mappings.length === 0 ? (
              <TableRow>
                <TableCell colSpan={6}>
                  <Text className={styles.empty}>{t('Mapping_Empty')}</Text>
                </TableCell>
              </TableRow>
            ) : (
              settings.mappings.map((mapping, row) => {
                const rowRules = rules[row];
                return rowRules === undefined ? null : (
                  <MappingRow
                    // Rows have no identity of their own; a removed row's controls are not reused by the next.
                    key={`${row}-${mapping.oneflowField}`}
                    row={row}
                    mapping={mapping}
                    rules={rowRules}
                    fields={byName}
                    props={props}
                    onRemove={remove}
                  />
                );
              })
            )}
          </TableBody>
        </Table>
      </div>
      <div className={styles.footer}>
        <Button
          id={addId}
          icon={<Add16Regular />}
          disabledFocusable={readOnly || next === null}
          onClick={add}
        >
          {t('Mapping_Add')}
        </Button>
        {next === null && !readOnly && <Text className={styles.note}>{t('Mapping_AllMapped')}</Text>}
      </div>
    </div>
  );
}
