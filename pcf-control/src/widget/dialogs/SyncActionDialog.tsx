import type * as React from 'react';
import type { ActionOutcome } from '../outcome';

export interface SyncActionDialogProps {
  contractId: number;
  action: 'push' | 'fetch';
  /** The action was applied (whatever its outcome, failures included): the widget shows the result and reloads. */
  onDone: (outcome: ActionOutcome) => void;
  /** Closed without applying anything. */
  onCancel: () => void;
}

/** Push or Fetch: preview → confirm → apply → result. (Placeholder: its flow arrives in the next change.) */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- placeholder until its flow lands
export function SyncActionDialog(_props: SyncActionDialogProps): React.ReactElement | null {
  return null;
}
