import { createHash, randomBytes } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { z } from 'zod';
import { seededEntities } from './seededEntities';
import { CODE_LIFETIME_SECONDS, sessionCookieName, SPA_REFRESH_TOKEN_LIFETIME_SECONDS } from './signIn';
import { useIdentitySimulator } from './testSupport';
import { postFormTrusting, postJsonTrusting, requestTrusting, type TlsResponse } from './tlsClient';

const seeded = seededEntities();
const identity = useIdentitySimulator({ resetBeforeEach: true });

const redirectUri = 'http://127.0.0.1:7100/WebResources/oneflowsync_/auth/redirect.html';
/** The page that asks: a browser sends its origin with every cross-origin request. */
const hostOrigin = 'http://127.0.0.1:7100';
const productApiScope = `${seeded.productApi.identifierUris[0] ?? ''}/access_as_user`;
const requestedScopes = `${productApiScope} openid profile offline_access`;

function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

interface AuthorizeParameters {
  verifier: string;
  params: Record<string, string>;
}

/** What msal-browser 5 sends for a pop-up sign-in (response_mode fragment, client_info=1, PKCE S256). */
function authorizeParameters(overrides: Record<string, string | undefined> = {}): AuthorizeParameters {
  const { verifier, challenge } = pkcePair();
  const params: Record<string, string> = {
    client_id: seeded.widget.clientId,
    scope: requestedScopes,
    redirect_uri: redirectUri,
    'client-request-id': '0b7c2a54-3a0e-4f67-9a5e-1f2d3c4b5a69',
    response_mode: 'fragment',
    client_info: '1',
    clidata: '1',
    nonce: 'nonce-' + randomBytes(8).toString('hex'),
    state: 'state-' + randomBytes(8).toString('hex'),
    'x-client-SKU': 'msal.js.browser',
    'x-client-VER': '5.30.0',
    response_type: 'code',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) Reflect.deleteProperty(params, name);
    else params[name] = value;
  }
  return { verifier, params };
}

function authorize(
  params: Record<string, string>,
  cookie?: string,
  tenant: string = seeded.homeTenantId,
): Promise<TlsResponse> {
  const query = new URLSearchParams(params).toString();
  return requestTrusting(
    identity.certificatePem,
    `${identity.url}/${tenant}/oauth2/v2.0/authorize?${query}`,
    {
      headers: cookie === undefined ? {} : { cookie },
    },
  );
}

function hiddenFlow(html: string): string {
  const flow = /<input type="hidden" name="flow" value="([^"]+)">/.exec(html)?.[1];
  if (flow === undefined) throw new Error('the sign-in page has no flow field');
  return flow;
}

function submitSignIn(html: string, account: string | undefined): Promise<TlsResponse> {
  return postFormTrusting(
    identity.certificatePem,
    `${identity.url}/${seeded.homeTenantId}/oauth2/v2.0/authorize`,
    { flow: hiddenFlow(html), ...(account === undefined ? {} : { account }) },
  );
}

function location(response: TlsResponse): URL {
  expect(response.status).toBe(302);
  const header = response.headers.location;
  if (header === undefined) throw new Error('no Location header');
  return new URL(header);
}

/** The response parameters of a redirect, from the fragment or the query. */
function responseParameters(target: URL): URLSearchParams {
  return target.hash === '' ? target.searchParams : new URLSearchParams(target.hash.slice(1));
}

function sessionCookieOf(response: TlsResponse): string {
  const [setCookie] = response.headers['set-cookie'] ?? [];
  if (setCookie === undefined) throw new Error('no Set-Cookie header');
  return setCookie.split(';')[0] ?? '';
}

interface SignedIn extends AuthorizeParameters {
  code: string;
  cookie: string;
  answer: URLSearchParams;
}

