import * as React from 'react';
import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  Spinner,
  Text,
  Tooltip,
  makeStyles,
  tokens,
  useId,
} from '@fluentui/react-components';
import { describeError, type ErrorView } from '../api/errors';
import type { Sleep } from '../api/retry';
import { SignInRequiredError, type SignInProblem } from '../auth/TokenProvider';
import { useStrings, type Translate } from '../strings/strings';
import { ErrorBar } from '../ui/ErrorBar';
import { SignInBar } from '../ui/SignInBar';
import { ContractHeader, WidgetHeading } from './ContractHeader';
import { ConflictDialog } from './dialogs/ConflictDialog';
import { CreateContractDialog } from './dialogs/CreateContractDialog';
import { HistoryDialog } from './dialogs/HistoryDialog';
import { ResultBar } from './dialogs/ResultBar';
import { SyncActionDialog } from './dialogs/SyncActionDialog';
import type { ActionOutcome } from './outcome';
import { ProductTable } from './ProductTable';
import { UnlinkDialog } from './UnlinkDialog';
import { useWidgetData } from './useWidgetData';
import { WidgetToolbar } from './WidgetToolbar';
import { useServices } from '../ui/Services';
import {
  changeCounts,
  failedAutomaticUpdate,
  headerSummary,
  toolbarState,
  type ToolbarAction,
  type WidgetState,
} from './widgetState';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    paddingBlock: tokens.spacingVerticalS,
  },
  bars: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  visuallyHidden: {
    position: 'absolute',
    width: '1px',
    height: '1px',
    margin: '-1px',
    overflow: 'hidden',
    clipPath: 'inset(50%)',
    whiteSpace: 'nowrap',
  },
});

type OpenDialog = 'create' | 'push' | 'fetch' | 'history' | 'resolve' | 'unlink';

/** What the polite live region says once a load ends, so a screen-reader user hears where things stand. */
function announcement(state: WidgetState | null, loading: boolean, entity: string, t: Translate): string {
  if (loading || state === null) return t('Widget_Loading');
  switch (state.kind) {
    case 'not_saved':
      return t('State_RecordNotSaved');
    case 'no_contract':
      return t('State_NoContract');
    case 'not_configured':
      return t('State_NotConfigured', entity);
    case 'sign_in':
      return t('SignIn_Needed');
    case 'deleted':
      return t('State_Deleted', state.contractId);
    case 'error':
      return state.error.text;
    case 'ready':
      return headerSummary(state.compare, t).text;
  }
}

/**
 * A control cannot refresh the form's product grid or totals (that needs the form context, which controls do not
 * get), so the rep is told to.
 */
function wroteDynamicsLines(outcome: ActionOutcome): boolean {
  return outcome.results.some((result) => result.applied && result.summary.linesUpdated > 0);
}

export interface WidgetAppProps {
  /** How a busy load waits before its one more try (tests pass one that does not). */
  sleep?: Sleep;
}

