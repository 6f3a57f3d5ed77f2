import * as React from 'react';

/** What product sync did, by contract or record, field by field. */
export function ActivityLogTab(): React.ReactElement {
  return <div />;
}
