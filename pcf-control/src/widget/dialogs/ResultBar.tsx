import type * as React from 'react';
import type { ActionOutcome } from '../outcome';

export interface ResultBarProps {
  outcome: ActionOutcome;
  onDismiss: () => void;
}

/** What the last action did, failures named. (Placeholder.) */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- placeholder until its flow lands
export function ResultBar(_props: ResultBarProps): React.ReactElement | null {
  return null;
}
