import type * as React from 'react';
import type { ActionOutcome } from '../outcome';

export interface CreateContractDialogProps {
  entity: string;
  recordId: string;
  onDone: (outcome: ActionOutcome) => void;
  onCancel: () => void;
}

/** Create contract: template → preview of the lines sent → confirm → create. (Placeholder.) */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- placeholder until its flow lands
export function CreateContractDialog(_props: CreateContractDialogProps): React.ReactElement | null {
  return null;
}
