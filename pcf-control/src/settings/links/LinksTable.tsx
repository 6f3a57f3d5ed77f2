import * as React from 'react';
import {
  Button,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Tooltip,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import {
  Checkmark16Regular,
  CheckmarkCircle16Regular,
  Copy16Regular,
  Delete20Regular,
  DismissCircle16Regular,
  Edit20Regular,
} from '@fluentui/react-icons';
import type { Link } from '../../api/contract';
import { useStrings } from '../../strings/strings';
import { useServices } from '../../ui/Services';
import { StatusBadge } from '../../ui/StatusBadge';
import { ADMIN_ROLE } from '../useSignedIn';
import { LINK_STATE_KEYS } from './EditLinkDialog';

const useStyles = makeStyles({
  scroll: { overflowX: 'auto' },
  line: {
    display: 'flex',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalXS,
  },
  // A GUID on one line reads and compares at a glance; a narrow host scrolls the table sideways instead.
  guid: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, whiteSpace: 'nowrap' },
  table: { minWidth: '960px' },
  contractColumn: { width: '96px' },
  lineColumn: { width: '360px' },
  productColumn: { width: '128px' },
  stateColumn: { width: '168px' },
  actionsColumn: { width: '96px' },
  actions: { display: 'flex', columnGap: tokens.spacingHorizontalXS },
});

export interface LinksTableProps {
  links: readonly Link[];
  readOnly: boolean;
  onEdit: (link: Link, trigger: HTMLElement) => void;
  onDelete: (link: Link, trigger: HTMLElement) => void;
}

function linkKey(link: Link): string {
  return `${String(link.contractId)}/${link.lineId}`;
}

interface RowActionProps {
  /** What the action does, or why a read-only admin cannot use it. */
  tooltip: string;
  label: string;
  icon: React.ReactElement;
  readOnly: boolean;
  /** Gets the button, so that the dialog it opens can give focus back to it. */
  onClick: (trigger: HTMLButtonElement) => void;
}

function RowAction({ tooltip, label, icon, readOnly, onClick }: RowActionProps): React.ReactElement {
  return (
    <Tooltip content={tooltip} relationship="description">
      <Button
        size="small"
        appearance="subtle"
        icon={icon}
        aria-label={label}
        disabledFocusable={readOnly}
        onClick={(event) => {
          onClick(event.currentTarget);
        }}
      />
    </Tooltip>
  );
}

function CopyLineId({ lineId }: { lineId: string }): React.ReactElement {
  const t = useStrings();
  const [copied, setCopied] = React.useState(false);
  const copy = (): void => {
    void navigator.clipboard.writeText(lineId).then(
      () => {
        setCopied(true);
      },
      () => {
        setCopied(false);
      },
    );
  };
  return (
    <Tooltip
      content={copied ? t('Links_LineCopied') : t('Links_CopyLine_Tooltip')}
      relationship="description"
    >
      <Button
        size="small"
        appearance="subtle"
        icon={copied ? <Checkmark16Regular /> : <Copy16Regular />}
        aria-label={t('Links_CopyLine', lineId)}
        onClick={copy}
      />
    </Tooltip>
  );
}

/** One row per link: both sides' ids, its state in words, when it last synced, and its repairs. */
export function LinksTable({ links, readOnly, onEdit, onDelete }: LinksTableProps): React.ReactElement {
  const t = useStrings();
  const styles = useStyles();
  const { platform } = useServices();
  const needsAdmin = t('Links_NeedsAdmin', ADMIN_ROLE);
  return (
    <div className={styles.scroll}>
      <Table aria-label={t('Links_Table_Label')} size="small" className={styles.table}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell className={styles.contractColumn}>{t('Links_Col_Contract')}</TableHeaderCell>
            <TableHeaderCell className={styles.lineColumn}>{t('Links_Col_Line')}</TableHeaderCell>
            <TableHeaderCell className={styles.productColumn}>{t('Links_Col_Product')}</TableHeaderCell>
            <TableHeaderCell className={styles.stateColumn}>{t('Links_Col_State')}</TableHeaderCell>
            <TableHeaderCell>{t('Links_Col_Synced')}</TableHeaderCell>
            <TableHeaderCell className={styles.actionsColumn}>{t('Links_Col_Actions')}</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {links.map((link) => (
            <TableRow key={linkKey(link)}>
              <TableCell>{link.contractId}</TableCell>
              <TableCell>
                <span className={styles.line}>
                  <span className={styles.guid}>{link.lineId}</span>
                  <CopyLineId lineId={link.lineId} />
                </span>
              </TableCell>
              <TableCell>{link.productId}</TableCell>
              <TableCell>
                <StatusBadge
                  tone={link.state === 'active' ? 'success' : 'warning'}
                  icon={link.state === 'active' ? <CheckmarkCircle16Regular /> : <DismissCircle16Regular />}
                  text={t(LINK_STATE_KEYS[link.state])}
                />
              </TableCell>
              <TableCell>{platform.formatDateTime(new Date(link.syncedAt))}</TableCell>
              <TableCell>
                <span className={styles.actions}>
                  <RowAction
                    tooltip={readOnly ? needsAdmin : t('Links_Edit_Tooltip')}
                    label={t('Links_Edit_Label', link.lineId)}
                    icon={<Edit20Regular />}
                    readOnly={readOnly}
                    onClick={(trigger) => {
                      onEdit(link, trigger);
                    }}
                  />
                  <RowAction
                    tooltip={readOnly ? needsAdmin : t('Links_Delete_Tooltip')}
                    label={t('Links_Delete_Label', link.lineId)}
                    icon={<Delete20Regular />}
                    readOnly={readOnly}
                    onClick={(trigger) => {
                      onDelete(link, trigger);
                    }}
                  />
                </span>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
