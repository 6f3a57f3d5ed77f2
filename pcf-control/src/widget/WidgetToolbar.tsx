import * as React from 'react';
import { Toolbar, ToolbarButton, Tooltip } from '@fluentui/react-components';
import {
  Add20Regular,
  ArrowClockwise20Regular,
  ArrowDownload20Regular,
  ArrowUpload20Regular,
  History20Regular,
} from '@fluentui/react-icons';
import { useStrings } from '../strings/strings';
import type { ActionAvailability, ToolbarAction } from './widgetState';

export interface WidgetToolbarProps {
  actions: Record<ToolbarAction, ActionAvailability>;
  onAction: (action: ToolbarAction, trigger: HTMLButtonElement) => void;
}

interface ButtonSpec {
  action: ToolbarAction;
  label: string;
  icon: React.ReactElement;
  primary?: boolean;
}

/**
 * Why an action is disabled, on hover and on keyboard focus; nothing for an enabled action (its label says it
 * all, and a tooltip would cover the result bar below). Always rendered, so the button is never remounted (and
 * never loses focus) when it becomes disabled for a moment during a load.
 */
function ReasonTooltip({
  reason,
  children,
}: {
  reason: string | null;
  children: React.ReactElement;
}): React.ReactElement {
  const [visible, setVisible] = React.useState(false);
  return (
    <Tooltip
      content={reason ?? ''}
      relationship="description"
      visible={reason !== null && visible}
      onVisibleChange={(_event, data) => {
        setVisible(data.visible);
      }}
      // Below the toolbar: above it, the tooltip would cover the header's summary of what differs.
      positioning="below"
      withArrow
    >
      {children}
    </Tooltip>
  );
}

/**
 * The widget's actions. A disabled one stays focusable and says why in its tooltip, so a keyboard or
 * screen-reader user learns the reason as well as a mouse user.
 */
export function WidgetToolbar({ actions, onAction }: WidgetToolbarProps): React.ReactElement {
  const t = useStrings();
  const buttons: ButtonSpec[] = [
    { action: 'create', label: t('Action_Create'), icon: <Add20Regular />, primary: true },
    { action: 'push', label: t('Action_Push'), icon: <ArrowUpload20Regular /> },
    { action: 'fetch', label: t('Action_Fetch'), icon: <ArrowDownload20Regular /> },
    { action: 'refresh', label: t('Action_Refresh'), icon: <ArrowClockwise20Regular /> },
    { action: 'history', label: t('Action_History'), icon: <History20Regular /> },
  ];
  // Create leaves the toolbar once the contract exists; focus it held moves to Push instead of the page.
  const createHadFocus = React.useRef(false);
  const pushButton = React.useRef<HTMLButtonElement>(null);
  const createVisible = actions.create.visible;
  React.useEffect(() => {
    if (createVisible || !createHadFocus.current) return;
    createHadFocus.current = false;
    if (document.activeElement === null || document.activeElement === document.body)
      pushButton.current?.focus();
  }, [createVisible]);
  return (
    <Toolbar aria-label={t('Toolbar_Label')} size="small">
      {buttons
        .filter((button) => actions[button.action].visible)
        .map((button) => {
          const reason = actions[button.action].disabledReason;
          return (
            <ReasonTooltip key={button.action} reason={reason}>
              <ToolbarButton
                appearance={button.primary === true ? 'primary' : 'subtle'}
                icon={button.icon}
                disabledFocusable={reason !== null}
                ref={button.action === 'push' ? pushButton : undefined}
                onFocus={() => {
                  if (button.action === 'create') createHadFocus.current = true;
                }}
                onBlur={() => {
                  if (button.action === 'create') createHadFocus.current = false;
                }}
                onClick={(event) => {
                  if (reason === null) onAction(button.action, event.currentTarget);
                }}
              >
                {button.label}
              </ToolbarButton>
            </ReasonTooltip>
          );
        })}
    </Toolbar>
  );
}
