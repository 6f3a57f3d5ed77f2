import { randomUUID } from 'node:crypto';

/** Entra's OAuth error body, as the token and discovery endpoints answer it. */
export interface EntraErrorBody {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
}

/**
 * One Entra error: the HTTP status, the OAuth `error` string and the AADSTS number. The description starts with
 * `AADSTS<n>: ` as Entra's does, and ends with the trace and correlation ids and the timestamp when rendered.
 */
export class EntraError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly code: number,
    message: string,
    /** Extra response headers, e.g. Retry-After on a 429. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(`AADSTS${code}: ${message}`);
    this.name = 'EntraError';
  }

  /** `baseUrl` stands in for https://login.microsoftonline.com in `error_uri`. */
  body(baseUrl: string, correlationId: string | undefined): EntraErrorBody {
    const traceId = randomUUID();
    const correlation = correlationId ?? randomUUID();
    const timestamp = entraTimestamp(new Date());
    return {
      error: this.error,
      error_description: `${this.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlation}\r\nTimestamp: ${timestamp}`,
      error_codes: [this.code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlation,
      error_uri: `${baseUrl}/error?code=${this.code}`,
    };
  }
}

export function isEntraError(value: unknown): value is EntraError {
  return value instanceof EntraError;
}

/** Entra writes `2024-05-02 10:11:12Z`: ISO without the `T` and without fractions. */
function entraTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/**
 * The errors this simulator answers with. AADSTS numbers and `error` strings are Entra's; where the reference
 * had no wording, messages follow Entra's as seen in public error reports (docs/simulators-identity.md lists them).
 */
