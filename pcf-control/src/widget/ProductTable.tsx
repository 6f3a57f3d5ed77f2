import * as React from 'react';
import {
  Button,
  Skeleton,
  SkeletonItem,
  Subtitle2,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Tooltip,
  makeStyles,
  tokens,
  useId,
} from '@fluentui/react-components';
import {
  Add16Regular,
  ArrowDownload16Regular,
  ArrowUpload16Regular,
  CheckmarkCircle16Regular,
  Delete16Regular,
  Info16Regular,
  SubtractCircle16Regular,
  Warning16Regular,
} from '@fluentui/react-icons';
import type { CompareAnswer } from '../api/contract';
import type { Platform } from '../platform/Platform';
import { useStrings, type Translate } from '../strings/strings';
import { StatusBadge, type StatusBadgeProps } from '../ui/StatusBadge';
import { fieldLabel } from './dialogs/words';
import { productRows, type CellValue, type ProductRow, type RowStatus } from './productRows';

const useStyles = makeStyles({
  heading: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    justifyContent: 'space-between',
    columnGap: tokens.spacingHorizontalL,
  },
  status: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalXS },
  number: { fontVariantNumeric: 'tabular-nums' },
  empty: { paddingBlock: tokens.spacingVerticalS, color: tokens.colorNeutralForeground2 },
});

/** The words, tone and icon of every row status. */
function rowStatusBadge(status: RowStatus, t: Translate): StatusBadgeProps {
  switch (status) {
    case 'in_sync':
      return { tone: 'success', icon: <CheckmarkCircle16Regular />, text: t('Status_InSync') };
    case 'will_push':
      return { tone: 'brand', icon: <ArrowUpload16Regular />, text: t('Status_WillPush') };
    case 'will_fetch':
      return { tone: 'informative', icon: <ArrowDownload16Regular />, text: t('Status_WillFetch') };
    case 'conflict':
      return { tone: 'warning', icon: <Warning16Regular />, text: t('Status_Conflict') };
    case 'conflict_held':
      return { tone: 'danger', icon: <Warning16Regular />, text: t('Status_ConflictHeld') };
    case 'skipped':
      return { tone: 'subtle', icon: <SubtractCircle16Regular />, text: t('Status_Skipped') };
    case 'deleted_in_oneflow':
      return { tone: 'warning', icon: <Delete16Regular />, text: t('Status_DeletedInOneflow') };
    case 'not_linked':
      return { tone: 'brand', icon: <Add16Regular />, text: t('Status_NotLinked') };
    case 'added_in_oneflow':
      return { tone: 'informative', icon: <Add16Regular />, text: t('Status_AddedInOneflow') };
    case 'deleted_in_dynamics':
      return { tone: 'warning', icon: <Delete16Regular />, text: t('Status_DeletedInDynamics') };
  }
}

function ValueText({ value, platform }: { value: CellValue | null; platform: Platform }) {
  const t = useStrings();
  const styles = useStyles();
  if (value === null || value.value === null) {
    return (
      <span role="img" aria-label={t('Table_Empty')}>
        —
      </span>
    );
  }
  if (value.decimals === null) return <>{value.value}</>;
  // Display only: the canonical strings are what the API compares.
  const shown = platform.formatDecimal(Number(value.value), value.decimals);
  const text =
    value.unit === 'line'
      ? t('Value_PerLine', shown)
      : value.unit === 'unit'
        ? t('Value_PerUnit', shown)
        : shown;
  return <span className={styles.number}>{text}</span>;
}

function lineText(row: ProductRow, t: Translate): string {
  const name = row.lineName ?? t('Table_UnnamedLine');
  return row.lineKind === 'added_in_oneflow' ? t('Table_AddedLine', name) : name;
}

function StatusCell({ row }: { row: ProductRow }) {
  const t = useStrings();
  const styles = useStyles();
  const badge = rowStatusBadge(row.status, t);
  return (
    <div className={styles.status}>
      <StatusBadge {...badge} />
      {row.reasons.length > 0 && (
        <Tooltip content={row.reasons.join('\n')} relationship="description" withArrow>
          <Button
            appearance="transparent"
            size="small"
            icon={<Info16Regular />}
            aria-label={t(
              'Table_WhyStatus',
              badge.text,
              row.oneflowField === null ? lineText(row, t) : fieldLabel(t, row.oneflowField),
            )}
          />
        </Tooltip>
      )}
    </div>
  );
}

const SKELETON_ROWS = ['a', 'b', 'c'];

export interface ProductTableProps {
  /** Null while the first compare loads: three placeholder rows show instead. */
  compare: CompareAnswer | null;
  loading: boolean;
  platform: Platform;
}

/** Both sides of every mapped field of every line, grouped by line, with a status in icon and words. */
export function ProductTable({ compare, loading, platform }: ProductTableProps): React.ReactElement {
  const t = useStrings();
  const styles = useStyles();
  const [changesOnly, setChangesOnly] = React.useState(false);
  const rows = React.useMemo(
    () => (compare === null ? [] : productRows(compare, { changesOnly })),
    [compare, changesOnly],
  );
  const hasLines =
    compare !== null &&
    compare.lines.length + compare.addedInOneflow.length + compare.deletedInDynamics.length > 0;
  const headingId = useId('product-table-heading');
  return (
    <section aria-labelledby={headingId}>
      <div className={styles.heading}>
        <Subtitle2 as="h3" id={headingId}>
          {t('Table_Heading')}
        </Subtitle2>
        <Switch
          label={t('Table_ChangesOnly')}
          checked={changesOnly}
          disabled={compare === null}
          onChange={(_event, data) => {
            setChangesOnly(data.checked);
          }}
        />
      </div>
      <Table size="small" aria-label={t('Table_Label')} aria-busy={loading}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>{t('Table_Line')}</TableHeaderCell>
            <TableHeaderCell>{t('Table_Field')}</TableHeaderCell>
            <TableHeaderCell>{t('Table_Dynamics')}</TableHeaderCell>
            <TableHeaderCell>{t('Table_Oneflow')}</TableHeaderCell>
            <TableHeaderCell>{t('Table_Status')}</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {compare === null
            ? SKELETON_ROWS.map((key) => (
                <TableRow key={key}>
                  <TableCell colSpan={5}>
                    <Skeleton aria-label={t('Widget_Loading')}>
                      <SkeletonItem size={16} />
                    </Skeleton>
                  </TableCell>
                </TableRow>
              ))
            : rows.map((row) => (
                <TableRow key={row.key}>
                  <TableCell>{row.groupStart ? lineText(row, t) : ''}</TableCell>
                  <TableCell>
                    {row.oneflowField === null ? t('Table_WholeLine') : fieldLabel(t, row.oneflowField)}
                  </TableCell>
                  <TableCell>
                    <ValueText value={row.dynamics} platform={platform} />
                  </TableCell>
                  <TableCell>
                    <ValueText value={row.oneflow} platform={platform} />
                  </TableCell>
                  <TableCell>
                    <StatusCell row={row} />
                  </TableCell>
                </TableRow>
              ))}
        </TableBody>
      </Table>
      {compare !== null && !hasLines && (
        <Text block className={styles.empty}>
          {t('Table_NoLines', compare.mainEntity)}
        </Text>
      )}
      {compare !== null && hasLines && rows.length === 0 && (
        <Text block className={styles.empty}>
          {t('Table_NoDifferences')}
        </Text>
      )}
    </section>
  );
}
