import * as React from 'react';

export interface SetupEntitiesTabProps {
  /** Without the admin role: everything shows, nothing can be changed. */
  readOnly: boolean;
}

/** Setup entities → entity → Products. */
export function SetupEntitiesTab({ readOnly }: SetupEntitiesTabProps): React.ReactElement {
  return <div data-read-only={readOnly} />;
}