/** The pop-up sign-in: the page, the account picked, the redirect with a code. */
async function signIn(
  oid: string = seeded.admin.oid,
  overrides: Record<string, string | undefined> = {},
): Promise<SignedIn> {
  const request = authorizeParameters(overrides);
  const page = await authorize(request.params);
  expect(page.status).toBe(200);
  const submitted = await submitSignIn(page.text, oid);
  const answer = responseParameters(location(submitted));
  return { ...request, code: answer.get('code') ?? '', cookie: sessionCookieOf(submitted), answer };
}

function redeem(form: Record<string, string>, headers: Record<string, string> = { origin: hostOrigin }) {
  return postFormTrusting(
    identity.certificatePem,
    `${identity.url}/${seeded.homeTenantId}/oauth2/v2.0/token`,
    form,
    headers,
  );
}

function codeRedemption(signedIn: SignedIn): Record<string, string> {
  return {
    client_id: seeded.widget.clientId,
    redirect_uri: redirectUri,
    scope: requestedScopes,
    code: signedIn.code,
    code_verifier: signedIn.verifier,
    grant_type: 'authorization_code',
    client_info: '1',
  };
}

const TokenAnswerSchema = z.object({
  token_type: z.literal('Bearer'),
  scope: z.string(),
  expires_in: z.number(),
  ext_expires_in: z.number(),
  access_token: z.string(),
  refresh_token: z.string(),
  id_token: z.string(),
  client_info: z.string(),
});

const EntraErrorSchema = z.object({
  error: z.string(),
  error_description: z.string(),
  error_codes: z.array(z.number()).length(1),
});

function expectEntraError(response: TlsResponse, error: string, code: number): void {
  expect(response.status).toBe(400);
  const body = EntraErrorSchema.parse(response.json);
  expect(body.error).toBe(error);
  expect(body.error_codes).toEqual([code]);
  expect(body.error_description.startsWith(`AADSTS${code}: `)).toBe(true);
}

function expectRedirectedError(response: TlsResponse, error: string, code: number, state: string): void {
  const target = location(response);
  expect(`${target.origin}${target.pathname}`).toBe(redirectUri);
  const answer = responseParameters(target);
  expect(answer.get('error')).toBe(error);
  expect(answer.get('error_description')?.startsWith(`AADSTS${code}: `)).toBe(true);
  expect(answer.get('error_uri')).toMatch(new RegExp(`code=${code}$`));
  expect(answer.get('state')).toBe(state);
  expect(answer.has('code')).toBe(false);
}

function expectErrorPage(response: TlsResponse, code: number): void {
  expect(response.status).toBe(400);
  expect(response.headers.location).toBeUndefined();
  expect(response.headers['content-type']).toMatch(/^text\/html/);
  expect(response.text).toContain(`AADSTS${code}: `);
}

function decodedClientInfo(value: string | null | undefined): unknown {
  return JSON.parse(Buffer.from(value ?? '', 'base64url').toString('utf8'));
}