/** The widget itself: contract header, toolbar, product table and the action dialogs. */
export function WidgetApp({ sleep }: WidgetAppProps): React.ReactElement {
  const t = useStrings();
  const styles = useStyles();
  const headingId = useId('oneflow-widget-heading');
  const { platform, client, tokens: signIn } = useServices();
  // Read on every render: on a create form the id appears after the first save, without a new init.
  const entity = platform.record.entityName;
  const recordId = platform.record.id;
  const data = useWidgetData(client, entity, recordId, t, sleep);
  const { state } = data;

  const [dialog, setDialog] = React.useState<OpenDialog | null>(null);
  const [outcome, setOutcome] = React.useState<ActionOutcome | null>(null);
  const [signingIn, setSigningIn] = React.useState(false);
  const [signInProblem, setSignInProblem] = React.useState<{ problem: SignInProblem; text: string } | null>(
    null,
  );
  const [signInError, setSignInError] = React.useState<ErrorView | null>(null);
  const trigger = React.useRef<HTMLElement | null>(null);
  const returnFocus = React.useRef(false);

  React.useEffect(() => {
    if (dialog !== null || !returnFocus.current) return;
    returnFocus.current = false;
    if (trigger.current?.isConnected === true) trigger.current.focus();
  }, [dialog]);

  const open = (which: OpenDialog, from: HTMLElement): void => {
    trigger.current = from;
    setDialog(which);
  };
  const close = (): void => {
    returnFocus.current = true;
    setDialog(null);
  };
  const done = (result: ActionOutcome): void => {
    setOutcome(result);
    close();
    data.reload();
  };

  const contract = state?.kind === 'ready' || state?.kind === 'deleted' ? state.contract : null;
  const compare = state?.kind === 'ready' ? state.compare : null;
  const contractId = contract?.contract.contractId ?? (state?.kind === 'deleted' ? state.contractId : null);
  const actions = toolbarState(
    { entity, recordSaved: recordId !== null, readOnly: platform.readOnly, running: data.loading, state },
    t,
  );

  const onAction = (action: ToolbarAction, from: HTMLButtonElement): void => {
    if (action === 'refresh') {
      data.reload();
      return;
    }
    open(action, from);
  };

  // The pop-up must open inside the click itself: browsers block a window opened after an await.
  const startSignIn = (): void => {
    setSigningIn(true);
    setSignInError(null);
    signIn.signIn().then(
      () => {
        setSigningIn(false);
        setSignInProblem(null);
        data.reload();
      },
      (error: unknown) => {
        setSigningIn(false);
        if (error instanceof SignInRequiredError) {
          setSignInProblem({ problem: error.problem, text: error.message });
        } else {
          setSignInError(describeError(error, t));
        }
      },
    );
  };

  const held = compare === null ? 0 : changeCounts(compare).held;
  const failedUpdateAt = contract === null ? null : failedAutomaticUpdate(contract);
  const contractState = compare?.contract.state ?? null;
  const resolveReason = platform.readOnly ? t('Reason_ReadOnly') : data.loading ? t('Reason_Running') : null;
  const unlinkReason = resolveReason;
  const lineNames = React.useMemo(() => {
    const names: Record<string, string> = {};
    for (const line of compare?.lines ?? []) if (line.name !== null) names[line.lineId] = line.name;
    return names;
  }, [compare]);

  const bars: React.ReactNode[] = [];
  if (data.waitingSeconds !== null) {
    bars.push(
      <MessageBar key="busy" intent="info">
        <MessageBarBody>
          <Spinner size="extra-tiny" label={t('Load_BusyWaiting', data.waitingSeconds)} />
        </MessageBarBody>
      </MessageBar>,
    );
  }
  if (recordId === null) {
    bars.push(
      <MessageBar key="not-saved" intent="info">
        <MessageBarBody>{t('State_RecordNotSaved')}</MessageBarBody>
      </MessageBar>,
    );
  }
  if (platform.readOnly) {
    bars.push(
      <MessageBar key="read-only" intent="info">
        <MessageBarBody>{t('State_ReadOnly')}</MessageBarBody>
      </MessageBar>,
    );
  }
  if (state?.kind === 'sign_in' || signInProblem !== null) {
    bars.push(
      <SignInBar
        key="sign-in"
        problem={
          signInProblem?.problem ?? (state?.kind === 'sign_in' ? state.problem : 'interaction_required')
        }
        failure={signInProblem?.text ?? null}
        signingIn={signingIn}
        onSignIn={startSignIn}
      />,
    );
  }
  if (signInError !== null) {
    bars.push(<ErrorBar key="sign-in-error" error={signInError} onRetry={startSignIn} />);
  }
  if (state?.kind === 'not_configured') {
    bars.push(
      <MessageBar key="not-configured" intent="info">
        <MessageBarBody>{t('State_NotConfigured', entity)}</MessageBarBody>
      </MessageBar>,
    );
  }
  if (state?.kind === 'error') {
    bars.push(<ErrorBar key="error" error={state.error} onRetry={data.reload} />);
  }
  if (state?.kind === 'deleted') {
    bars.push(
      <MessageBar key="deleted" intent="warning" layout="multiline">
        <MessageBarBody>{state.message ?? t('State_Deleted', state.contractId)}</MessageBarBody>
        <MessageBarActions>
          <Tooltip
            content={unlinkReason ?? t('Action_Unlink')}
            relationship={unlinkReason === null ? 'label' : 'description'}
          >
            <Button
              size="small"
              disabledFocusable={unlinkReason !== null}
              onClick={(event) => {
                if (unlinkReason === null) open('unlink', event.currentTarget);
              }}
            >
              {t('Action_Unlink')}
            </Button>
          </Tooltip>
        </MessageBarActions>
      </MessageBar>,
    );
  }
  if (compare !== null && !compare.productsEnabled) {
    bars.push(
      <MessageBar key="off" intent="info">
        <MessageBarBody>{t('State_ProductsOff', compare.mainEntity)}</MessageBarBody>
      </MessageBar>,
    );
  } else if (compare !== null && compare.refused !== null) {
    bars.push(
      <MessageBar key="refused" intent="warning">
        <MessageBarBody>{t('State_Refused', compare.refused)}</MessageBarBody>
      </MessageBar>,
    );
  }
  if (contractState === 'signed' || contractState === 'declined') {
    bars.push(
      <MessageBar key="locked" intent="info">
        <MessageBarBody>
          {contractState === 'signed' ? t('State_Signed') : t('State_Declined')}
        </MessageBarBody>
      </MessageBar>,
    );
  }
  if (failedUpdateAt !== null) {
    bars.push(
      <MessageBar key="webhook" intent="warning">
        <MessageBarBody>
          {t('State_AutomaticUpdateFailed', platform.formatDateTime(new Date(failedUpdateAt)))}
        </MessageBarBody>
      </MessageBar>,
    );
  }
  if (held > 0) {
    bars.push(
      <MessageBar key="held" intent="warning" layout="multiline">
        <MessageBarBody>{held === 1 ? t('State_Held_One') : t('State_Held_Other', held)}</MessageBarBody>
        <MessageBarActions>
          <Tooltip
            content={resolveReason ?? t('Action_Resolve')}
            relationship={resolveReason === null ? 'label' : 'description'}
          >
            <Button
              size="small"
              disabledFocusable={resolveReason !== null}
              onClick={(event) => {
                if (resolveReason === null) open('resolve', event.currentTarget);
              }}
            >
              {t('Action_Resolve')}
            </Button>
          </Tooltip>
        </MessageBarActions>
      </MessageBar>,
    );
  }

  return (
    <section aria-labelledby={headingId} className={styles.root}>
      <WidgetHeading id={headingId} />
      {contract !== null && <ContractHeader contract={contract} compare={compare} platform={platform} />}
      {bars.length > 0 && <div className={styles.bars}>{bars}</div>}
      {state?.kind === 'no_contract' && (
        <div>
          <Text as="h3" weight="semibold" block>
            {t('State_NoContract')}
          </Text>
          <Text block>{t('State_NoContractText', entity)}</Text>
        </div>
      )}
      <WidgetToolbar actions={actions} onAction={onAction} />
      {outcome !== null && wroteDynamicsLines(outcome) && (
        <MessageBar intent="info">
          <MessageBarBody>{t('Result_RefreshForm')}</MessageBarBody>
        </MessageBar>
      )}
      {outcome !== null && (
        <ResultBar
          outcome={outcome}
          lineNames={lineNames}
          onDismiss={() => {
            setOutcome(null);
          }}
        />
      )}
      {(state === null || state.kind === 'ready') && (
        <ProductTable compare={compare} loading={data.loading} platform={platform} />
      )}
      <div aria-live="polite" role="status" className={styles.visuallyHidden}>
        {announcement(state, data.loading, entity, t)}
      </div>
      {dialog === 'create' && recordId !== null && (
        <CreateContractDialog
          entity={entity}
          recordId={recordId}
          sleep={sleep}
          onDone={done}
          onCancel={close}
          onContractExists={() => {
            // Someone created it meanwhile: load it instead of offering Create again.
            close();
            data.reload();
          }}
        />
      )}
      {(dialog === 'push' || dialog === 'fetch') && contractId !== null && (
        <SyncActionDialog
          contractId={contractId}
          action={dialog}
          lineNames={lineNames}
          sleep={sleep}
          onDone={done}
          onCancel={close}
        />
      )}
      {dialog === 'resolve' && contractId !== null && compare !== null && (
        <ConflictDialog contractId={contractId} compare={compare} onDone={done} onCancel={close} />
      )}
      {dialog === 'history' && recordId !== null && (
        <HistoryDialog recordId={recordId} lineNames={lineNames} onClose={close} />
      )}
      {dialog === 'unlink' && contractId !== null && (
        <UnlinkDialog contractId={contractId} onDone={done} onCancel={close} />
      )}
    </section>
  );
}
