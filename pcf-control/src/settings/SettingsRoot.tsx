import * as React from 'react';
import { ControlRoot, type ControlRootProps } from '../ui/ControlRoot';
import { SettingsApp } from './SettingsApp';

/** The admin's settings page inside the controls' root (configuration, services, theme and strings). */
export function SettingsRoot(props: ControlRootProps): React.ReactElement {
  return (
    <ControlRoot {...props}>
      <SettingsApp />
    </ControlRoot>
  );
}
