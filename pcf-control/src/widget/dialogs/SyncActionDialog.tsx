import * as React from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Subtitle2,
  Text,
  Tooltip,
  useId,
} from '@fluentui/react-components';
import type { SyncResultAnswer } from '../../api/contract';
import { describeError } from '../../api/errors';
import { withBusyRetry, type Sleep } from '../../api/retry';
import { useStrings, type Translate } from '../../strings/strings';
import { ErrorBar } from '../../ui/ErrorBar';
import type { ActionOutcome } from '../outcome';
import { useServices } from '../../ui/Services';
import { actionReducer, canClose, type ActionEvent, type ActionState } from './actionMachine';
import { PlanningSpinner, WriteProgress } from './DialogStatus';
import { useDialogStyles } from './dialogs.styles';
import { ChangesTable, SkipsTable } from './PreviewTables';
import { changeCount, previewDiffers, previewRows } from './previewRows';
import { summaryLine } from './words';

export interface SyncActionDialogProps {
  contractId: number;
  action: 'push' | 'fetch';
  /** The action was applied (whatever its outcome, failures included): the widget shows the result and reloads. */
  onDone: (outcome: ActionOutcome) => void;
  /** Closed without applying anything. */
  onCancel: () => void;
  /** Line names by Dynamics line id (from the compare the widget shows); a short id stands in for a missing one. */
  lineNames?: Readonly<Record<string, string>>;
  /** How the busy retry waits (tests pass one that does not). */
  sleep?: Sleep;
}

/** After this long a write still running no longer holds the dialog: the run goes on in the service. */
export const APPLY_HOLDS_DIALOG_MS = 60_000;

type SyncState = ActionState<SyncResultAnswer, SyncResultAnswer>;
type SyncEvent = ActionEvent<SyncResultAnswer, SyncResultAnswer>;
const syncReducer = (state: SyncState, event: SyncEvent): SyncState => actionReducer(state, event);

const NO_NAMES: Readonly<Record<string, string>> = {};

function texts(t: Translate, action: 'push' | 'fetch') {
  const push = action === 'push';
  return {
    title: push ? t('Push_Title') : t('Fetch_Title'),
    applying: push ? t('Push_Applying') : t('Fetch_Applying'),
    nothing: push ? t('Push_Nothing') : t('Fetch_Nothing'),
    nothingHeld: push ? t('Push_NothingHeld') : t('Fetch_NothingHeld'),
    confirm: (count: number) =>
      push
        ? count === 1
          ? t('Push_Confirm_One')
          : t('Push_Confirm_Other', count)
        : count === 1
          ? t('Fetch_Confirm_One')
          : t('Fetch_Confirm_Other', count),
  };
}

/** The reason a refused plan gives (products off, unusable settings). */
function refusalReason(answer: SyncResultAnswer): string {
  return answer.plan.operations.map((operation) => operation.reason).join(' ') || answer.outcome;
}

