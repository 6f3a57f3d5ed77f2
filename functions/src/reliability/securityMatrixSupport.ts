import { createHmac, createPublicKey } from 'node:crypto';
import { Agent } from 'node:https';
import axios from 'axios';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { z } from 'zod';
import { shippedDefaults } from '../e2e/securitySupport';
import { ROUTES } from '../registry';
import { listingOf } from '../state/paging';
import type { RouteDefinition } from '../http/route';
import { FIXTURE, type ApiAnswer, type Stack } from '../testing/stack';

/**
 * The attack matrix's parts: every route that needs a signed-in caller (from the registry, so a new route is in
 * the matrix the day it is added), a plausible request for each (one that would change something, were it let
 * through), and every kind of token a caller can present that must be refused.
 */

/** A tenant the identity provider knows and this product is not set up for, with one user. */
const NORTHWIND = {
  tenant: '5e7a0000-0000-4000-8000-00000000d0d0',
  user: '5e7a0000-0000-4000-8000-00000000d0d1',
} as const;

/** Contoso's automation: client credentials, holds ProductSync.Sync on the API (identity fixture). */
const AUTOMATION_APP = {
  clientId: '2a4c6e80-1b3d-4f5a-9c7e-0d2f4a6c8e1b',
  secret: 'sim-automation-secret~not-a-real-secret',
} as const;

/** An application of Contoso's that may call the API (no assignment required) and holds none of its roles. */
const REPORTING_APP = {
  clientId: '6b8d0000-0000-4000-8000-0000000000a1',
  secret: 'sim-reporting-secret~not-a-real-secret',
  objectId: '6b8d0000-0000-4000-8000-0000000000a2',
} as const;

function identityClient(stack: Stack) {
  return axios.create({
    baseURL: stack.simulators.identityUrl,
    httpsAgent: new Agent({ ca: stack.simulators.identityCertificatePem }),
    validateStatus: () => true,
  });
}

const IdentityFixtureSchema = z
  .object({
    tenants: z.array(z.object({ id: z.string() }).loose()),
    resources: z.array(z.object({ appId: z.string() }).loose()),
    applications: z.array(z.object({ clientId: z.string() }).loose()),
    users: z.array(z.object({ tenantId: z.string() }).loose()),
  })
  .loose();

/**
 * Loads the seed identity fixture plus Northwind (known to the identity provider, not to the product) and
 * Contoso's reporting application, which may get tokens for the API without any of its roles (the API no longer
 * requires assignment, as Entra's default is).
 */
export async function loadIdentityFixture(stack: Stack, seed: unknown): Promise<void> {
  const fixture = IdentityFixtureSchema.parse(structuredClone(seed));
  fixture.tenants.push({ id: NORTHWIND.tenant, displayName: 'Northwind (not set up)', domains: [] });
  fixture.users.push({
    tenantId: NORTHWIND.tenant,
    oid: NORTHWIND.user,
    userPrincipalName: 'nora@northwind.onmicrosoft.com',
    name: 'Nora Northwind',
    roles: ['ProductSync.Admin'],
  });
  const api = fixture.resources.find((resource) => resource.appId === FIXTURE.apiClientId);
  if (!api) throw new Error('the identity fixture lost the product API');
  api.appRoleAssignmentRequired = false;
  fixture.applications.push({
    displayName: 'Contoso reporting',
    clientId: REPORTING_APP.clientId,
    secrets: [REPORTING_APP.secret],
    servicePrincipals: [{ tenantId: FIXTURE.contoso, objectId: REPORTING_APP.objectId }],
    resourceAccess: [{ resource: `api://${FIXTURE.apiClientId}` }],
  });
  const answer = await identityClient(stack).post('/_sim/fixture', fixture);
  if (answer.status !== 200) throw new Error(`identity fixture: ${String(answer.status)}`);
}

/** An application's own token for the API (client credentials): no `scp`, the roles it holds. */
async function appToken(stack: Stack, app: { clientId: string; secret: string }): Promise<string> {
  const answer = await identityClient(stack).post<unknown>(
    `/${FIXTURE.contoso}/oauth2/v2.0/token`,
    new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: app.clientId,
      client_secret: app.secret,
      scope: `api://${FIXTURE.apiClientId}/.default`,
    }).toString(),
    { headers: { 'content-type': 'application/x-www-form-urlencoded' } },
  );
  if (answer.status !== 200) throw new Error(`app token for ${app.clientId}: ${String(answer.status)}`);
  return z.object({ access_token: z.string() }).parse(answer.data).access_token;
}

const JwksSchema = z.object({ keys: z.array(z.object({ kid: z.string() }).loose()) });

