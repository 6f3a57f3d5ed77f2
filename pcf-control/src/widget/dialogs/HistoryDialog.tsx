import * as React from 'react';
import {
  Accordion,
  AccordionHeader,
  AccordionItem,
  AccordionPanel,
  Badge,
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Spinner,
  Text,
  type BadgeProps,
} from '@fluentui/react-components';
import {
  CheckmarkCircle16Regular,
  Clock16Regular,
  ErrorCircle16Regular,
  Info16Regular,
  Warning16Regular,
} from '@fluentui/react-icons';
import type { ActivityAction, ActivityChange, ActivityOutcome } from '../../api/contract';
import type { SyncApiClient } from '../../api/SyncApiClient';
import type { Platform } from '../../platform/Platform';
import { describeError } from '../../api/errors';
import { useStrings, type Translate } from '../../strings/strings';
import { ErrorBar } from '../../ui/ErrorBar';
import { useServices } from '../../ui/Services';
import { useDialogStyles } from './dialogs.styles';
import { lineLabel } from './previewRows';
import { displayValue, fieldLabel, sideName } from './words';

export interface HistoryDialogProps {
  recordId: string;
  onClose: () => void;
  /** Line names by Dynamics line id; a short id stands in for a missing one. */
  lineNames?: Readonly<Record<string, string>>;
}

/** Entries per page: the latest ones first, more on request. */
const HISTORY_PAGE_SIZE = 20;

type Entry = Awaited<ReturnType<SyncApiClient['activity']>>['entries'][number];

type History =
  | { status: 'loading'; entries: readonly Entry[]; token: string | null }
  | { status: 'loaded'; entries: readonly Entry[]; token: string | null }
  | { status: 'failed'; entries: readonly Entry[]; token: string | null; error: unknown };

function actionWords(t: Translate, action: ActivityAction): string {
  switch (action) {
    case 'initial_transfer':
      return t('History_Action_Create');
    case 'push':
      return t('History_Action_Push');
    case 'fetch':
      return t('History_Action_Fetch');
    case 'conflict_resolution':
      return t('History_Action_Resolve');
    case 'webhook':
      return t('History_Action_Webhook');
    case 'link_edit':
      return t('History_Action_LinkEdit');
    case 'contract_deleted':
      return t('History_Action_ContractDeleted');
    case 'unlink':
      return t('History_Action_Unlink');
  }
}

interface OutcomeLook {
  text: string;
  color: NonNullable<BadgeProps['color']>;
  icon: React.ReactElement;
}

/** Each outcome has its words and its icon: the colour is never the only sign. */
function outcomeLook(t: Translate, outcome: ActivityOutcome): OutcomeLook {
  switch (outcome) {
    case 'applied':
      return { text: t('History_Outcome_Applied'), color: 'success', icon: <CheckmarkCircle16Regular /> };
    case 'nothing_to_do':
      return { text: t('History_Outcome_NothingToDo'), color: 'informative', icon: <Info16Regular /> };
    case 'needs_attention':
      return { text: t('History_Outcome_NeedsAttention'), color: 'warning', icon: <Warning16Regular /> };
    case 'refused':
      return { text: t('History_Outcome_Refused'), color: 'warning', icon: <Warning16Regular /> };
    case 'failed':
      return { text: t('History_Outcome_Failed'), color: 'danger', icon: <ErrorCircle16Regular /> };
    case 'running':
      return { text: t('History_Outcome_Running'), color: 'brand', icon: <Clock16Regular /> };
    case 'interrupted':
      return { text: t('History_Outcome_Interrupted'), color: 'danger', icon: <ErrorCircle16Regular /> };
  }
}

function actorWords(t: Translate, entry: Entry): string {
  if (entry.actor.kind === 'application') {
    return entry.action === 'webhook' ? t('History_Actor_Webhook') : t('History_Actor_Automation');
  }
  return entry.actor.name ?? entry.actor.id;
}

