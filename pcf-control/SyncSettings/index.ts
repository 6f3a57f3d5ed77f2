import { SyncControl } from '../src/platform/SyncControl';
import { SettingsRoot } from '../src/settings/SettingsRoot';

/** The admin's settings page (Setup entities, Sync mappings, Activity log): everything is in SettingsRoot. */
export class SyncSettings extends SyncControl {
  constructor() {
    super('oneflow-sync-settings', SettingsRoot);
  }
}
