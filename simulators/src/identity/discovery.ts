import { entraErrors } from './errors';

/** The v2.0 OpenID Connect discovery document, shaped like Entra's for one tenant. */
export interface OpenIdConfiguration {
  token_endpoint: string;
  token_endpoint_auth_methods_supported: string[];
  jwks_uri: string;
  response_modes_supported: string[];
  subject_types_supported: string[];
  id_token_signing_alg_values_supported: string[];
  response_types_supported: string[];
  scopes_supported: string[];
  issuer: string;
  request_uri_parameter_supported: boolean;
  authorization_endpoint: string;
  device_authorization_endpoint: string;
  http_logout_supported: boolean;
  frontchannel_logout_supported: boolean;
  end_session_endpoint: string;
  claims_supported: string[];
  tenant_region_scope: string | null;
  cloud_instance_name: string;
  cloud_graph_host_name: string;
  msgraph_host: string;
}

/** Tenant-independent names Entra serves discovery for; their issuer keeps the `{tenantid}` placeholder. */
const MULTI_TENANT_SEGMENTS = ['common', 'organizations'] as const;

export function isMultiTenantSegment(segment: string): boolean {
  return (MULTI_TENANT_SEGMENTS as readonly string[]).includes(segment.toLowerCase());
}

/**
 * `pathTenant` is the tenant as it appears in endpoint URLs (Entra answers with the tenant id there, whatever
 * name the client used); `issuerTenant` is the tenant id, or `{tenantid}` for common and organizations.
 */
export function openIdConfiguration(
  baseUrl: string,
  pathTenant: string,
  issuerTenant: string,
): OpenIdConfiguration {
  const oauth = `${baseUrl}/${pathTenant}/oauth2/v2.0`;
  return {
    token_endpoint: `${oauth}/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${baseUrl}/${pathTenant}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${baseUrl}/${issuerTenant}/v2.0`,
    request_uri_parameter_supported: false,
    authorization_endpoint: `${oauth}/authorize`,
    device_authorization_endpoint: `${oauth}/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${oauth}/logout`,
    claims_supported: [
      'sub',
      'iss',
      'cloud_instance_name',
      'cloud_instance_host_name',
      'cloud_graph_host_name',
      'msgraph_host',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'acr',
      'nonce',
      'preferred_username',
      'name',
      'tid',
      'ver',
      'at_hash',
      'c_hash',
      'email',
    ],
    // Entra's common and organizations documents carry null: no single tenant, so no region.
    tenant_region_scope: issuerTenant === '{tenantid}' ? null : 'EU',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
  };
}

/** Entra's instance discovery answer: where the tenant's document is, and (api-version 1.1) the host aliases. */
export interface InstanceDiscovery {
  tenant_discovery_endpoint: string;
  'api-version'?: string;
  metadata?: { preferred_network: string; preferred_cache: string; aliases: string[] }[];
}

/**
 * The hosts (`host:port`) this simulator answers as, the one it listens on first: its certificate holds both
 * 127.0.0.1 and localhost, as Entra answers as login.microsoftonline.com, login.windows.net, ….
 */
export function instanceAliases(baseUrl: string): string[] {
  const listening = new URL(baseUrl);
  const aliases = new Set([listening.host]);
  for (const name of ['127.0.0.1', 'localhost']) {
    const alias = new URL(listening.href);
    alias.hostname = name;
    aliases.add(alias.host);
  }
  return [...aliases];
}

export interface InstanceDiscoveryQuery {
  'api-version'?: string | undefined;
  authorization_endpoint?: string | undefined;
  issuer?: string | undefined;
}

/**
 * `GET /common/discovery/instance`, checked in Entra's order: api-version (1.0 or 1.1), exactly one of `issuer`
 * and `authorization_endpoint`, an https URL, a host that is one of this authority's aliases. A v2.0 authorize
 * endpoint points at the tenant's v2.0 document, anything else at the v1 one (not served here). The tenant is
 * not looked up: Entra answers for any tenant name on a known instance.
 */
export function instanceDiscovery(
  query: InstanceDiscoveryQuery,
  aliases: readonly string[],
): InstanceDiscovery {
  const apiVersion = query['api-version'];
  if (apiVersion !== '1.0' && apiVersion !== '1.1') throw entraErrors.invalidApiVersion();
  const given = (['authorization_endpoint', 'issuer'] as const).filter((name) => query[name] !== undefined);
  const [name] = given;
  const value = name === undefined ? undefined : query[name];
  if (given.length !== 1 || name === undefined || value === undefined)
    throw entraErrors.discoveryTargetCount();
  let target: URL;
  try {
    target = new URL(value);
  } catch {
    throw entraErrors.malformedDiscoveryValue(name);
  }
  const [tenant] = target.pathname.split('/').filter((segment) => segment !== '');
  if (target.protocol !== 'https:' || tenant === undefined) throw entraErrors.malformedDiscoveryValue(name);
  if (!aliases.includes(target.host)) throw entraErrors.unknownInstance();
  const isV2Authorize =
    name === 'authorization_endpoint' &&
    target.pathname.toLowerCase() === `/${tenant.toLowerCase()}/oauth2/v2.0/authorize`;
  const tenantDiscoveryEndpoint = `${target.origin}/${tenant}${isV2Authorize ? '/v2.0' : ''}/.well-known/openid-configuration`;
  if (apiVersion === '1.0') return { tenant_discovery_endpoint: tenantDiscoveryEndpoint };
  const [preferred = target.host] = aliases;
  return {
    tenant_discovery_endpoint: tenantDiscoveryEndpoint,
    'api-version': '1.1',
    metadata: [{ preferred_network: preferred, preferred_cache: preferred, aliases: [...aliases] }],
  };
}
