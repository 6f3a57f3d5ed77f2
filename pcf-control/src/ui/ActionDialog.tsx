import * as React from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Spinner,
} from '@fluentui/react-components';
import type { ErrorView } from '../api/errors';
import { ErrorBar } from './ErrorBar';

export interface ActionDialogProps {
  title: string;
  /** 'alert' for a confirmation, which outside clicks must not dismiss; 'modal' for a form. */
  modalType: 'alert' | 'modal';
  /** While the action runs the dialog cannot be dismissed and its buttons stay focusable but inert. */
  running?: boolean;
  runningLabel?: string;
  error?: ErrorView | null;
  confirmLabel: string;
  /** Why the confirm button is inert beyond running, if it is; the content says why in words. */
  confirmDisabled?: boolean;
  onConfirm: () => void;
  cancelLabel: string;
  onCancel: () => void;
  /** Wraps the body in a form so that Enter in a field confirms, as a form dialog does. */
  asForm?: boolean;
  contentClassName?: string;
  children: React.ReactNode;
}

/**
 * The frame of a dialog that runs one action: title, the caller's content, then the running spinner and the
 * error with its Retry, and the confirm and cancel buttons.
 */
export function ActionDialog({
  title,
  modalType,
  running = false,
  runningLabel,
  error = null,
  confirmLabel,
  confirmDisabled = false,
  onConfirm,
  cancelLabel,
  onCancel,
  asForm = false,
  contentClassName,
  children,
}: ActionDialogProps): React.ReactElement {
  const body = (
    <DialogBody>
      <DialogTitle>{title}</DialogTitle>
      <DialogContent className={contentClassName}>
        {children}
        {running && <Spinner size="small" label={runningLabel} />}
        {error !== null && <ErrorBar error={error} onRetry={onConfirm} />}
      </DialogContent>
      <DialogActions>
        <Button
          appearance="primary"
          type={asForm ? 'submit' : 'button'}
          disabledFocusable={running || confirmDisabled}
          onClick={asForm ? undefined : onConfirm}
        >
          {confirmLabel}
        </Button>
        <Button disabledFocusable={running} onClick={onCancel}>
          {cancelLabel}
        </Button>
      </DialogActions>
    </DialogBody>
  );
  return (
    <Dialog
      open
      modalType={modalType}
      onOpenChange={(_event, data) => {
        if (!data.open && !running) onCancel();
      }}
    >
      <DialogSurface>
        {asForm ? (
          <form
            onSubmit={(event) => {
              event.preventDefault();
              // Enter in a field submits even while the confirm button is inert: the same rule applies.
              if (!running && !confirmDisabled) onConfirm();
            }}
          >
            {body}
          </form>
        ) : (
          body
        )}
      </DialogSurface>
    </Dialog>
  );
}
