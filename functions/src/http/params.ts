import type { SignedInContext } from './route';
import type { Actor, SyncDeps } from '../sync/syncService';

export function actorOf(context: SignedInContext): Actor {
  return { kind: context.principal.kind, id: context.principal.objectId, name: context.principal.name };
}

export function syncDeps(context: SignedInContext): SyncDeps {
  return { tenant: context.tenant, store: context.services.store, clock: () => context.services.clock() };
}