describe('sign-in page', () => {
  it("fact: the authorize endpoint answers an HTML page with a main landmark, a heading, the tenant's users as labelled radios, the login_hint's account checked and a Sign in button", async () => {
    const { params } = authorizeParameters({
      login_hint: seeded.rep.userPrincipalName,
      prompt: 'select_account',
    });
    const page = await authorize(params);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.text).toMatch(/<html lang="en">/);
    expect(page.text).toMatch(/<main>[\s\S]*<h1>Sign in<\/h1>[\s\S]*<\/main>/);
    const radios = [
      ...page.text.matchAll(
        /<label for="([^"]+)"><input type="radio" name="account" id="([^"]+)" value="([^"]+)"( checked)?/g,
      ),
    ];
    const contosoUsers = seeded.fixture.users.filter((user) => user.tenantId === seeded.homeTenantId);
    expect(radios.map((radio) => radio[3])).toEqual(contosoUsers.map((user) => user.oid));
    for (const radio of radios) expect(radio[1]).toBe(radio[2]);
    for (const user of contosoUsers) expect(page.text).toContain(user.userPrincipalName);
    expect(page.text).not.toContain(seeded.otherTenantUser.userPrincipalName);
    expect(radios.filter((radio) => radio[4] !== undefined).map((radio) => radio[3])).toEqual([
      seeded.rep.oid,
    ]);
    expect(page.text).toMatch(
      new RegExp(`<form method="post" action="/${seeded.homeTenantId}/oauth2/v2.0/authorize">`),
    );
    expect(page.text).toContain('<button type="submit">Sign in</button>');
    expect(page.text).not.toContain('<script');
    // A pop-up page is read by no script on another origin, and is never framed.
    expect(page.headers['access-control-allow-origin']).toBeUndefined();
    expect(page.headers['x-frame-options']).toBe('DENY');
  });

  it('fact: submitting the form redirects to the redirect URI with code, state and client_info {uid, utid} in the fragment, and sets a per-tenant SameSite=None; Secure; HttpOnly session cookie', async () => {
    const request = authorizeParameters();
    const page = await authorize(request.params);
    const submitted = await submitSignIn(page.text, seeded.admin.oid);
    const target = location(submitted);
    expect(`${target.origin}${target.pathname}`).toBe(redirectUri);
    expect(target.search).toBe('');
    const answer = new URLSearchParams(target.hash.slice(1));
    expect(answer.get('code')).toMatch(/^[\w-]{32,}$/);
    expect(answer.get('state')).toBe(request.params.state);
    expect(decodedClientInfo(answer.get('client_info'))).toEqual({
      uid: seeded.admin.oid,
      utid: seeded.homeTenantId,
    });
    const [setCookie] = submitted.headers['set-cookie'] ?? [];
    expect(setCookie).toMatch(new RegExp(`^${sessionCookieName(seeded.homeTenantId)}=[\\w-]+;`));
    expect(setCookie).toMatch(/; Secure/);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=None/);
  });

  it('fact: response_mode=query puts code, state and client_info in the query instead', async () => {
    const request = authorizeParameters({ response_mode: 'query' });
    const page = await authorize(request.params);
    const target = location(await submitSignIn(page.text, seeded.rep.oid));
    expect(target.hash).toBe('');
    expect(target.searchParams.get('code')).toMatch(/^[\w-]{32,}$/);
    expect(target.searchParams.get('state')).toBe(request.params.state);
    expect(decodedClientInfo(target.searchParams.get('client_info'))).toEqual({
      uid: seeded.rep.oid,
      utid: seeded.homeTenantId,
    });
  });

  it('fact: a post without an account shows the page again (400, an alert, the same form); an expired or unknown form is an error page', async () => {
    const { params } = authorizeParameters();
    const page = await authorize(params);
    const withoutAccount = await submitSignIn(page.text, undefined);
    expect(withoutAccount.status).toBe(400);
    expect(withoutAccount.text).toContain('<p role="alert">');
    expect(hiddenFlow(withoutAccount.text)).toBe(hiddenFlow(page.text));
    expect((await submitSignIn(withoutAccount.text, seeded.otherTenantUser.oid)).status).toBe(400);
    expect(location(await submitSignIn(withoutAccount.text, seeded.rep.oid)).hash).toMatch(/code=/);
    // The form was used: posting it again cannot sign anyone in.
    expectErrorPage(await submitSignIn(page.text, seeded.rep.oid), 50089);
  });
});