/** Push or Fetch: preview → confirm → apply → result. */
export function SyncActionDialog({
  contractId,
  action,
  onDone,
  onCancel,
  lineNames = NO_NAMES,
  sleep,
}: SyncActionDialogProps): React.ReactElement {
  const t = useStrings();
  const styles = useDialogStyles();
  const { client } = useServices();
  const [state, dispatch] = React.useReducer(syncReducer, { phase: 'planning', waitingSeconds: null });
  const summaryId = useId('sync-summary');
  const words = texts(t, action);

  const planning = state.phase === 'planning';
  React.useEffect(() => {
    if (!planning) return undefined;
    let current = true;
    withBusyRetry(
      () => client.plan(contractId, action),
      (seconds) => {
        if (current) dispatch({ type: 'busy', seconds });
      },
      sleep,
    ).then(
      (preview) => {
        if (current) dispatch({ type: 'planned', preview });
      },
      (error: unknown) => {
        if (current) dispatch({ type: 'error', error });
      },
    );
    return () => {
      current = false;
    };
  }, [planning, client, contractId, action, sleep]);

  const applying = state.phase === 'applying';
  React.useEffect(() => {
    if (!applying) return undefined;
    let current = true;
    const holdEnds = setTimeout(() => {
      dispatch({ type: 'applyTakesLong' });
    }, APPLY_HOLDS_DIALOG_MS);
    withBusyRetry(
      () => client.apply(contractId, action),
      (seconds) => {
        if (current) dispatch({ type: 'busy', seconds });
      },
      sleep,
    ).then(
      (result) => {
        if (current) dispatch({ type: 'applied', result });
      },
      (error: unknown) => {
        if (current) dispatch({ type: 'error', error });
      },
    );
    return () => {
      current = false;
      clearTimeout(holdEnds);
    };
  }, [applying, client, contractId, action, sleep]);

  // The latest callback, so a new function from the widget's render never reports one result twice.
  const onDoneRef = React.useRef(onDone);
  React.useEffect(() => {
    onDoneRef.current = onDone;
  });
  // A 200 with failures is a result like any other: the widget's result bar names them.
  const done = state.phase === 'done' ? state : null;
  React.useEffect(() => {
    if (done === null) return;
    onDoneRef.current({
      action,
      results: [done.result],
      previewDiffers: previewDiffers(done.preview.plan, done.result.plan),
    });
  }, [done, action]);

  const closable = canClose(state);
  const close = (): void => {
    if (closable) onCancel();
  };

  const preview = state.phase === 'planning' || state.phase === 'idle' ? null : state.preview;
  const rows = preview === null ? null : previewRows(preview.plan, lineNames);
  const count = preview === null ? 0 : changeCount(preview.plan);
  const summary = preview === null ? '' : summaryLine(t, preview.summary);
  const canConfirm =
    state.phase === 'previewing' && count > 0 && preview !== null && preview.outcome !== 'refused';

  let explanation: string | null = null;
  if (preview !== null && preview.outcome === 'refused') explanation = refusalReason(preview);
  else if (preview?.outcome === 'nothing_to_do') explanation = words.nothing;
  else if (preview !== null && count === 0) explanation = words.nothingHeld;

  return (
    <Dialog
      open
      onOpenChange={(_event, data) => {
        // Esc and the backdrop close only when nothing is being written.
        if (!data.open) close();
      }}
    >
      <DialogSurface className={styles.surface} aria-describedby={summaryId}>
        <DialogBody>
          <DialogTitle>{words.title}</DialogTitle>
          <DialogContent className={styles.content}>
            <Text id={summaryId} block>
              {summary || (explanation ?? '')}
            </Text>
            {state.phase === 'planning' && (
              <PlanningSpinner label={t('Preview_Planning')} waitingSeconds={state.waitingSeconds} />
            )}
            {state.phase === 'failed' && (
              <ErrorBar
                error={describeError(state.error, t)}
                onRetry={() => {
                  dispatch({ type: 'retry' });
                }}
              />
            )}
            {(state.phase === 'applying' || state.phase === 'done') && (
              <WriteProgress
                label={words.applying}
                waitingSeconds={state.phase === 'applying' ? state.waitingSeconds : null}
              />
            )}
            {summary !== '' && explanation !== null && <Text block>{explanation}</Text>}
            {rows !== null && state.phase !== 'applying' && state.phase !== 'done' && (
              <>
                {rows.changes.length > 0 && <ChangesTable rows={rows.changes} />}
                {rows.skips.length > 0 && (
                  <>
                    <Subtitle2 as="h3">{t('Preview_NotWritten')}</Subtitle2>
                    <SkipsTable rows={rows.skips} />
                  </>
                )}
              </>
            )}
          </DialogContent>
          <DialogActions>
            {canConfirm && (
              <Button
                appearance="primary"
                onClick={() => {
                  dispatch({ type: 'confirm' });
                }}
              >
                {words.confirm(count)}
              </Button>
            )}
            <CloseButton
              closable={closable}
              onClose={close}
              label={canConfirm ? t('Dialog_Cancel') : t('Dialog_Close')}
            />
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

/** Cancel or Close; while a write runs it stays focusable and says why it waits. */
export function CloseButton({
  closable,
  onClose,
  label,
}: {
  closable: boolean;
  onClose: () => void;
  label: string;
}): React.ReactElement {
  const t = useStrings();
  if (closable) return <Button onClick={onClose}>{label}</Button>;
  return (
    <Tooltip content={t('Dialog_WaitWhileWriting')} relationship="description">
      <Button disabledFocusable>{label}</Button>
    </Tooltip>
  );
}
