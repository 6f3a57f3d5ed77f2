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
} from '@fluentui/react-components';
import { describeError, type ErrorView } from '../api/errors';
import { useStrings } from '../strings/strings';
import { ErrorBar } from '../ui/ErrorBar';
import type { ActionOutcome } from './outcome';
import { useServices } from '../ui/Services';

export interface UnlinkDialogProps {
  contractId: number;
  onDone: (outcome: ActionOutcome) => void;
  onCancel: () => void;
}

/** Lets the record go of its contract deleted in Oneflow, after asking, so that a new one can be created. */
export function UnlinkDialog({ contractId, onDone, onCancel }: UnlinkDialogProps): React.ReactElement {
  const t = useStrings();
  const { client } = useServices();
  const [running, setRunning] = React.useState(false);
  const [error, setError] = React.useState<ErrorView | null>(null);
  const unlink = (): void => {
    setRunning(true);
    setError(null);
    client.unlink(contractId).then(
      () => {
        onDone({ action: 'unlink', results: [], previewDiffers: false });
      },
      (failure: unknown) => {
        setRunning(false);
        setError(describeError(failure, t));
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
          <DialogTitle>{t('Unlink_Title')}</DialogTitle>
          <DialogContent>
            <p>{t('Unlink_Text', contractId)}</p>
            {running && <Spinner size="small" label={t('Unlink_Running')} />}
            {error !== null && <ErrorBar error={error} onRetry={unlink} />}
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" disabled={running} onClick={unlink}>
              {t('Unlink_Confirm')}
            </Button>
            <Button disabled={running} onClick={onCancel}>
              {t('Unlink_Cancel')}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