describe('silent sign-in (prompt=none)', () => {
  it('fact: with the session cookie it redirects with a code at once, no page', async () => {
    const signedIn = await signIn(seeded.rep.oid);
    const { params } = authorizeParameters({ prompt: 'none', login_hint: seeded.rep.userPrincipalName });
    const answer = responseParameters(location(await authorize(params, signedIn.cookie)));
    expect(answer.get('code')).toMatch(/^[\w-]{32,}$/);
    expect(answer.get('state')).toBe(params.state);
    expect(decodedClientInfo(answer.get('client_info'))).toEqual({
      uid: seeded.rep.oid,
      utid: seeded.homeTenantId,
    });
  });

  it("fact: without a session it redirects with error=login_required, AADSTS50058 and the state; a login_hint for someone else than the session's user does too", async () => {
    const { params } = authorizeParameters({ prompt: 'none' });
    expectRedirectedError(await authorize(params), 'login_required', 50058, params.state ?? '');
    const signedIn = await signIn(seeded.rep.oid);
    const other = authorizeParameters({ prompt: 'none', login_hint: seeded.admin.userPrincipalName }).params;
    expectRedirectedError(
      await authorize(other, signedIn.cookie),
      'login_required',
      50058,
      other.state ?? '',
    );
  });

  it('fact: asked for in claims (as MSAL does), the ID token carries an opaque login_hint claim, which later names the account on the page and for prompt=none', async () => {
    const claims = JSON.stringify({ id_token: { login_hint: { essential: false } } });
    const signedIn = await signIn(seeded.rep.oid, { claims });
    const answer = TokenAnswerSchema.parse((await redeem(codeRedemption(signedIn))).json);
    const hint = z.string().parse(decodeJwt(answer.id_token).login_hint);
    expect(hint).not.toContain(seeded.rep.userPrincipalName);
    const { params } = authorizeParameters({ prompt: 'none', login_hint: hint });
    expect(responseParameters(location(await authorize(params, signedIn.cookie))).get('code')).toMatch(
      /^[\w-]{32,}$/,
    );
    const page = await authorize(authorizeParameters({ login_hint: hint }).params);
    expect(page.text).toContain(`value="${seeded.rep.oid}" checked`);
    const refreshed = await redeem({
      client_id: seeded.widget.clientId,
      scope: requestedScopes,
      refresh_token: answer.refresh_token,
      grant_type: 'refresh_token',
    });
    expect(decodeJwt(TokenAnswerSchema.parse(refreshed.json).id_token).login_hint).toBe(hint);
    const withoutClaims = TokenAnswerSchema.parse(
      (await redeem(codeRedemption(await signIn(seeded.rep.oid)))).json,
    );
    expect(decodeJwt(withoutClaims.id_token).login_hint).toBeUndefined();
  });

  it('fact: prompt=login and prompt=select_account show the page even with a session', async () => {
    const signedIn = await signIn(seeded.rep.oid);
    for (const prompt of ['login', 'select_account']) {
      const page = await authorize(authorizeParameters({ prompt }).params, signedIn.cookie);
      expect(page.status).toBe(200);
      expect(page.text).toContain('<button type="submit">Sign in</button>');
    }
  });

  it('fact: logout forgets the session, expires the cookie and returns to a registered post_logout_redirect_uri with the state', async () => {
    const signedIn = await signIn(seeded.rep.oid);
    const query = new URLSearchParams({ post_logout_redirect_uri: redirectUri, state: 'bye' });
    const response = await requestTrusting(
      identity.certificatePem,
      `${identity.url}/${seeded.homeTenantId}/oauth2/v2.0/logout?${query.toString()}`,
      { headers: { cookie: signedIn.cookie } },
    );
    expect(location(response).href).toBe(`${redirectUri}?state=bye`);
    expect(response.headers['set-cookie']?.[0]).toMatch(/Max-Age=0/);
    const { params } = authorizeParameters({ prompt: 'none' });
    expectRedirectedError(
      await authorize(params, signedIn.cookie),
      'login_required',
      50058,
      params.state ?? '',
    );
    const unregistered = await requestTrusting(
      identity.certificatePem,
      `${identity.url}/${seeded.homeTenantId}/oauth2/v2.0/logout?post_logout_redirect_uri=${encodeURIComponent('https://evil.example/')}`,
    );
    expect(unregistered.status).toBe(200);
    expect(unregistered.headers.location).toBeUndefined();
  });
});

