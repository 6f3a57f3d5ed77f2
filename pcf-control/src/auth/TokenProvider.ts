/** Why no token could be had without the user: each has its own words in the widget. */
export type SignInProblem = 'interaction_required' | 'popup_blocked' | 'cancelled' | 'failed';

export class SignInRequiredError extends Error {
  constructor(
    readonly problem: SignInProblem,
    message: string,
  ) {
    super(message);
    this.name = 'SignInRequiredError';
  }
}

export interface SignedInAccount {
  name: string;
  username: string;
  /** App roles of the API token (ProductSync.Admin, ProductSync.Sync): shown, never trusted (the API checks them). */
  roles: readonly string[];
}

/**
 * Where the controls get the API's bearer token. Production signs in with MSAL (msalTokenProvider.ts); the local
 * host page and tests may hand in tokens the identity simulator mints.
 */
export interface TokenProvider {
  /** A valid token without any window: throws SignInRequiredError when the user has to sign in first. */
  getToken(): Promise<string>;
  /** Interactive sign-in. Call it synchronously from a click: a pop-up opened after an await is blocked. */
  signIn(): Promise<void>;
  account(): SignedInAccount | null;
}

/** The payload of a JWT, for display only (the API verifies tokens; the browser never needs to). */
function readTokenClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (payload === undefined) return {};
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const claims: unknown = JSON.parse(json);
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function accountFromToken(token: string): SignedInAccount {
  const claims = readTokenClaims(token);
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  const roles = Array.isArray(claims.roles) ? claims.roles.filter((role) => typeof role === 'string') : [];
  return { name: text(claims.name), username: text(claims.preferred_username), roles };
}
