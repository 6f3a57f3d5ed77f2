import * as React from 'react';

export interface SyncMappingsTabProps {
  /** Without the admin role: links can be searched and downloaded, not edited or deleted. */
  readOnly: boolean;
}

/** The links between Dynamics lines and Oneflow products: search, page, edit, delete, download. */
export function SyncMappingsTab({ readOnly }: SyncMappingsTabProps): React.ReactElement {
  return <div data-read-only={readOnly} />;
}
