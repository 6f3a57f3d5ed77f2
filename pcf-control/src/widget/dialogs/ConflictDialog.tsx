import type * as React from 'react';
import type { CompareAnswer } from '../../api/contract';
import type { ActionOutcome } from '../outcome';

export interface ConflictDialogProps {
  contractId: number;
  /** The compare the widget shows: its `conflict_held` fields are the ones to settle. */
  compare: CompareAnswer;
  onDone: (outcome: ActionOutcome) => void;
  onCancel: () => void;
}

/** Resolve conflicts held for review: one choice per held field. (Placeholder.) */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- placeholder until its flow lands
export function ConflictDialog(_props: ConflictDialogProps): React.ReactElement | null {
  return null;
}
