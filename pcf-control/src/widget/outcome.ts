import type { SyncResultAnswer } from '../api/contract';

export type WidgetAction = 'create' | 'push' | 'fetch' | 'resolve' | 'unlink';

/** What an applied action ended with, for the result bar under the header. */
export interface ActionOutcome {
  action: WidgetAction;
  /** One sync result per run (conflict resolution may write both sides: one each); none for unlink. */
  results: SyncResultAnswer[];
  /** The applied writes differ from the ones the preview showed (the server plans again when applying). */
  previewDiffers: boolean;
}
