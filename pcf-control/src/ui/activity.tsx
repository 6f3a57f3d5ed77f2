import * as React from 'react';
import { Badge, Text, makeStyles, tokens } from '@fluentui/react-components';
import {
  CheckmarkCircle16Regular,
  Clock16Regular,
  ErrorCircle16Regular,
  Info16Regular,
  Warning16Regular,
} from '@fluentui/react-icons';
import type { ActivityAction, ActivityEntry, ActivityOutcome } from '../api/contract';
import type { ActivitySubject } from '../api/SyncApiClient';
import { useStrings, type Translate } from '../strings/strings';
import { useServices } from './Services';
import { StatusBadge, type StatusBadgeProps } from './StatusBadge';

/*
 * The activity log as both controls show it: the widget's history of one record and the settings page's log by
 * contract or record. The words live in each control's resx, so each may phrase them for its readers.
 */

function activityActionWords(t: Translate, action: ActivityAction): string {
  switch (action) {
    case 'initial_transfer':
      return t('Activity_Action_Create');
    case 'push':
      return t('Activity_Action_Push');
    case 'fetch':
      return t('Activity_Action_Fetch');
    case 'conflict_resolution':
      return t('Activity_Action_Resolve');
    case 'webhook':
      return t('Activity_Action_Webhook');
    case 'link_edit':
      return t('Activity_Action_LinkEdit');
    case 'contract_deleted':
      return t('Activity_Action_ContractDeleted');
    case 'unlink':
      return t('Activity_Action_Unlink');
  }
}

/** Each outcome has its words and its icon: the colour is never the only sign. */
function activityOutcomeLook(t: Translate, outcome: ActivityOutcome): StatusBadgeProps {
  switch (outcome) {
    case 'applied':
      return { text: t('Activity_Outcome_Applied'), tone: 'success', icon: <CheckmarkCircle16Regular /> };
    case 'nothing_to_do':
      return { text: t('Activity_Outcome_NothingToDo'), tone: 'informative', icon: <Info16Regular /> };
    case 'needs_attention':
      return { text: t('Activity_Outcome_NeedsAttention'), tone: 'warning', icon: <Warning16Regular /> };
    case 'refused':
      return { text: t('Activity_Outcome_Refused'), tone: 'warning', icon: <Warning16Regular /> };
    case 'failed':
      return { text: t('Activity_Outcome_Failed'), tone: 'danger', icon: <ErrorCircle16Regular /> };
    case 'running':
      return { text: t('Activity_Outcome_Running'), tone: 'informative', icon: <Clock16Regular /> };
    case 'interrupted':
      return { text: t('Activity_Outcome_Interrupted'), tone: 'danger', icon: <ErrorCircle16Regular /> };
  }
}

/** The backend's own runs carry an application's id, which means nothing to a reader: they are named by role. */
function activityActorWords(t: Translate, entry: ActivityEntry): string {
  if (entry.actor.kind === 'application') {
    return entry.action === 'webhook' ? t('Activity_Actor_Webhook') : t('Activity_Actor_Automation');
  }
  return entry.actor.name ?? entry.actor.id;
}

const useHeaderStyles = makeStyles({
  row: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
    paddingTop: tokens.spacingVerticalXS,
    paddingBottom: tokens.spacingVerticalXS,
  },
  // A failed run's cause is in its message: it wraps in full rather than being cut off.
  message: { flexBasis: '100%', whiteSpace: 'normal', overflowWrap: 'anywhere', textAlign: 'start' },
});

/** An entry's header line: time · actor · action · outcome, then its message in full. */
export function ActivityEntrySummary({ entry }: { entry: ActivityEntry }): React.ReactElement {
  const t = useStrings();
  const styles = useHeaderStyles();
  const { platform } = useServices();
  return (
    <span className={styles.row}>
      <Text>{platform.formatDateTime(new Date(entry.at))}</Text>
      <Text>{activityActorWords(t, entry)}</Text>
      <Badge appearance="outline" color="informative">
        {activityActionWords(t, entry.action)}
      </Badge>
      <StatusBadge {...activityOutcomeLook(t, entry.outcome)} />
      <Text className={styles.message}>{entry.message}</Text>
    </span>
  );
}

/** Which entries are listed: one contract's or one record's, optionally of one outcome only. */
export interface ActivityQuery {
  subject: ActivitySubject;
  outcome?: ActivityOutcome;
}

export interface ActivityPages {
  /** `idle` until a first query is shown. */
  status: 'idle' | 'loading' | 'loaded' | 'failed';
  query: ActivityQuery | null;
  /** Every page loaded so far, newest first. */
  entries: readonly ActivityEntry[];
  /** Continues the listing; null on the last page (and before the first). */
  token: string | null;
  /** Given by the API only when one page held every entry. */
  total: number | null;
  error: unknown;
}

interface PagesState extends ActivityPages {
  /** Bumped on each page asked for: an answer to an older request is dropped. */
  request: number;
}

/**
 * Activity pages of one query at a time: `show` starts a listing afresh, `more` loads the next page (or, after a
 * failure, the page that failed).
 */
export function useActivityPages(
  pageSize: number,
  initial: ActivityQuery | null = null,
): { pages: ActivityPages; show: (query: ActivityQuery) => void; more: () => void } {
  const { client } = useServices();
  const [state, setState] = React.useState<PagesState>({
    status: initial === null ? 'idle' : 'loading',
    query: initial,
    entries: [],
    token: null,
    total: null,
    error: null,
    request: 0,
  });

  const { request, status, query, token } = state;
  React.useEffect(() => {
    if (status !== 'loading' || query === null) return undefined;
    let current = true;
    const options = {
      limit: pageSize,
      ...(query.outcome === undefined ? {} : { outcome: query.outcome }),
      ...(token === null ? {} : { continuationToken: token }),
    };
    const settle = (change: (previous: PagesState) => PagesState): void => {
      if (current) setState((previous) => (previous.request === request ? change(previous) : previous));
    };
    client.activity(query.subject, options).then(
      (page) => {
        settle((previous) => ({
          ...previous,
          status: 'loaded',
          entries: [...previous.entries, ...page.entries],
          token: page.continuationToken,
          total: page.total,
          error: null,
        }));
      },
      (error: unknown) => {
        settle((previous) => ({ ...previous, status: 'failed', error }));
      },
    );
    return () => {
      current = false;
    };
  }, [client, pageSize, request, status, query, token]);

  const show = React.useCallback((next: ActivityQuery) => {
    setState((previous) => ({
      status: 'loading',
      query: next,
      entries: [],
      token: null,
      total: null,
      error: null,
      request: previous.request + 1,
    }));
  }, []);
  const more = React.useCallback(() => {
    setState((previous) =>
      previous.status === 'failed' || (previous.status === 'loaded' && previous.token !== null)
        ? { ...previous, status: 'loading', error: null, request: previous.request + 1 }
        : previous,
    );
  }, []);
  return { pages: state, show, more };
}