export const entraErrors = {
  tenantNotFound: (tenant: string, onDiscovery: boolean) =>
    new EntraError(
      400,
      onDiscovery ? 'invalid_tenant' : 'invalid_request',
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
    ),
  postOnly: (method: string) =>
    new EntraError(
      400,
      'invalid_request',
      900561,
      `The endpoint only accepts POST, OPTIONS requests. Received a ${method} request.`,
    ),
  missingParameter: (name: string) =>
    new EntraError(
      400,
      'invalid_request',
      900144,
      `The request body must contain the following parameter: '${name}'.`,
    ),
  unsupportedGrantType: (grantType: string) =>
    new EntraError(
      400,
      'unsupported_grant_type',
      70003,
      `The app requested an unsupported grant type '${grantType}'.`,
    ),
  applicationNotFound: (clientId: string, tenantId: string) =>
    new EntraError(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    ),
  missingClientCredential: () =>
    new EntraError(
      401,
      'invalid_client',
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    ),
  invalidClientSecret: (clientId: string) =>
    new EntraError(
      401,
      'invalid_client',
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
    ),
  /** Client assertions (certificate or federated credential) in place of a secret. */
  unsupportedAssertionType: (assertionType: string) =>
    new EntraError(
      400,
      'invalid_request',
      50027,
      `Invalid client_assertion_type '${assertionType}': expected 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.`,
    ),
  malformedAssertion: (reason: string) =>
    new EntraError(400, 'invalid_request', 50027, `JWT token is invalid or malformed: ${reason}.`),
  assertionKeyNotFound: (thumbprint: string, clientId: string) =>
    new EntraError(
      401,
      'invalid_client',
      700027,
      `Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${clientId}'.]`,
    ),
  assertionSignatureInvalid: (thumbprint: string, clientId: string) =>
    new EntraError(
      401,
      'invalid_client',
      700027,
      `Client assertion contains an invalid signature. [Reason - The provided signature value did not match the expected signature value., Thumbprint of key used by client: '${thumbprint}', app Id '${clientId}'.]`,
    ),
  assertionAudience: () =>
    new EntraError(
      401,
      'invalid_client',
      700023,
      'Client assertion audience claim does not match Realm issuer. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials.',
    ),
  assertionClientMismatch: () =>
    new EntraError(
      401,
      'invalid_client',
      700021,
      "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials.",
    ),
  assertionTimeRange: (now: Date, validFrom: Date, expires: Date) =>
    new EntraError(
      401,
      'invalid_client',
      700024,
      `Client assertion is not within its valid time range. Current time: ${now.toISOString()}, assertion valid from ${validFrom.toISOString()}, expiry time of assertion ${expires.toISOString()}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials.`,
    ),
  noFederatedIdentityRecord: (issuer: string, subject: string, audience: string) =>
    new EntraError(
      400,
      'invalid_request',
      70021,
      `No matching federated identity record found for presented assertion. Assertion Issuer: '${issuer}'. Assertion Subject: '${subject}'. Assertion Audience: '${audience}'. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`,
    ),
  federatedAssertionSignatureInvalid: (issuer: string) =>
    new EntraError(
      401,
      'invalid_client',
      700027,
      `Client assertion contains an invalid signature. [Reason - No key of the issuer '${issuer}' verifies the assertion's signature.]`,
    ),
  scopeWithoutDefault: (scope: string) =>
    new EntraError(
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    ),
  resourceNotFound: (resource: string, tenant: string) =>
    new EntraError(
      400,
      'invalid_resource',
      500011,
      `The resource principal named ${resource} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    ),
  applicationNotAssigned: (clientId: string, applicationName: string, resource: string) =>
    new EntraError(
      400,
      'invalid_grant',
      501051,
      `Application '${clientId}'(${applicationName}) is not assigned to a role for the application '${resource}'.`,
    ),
  /** Instance discovery (`/common/discovery/instance`) asked about a host that is not this authority. */
  unknownInstance: () => new EntraError(400, 'invalid_instance', 50049, 'Unknown or invalid instance.'),
  invalidApiVersion: () => new EntraError(400, 'invalid_request', 500501, "Invalid value for 'api-version'."),
  discoveryTargetCount: () =>
    new EntraError(
      400,
      'invalid_request',
      500502,
      "Expected exactly one of 'issuer' and 'authorization_endpoint'.",
    ),
  malformedDiscoveryValue: (name: string) =>
    new EntraError(
      400,
      'invalid_request',
      50050,
      `The request is malformed: invalid format for '${name}' value.`,
    ),
  throttled: (retryAfterSeconds: number) =>
    new EntraError(
      429,
      'temporarily_unavailable',
      90055,
      'There are too many incoming requests. Please try again later.',
      { 'retry-after': String(retryAfterSeconds) },
    ),
  /** The authorize endpoint's errors: shown as a page until the redirect URI is known good, then redirected. */
  redirectUriMismatch: (redirectUri: string, clientId: string) =>
    new EntraError(
      400,
      'invalid_request',
      50011,
      `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.`,
    ),
  pkceRequired: () =>
    new EntraError(
      400,
      'invalid_request',
      9002325,
      'Proof Key for Code Exchange is required for cross-origin authorization code redemption.',
    ),
  unsupportedChallengeMethod: (method: string) =>
    new EntraError(
      400,
      'invalid_request',
      501491,
      `Invalid value '${method}' for code_challenge_method: only S256 is supported.`,
    ),
  unsupportedResponseType: (responseType: string) =>
    new EntraError(
      400,
      'unsupported_response_type',
      700054,
      `response_type '${responseType}' is not enabled for the application.`,
    ),
  unsupportedResponseMode: (responseMode: string) =>
    new EntraError(400, 'invalid_request', 900144, `The response_mode '${responseMode}' is not supported.`),
  noSession: () =>
    new EntraError(
      400,
      'login_required',
      50058,
      'A silent sign-in request was sent but no user is signed in.',
    ),
  sessionHintMismatch: () =>
    new EntraError(
      400,
      'login_required',
      50058,
      'A silent sign-in request was sent but none of the currently signed in user(s) match the requested login hint.',
    ),
  consentRequired: (clientId: string, applicationName: string) =>
    new EntraError(
      400,
      'consent_required',
      65001,
      `The user or administrator has not consented to use the application with ID '${clientId}' named '${applicationName}'. Send an interactive authorization request for this user and resource.`,
    ),
  scopeNotExposed: (scope: string) =>
    new EntraError(
      400,
      'invalid_scope',
      65005,
      `The application asked for scope '${scope}' that doesn't exist on the resource.`,
    ),
  scopesOfSeveralResources: () =>
    new EntraError(
      400,
      'invalid_scope',
      28000,
      'Provided value for the input parameter scope is not valid because it contains more than one resource.',
    ),
  signInExpired: () =>
    new EntraError(
      400,
      'invalid_request',
      50089,
      'Authentication failed due to flow token expired. Start the sign-in again from the application.',
    ),
  /** The token endpoint's answers to the authorization code and refresh token grants. */
  publicClientSecret: () =>
    new EntraError(
      401,
      'invalid_client',
      700025,
      "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
    ),
  crossOriginRequired: () =>
    new EntraError(
      400,
      'invalid_request',
      9002327,
      "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.",
    ),
  unknownGrant: (what: 'code' | 'refresh token') =>
    new EntraError(
      400,
      'invalid_grant',
      9002313,
      `Invalid request. Request is malformed or invalid: the ${what} is not one this tenant issued.`,
    ),
  codeRedeemed: () =>
    new EntraError(
      400,
      'invalid_grant',
      54005,
      'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
    ),
  grantExpired: () =>
    new EntraError(
      400,
      'invalid_grant',
      70008,
      'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
    ),
  grantOfAnotherClient: () =>
    new EntraError(
      400,
      'invalid_grant',
      70000,
      'The provided grant was issued to another client or in another tenant.',
    ),
  redirectUriChanged: () =>
    new EntraError(
      400,
      'invalid_grant',
      70000,
      "The provided value for the input parameter 'redirect_uri' is not valid. The value must exactly match the redirect URI used to obtain the authorization code.",
    ),
  codeVerifierMismatch: () =>
    new EntraError(
      400,
      'invalid_grant',
      501481,
      'The Code_Verifier does not match the code_challenge supplied in the authorization request.',
    ),
  serverError: () =>
    new EntraError(
      500,
      'server_error',
      50000,
      'There was an error issuing a token or an issue with our sign-in service.',
    ),
} as const;
