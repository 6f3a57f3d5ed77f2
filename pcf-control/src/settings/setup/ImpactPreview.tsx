import * as React from 'react';
import {
  MessageBar,
  MessageBarBody,
  Spinner,
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
import { AddCircleRegular, ArrowSwapRegular, SubtractCircleRegular } from '@fluentui/react-icons';
import type {
  EntitySettings,
  FieldImpact,
  ImpactRow,
  MappingDifference,
  SettingsImpactAnswer,
} from '../../api/contract';
import { describeError, type ErrorView } from '../../api/errors';
import { ApiError } from '../../api/SyncApiClient';
import type { Translate } from '../../strings/strings';
import { useStrings } from '../../strings/strings';
import { ErrorBar } from '../../ui/ErrorBar';
import { useServices } from '../../ui/Services';
import { directionLabel, oneflowFieldLabel } from './mappingRules';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  field: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  change: { display: 'inline-flex', alignItems: 'center', gap: tokens.spacingHorizontalXS },
  number: { textAlign: 'end' },
  list: { margin: 0, paddingInlineStart: tokens.spacingHorizontalXL },
});

export interface ImpactPreviewProps {
  /** The main entity whose settings would change. */
  entity: string;
  /** The settings as they would be saved. */
  settings: EntitySettings;
}

type State =
  | { kind: 'loading' }
  | { kind: 'ready'; impact: SettingsImpactAnswer }
  | { kind: 'failed'; error: ErrorView };

/**
 * A refusal of the candidate settings is about them, not about the service: the API's own words (each problem
 * with its field) are what the admin needs, so they are shown rather than kept for support.
 */
function errorViewOf(error: unknown, t: Translate): ErrorView {
  const view = describeError(error, t);
  if (!(error instanceof ApiError) || error.status !== 400) return view;
  const problems = [error.message, ...error.details.map((detail) => `${detail.field}: ${detail.message}`)];
  return { ...view, text: t('Impact_Refused', problems.join(' · ')) };
}

const CHANGES = [
  { kind: 'added', key: 'Impact_Change_added', icon: <AddCircleRegular aria-hidden /> },
  { kind: 'dropped', key: 'Impact_Change_dropped', icon: <SubtractCircleRegular aria-hidden /> },
  { kind: 'otherValue', key: 'Impact_Change_otherValue', icon: <ArrowSwapRegular aria-hidden /> },
] as const;

const PROPERTY_KEYS: Record<MappingDifference['properties'][number], string> = {
  dynamicsField: 'Mapping_Column_Dynamics',
  direction: 'Mapping_Column_Direction',
  writeCondition: 'Mapping_Column_WriteCondition',
  conflictPolicy: 'Mapping_Column_ConflictPolicy',
};

/** What happens to a field's mapping, in the mapping table's own words for the field and its direction. */
function fieldTitle(t: Translate, field: FieldImpact): string {
  const name = oneflowFieldLabel(t, field.oneflowField);
  const { mapping } = field;
  if (mapping === null) return t('Impact_Field_Unchanged', name);
  if (mapping.change === 'added' && mapping.after) {
    return t(
      'Impact_Field_Added',
      name,
      mapping.after.dynamicsField,
      directionLabel(t, mapping.after.direction),
    );
  }
  if (mapping.change === 'removed' || !mapping.after) return t('Impact_Field_Removed', name);
  if (mapping.properties.includes('direction')) {
    return t('Impact_Field_Becomes', name, directionLabel(t, mapping.after.direction));
  }
  return t(
    'Impact_Field_Changed',
    name,
    mapping.properties.map((property) => t(PROPERTY_KEYS[property])).join(', '),
  );
}