/** One change of an entry in words: "Widget: Quantity 12 → 13 (Dynamics)". */
function changeWords(
  t: Translate,
  change: ActivityChange,
  lineNames: Readonly<Record<string, string>>,
  platform: Pick<Platform, 'formatDecimal'>,
): string {
  const line = change.lineId === null ? t('Preview_WholeContract') : lineLabel(change.lineId, lineNames);
  const field =
    change.oneflowField !== null
      ? fieldLabel(t, change.oneflowField)
      : (change.dynamicsField ?? t('Dialog_Field_WholeProduct'));
  const from = displayValue(change.old, platform);
  const to = displayValue(change.new, platform);
  const text =
    change.side === null
      ? t('History_ChangeNoSide', line, field, from, to)
      : t('History_Change', line, field, from, to, sideName(t, change.side));
  return change.note === undefined ? text : `${text}: ${change.note}`;
}

/** The record's sync history, field by field. */
export function HistoryDialog({ recordId, onClose, lineNames = {} }: HistoryDialogProps): React.ReactElement {
  const t = useStrings();
  const styles = useDialogStyles();
  const { client, platform } = useServices();
  const [history, setHistory] = React.useState<History>({ status: 'loading', entries: [], token: null });

  const loading = history.status === 'loading';
  const { entries, token } = history;
  React.useEffect(() => {
    if (!loading) return undefined;
    let current = true;
    const options =
      token === null ? { limit: HISTORY_PAGE_SIZE } : { limit: HISTORY_PAGE_SIZE, continuationToken: token };
    client.activity({ recordId }, options).then(
      (page) => {
        if (current) {
          setHistory({
            status: 'loaded',
            entries: [...entries, ...page.entries],
            token: page.continuationToken,
          });
        }
      },
      (error: unknown) => {
        if (current) setHistory({ status: 'failed', entries, token, error });
      },
    );
    return () => {
      current = false;
    };
    // One request per move into `loading`: the entries and token it continues from are read as they were then.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [loading, client, recordId]);

  const loadMore = (): void => {
    setHistory({ status: 'loading', entries, token });
  };

  return (
    <Dialog
      open
      onOpenChange={(_event, data) => {
        if (!data.open) onClose();
      }}
    >
      <DialogSurface className={styles.surface}>
        <DialogBody>
          <DialogTitle>{t('History_Title')}</DialogTitle>
          <DialogContent className={styles.content}>
            {history.status === 'failed' && (
              <ErrorBar
                error={describeError(history.error, t)}
                onRetry={() => {
                  loadMore();
                }}
              />
            )}
            {history.status === 'loaded' && entries.length === 0 && <Text block>{t('History_Empty')}</Text>}
            {entries.length > 0 && (
              <Accordion multiple collapsible>
                {entries.map((entry) => {
                  const outcome = outcomeLook(t, entry.outcome);
                  return (
                    <AccordionItem key={entry.id} value={entry.id}>
                      <AccordionHeader>
                        <span className={styles.row}>
                          <Text>{platform.formatDateTime(new Date(entry.at))}</Text>
                          <Text>{actorWords(t, entry)}</Text>
                          <Badge appearance="outline" color="informative">
                            {actionWords(t, entry.action)}
                          </Badge>
                          <Badge appearance="tint" color={outcome.color} icon={outcome.icon}>
                            {outcome.text}
                          </Badge>
                          <Text>{entry.message}</Text>
                        </span>
                      </AccordionHeader>
                      <AccordionPanel>
                        {entry.changes.length === 0 ? (
                          <Text block className={styles.secondary}>
                            {t('History_NoChanges')}
                          </Text>
                        ) : (
                          <ul className={styles.list}>
                            {entry.changes.map((change, index) => (
                              <li
                                key={`${change.lineId ?? ''}-${change.oneflowField ?? ''}-${String(index)}`}
                              >
                                {changeWords(t, change, lineNames, platform)}
                              </li>
                            ))}
                          </ul>
                        )}
                      </AccordionPanel>
                    </AccordionItem>
                  );
                })}
              </Accordion>
            )}
            {history.status === 'loading' && <Spinner size="small" label={t('History_Loading')} />}
          </DialogContent>
          <DialogActions>
            {history.status === 'loaded' && token !== null && (
              <Button onClick={loadMore}>{t('History_LoadMore')}</Button>
            )}
            <Button onClick={onClose}>{t('Dialog_Close')}</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
