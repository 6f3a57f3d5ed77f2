import * as React from 'react';
import { Caption1, Link, Subtitle2, Text, makeStyles, tokens } from '@fluentui/react-components';
import {
  CheckmarkCircle16Regular,
  Clock16Regular,
  DismissCircle16Regular,
  Edit16Regular,
  Info16Regular,
  Open16Regular,
  Send16Regular,
} from '@fluentui/react-icons';
import type { CompareAnswer, ContractAnswer } from '../api/contract';
import type { Platform } from '../platform/Platform';
import { useStrings, type Translate } from '../strings/strings';
import { StatusBadge, type StatusBadgeProps } from '../ui/StatusBadge';
import {
  changeCounts,
  contractStateText,
  headerSummary,
  oneflowContractUrl,
  type OneflowContractState,
} from './widgetState';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  line: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalXXS,
  },
  link: { display: 'inline-flex', alignItems: 'center', gap: tokens.spacingHorizontalXXS },
  muted: { color: tokens.colorNeutralForeground2 },
});

function stateBadge(state: OneflowContractState, t: Translate): StatusBadgeProps {
  const text = contractStateText(state, t);
  switch (state) {
    case 'draft':
      return { tone: 'subtle', icon: <Edit16Regular />, text };
    case 'pending':
      return { tone: 'brand', icon: <Send16Regular />, text };
    case 'overdue':
      return { tone: 'warning', icon: <Clock16Regular />, text };
    case 'signed':
      return { tone: 'success', icon: <CheckmarkCircle16Regular />, text };
    case 'declined':
      return { tone: 'danger', icon: <DismissCircle16Regular />, text };
  }
}

type LastSync = NonNullable<ContractAnswer['lastSync']>;

function actionText(action: LastSync['action'], t: Translate): string {
  switch (action) {
    case 'initial_transfer':
      return t('LastSync_Action_Create');
    case 'push':
      return t('LastSync_Action_Push');
    case 'fetch':
      return t('LastSync_Action_Fetch');
    case 'conflict_resolution':
      return t('LastSync_Action_Resolve');
    case 'webhook':
      return t('LastSync_Action_Webhook');
    case 'link_edit':
      return t('LastSync_Action_LinkEdit');
    case 'contract_deleted':
      return t('LastSync_Action_ContractDeleted');
    case 'unlink':
      return t('LastSync_Action_Unlink');
  }
}

/** An outcome worth saying next to "Last synced": a run that did not simply apply is never passed off as one. */
function outcomeText(outcome: LastSync['outcome'], t: Translate): string | null {
  switch (outcome) {
    case 'applied':
    case 'nothing_to_do':
      return null;
    case 'needs_attention':
      return t('LastSync_Outcome_NeedsAttention');
    case 'refused':
      return t('LastSync_Outcome_Refused');
    case 'failed':
      return t('LastSync_Outcome_Failed');
    case 'running':
      return t('LastSync_Outcome_Running');
    case 'interrupted':
      return t('LastSync_Outcome_Interrupted');
  }
}

/** Who ran the last sync: a person by name; the backend's own runs in words a rep knows. */
function actorText(sync: LastSync, t: Translate): string {
  if (sync.actor.kind === 'application') {
    return sync.action === 'webhook' ? t('LastSync_Actor_Webhook') : t('LastSync_Actor_Automation');
  }
  return sync.actor.name ?? t('LastSync_Actor_Unknown');
}

function lastSyncText(contract: ContractAnswer, platform: Platform, t: Translate): string {
  const sync = contract.lastSync;
  if (sync === null) return t('Header_NeverSynced');
  const action = actionText(sync.action, t);
  const outcome = outcomeText(sync.outcome, t);
  return t(
    'Header_LastSynced',
    platform.formatDateTime(new Date(sync.at)),
    actorText(sync, t),
    outcome === null ? action : t('Header_ActionOutcome', action, outcome),
  );
}

export interface ContractHeaderProps {
  contract: ContractAnswer;
  /** Null while the compare loads or could not be read: the header then shows what the contract read knows. */
  compare: CompareAnswer | null;
  platform: Platform;
}

/** The contract's name, state, where to open it, when it was last synced and what differs now. */
export function ContractHeader({ contract, compare, platform }: ContractHeaderProps): React.ReactElement {
  const t = useStrings();
  const styles = useStyles();
  const contractId = contract.contract.contractId;
  const name =
    compare?.contract.name ?? contract.oneflow?.name ?? contract.contract.recordName ?? t('Header_Untitled');
  const state = compare?.contract.state ?? contract.oneflow?.state ?? null;
  const summary = compare === null ? null : headerSummary(compare, t);
  const counts = compare === null ? null : changeCounts(compare);
  const linked = compare?.counts.linked ?? contract.links.active;
  return (
    <div className={styles.root}>
      <div className={styles.line}>
        <Text weight="semibold" size={400}>
          {name}
        </Text>
        {state !== null && <StatusBadge {...stateBadge(state, t)} />}
        <Text className={styles.muted}>{t('Header_ContractId', contractId)}</Text>
        <Link href={oneflowContractUrl(contractId)} target="_blank" rel="noreferrer" className={styles.link}>
          {t('Header_OpenInOneflow')}
          <Open16Regular aria-hidden="true" />
        </Link>
      </div>
      <Caption1 className={styles.muted}>
        {[
          lastSyncText(contract, platform, t),
          linked === 1 ? t('Header_Linked_One') : t('Header_Linked_Other', linked),
          ...(counts !== null && counts.held > 0 ? [t('Header_Held', counts.held)] : []),
        ].join(' · ')}
      </Caption1>
      {summary !== null && (
        <div className={styles.line}>
          {summary.inSync ? (
            <StatusBadge tone="success" icon={<CheckmarkCircle16Regular />} text={summary.text} />
          ) : (
            <StatusBadge tone="informative" icon={<Info16Regular />} text={summary.text} />
          )}
        </div>
      )}
    </div>
  );
}

/** The header's heading, shared by every state so the widget always says what it is. */
export function WidgetHeading({ id }: { id: string }): React.ReactElement {
  const t = useStrings();
  return (
    <Subtitle2 as="h2" id={id}>
      {t('Widget_Heading')}
    </Subtitle2>
  );
}
