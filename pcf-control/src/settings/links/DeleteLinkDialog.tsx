import * as React from 'react';
import { Text, makeStyles, tokens } from '@fluentui/react-components';
import type { Link } from '../../api/contract';
import { describeError, type ErrorView } from '../../api/errors';
import { ApiError } from '../../api/SyncApiClient';
import { useStrings } from '../../strings/strings';
import { ActionDialog } from '../../ui/ActionDialog';
import { useServices } from '../../ui/Services';

const useStyles = makeStyles({
  content: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS },
  line: { fontFamily: tokens.fontFamilyMonospace, wordBreak: 'break-all' },
});

export interface DeleteLinkDialogProps {
  link: Link;
  onDeleted: (link: Link) => void;
  /** The link was already gone: the outcome the admin wanted, but worth saying. */
  onGone: (link: Link) => void;
  onCancel: () => void;
}

/** Asks before a link is dropped, saying what the next push does with the line. */
export function DeleteLinkDialog({
  link,
  onDeleted,
  onGone,
  onCancel,
}: DeleteLinkDialogProps): React.ReactElement {
  const t = useStrings();
  const styles = useStyles();
  const { client } = useServices();
  const [running, setRunning] = React.useState(false);
  const [error, setError] = React.useState<ErrorView | null>(null);

  const remove = (): void => {
    if (running) return;
    setRunning(true);
    setError(null);
    client.deleteLink(link.contractId, link.lineId).then(
      () => {
        onDeleted(link);
      },
      (failure: unknown) => {
        setRunning(false);
        if (failure instanceof ApiError && failure.code === 'not_found') onGone(link);
        else setError(describeError(failure, t));
      },
    );
  };

  return (
    <ActionDialog
      title={t('Links_Delete_Title')}
      modalType="alert"
      running={running}
      runningLabel={t('Links_Deleting')}
      error={error}
      confirmLabel={t('Links_Delete_Confirm')}
      onConfirm={remove}
      cancelLabel={t('Links_Cancel')}
      onCancel={onCancel}
      contentClassName={styles.content}
    >
      <Text>{t('Links_Delete_Text')}</Text>
      <Text>
        {t('Links_Delete_Which', link.contractId, link.productId)}{' '}
        <span className={styles.line}>{link.lineId}</span>
      </Text>
    </ActionDialog>
  );
}
