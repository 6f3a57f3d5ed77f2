import { z } from 'zod';
import type { SignedInContext } from './route';
import type { Actor, SyncDeps } from '../sync/syncService';

export const LogicalNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,127}$/, 'must be a Dataverse logical name (lowercase letters, digits, _)');

export const GuidSchema = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a GUID')
  .transform((value) => value.toLowerCase());

export const ContractIdSchema = z.coerce.number().int('must be a whole number').positive('must be positive');

export const EntityParams = z.object({ entity: LogicalNameSchema });
export const ContractParams = z.object({ id: ContractIdSchema });

export function actorOf(context: SignedInContext): Actor {
  return { kind: context.principal.kind, id: context.principal.objectId, name: context.principal.name };
}

export function syncDeps(context: SignedInContext): SyncDeps {
  return { tenant: context.tenant, store: context.services.store, clock: () => context.services.clock() };
}
