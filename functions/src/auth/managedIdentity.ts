import type { TableServiceClient } from '@azure/data-tables';
import { AuthError, ManagedIdentityApplication } from '@azure/msal-node';
import { trustingNetworkClient } from './networkClient';

/**
 * Tokens of the Function app's managed identity, through @azure/msal-node's ManagedIdentityApplication: in App
 * Service and Azure Functions it calls the platform's endpoint (`IDENTITY_ENDPOINT` with the `IDENTITY_HEADER`
 * secret); elsewhere it falls back to the other sources MSAL knows (IMDS on a VM).
 *
 * MSAL chooses the endpoint once per process, from the environment at the first request, and keeps the network
 * client of the instance that made it: every instance here is built with the same CA option, and a process uses
 * one identity endpoint.
 *
 * Tokens are kept per (identity, resource) until five minutes before they expire, and concurrent first calls
 * share one request, so the storage SDKs (which ask before every request) reach the endpoint once an hour.
 */

/** The storage SDKs' token shape (`@azure/core-auth`'s TokenCredential), taken from the SDK's own constructor. */
type ConstructorOverloads<T> = T extends {
  new (...args: infer A1): unknown;
  new (...args: infer A2): unknown;
  new (...args: infer A3): unknown;
  new (...args: infer A4): unknown;
}
  ? A1 | A2 | A3 | A4
  : never;
export type TokenCredential = Extract<
  ConstructorOverloads<typeof TableServiceClient>[1],
  { getToken: unknown }
>;
export type AccessToken = NonNullable<Awaited<ReturnType<TokenCredential['getToken']>>>;

export interface ManagedIdentityOptions {
  /** A user-assigned identity's client id; absent: the app's system-assigned identity. */
  clientId?: string | undefined;
  /**
   * PEM of the one CA to trust when the identity endpoint is https with a private certificate (the identity
   * simulator). Azure's endpoint is plain http on the instance itself and needs none.
   */
  caCertificatePem?: string | undefined;
}

/** Azure Storage (tables, queues, blobs): the resource of every storage token. */
export const STORAGE_RESOURCE = 'https://storage.azure.com';

/** A token is renewed this long before it expires (MSAL's own margin), so no request carries one about to lapse. */
const RENEW_BEFORE_MS = 5 * 60 * 1000;

export class ManagedIdentityError extends Error {
  constructor(
    readonly resource: string,
    readonly clientId: string | undefined,
    /** MSAL's or the endpoint's error code, e.g. `network_error`. */
    readonly errorCode: string | null,
    detail: string,
  ) {
    const who =
      clientId === undefined ? 'the system-assigned identity' : `user-assigned identity ${clientId}`;
    super(
      `Could not get a managed identity token for ${resource} (${who}): ${errorCode ?? 'error'}: ${detail}`,
    );
    this.name = 'ManagedIdentityError';
  }
}

const applications = new Map<string, ManagedIdentityApplication>();
const tokens = new Map<string, AccessToken>();
const inFlight = new Map<string, Promise<AccessToken>>();

/** Forgets this module's tokens and MSAL instances (MSAL's own per-process cache stays). For tests. */
export function clearManagedIdentityCache(): void {
  applications.clear();
  tokens.clear();
  inFlight.clear();
}

function application(options: ManagedIdentityOptions): ManagedIdentityApplication {
  const key = options.clientId ?? '';
  let existing = applications.get(key);
  if (existing === undefined) {
    existing = new ManagedIdentityApplication({
      ...(options.clientId === undefined
        ? {}
        : { managedIdentityIdParams: { userAssignedClientId: options.clientId } }),
      system: { networkClient: trustingNetworkClient(options.caCertificatePem) },
    });
    applications.set(key, existing);
  }
  return existing;
}

function firstLine(text: string): string {
  return text.split(/\r?\n/)[0]?.trim() ?? '';
}

async function acquire(resource: string, options: ManagedIdentityOptions): Promise<AccessToken> {
  try {
    const result = await application(options).acquireToken({ resource });
    if (!result.accessToken || result.expiresOn === null) {
      throw new ManagedIdentityError(resource, options.clientId, null, 'the endpoint returned no token');
    }
    return { token: result.accessToken, expiresOnTimestamp: result.expiresOn.getTime() };
  } catch (error) {
    if (error instanceof ManagedIdentityError) throw error;
    if (error instanceof AuthError) {
      throw new ManagedIdentityError(
        resource,
        options.clientId,
        error.errorCode || null,
        firstLine(error.errorMessage) || error.message,
      );
    }
    throw new ManagedIdentityError(
      resource,
      options.clientId,
      'network',
      error instanceof Error ? error.message : String(error),
    );
  }
}

/** A token of the managed identity for `resource` (e.g. `https://storage.azure.com`; a `/.default` suffix is dropped). */
export function managedIdentityToken(
  resource: string,
  options: ManagedIdentityOptions = {},
): Promise<AccessToken> {
  const normalised = resource.replace(/\/\.default$/, '').replace(/\/+$/, '');
  const key = `${options.clientId ?? ''}|${normalised}`;
  const cached = tokens.get(key);
  if (cached !== undefined && cached.expiresOnTimestamp - RENEW_BEFORE_MS > Date.now()) {
    return Promise.resolve(cached);
  }
  const running = inFlight.get(key);
  if (running !== undefined) return running;
  const pending = acquire(normalised, options)
    .then((token) => {
      tokens.set(key, token);
      return token;
    })
    .finally(() => {
      inFlight.delete(key);
    });
  inFlight.set(key, pending);
  return pending;
}

/**
 * The managed identity as the Azure SDKs' TokenCredential. The SDK names the scope it needs (storage asks for
 * `https://storage.azure.com/.default`); one scope per call, as an identity token is for one resource.
 */
export function managedIdentityCredential(options: ManagedIdentityOptions = {}): TokenCredential {
  return {
    async getToken(scopes) {
      const list = typeof scopes === 'string' ? [scopes] : scopes;
      const [scope] = list;
      if (scope === undefined || list.length !== 1) {
        throw new ManagedIdentityError(
          list.join(' '),
          options.clientId,
          'invalid_scope',
          'a managed identity token is for exactly one resource',
        );
      }
      return managedIdentityToken(scope, options);
    },
  };
}