describe('authorize request validation', () => {
  it('fact: an unknown client_id is an error page with AADSTS700016, never a redirect', async () => {
    expectErrorPage(
      await authorize(authorizeParameters({ client_id: '00000000-0000-4000-8000-00000000dead' }).params),
      700016,
    );
  });

  it('fact: a redirect URI not registered as an SPA redirect URI of that application is an error page with AADSTS50011, never a redirect', async () => {
    expectErrorPage(
      await authorize(authorizeParameters({ redirect_uri: 'https://evil.example/steal' }).params),
      50011,
    );
    // The backend application has no SPA redirect URIs at all.
    expectErrorPage(
      await authorize(authorizeParameters({ client_id: seeded.backend.clientId }).params),
      50011,
    );
  });

  it('fact: an unknown tenant is an error page with AADSTS90002', async () => {
    expectErrorPage(
      await authorize(authorizeParameters().params, undefined, 'nowhere.onmicrosoft.com'),
      90002,
    );
  });

  it('fact: a tenant domain is accepted in place of its id', async () => {
    expect((await authorize(authorizeParameters().params, undefined, seeded.homeDomain)).status).toBe(200);
  });

  it('fact: without code_challenge an SPA gets invalid_request AADSTS9002325 at its redirect URI', async () => {
    const { params } = authorizeParameters({ code_challenge: undefined, code_challenge_method: undefined });
    expectRedirectedError(await authorize(params), 'invalid_request', 9002325, params.state ?? '');
  });

  it('fact: scope problems go to the redirect URI: an unknown resource (500011), a scope the API does not expose (65005), an API the app was not granted (consent_required 65001)', async () => {
    const cases: [string, string, number][] = [
      ['api://unknown-api/access_as_user openid', 'invalid_resource', 500011],
      [`${seeded.productApi.identifierUris[0] ?? ''}/write_everything openid`, 'invalid_scope', 65005],
      ['http://127.0.0.1:7101/user_impersonation openid', 'consent_required', 65001],
    ];
    for (const [scope, error, code] of cases) {
      const { params } = authorizeParameters({ scope });
      expectRedirectedError(await authorize(params), error, code, params.state ?? '');
    }
  });

  it('fact: the SPA redirect URIs come from the fixture: a loaded fixture replaces them (a test host page on its own port) and reset restores them', async () => {
    const testRedirect = 'http://127.0.0.1:53117/auth/redirect.html';
    const fixture = {
      ...seeded.fixture,
      applications: seeded.fixture.applications.map((application) =>
        application.clientId === seeded.widget.clientId
          ? { ...application, spaRedirectUris: [testRedirect] }
          : application,
      ),
    };
    expect(
      (await postJsonTrusting(identity.certificatePem, `${identity.url}/_sim/fixture`, fixture)).status,
    ).toBe(200);
    expect((await authorize(authorizeParameters({ redirect_uri: testRedirect }).params)).status).toBe(200);
    expectErrorPage(await authorize(authorizeParameters().params), 50011);
    await postJsonTrusting(identity.certificatePem, `${identity.url}/_sim/reset`, {});
    expect((await authorize(authorizeParameters().params)).status).toBe(200);
  });

  it('fact: a fixture with a redirect URI that is not an http(s) URL is refused naming the field', async () => {
    const fixture = {
      ...seeded.fixture,
      applications: seeded.fixture.applications.map((application) =>
        application.clientId === seeded.widget.clientId
          ? { ...application, spaRedirectUris: ['javascript:alert(1)'] }
          : application,
      ),
    };
    const response = await postJsonTrusting(identity.certificatePem, `${identity.url}/_sim/fixture`, fixture);
    expect(response.status).toBe(400);
    expect(response.text).toContain('spaRedirectUris');
  });
});

