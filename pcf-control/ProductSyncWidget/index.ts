import { SyncControl } from '../src/platform/SyncControl';
import { WidgetRoot } from '../src/widget/WidgetRoot';

/** The sales rep's widget on Opportunity and Quote forms: everything is in WidgetRoot. */
export class ProductSyncWidget extends SyncControl {
  constructor() {
    super('oneflow-sync-widget', WidgetRoot);
  }
}
