import { escapeUTF8 } from 'entities';
import type { EntraError } from './errors';

interface SignInPageAccount {
  oid: string;
  name: string;
  userPrincipalName: string;
}

export interface SignInPage {
  /** The form posts back here: the tenant's authorize endpoint. */
  action: string;
  /** The pending sign-in the form completes; the request itself stays on the server. */
  flow: string;
  applicationName: string;
  tenantName: string;
  accounts: readonly SignInPageAccount[];
  /** The account to pre-select (the one `login_hint` names). */
  selectedOid?: string | undefined;
  /** Shown above the form after a post without a usable account. */
  problem?: string | undefined;
}

const STYLE = `
  body { font-family: system-ui, sans-serif; margin: 0; background: #f2f2f2; color: #1b1b1b; }
  main { max-width: 28rem; margin: 4rem auto; padding: 2rem; background: #fff; border-radius: 4px; }
  h1 { font-size: 1.5rem; margin-top: 0; }
  fieldset { border: 0; padding: 0; margin: 0 0 1.5rem; }
  legend { font-weight: 600; margin-bottom: 0.5rem; }
  label { display: block; padding: 0.5rem; }
  .upn { color: #505050; }
  button { background: #0067b8; color: #fff; border: 0; padding: 0.6rem 2rem; font-size: 1rem; }
  [role="alert"] { color: #a80000; }
`;

function documentOf(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeUTF8(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/**
 * The simulator's sign-in page: the tenant's users as a radio group and one button. A plain form post, so it
 * works without script, and every control has a label, so tests and assistive technology find it by name.
 */
export function renderSignInPage(page: SignInPage): string {
  const accounts = page.accounts
    .map((account) => {
      const id = `account-${account.oid}`;
      const checked = account.oid === page.selectedOid ? ' checked' : '';
      return `<label for="${escapeUTF8(id)}"><input type="radio" name="account" id="${escapeUTF8(id)}" value="${escapeUTF8(account.oid)}"${checked} required> ${escapeUTF8(account.name)} <span class="upn">${escapeUTF8(account.userPrincipalName)}</span></label>`;
    })
    .join('\n');
  const problem = page.problem === undefined ? '' : `<p role="alert">${escapeUTF8(page.problem)}</p>\n`;
  return documentOf(
    'Sign in to your account',
    `<h1>Sign in</h1>
<p>to ${escapeUTF8(page.applicationName)} in ${escapeUTF8(page.tenantName)}</p>
${problem}<form method="post" action="${escapeUTF8(page.action)}">
<input type="hidden" name="flow" value="${escapeUTF8(page.flow)}">
<fieldset>
<legend>Pick an account</legend>
${accounts}
</fieldset>
<button type="submit">Sign in</button>
</form>`,
  );
}

/** Entra's error page: what the browser shows when the request cannot be answered at the redirect URI. */
export function renderErrorPage(error: EntraError, traceId: string, correlationId: string): string {
  return documentOf(
    'Sign in failed',
    `<h1>Sorry, but we're having trouble signing you in.</h1>
<p role="alert">${escapeUTF8(error.message)}</p>
<dl>
<dt>Error</dt><dd>${escapeUTF8(error.error)}</dd>
<dt>Trace ID</dt><dd>${escapeUTF8(traceId)}</dd>
<dt>Correlation ID</dt><dd>${escapeUTF8(correlationId)}</dd>
</dl>`,
  );
}

/** After the logout endpoint, when there is no registered place to send the browser back to. */
export function renderSignedOutPage(): string {
  return documentOf(
    'Signed out',
    `<h1>You signed out of your account</h1>
<p>It's a good idea to close all browser windows.</p>`,
  );
}
