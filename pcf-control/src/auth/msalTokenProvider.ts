import {
  BrowserAuthError,
  InteractionRequiredAuthError,
  PublicClientApplication,
  type AccountInfo,
  type AuthenticationResult,
} from '@azure/msal-browser';
import type { SyncConfig } from '../platform/config';
import { REDIRECT_BRIDGE_PATH } from './redirectBridge';
import {
  accountFromToken,
  SignInRequiredError,
  type SignedInAccount,
  type TokenProvider,
} from './TokenProvider';

/** Errors of the pop-up itself, as msal-browser names them. */
const POPUP_BLOCKED = new Set(['popup_window_error', 'empty_window_error']);
const POPUP_CANCELLED = new Set(['user_cancelled']);

/** One application object per page and client: two widgets on a form share the sign-in and its cache. */
const applications = new Map<string, Promise<PublicClientApplication>>();

function application(config: SyncConfig): Promise<PublicClientApplication> {
  const key = `${config.authority}|${config.clientId}`;
  let ready = applications.get(key);
  if (ready === undefined) {
    const pca = new PublicClientApplication({
      auth: {
        clientId: config.clientId,
        authority: config.authority,
        // A sovereign cloud or the local identity simulator is trusted as named, without instance discovery.
        knownAuthorities: [new URL(config.authority).host],
        redirectUri: new URL(REDIRECT_BRIDGE_PATH, window.location.origin).toString(),
      },
      cache: { cacheLocation: 'sessionStorage' },
    });
    ready = pca.initialize().then(() => pca);
    applications.set(key, ready);
  }
  return ready;
}

function signInProblem(error: unknown): SignInRequiredError {
  if (error instanceof SignInRequiredError) return error;
  const code = error instanceof BrowserAuthError ? error.errorCode : '';
  const message = error instanceof Error ? error.message : String(error);
  if (POPUP_BLOCKED.has(code)) return new SignInRequiredError('popup_blocked', message);
  if (POPUP_CANCELLED.has(code)) return new SignInRequiredError('cancelled', message);
  return new SignInRequiredError('failed', message);
}

/**
 * Signs in with `@azure/msal-browser`: the cached account, else `ssoSilent` with the user's login hint, else the
 * widget asks the user to click Sign in, which opens the pop-up (never automatically: browsers block it).
 */
export function msalTokenProvider(
  config: SyncConfig,
  loginHint: () => Promise<string | null>,
): TokenProvider {
  const request = { scopes: [config.apiScope] };
  let pca: PublicClientApplication | null = null;
  let signedIn: SignedInAccount | null = null;
  const ready = application(config).then((instance) => {
    pca = instance;
    return instance;
  });

  const remember = (result: AuthenticationResult): string => {
    pca?.setActiveAccount(result.account);
    signedIn = accountFromToken(result.accessToken);
    return result.accessToken;
  };

  const silent = async (instance: PublicClientApplication, account: AccountInfo | null): Promise<string> => {
    if (account !== null) return remember(await instance.acquireTokenSilent({ ...request, account }));
    const hint = await loginHint();
    if (hint === null) throw new SignInRequiredError('interaction_required', 'No signed-in account');
    return remember(await instance.ssoSilent({ ...request, loginHint: hint }));
  };

  return {
    async getToken() {
      const instance = await ready;
      const account = instance.getActiveAccount() ?? instance.getAllAccounts()[0] ?? null;
      try {
        return await silent(instance, account);
      } catch (error) {
        if (error instanceof InteractionRequiredAuthError || error instanceof BrowserAuthError) {
          throw new SignInRequiredError('interaction_required', error.message);
        }
        throw error;
      }
    },
    signIn() {
      // No await before loginPopup: the window must open inside the click that called this.
      if (pca === null) return Promise.reject(new SignInRequiredError('failed', 'Sign-in is still starting'));
      return pca.loginPopup(request).then(
        (result) => {
          remember(result);
        },
        (error: unknown) => {
          throw signInProblem(error);
        },
      );
    },
    account: () => signedIn,
  };
}
