import { accountFromToken, type TokenProvider } from '../../src/auth/TokenProvider';

interface HostToken {
  accessToken: string;
  expiresOn: number;
}

/** Asked again this long before expiry, as MSAL renews early. */
const RENEW_BEFORE_MS = 60_000;

/**
 * The sign-in stand-in of the form host: the host mints the demo user's API token from the identity simulator.
 * Errors are plain: the control's SignInRequiredError is a class of its own bundle, so this one would never match.
 */
export function hostTokenProvider(user: string): TokenProvider {
  let current: HostToken | null = null;
  let pending: Promise<HostToken> | null = null;
  const fetchToken = async (): Promise<HostToken> => {
    const response = await fetch(`/host/token?user=${encodeURIComponent(user)}`);
    if (!response.ok)
      throw new Error(`The form host gave no token: ${response.status} ${await response.text()}`);
    return (await response.json()) as HostToken;
  };
  return {
    async getToken() {
      if (current !== null && current.expiresOn - RENEW_BEFORE_MS > Date.now()) return current.accessToken;
      pending ??= fetchToken().finally(() => {
        pending = null;
      });
      current = await pending;
      return current.accessToken;
    },
    signIn: () => Promise.resolve(),
    account: () => (current === null ? null : accountFromToken(current.accessToken)),
  };
}
