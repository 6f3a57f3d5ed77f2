import type * as React from 'react';

export interface HistoryDialogProps {
  recordId: string;
  onClose: () => void;
}

/** The record's sync history, field by field. (Placeholder.) */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- placeholder until its flow lands
export function HistoryDialog(_props: HistoryDialogProps): React.ReactElement | null {
  return null;
}
