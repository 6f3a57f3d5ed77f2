import * as React from 'react';
import { ProgressBar, Spinner } from '@fluentui/react-components';
import { useStrings } from '../../strings/strings';
import { useDialogStyles } from './dialogs.styles';

interface StatusProps {
  /** What is being asked of the server. */
  label: string;
  /** Seconds the widget waits before trying a busy contract again; null when not waiting. */
  waitingSeconds?: number | null;
}

function useLabel({ label, waitingSeconds = null }: StatusProps): string {
  const t = useStrings();
  return waitingSeconds === null ? label : t('Dialog_BusyWaiting', waitingSeconds);
}

/** While a preview is read. */
export function PlanningSpinner(props: StatusProps): React.ReactElement {
  return <Spinner size="small" label={useLabel(props)} />;
}

/**
 * While a write runs: its words and an indeterminate bar. The API answers a write in one request with no progress
 * events, so a bar that showed a percentage would make it up.
 */
export function WriteProgress(props: StatusProps): React.ReactElement {
  const styles = useDialogStyles();
  return (
    <div className={styles.progress}>
      <Spinner size="small" label={useLabel(props)} />
      <ProgressBar aria-label={props.label} />
    </div>
  );
}
