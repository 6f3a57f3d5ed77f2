import * as React from 'react';
import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Text,
} from '@fluentui/react-components';
import { Dismiss16Regular } from '@fluentui/react-icons';
import type { OperationFailure, SyncResultAnswer } from '../../api/contract';
import { useStrings, type Translate } from '../../strings/strings';
import type { ActionOutcome, WidgetAction } from '../outcome';
import { useServices } from '../../ui/Services';
import { useDialogStyles } from './dialogs.styles';
import { lineLabel, lineNamesOfPlan, previewRows } from './previewRows';
import { displayValue, fieldLabel, sideName, summaryLine } from './words';

export interface ResultBarProps {
  outcome: ActionOutcome;
  onDismiss: () => void;
  /** Line names by Dynamics line id, to name failed lines; a short id stands in for a missing one. */
  lineNames?: Readonly<Record<string, string>>;
}

type ResultIntent = 'success' | 'info' | 'warning' | 'error';

/** What the results of one action add up to: a success only when everything asked for was written. */
export interface ResultView {
  intent: ResultIntent;
  failures: number;
  /** Writes attempted, failed ones included. */
  writes: number;
  held: number;
  refused: boolean;
  wroteNothing: boolean;
}

function writesOf(result: SyncResultAnswer): number {
  return result.plan.operations.filter((operation) => operation.kind !== 'skip').length;
}

export function resultView(outcome: ActionOutcome): ResultView {
  const results = outcome.results;
  const failures = results.reduce((sum, result) => sum + result.failures.length, 0);
  const failed = failures > 0 || results.some((result) => result.outcome === 'failed');
  const writes = results.reduce((sum, result) => sum + writesOf(result), 0);
  const held = results.reduce((sum, result) => sum + result.summary.held, 0);
  const refused = results.some((result) => result.outcome === 'refused');
  const attention = held > 0 || results.some((result) => result.outcome === 'needs_attention');
  const wroteNothing = results.every(
    (result) => result.outcome === 'nothing_to_do' || result.outcome === 'refused',
  );
  let intent: ResultIntent = 'success';
  // Everything written in full, nothing held: only then is it a success.
  if (failed) intent = failures > 0 && failures < Math.max(writes, 1) ? 'warning' : 'error';
  else if (refused || attention || outcome.previewDiffers) intent = 'warning';
  else if (wroteNothing) intent = 'info';
  return { intent, failures: Math.max(failures, failed ? 1 : 0), writes, held, refused, wroteNothing };
}

/** What did not happen, in words; the service's own message stays beside it for support. */
function failureWords(t: Translate, kind: OperationFailure['kind']): string {
  switch (kind) {
    case 'create_product':
      return t('Result_Failure_create_product');
    case 'update_product':
      return t('Result_Failure_update_product');
    case 'delete_product':
      return t('Result_Failure_delete_product');
    case 'update_line':
      return t('Result_Failure_update_line');
    case 'skip':
      return t('Result_Failure_skip');
  }
}

function titleOf(t: Translate, action: WidgetAction, view: ResultView): string {
  if (view.failures > 0) return t('Result_NotAllWritten');
  if (view.refused) return t('Result_Refused');
  switch (action) {
    case 'push':
      return view.wroteNothing ? t('Result_NothingPushed') : t('Result_Pushed');
    case 'fetch':
      return view.wroteNothing ? t('Result_NothingFetched') : t('Result_Fetched');
    case 'create':
      return t('Result_Created');
    case 'resolve':
      return t('Result_Resolved');
    case 'unlink':
      return t('Result_Unlinked');
  }
}

/** What the last action did, failures named. */
export function ResultBar({ outcome, onDismiss, lineNames = {} }: ResultBarProps): React.ReactElement {
  const t = useStrings();
  const styles = useDialogStyles();
  const { platform } = useServices();
  const view = resultView(outcome);
  const names = Object.assign(
    {},
    ...outcome.results.map((result) => lineNamesOfPlan(result.plan)),
    lineNames,
  ) as Record<string, string>;
  const failures = outcome.results.flatMap((result) => result.failures);
  // A plan's counts say what was asked for: after a failure they would claim writes that did not happen.
  const summaries =
    view.failures > 0
      ? []
      : outcome.results.map((result) => summaryLine(t, result.summary)).filter((line) => line !== '');
  // A resolution says field by field which side was written.
  const written =
    outcome.action === 'resolve'
      ? outcome.results.flatMap((result) => previewRows(result.plan, names).changes)
      : [];
  return (
    <MessageBar intent={view.intent} layout="multiline" politeness="polite">
      <MessageBarBody>
        <MessageBarTitle>{titleOf(t, outcome.action, view)}</MessageBarTitle>
        {summaries.map((line) => (
          <Text key={line} block>
            {line}
          </Text>
        ))}
        {view.failures > 0 && (
          <>
            <Text block>{t('Result_Failures', view.failures, Math.max(view.writes, view.failures))}</Text>
            <ul className={styles.list}>
              {failures.map((failure, index) => (
                <li key={`${failure.lineId ?? ''}-${String(index)}`}>
                  {t(
                    'Result_FailureLine',
                    failure.lineId === null ? t('Preview_WholeContract') : lineLabel(failure.lineId, names),
                    failureWords(t, failure.kind),
                  )}
                  <Text block size={200} className={styles.secondary}>
                    {failure.message}
                  </Text>
                </li>
              ))}
            </ul>
          </>
        )}
        {view.held > 0 && (
          <Text block>{view.held === 1 ? t('Result_Held_One') : t('Result_Held_Other', view.held)}</Text>
        )}
        {view.refused &&
          outcome.results
            .filter((result) => result.outcome === 'refused')
            .flatMap((result) => result.plan.operations)
            .map((operation, index) => (
              <Text key={`${operation.reason}-${String(index)}`} block>
                {operation.reason}
              </Text>
            ))}
        {written.map((row, index) => (
          <Text key={`${row.lineId}-${row.field ?? ''}-${String(index)}`} block>
            {t(
              'Result_WrittenTo',
              row.lineName,
              fieldLabel(t, row.field),
              displayValue(row.to, platform),
              sideName(t, row.side),
            )}
          </Text>
        ))}
        {outcome.previewDiffers && <Text block>{t('Result_PreviewDiffers')}</Text>}
      </MessageBarBody>
      <MessageBarActions
        containerAction={
          <Button
            appearance="transparent"
            size="small"
            aria-label={t('Result_Dismiss')}
            icon={<Dismiss16Regular />}
            onClick={onDismiss}
          />
        }
      />
    </MessageBar>
  );
}