/** The identity provider's published key that signed `token`, as PEM (what anyone can download). */
async function publishedKeyPem(stack: Stack, token: string): Promise<string> {
  const answer = await identityClient(stack).get<unknown>(`/${FIXTURE.contoso}/discovery/v2.0/keys`);
  const { kid } = decodeProtectedHeader(token);
  const jwk = JwksSchema.parse(answer.data).keys.find((key) => key.kid === kid);
  if (!jwk) throw new Error(`no published key ${String(kid)}`);
  return createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function parts(token: string): [string, string, string] {
  const [header, payload, signature] = token.split('.');
  if (header === undefined || payload === undefined || signature === undefined) throw new Error('not a JWT');
  return [header, payload, signature];
}

/** A kind of caller the matrix presents to every route. */
export interface Caller {
  name: string;
  /** The Authorization header it sends (none for `no token`). */
  authorization: string | undefined;
  /** 401 for every route (a token that must not authenticate), 403 for a real caller lacking a role. */
  refusal: 401 | 403;
  /** The routes it is refused on (all protected routes unless said otherwise). */
  appliesTo: (route: RouteDefinition) => boolean;
}

/** Every bad token of the matrix, from a valid token of Alex's (a seller of Contoso) and the identity provider. */
export async function callers(stack: Stack, alex: string): Promise<Caller[]> {
  const [header, payload, signature] = parts(alex);
  const claims = decodeJwt(alex);
  const { kid } = decodeProtectedHeader(alex);
  const bearer = (token: string) => `Bearer ${token}`;
  const all = () => true;
  const refused = (name: string, token: string): Caller => ({
    name,
    authorization: bearer(token),
    refusal: 401,
    appliesTo: all,
  });

  const hs256Header = b64({ alg: 'HS256', typ: 'JWT', kid });
  const hs256Mac = createHmac('sha256', await publishedKeyPem(stack, alex))
    .update(`${hs256Header}.${payload}`)
    .digest('base64url');
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const foreignKey = await new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(kid ? { kid } : {}) })
    .sign(privateKey);
  // The attacker's own key, offered in the header (a validator that trusts an embedded key takes anything).
  const embeddedKey = await new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', jwk: await exportJWK(publicKey) })
    .sign(privateKey);
  const unknownKid = await new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'no-such-key' })
    .sign(privateKey);
  const headerWith = (changes: Record<string, unknown>) =>
    b64({ ...(JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as object), ...changes });
  const flipped = `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
  const withRoles = b64({ ...claims, roles: ['ProductSync.Admin', 'ProductSync.Sync'] });

  return [
    { name: 'no token', authorization: undefined, refusal: 401, appliesTo: all },
    { name: 'malformed', authorization: 'Bearer not-a-jwt', refusal: 401, appliesTo: all },
    refused('expired', await stack.token('alex', { expiresInSeconds: -600 })),
    refused('not yet valid', await stack.token('alex', { notBeforeInSeconds: 1800 })),
    refused(
      'wrong audience (the widget)',
      await stack.token('alex', { aud: '7e1f3a5c-9b2d-4f6e-8a0c-3d5f7b9e1a2c' }),
    ),
    refused('wrong issuer (v1, sts.windows.net)', await stack.token('alex', { version: 1 })),
    refused(
      'other tenant (known to Entra, not set up)',
      await stack.token('alex', { tid: NORTHWIND.tenant, oid: NORTHWIND.user }),
    ),
    refused('tid and iss disagree', await stack.token('alex', { issuerTenantId: FIXTURE.fabrikam })),
    refused('unknown tenant', await stack.token('alex', { tid: '00000000-dead-4000-8000-00000000beef' })),
    refused('alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`),
    refused('alg none, the signature kept', `${headerWith({ alg: 'none' })}.${payload}.${signature}`),
    refused(
      'RS512 named over the RS256 signature',
      `${headerWith({ alg: 'RS512' })}.${payload}.${signature}`,
    ),
    refused('its own key embedded in the header', embeddedKey),
    refused('a key id nobody published', unknownKid),
    refused('HS256 with the published key', `${hs256Header}.${payload}.${hs256Mac}`),
    refused('signed by a key nobody published', foreignKey),
    refused('tampered signature', `${header}.${payload}.${flipped}`),
    refused('roles added after signing', `${header}.${withRoles}.${signature}`),
    {
      name: 'seller on an admin route',
      authorization: bearer(alex),
      refusal: 403,
      appliesTo: (route) => route.access === 'admin',
    },
    {
      name: 'application with the sync role on an admin route',
      authorization: bearer(await appToken(stack, AUTOMATION_APP)),
      refusal: 403,
      appliesTo: (route) => route.access === 'admin',
    },
    {
      name: 'application without the sync role',
      authorization: bearer(await appToken(stack, REPORTING_APP)),
      refusal: 403,
      appliesTo: all,
    },
  ];
}

/** The automation's token: an application with the sync role (a positive control on user routes). */
export const automationToken = (stack: Stack): Promise<string> => appToken(stack, AUTOMATION_APP);

