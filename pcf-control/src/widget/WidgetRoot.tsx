import * as React from 'react';
import { ControlRoot, type ControlRootProps } from '../ui/ControlRoot';
import { WidgetApp } from './WidgetApp';

export type WidgetRootProps = ControlRootProps;

/** The sales rep's widget inside the controls' root (configuration, services, theme and strings). */
export function WidgetRoot(props: WidgetRootProps): React.ReactElement {
  return (
    <ControlRoot {...props}>
      <WidgetApp />
    </ControlRoot>
  );
}
