import * as React from 'react';
import type { EntitySettings } from '../../api/contract';

export interface ImpactPreviewProps {
  /** The main entity whose settings would change. */
  entity: string;
  /** The settings as they would be saved. */
  settings: EntitySettings;
}

/** What the new settings would do to the contracts already synced, planned without writing anything. */
export function ImpactPreview({ entity, settings }: ImpactPreviewProps): React.ReactElement {
  return <div data-entity={entity} data-mappings={settings.mappings.length} />;
}