/** Every route that needs a signed-in caller. */
export const PROTECTED_ROUTES: readonly RouteDefinition[] = ROUTES.filter(
  (route) => route.access !== 'public',
);

/** What the matrix's requests name: a contract, its record and one of its lines. */
export interface Target {
  contractId: number;
  recordId: string;
  lineId: string;
}

export interface RouteCall {
  method: string;
  path: string;
  body?: unknown;
}

/** A request to `route` about `target` that would read or change it, were the caller let through. */
export function callFor(route: RouteDefinition, target: Target): RouteCall {
  const id = String(target.contractId);
  const path = route.route
    .replace('{entity}', 'opportunity')
    .replace(/\{(id|contractId)\}/, id)
    .replace('{lineId}', target.lineId);
  const method = route.methods[0] ?? 'GET';
  const settings = shippedDefaults('opportunity');
  const query: Record<string, string> = {
    contractsGet: `?entity=opportunity&recordId=${target.recordId}`,
    contractPlan: '?action=push',
    metadataFields: '?entity=opportunity',
    linksList: `?contractId=${id}`,
    linksExport: `?contractId=${id}`,
    activityList: `?contractId=${id}`,
  };
  const body: Record<string, unknown> = {
    settingsPut: { ...settings, mappings: settings.mappings.slice(0, 1) },
    settingsImpact: { ...settings, mappings: settings.mappings.slice(0, 1) },
    contractsCreate: { entity: 'quote', recordId: FIXTURE.quote },
    conflictsResolve: {
      resolutions: [{ lineId: target.lineId, oneflowField: 'quantity', keep: 'dynamics' }],
    },
    linkUpdate: { state: 'deleted_in_oneflow' },
  };
  return {
    method,
    path: `${path}${query[route.name] ?? ''}`,
    ...(body[route.name] === undefined ? {} : { body: body[route.name] }),
  };
}

/** Sends `call` with exactly this Authorization header (or none). */
export function send(stack: Stack, call: RouteCall, authorization: string | undefined): Promise<ApiAnswer> {
  return stack.api(call.method, call.path, {
    ...(call.body === undefined ? {} : { body: call.body }),
    headers: authorization === undefined ? {} : { authorization },
  });
}

/** The headers a refusal could tell something by (the rest are the transport's: date, length, connection). */
const TELLING_HEADERS = [
  'content-type',
  'www-authenticate',
  'etag',
  'location',
  'retry-after',
  'content-disposition',
  'cache-control',
];

/**
 * An answer as a caller sees it, with the ids it was asked about replaced by placeholders: two answers that
 * normalise alike tell the caller nothing that tells the two ids apart.
 */
export function seenAs(answer: ApiAnswer, ids: Record<string, string>): unknown {
  let text = answer.text;
  for (const [placeholder, id] of Object.entries(ids)) text = text.split(id).join(`<${placeholder}>`);
  const headers = Object.fromEntries(
    TELLING_HEADERS.filter((name) => answer.headers[name] !== undefined).map((name) => [
      name,
      answer.headers[name],
    ]),
  );
  return { status: answer.status, headers, text };
}

/** A listing of links or activity a caller pages through, with the fingerprint the store gives its tokens. */
export interface Listing {
  path: string;
  fingerprint: string;
}

/** The listings of links and activity `tenantId` can page through that name `target` (or nothing). */
export function listingsOf(tenantId: string, target: Target): Listing[] {
  const q = target.lineId.slice(0, 8);
  return [
    { path: 'links', fingerprint: listingOf('links', tenantId, undefined, '') },
    { path: `links?q=${q}`, fingerprint: listingOf('links', tenantId, undefined, q) },
    {
      path: `links?contractId=${String(target.contractId)}`,
      fingerprint: listingOf('links', tenantId, target.contractId, ''),
    },
    { path: 'activity', fingerprint: listingOf('activity', tenantId, undefined, undefined, undefined) },
    {
      path: `activity?contractId=${String(target.contractId)}`,
      fingerprint: listingOf('activity', tenantId, target.contractId, undefined, undefined),
    },
    {
      path: `activity?recordId=${target.recordId}`,
      fingerprint: listingOf('activity', tenantId, undefined, target.recordId, undefined),
    },
  ];
}

/**
 * A continuation token as the store hands them out (its format is no secret), for `listing`, that resumes the
 * table read at another row: the table service's own token names the next partition and row key.
 */
export function tokenResumingAt(listing: Listing, partitionKey: string, rowKey: string): string {
  const table = Buffer.from(JSON.stringify({ nextPartitionKey: partitionKey, nextRowKey: rowKey })).toString(
    'base64',
  );
  return Buffer.from(JSON.stringify({ l: listing.fingerprint, t: table })).toString('base64url');
}
