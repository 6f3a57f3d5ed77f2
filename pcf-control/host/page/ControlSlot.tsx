import * as React from 'react';
import * as ReactDOM from 'react-dom';
import type { SyncControl } from '../../src/platform/SyncControl';
import type { IInputs, IOutputs } from '../../ProductSyncWidget/generated/ManifestTypes';
import type { ContextSource } from './contextShim';
import { formContext } from './contextShim';

/** Either control's constructor as its bundle registers it (both are SyncControls with the same inputs). */
export type ControlConstructor = new () => SyncControl;
type Control = ComponentFramework.ReactControl<IInputs, IOutputs>;

export interface ControlSlotProps {
  Control: ControlConstructor;
  /** Everything of the context but the width, which the slot measures. */
  source: Omit<ContextSource, 'width' | 'updatedProperties'>;
  /** Bumped by the form (a subgrid save, `formHost.rerender()`): the control gets updateView, as on a refresh. */
  refresh: number;
  className?: string;
}

/**
 * Runs a control as the platform does: `new`, `init`, `updateView` rendered into the slot; `updateView` again on
 * notifyOutputChanged, resize and form refreshes; `destroy` and unmount when the record or the user changes.
 */
export function ControlSlot({ Control: WidgetControl, source, refresh, className }: ControlSlotProps) {
  const slot = React.useRef<HTMLDivElement>(null);
  const control = React.useRef<Control | null>(null);
  const latest = React.useRef(source);
  latest.current = source;

  const render = React.useCallback((updatedProperties: string[]) => {
    const element = slot.current;
    const current = control.current;
    if (element === null || current === null) return;
    const context = formContext({ ...latest.current, width: element.clientWidth, updatedProperties });
    ReactDOM.render(current.updateView(context), element);
  }, []);

  const recordKey = `${source.record?.id ?? ''}|${source.user.id}`;
  React.useEffect(() => {
    const element = slot.current;
    if (element === null) return undefined;
    const instance: Control = new WidgetControl();
    control.current = instance;
    const context = formContext({ ...latest.current, width: element.clientWidth, updatedProperties: [] });
    instance.init(
      context,
      () => {
        instance.getOutputs?.();
        render(['anchor']);
      },
      {},
    );
    render([]);
    const onResize = () => {
      render(['layout']);
    };
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      instance.destroy();
      ReactDOM.unmountComponentAtNode(element);
      control.current = null;
    };
    // A new record or user is a new form: a new control. Everything else is an updateView.
  }, [WidgetControl, recordKey, render]);

  React.useEffect(() => {
    if (refresh > 0) render([]);
  }, [refresh, render]);

  return <div ref={slot} className={className} />;
}
