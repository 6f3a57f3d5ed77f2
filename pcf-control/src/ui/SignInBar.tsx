import * as React from 'react';
import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  Spinner,
  Text,
} from '@fluentui/react-components';
import type { SignInProblem } from '../auth/TokenProvider';
import { useStrings } from '../strings/strings';

export interface SignInBarProps {
  problem: SignInProblem;
  /** The identity service's words when an interactive sign-in failed; null before any attempt. */
  failure: string | null;
  signingIn: boolean;
  /** Must open the pop-up synchronously: call it straight from the click. */
  onSignIn: () => void;
}

/** "Sign in to Oneflow product sync", with the button that opens the pop-up, or why the last try failed. */
export function SignInBar({ problem, failure, signingIn, onSignIn }: SignInBarProps): React.ReactElement {
  const t = useStrings();
  const blocked = problem === 'popup_blocked';
  return (
    <MessageBar intent={blocked ? 'warning' : 'info'} layout="multiline">
      <MessageBarBody>
        {blocked ? t('SignIn_PopupBlocked') : t('SignIn_Needed')}
        {failure !== null && !blocked && <Text block>{t('SignIn_Failed', failure)}</Text>}
      </MessageBarBody>
      <MessageBarActions>
        {signingIn ? (
          <Spinner size="extra-tiny" label={t('SignIn_InProgress')} />
        ) : (
          <Button appearance="primary" size="small" onClick={onSignIn}>
            {blocked ? t('SignIn_TryAgain') : t('SignIn_Button')}
          </Button>
        )}
      </MessageBarActions>
    </MessageBar>
  );
}
