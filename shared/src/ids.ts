import { z } from 'zod';

/**
 * A Dataverse or Entra id: 8-4-4-4-12 hex digits, either case, read lower case. Any hex digit goes in every
 * position: Dataverse's sequential ids carry no RFC 4122 version or variant, so a stricter UUID check would
 * refuse real record ids. Braces and the 32-digit form are refused, since ids go into OData key paths as they are.
 */
export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const GuidSchema = z
  .string()
  .regex(GUID_PATTERN, 'must be a GUID')
  .transform((value) => value.toLowerCase());

/**
 * A Dataverse logical name: tables and columns are named in lower case ASCII letters, digits and `_`, starting
 * with a letter (a publisher prefix such as `new_` or a system name such as `opportunity`). Names are far shorter
 * than 128 characters; the bound keeps an absurd one out of table keys and messages.
 */
export const LOGICAL_NAME_PATTERN = /^[a-z][a-z0-9_]{0,127}$/;

export const LogicalNameSchema = z
  .string()
  .regex(LOGICAL_NAME_PATTERN, 'must be a Dataverse logical name (lowercase letters, digits, _)');
