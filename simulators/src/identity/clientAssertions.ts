import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import {
  compactVerify,
  decodeJwt,
  decodeProtectedHeader,
  errors as joseErrors,
  type JWTPayload,
  type ProtectedHeaderParameters,
} from 'jose';
import { entraErrors } from './errors';
import type { Application } from './fixture';

/** RFC 7523's assertion type: the only one Entra's token endpoint takes. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** The audience Entra expects in a federated credential's token (workload identity federation). */
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';
/** Algorithms of certificate assertions: msal-node signs RS256 with a SHA-1 thumbprint, PS256 with SHA-256. */
const CERTIFICATE_ALGORITHMS = ['RS256', 'PS256'];
/** Clock skew Entra allows on an assertion's nbf and exp. */
const CLOCK_SKEW_SECONDS = 300;

export interface AssertionContext {
  application: Application;
  /** The token endpoint URLs of the tenant the request was sent to (by id, and as the client addressed it). */
  tokenEndpoints: readonly string[];
  /** Whether this simulator signed the token (the managed-identity endpoint's tokens). */
  signedBySimulator(assertion: string): Promise<boolean>;
  /**
   * Whether a token's `aud` is a federated credential's audience: the App ID URI itself, or the application id
   * of the resource it names, which is what a v2 token carries.
   */
  audienceMatches(credentialAudience: string, presented: string): boolean;
}

interface DecodedAssertion {
  header: ProtectedHeaderParameters;
  claims: JWTPayload;
}

function decode(assertion: string): DecodedAssertion {
  try {
    return { header: decodeProtectedHeader(assertion), claims: decodeJwt(assertion) };
  } catch {
    throw entraErrors.malformedAssertion('the client assertion is not a JWT');
  }
}

function thumbprints(certificatePem: string): { sha1: string; sha256: string; publicKey: KeyObject } {
  const der = new X509Certificate(certificatePem);
  return {
    sha1: createHash('sha1').update(der.raw).digest('base64url'),
    sha256: createHash('sha256').update(der.raw).digest('base64url'),
    publicKey: der.publicKey,
  };
}

/** A base64url thumbprint as Entra's messages show it: upper-case hex. */
function hexThumbprint(base64url: string): string {
  return Buffer.from(base64url, 'base64url').toString('hex').toUpperCase();
}

function checkTime(claims: JWTPayload, now: Date): void {
  const seconds = now.getTime() / 1000;
  if (claims.exp === undefined) throw entraErrors.malformedAssertion("the 'exp' claim is missing");
  const validFrom = claims.nbf ?? claims.iat ?? 0;
  if (seconds > claims.exp + CLOCK_SKEW_SECONDS || seconds < validFrom - CLOCK_SKEW_SECONDS) {
    throw entraErrors.assertionTimeRange(now, new Date(validFrom * 1000), new Date(claims.exp * 1000));
  }
}

async function signatureVerifies(assertion: string, key: KeyObject): Promise<boolean> {
  try {
    await compactVerify(assertion, key, { algorithms: CERTIFICATE_ALGORITHMS });
    return true;
  } catch (error) {
    if (error instanceof joseErrors.JOSEError) return false;
    throw error;
  }
}

/**
 * A certificate assertion (RFC 7523 with Entra's rules): the header names a certificate registered on the app by
 * thumbprint, its key signed the assertion, `aud` is the token endpoint, `iss` = `sub` = the client id, it is
 * within nbf/exp (five minutes of skew) and has a `jti`. Checked in the order Entra reports problems.
 */
async function verifyCertificateAssertion(
  assertion: string,
  { header, claims }: DecodedAssertion,
  context: AssertionContext,
  now: Date,
): Promise<void> {
  const { application } = context;
  const sha256 = header['x5t#S256'];
  const sha1 = header.x5t;
  const presented = typeof sha256 === 'string' ? sha256 : sha1;
  if (typeof presented !== 'string')
    throw entraErrors.malformedAssertion('no certificate thumbprint in the header');
  const registered = application.certificates
    .map((certificate) => thumbprints(certificate.certificatePem))
    .find(
      (certificate) => (typeof sha256 === 'string' ? certificate.sha256 : certificate.sha1) === presented,
    );
  if (!registered) throw entraErrors.assertionKeyNotFound(hexThumbprint(presented), application.clientId);
  if (!(await signatureVerifies(assertion, registered.publicKey))) {
    throw entraErrors.assertionSignatureInvalid(hexThumbprint(presented), application.clientId);
  }
  const audiences = typeof claims.aud === 'string' ? [claims.aud] : (claims.aud ?? []);
  if (!audiences.some((audience) => context.tokenEndpoints.includes(audience))) {
    throw entraErrors.assertionAudience();
  }
  if (claims.iss !== application.clientId || claims.sub !== application.clientId) {
    throw entraErrors.assertionClientMismatch();
  }
  checkTime(claims, now);
  if (typeof claims.jti !== 'string' || claims.jti === '') {
    throw entraErrors.malformedAssertion("the 'jti' claim is missing");
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/** Exact and case-sensitive, as Entra matches federated credentials; `*` stands for a port. */
function issuerMatches(pattern: string, issuer: string): boolean {
  const expression = pattern.split('*').map(escapeRegExp).join('\\d+');
  return new RegExp(`^${expression}$`).test(issuer);
}

/**
 * A federated assertion: a token from another issuer (here: the simulator's managed-identity endpoint) that a
 * federated identity credential on the app names by issuer, subject and audience, signed by that issuer's key.
 */
async function verifyFederatedAssertion(
  assertion: string,
  { claims }: DecodedAssertion,
  context: AssertionContext,
  now: Date,
): Promise<void> {
  const issuer = claims.iss ?? '';
  const subject = claims.sub ?? '';
  const audiences = typeof claims.aud === 'string' ? [claims.aud] : (claims.aud ?? []);
  const record = context.application.federatedIdentityCredentials.find(
    (credential) =>
      issuerMatches(credential.issuer, issuer) &&
      credential.subject === subject &&
      audiences.some((audience) =>
        credential.audiences.some((expected) => context.audienceMatches(expected, audience)),
      ),
  );
  if (!record) throw entraErrors.noFederatedIdentityRecord(issuer, subject, audiences.join(', '));
  checkTime(claims, now);
  if (!(await context.signedBySimulator(assertion))) {
    throw entraErrors.federatedAssertionSignatureInvalid(issuer);
  }
}

/**
 * The client-credentials grant's `client_assertion`: a certificate assertion when the header names a certificate
 * thumbprint, otherwise a federated credential's token. Throws the EntraError Entra would answer with.
 */
export async function verifyClientAssertion(
  assertionType: string | undefined,
  assertion: string,
  context: AssertionContext,
): Promise<void> {
  if (assertionType === undefined) throw entraErrors.missingParameter('client_assertion_type');
  if (assertionType !== JWT_BEARER_ASSERTION_TYPE) throw entraErrors.unsupportedAssertionType(assertionType);
  const decoded = decode(assertion);
  // Date.now, not new Date(): a test moves the clock of the in-process simulator with it.
  const now = new Date(Date.now());
  const { header } = decoded;
  if (header.x5t !== undefined || header['x5t#S256'] !== undefined) {
    await verifyCertificateAssertion(assertion, decoded, context, now);
  } else {
    await verifyFederatedAssertion(assertion, decoded, context, now);
  }
}
