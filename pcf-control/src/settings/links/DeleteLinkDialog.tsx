import * as React from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import type { Link } from '../../api/contract';
import { describeError, type ErrorView } from '../../api/errors';
import { ApiError } from '../../api/SyncApiClient';
import { useStrings } from '../../strings/strings';
import { ErrorBar } from '../../ui/ErrorBar';
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
    <Dialog
      open
      modalType="alert"
      onOpenChange={(_event, data) => {
        if (!data.open && !running) onCancel();
      }}
    >
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{t('Links_Delete_Title')}</DialogTitle>
          <DialogContent className={styles.content}>
            <Text>{t('Links_Delete_Text')}</Text>
            <Text>
              {t('Links_Delete_Which', link.contractId, link.productId)}{' '}
              <span className={styles.line}>{link.lineId}</span>
            </Text>
            {running && <Spinner size="small" label={t('Links_Deleting')} />}
            {error !== null && <ErrorBar error={error} onRetry={remove} />}
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" disabledFocusable={running} onClick={remove}>
              {t('Links_Delete_Confirm')}
            </Button>
            <Button disabledFocusable={running} onClick={onCancel}>
              {t('Links_Cancel')}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