describe('authorization code and refresh token grants', () => {
  async function keySet() {
    const keys = await requestTrusting(
      identity.certificatePem,
      `${identity.url}/${seeded.homeTenantId}/discovery/v2.0/keys`,
    );
    return createLocalJWKSet(
      z.object({ keys: z.array(z.object({ kty: z.string() }).loose()) }).parse(keys.json),
    );
  }

  it('fact: a code with its PKCE verifier answers {token_type, scope, expires_in, ext_expires_in, access_token, refresh_token, id_token, client_info}; the access token is a v2 user token for the product API', async () => {
    const signedIn = await signIn(seeded.admin.oid);
    const response = await redeem(codeRedemption(signedIn));
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store, no-cache');
    const answer = TokenAnswerSchema.parse(response.json);
    expect(answer.scope).toBe(productApiScope);
    expect(answer.expires_in).toBe(3599);
    expect(decodedClientInfo(answer.client_info)).toEqual({
      uid: seeded.admin.oid,
      utid: seeded.homeTenantId,
    });
    const claims = await identity.verifyAccessToken(answer.access_token, {
      audience: seeded.productApi.appId,
      tenantId: seeded.homeTenantId,
    });
    expect(claims).toMatchObject({
      iss: identity.issuer(seeded.homeTenantId),
      ver: '2.0',
      tid: seeded.homeTenantId,
      oid: seeded.admin.oid,
      scp: 'access_as_user',
      roles: ['ProductSync.Admin'],
      azp: seeded.widget.clientId,
      preferred_username: seeded.admin.userPrincipalName,
      name: seeded.admin.name,
    });
  });

  it('fact: the ID token is signed with the published keys, for the widget (aud), with the nonce of the authorize request, oid, tid, preferred_username and name', async () => {
    const signedIn = await signIn(seeded.rep.oid);
    const answer = TokenAnswerSchema.parse((await redeem(codeRedemption(signedIn))).json);
    const { payload, protectedHeader } = await jwtVerify(answer.id_token, await keySet(), {
      audience: seeded.widget.clientId,
      issuer: identity.issuer(seeded.homeTenantId),
    });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({
      nonce: signedIn.params.nonce,
      oid: seeded.rep.oid,
      tid: seeded.homeTenantId,
      preferred_username: seeded.rep.userPrincipalName,
      name: seeded.rep.name,
      ver: '2.0',
    });
    expect(payload.sub).not.toBe(seeded.rep.oid);
  });

  it('fact: a user without roles gets a token without a roles claim', async () => {
    const answer = TokenAnswerSchema.parse((await redeem(codeRedemption(await signIn(seeded.rep.oid)))).json);
    const claims = await identity.verifyAccessToken(answer.access_token, {
      audience: seeded.productApi.appId,
    });
    expect(claims?.roles).toBeUndefined();
  });

  it('fact: a wrong code_verifier is invalid_grant AADSTS501481, and the code still works with the right one', async () => {
    const signedIn = await signIn();
    expectEntraError(
      await redeem({ ...codeRedemption(signedIn), code_verifier: pkcePair().verifier }),
      'invalid_grant',
      501481,
    );
    expect((await redeem(codeRedemption(signedIn))).status).toBe(200);
  });

  it('fact: a code is single use: the second redemption is invalid_grant AADSTS54005', async () => {
    const signedIn = await signIn();
    expect((await redeem(codeRedemption(signedIn))).status).toBe(200);
    expectEntraError(await redeem(codeRedemption(signedIn)), 'invalid_grant', 54005);
  });

  it(`fact: a code expires after ${CODE_LIFETIME_SECONDS} s: invalid_grant AADSTS70008`, async () => {
    const signedIn = await signIn();
    const issuedAt = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(issuedAt + (CODE_LIFETIME_SECONDS + 1) * 1000);
    try {
      expectEntraError(await redeem(codeRedemption(signedIn)), 'invalid_grant', 70008);
    } finally {
      clock.mockRestore();
    }
  });

  it('fact: the redirect URI must be the one of the authorize request, the request must come from a browser origin, and a public client sends no secret', async () => {
    const signedIn = await signIn();
    const form = codeRedemption(signedIn);
    expectEntraError(
      await redeem({
        ...form,
        redirect_uri: 'http://localhost:7100/WebResources/oneflowsync_/auth/redirect.html',
      }),
      'invalid_grant',
      70000,
    );
    expectEntraError(await redeem(form, {}), 'invalid_request', 9002327);
    const withSecret = await redeem({ ...form, client_secret: 'anything' });
    expect(withSecret.status).toBe(401);
    expect(EntraErrorSchema.parse(withSecret.json).error_codes).toEqual([700025]);
    expectEntraError(await redeem({ ...form, code: 'not-a-code' }), 'invalid_grant', 9002313);
    expect((await redeem(form)).status).toBe(200);
  });

  it('fact: the refresh token grant answers new tokens for the same user (MSAL’s silent renewal), keeps the first sign-in’s expiry, and needs the browser origin', async () => {
    const first = TokenAnswerSchema.parse(
      (await redeem(codeRedemption(await signIn(seeded.admin.oid)))).json,
    );
    const refreshForm = {
      client_id: seeded.widget.clientId,
      scope: requestedScopes,
      refresh_token: first.refresh_token,
      grant_type: 'refresh_token',
      client_info: '1',
    };
    const response = await redeem(refreshForm);
    expect(response.status).toBe(200);
    const renewed = TokenAnswerSchema.parse(response.json);
    expect(renewed.refresh_token).not.toBe(first.refresh_token);
    const claims = await identity.verifyAccessToken(renewed.access_token, {
      audience: seeded.productApi.appId,
      tenantId: seeded.homeTenantId,
    });
    expect(claims).toMatchObject({
      oid: seeded.admin.oid,
      azp: seeded.widget.clientId,
      scp: 'access_as_user',
    });
    expect((await redeem({ ...refreshForm, refresh_token: renewed.refresh_token })).status).toBe(200);
    expectEntraError(await redeem(refreshForm, {}), 'invalid_request', 9002327);
    expectEntraError(await redeem({ ...refreshForm, refresh_token: 'made-up' }), 'invalid_grant', 9002313);
    const clock = jest
      .spyOn(Date, 'now')
      .mockReturnValue(Date.now() + (SPA_REFRESH_TOKEN_LIFETIME_SECONDS + 1) * 1000);
    try {
      expectEntraError(
        await redeem({ ...refreshForm, refresh_token: renewed.refresh_token }),
        'invalid_grant',
        70008,
      );
    } finally {
      clock.mockRestore();
    }
  });

  it('fact: codes and refresh tokens never reach the request log', async () => {
    const signedIn = await signIn();
    const answer = TokenAnswerSchema.parse((await redeem(codeRedemption(signedIn))).json);
    const log = await requestTrusting(identity.certificatePem, `${identity.url}/_sim/requests`);
    expect(log.text).toContain('/oauth2/v2.0/token');
    expect(log.text).not.toContain(signedIn.code);
    expect(log.text).not.toContain(answer.refresh_token);
    expect(log.text).not.toContain(signedIn.verifier);
  });
});

