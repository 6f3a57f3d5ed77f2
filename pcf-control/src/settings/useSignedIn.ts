import * as React from 'react';
import { describeError, type ErrorView } from '../api/errors';
import { SignInRequiredError, type SignInProblem } from '../auth/TokenProvider';
import type { Translate } from '../strings/strings';
import type { Services } from '../ui/Services';

/** The app role the API requires for every change on this page (the API checks it; the page only shows it). */
export const ADMIN_ROLE = 'ProductSync.Admin';

export type SignInState =
  | { kind: 'checking' }
  | { kind: 'signed_in'; isAdmin: boolean }
  | { kind: 'sign_in'; problem: SignInProblem; failure: string | null; signingIn: boolean }
  | { kind: 'error'; error: ErrorView };

/**
 * Whether the admin is signed in, and with which roles: read from the token's claims before anything is shown,
 * so a person without the admin role sees a read-only page rather than learning it from a refused save.
 */
export function useSignedIn(
  tokens: Services['tokens'],
  t: Translate,
): { state: SignInState; signIn: () => void } {
  const [state, setState] = React.useState<SignInState>({ kind: 'checking' });

  const settle = React.useCallback(
    (error: unknown, signingIn: boolean): void => {
      if (error instanceof SignInRequiredError) {
        setState({
          kind: 'sign_in',
          problem: error.problem,
          failure: signingIn ? error.message : null,
          signingIn: false,
        });
      } else {
        setState({ kind: 'error', error: describeError(error, t) });
      }
    },
    [t],
  );
  const signedIn = React.useCallback((): void => {
    setState({ kind: 'signed_in', isAdmin: tokens.account()?.roles.includes(ADMIN_ROLE) ?? false });
  }, [tokens]);

  React.useEffect(() => {
    let current = true;
    tokens.getToken().then(
      () => {
        if (current) signedIn();
      },
      (error: unknown) => {
        if (current) settle(error, false);
      },
    );
    return () => {
      current = false;
    };
  }, [tokens, signedIn, settle]);

  // The pop-up must open inside the click itself: browsers block a window opened after an await.
  const signIn = (): void => {
    setState((previous) => (previous.kind === 'sign_in' ? { ...previous, signingIn: true } : previous));
    const failed = (error: unknown): void => {
      settle(error, true);
    };
    tokens.signIn().then(() => tokens.getToken().then(signedIn, failed), failed);
  };
  return { state, signIn };
}
