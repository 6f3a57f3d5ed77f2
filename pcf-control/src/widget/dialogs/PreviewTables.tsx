import * as React from 'react';
import {
  Badge,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from '@fluentui/react-components';
import { Warning16Regular } from '@fluentui/react-icons';
import { useStrings } from '../../strings/strings';
import { useServices } from '../../ui/Services';
import { useDialogStyles } from './dialogs.styles';
import type { PreviewChangeRow, PreviewSkipRow } from './previewRows';
import { displayValue, fieldLabel, sideName } from './words';

/**
 * A long table scrolls inside the dialog; the scrolling box takes focus so keyboard users can scroll it too (its
 * rows hold nothing focusable).
 */
export function ScrollRegion({
  label,
  children,
}: {
  label: string;
  children: React.ReactNode;
}): React.ReactElement {
  const styles = useDialogStyles();
  return (
    <div className={styles.tableScroll} role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

function useWhatHappens(): (row: PreviewChangeRow) => string {
  const t = useStrings();
  return (row) => {
    if (row.kind === 'create') return t('Preview_AddedToOneflow');
    if (row.kind === 'delete') return t('Preview_RemovedFromOneflow');
    return row.side === 'oneflow' ? t('Preview_WrittenToOneflow') : t('Preview_WrittenToDynamics');
  };
}

/** Every field the action writes: line, field, from → to, the side written, and overwrites said in words. */
export function ChangesTable({ rows }: { rows: readonly PreviewChangeRow[] }): React.ReactElement {
  const t = useStrings();
  const styles = useDialogStyles();
  const { platform } = useServices();
  const whatHappens = useWhatHappens();
  const show = (value: PreviewChangeRow['to']): string => displayValue(value, platform);
  return (
    <ScrollRegion label={t('Preview_ChangesTable')}>
      <Table size="small" aria-label={t('Preview_ChangesTable')}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>{t('Dialog_Column_Line')}</TableHeaderCell>
            <TableHeaderCell>{t('Dialog_Column_Field')}</TableHeaderCell>
            <TableHeaderCell>{t('Dialog_Column_Change')}</TableHeaderCell>
            <TableHeaderCell>{t('Dialog_Column_Written')}</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((row, index) => (
            <TableRow key={`${row.lineId}-${row.field ?? ''}-${row.side}-${String(index)}`}>
              <TableCell>{row.lineName}</TableCell>
              <TableCell>{fieldLabel(t, row.field)}</TableCell>
              <TableCell className={styles.value}>
                {row.kind === 'delete' ? '—' : t('Preview_FromTo', show(row.from), show(row.to))}
                {row.notes.map((note) => (
                  <Text key={note} block className={styles.secondary}>
                    {note}
                  </Text>
                ))}
              </TableCell>
              <TableCell>
                <Text block>{whatHappens(row)}</Text>
                {row.overwrites !== null && (
                  <Badge appearance="tint" color="warning" icon={<Warning16Regular />}>
                    {t('Preview_Overwrites', sideName(t, row.overwrites))}
                  </Badge>
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </ScrollRegion>
  );
}

/** What the action leaves alone, each with its reason. */
export function SkipsTable({ rows }: { rows: readonly PreviewSkipRow[] }): React.ReactElement {
  const t = useStrings();
  return (
    <ScrollRegion label={t('Preview_SkipsTable')}>
      <Table size="small" aria-label={t('Preview_SkipsTable')}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>{t('Dialog_Column_Line')}</TableHeaderCell>
            <TableHeaderCell>{t('Dialog_Column_Field')}</TableHeaderCell>
            <TableHeaderCell>{t('Dialog_Column_Reason')}</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((row, index) => (
            <TableRow key={`${row.lineId ?? ''}-${row.field ?? ''}-${String(index)}`}>
              <TableCell>{row.lineName ?? t('Preview_WholeContract')}</TableCell>
              <TableCell>{fieldLabel(t, row.field)}</TableCell>
              <TableCell>
                <Text block weight="semibold">
                  {row.kind === 'held_for_review' ? t('Preview_Held') : t('Preview_Skipped')}
                </Text>
                <Text block>{row.reason}</Text>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </ScrollRegion>
  );
}