function FieldTable({ field }: { field: FieldImpact }): React.ReactElement {
  const t = useStrings();
  const styles = useStyles();
  const rows = field.rows.flatMap((row: ImpactRow) =>
    CHANGES.filter((change) => row[change.kind].lines > 0).map((change) => ({ row, change })),
  );
  return (
    <Table size="small" aria-label={t('Impact_Table_Label', oneflowFieldLabel(t, field.oneflowField))}>
      <TableHeader>
        <TableRow>
          <TableHeaderCell>{t('Impact_Col_Action')}</TableHeaderCell>
          <TableHeaderCell>{t('Impact_Col_Side')}</TableHeaderCell>
          <TableHeaderCell>{t('Impact_Col_Change')}</TableHeaderCell>
          <TableHeaderCell className={styles.number}>{t('Impact_Col_Contracts')}</TableHeaderCell>
          <TableHeaderCell className={styles.number}>{t('Impact_Col_Lines')}</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map(({ row, change }) => (
          <TableRow key={`${row.action}-${row.side}-${change.kind}`}>
            <TableCell>{t(`Impact_Action_${row.action}`)}</TableCell>
            <TableCell>{t(`Impact_Side_${row.side}`)}</TableCell>
            <TableCell>
              <span className={styles.change}>
                {change.icon}
                {t(change.key)}
              </span>
            </TableCell>
            <TableCell className={styles.number}>{row[change.kind].contracts}</TableCell>
            <TableCell className={styles.number}>{row[change.kind].lines}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function ImpactView({ impact }: { impact: SettingsImpactAnswer }): React.ReactElement {
  const t = useStrings();
  const styles = useStyles();
  const { contracts } = impact;
  const warnings = [impact.transferProducts?.headline, impact.sourceChange?.headline].filter(
    (headline): headline is string => headline !== undefined,
  );
  return (
    <>
      <Text>{t('Impact_Compared', contracts.compared, contracts.stored)}</Text>
      {contracts.truncated && <Text>{t('Impact_Truncated', contracts.considered, contracts.stored)}</Text>}
      {warnings.map((headline) => (
        <MessageBar key={headline} intent="warning" layout="multiline">
          <MessageBarBody>{headline}</MessageBarBody>
        </MessageBar>
      ))}
      {!impact.affected && (
        <MessageBar intent="success">
          <MessageBarBody>{t('Impact_NoneAffected')}</MessageBarBody>
        </MessageBar>
      )}
      {impact.fields.map((field) => (
        <section
          key={field.oneflowField}
          className={styles.field}
          aria-label={oneflowFieldLabel(t, field.oneflowField)}
        >
          <Text weight="semibold">{fieldTitle(t, field)}</Text>
          {field.rows.length > 0 ? <FieldTable field={field} /> : <Text>{t('Impact_Field_NotFelt')}</Text>}
        </section>
      ))}
      {impact.products.map((product) => (
        <Text key={`${product.action}-${product.kind}`}>{product.headline}</Text>
      ))}
      {impact.unreadable.length > 0 && (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            <Text block>{t('Impact_Unreadable', impact.unreadable.length)}</Text>
            <ul className={styles.list}>
              {impact.unreadable.map((contract) => (
                <li key={contract.contractId}>
                  {t('Impact_UnreadableContract', contract.contractId, contract.reason)}
                </li>
              ))}
            </ul>
          </MessageBarBody>
        </MessageBar>
      )}
    </>
  );
}

/** What the new settings would do to the contracts already synced, planned without writing anything. */
export function ImpactPreview({ entity, settings }: ImpactPreviewProps): React.ReactElement {
  const t = useStrings();
  const styles = useStyles();
  const { client } = useServices();
  const [state, setState] = React.useState<State>({ kind: 'loading' });
  const [attempt, setAttempt] = React.useState(0);
  // The page hands a fresh object on every render: only a change of what would be saved plans again.
  const candidate = JSON.stringify(settings);
  const latest = React.useRef({ settings, t });
  latest.current = { settings, t };
  React.useEffect(() => {
    let current = true;
    setState({ kind: 'loading' });
    client.settingsImpact(entity, latest.current.settings).then(
      (impact) => {
        if (current) setState({ kind: 'ready', impact });
      },
      (error: unknown) => {
        if (current) setState({ kind: 'failed', error: errorViewOf(error, latest.current.t) });
      },
    );
    return () => {
      current = false;
    };
  }, [client, entity, candidate, attempt]);

  return (
    <div className={styles.root} aria-live="polite" aria-busy={state.kind === 'loading'}>
      <Text weight="semibold">{t('Impact_Title')}</Text>
      {state.kind === 'loading' && (
        <Spinner size="small" labelPosition="after" label={t('Impact_Planning')} />
      )}
      {state.kind === 'failed' && (
        <ErrorBar
          error={state.error}
          onRetry={() => {
            setAttempt((count) => count + 1);
          }}
        />
      )}
      {state.kind === 'ready' && <ImpactView impact={state.impact} />}
    </div>
  );
}