describe('CORS', () => {
  it('fact: discovery, keys, instance discovery and the token endpoint answer Access-Control-Allow-Origin: *, errors included', async () => {
    const discovery = `${identity.url}/${seeded.homeTenantId}/v2.0/.well-known/openid-configuration`;
    const keys = `${identity.url}/${seeded.homeTenantId}/discovery/v2.0/keys`;
    const instance = `${identity.url}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${identity.authority(seeded.homeTenantId)}/oauth2/v2.0/authorize`)}`;
    for (const url of [discovery, keys, instance]) {
      const response = await requestTrusting(identity.certificatePem, url, {
        headers: { origin: hostOrigin },
      });
      expect(response.status).toBe(200);
      expect(response.headers['access-control-allow-origin']).toBe('*');
    }
    const failed = await redeem({
      grant_type: 'authorization_code',
      client_id: seeded.widget.clientId,
      code: 'x',
    });
    expect(failed.status).toBe(400);
    expect(failed.headers['access-control-allow-origin']).toBe('*');
  });

  it('fact: a preflight for the token endpoint is answered 204 with the methods and the headers MSAL asks for (X-AnchorMailbox)', async () => {
    const response = await requestTrusting(
      identity.certificatePem,
      `${identity.url}/${seeded.homeDomain}/oauth2/v2.0/token`,
      {
        method: 'OPTIONS',
        headers: {
          origin: hostOrigin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-anchormailbox',
        },
      },
    );
    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(response.headers['access-control-allow-methods']).toBe('POST, OPTIONS');
    expect(response.headers['access-control-allow-headers']).toBe('content-type,x-anchormailbox');
  });
});
