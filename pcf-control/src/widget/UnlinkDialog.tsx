import * as React from 'react';
import { describeError, type ErrorView } from '../api/errors';
import { useStrings } from '../strings/strings';
import { ActionDialog } from '../ui/ActionDialog';
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
    <ActionDialog
      title={t('Unlink_Title')}
      modalType="alert"
      running={running}
      runningLabel={t('Unlink_Running')}
      error={error}
      confirmLabel={t('Unlink_Confirm')}
      onConfirm={unlink}
      cancelLabel={t('Unlink_Cancel')}
      onCancel={onCancel}
    >
      <p>{t('Unlink_Text', contractId)}</p>
    </ActionDialog>
  );
}
