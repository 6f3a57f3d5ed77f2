import * as React from 'react';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { strictGetString } from '../strings/resx';
import { createTranslate } from '../strings/strings';
import { AppShell } from '../ui/AppShell';
import { WIDGET_STRINGS } from '../testing/fakePlatform';
import { WidgetToolbar } from './WidgetToolbar';
import type { ActionAvailability, ToolbarAction } from './widgetState';

const enabled: ActionAvailability = { visible: true, disabledReason: null };

function renderToolbar(actions: Record<ToolbarAction, ActionAvailability>) {
  const onAction = jest.fn();
  render(
    <AppShell
      instanceId="toolbar-test"
      theme={undefined}
      t={createTranslate(strictGetString(WIDGET_STRINGS))}
    >
      <WidgetToolbar actions={actions} onAction={onAction} />
    </AppShell>,
  );
  return onAction;
}

describe('WidgetToolbar', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('shows why a disabled action is disabled on focus, and no tooltip on an enabled one', () => {
    const onAction = renderToolbar({
      create: { visible: false, disabledReason: null },
      push: { visible: true, disabledReason: 'The contract is signed: Oneflow does not accept changes.' },
      fetch: enabled,
      refresh: enabled,
      history: enabled,
    });
    const fetch = screen.getByRole('button', { name: 'Fetch updates from Oneflow' });
    act(() => {
      fetch.focus();
      jest.advanceTimersByTime(1000);
    });
    expect(screen.queryByRole('tooltip')).toBeNull();

    const push = screen.getByRole('button', { name: 'Push updates to Oneflow' });
    act(() => {
      push.focus();
      jest.advanceTimersByTime(1000);
    });
    expect(screen.getByRole('tooltip')).toHaveTextContent(
      'The contract is signed: Oneflow does not accept changes.',
    );
    fireEvent.click(push);
    expect(onAction).not.toHaveBeenCalled();
    fireEvent.click(fetch);
    expect(onAction).toHaveBeenCalledWith('fetch', fetch);
  });
});
