import { LogicalNameSchema } from '@oneflow-sync/shared';
import { z } from 'zod';
import type { SignedInContext } from './route';
import type { Actor, SyncDeps } from '../sync/syncService';

export { GuidSchema, LogicalNameSchema } from '@oneflow-sync/shared';

/**
 * An Oneflow contract id as it appears in an address or a query: plain decimal digits, nothing else. A number
 * parser would also read `0x3e9`, `00001001`, `1001.0`, `1e3` or ` 1001 ` as a contract, so one contract would
 * have many addresses (and caches, logs and links would not agree on which one was meant).
 */
export const ContractIdSchema = z
  .string()
  .regex(
    /^[1-9][0-9]*$/,
    'must be a contract id: a whole number in plain digits without leading zeros, like 1001',
  )
  .transform(Number)
  .pipe(z.number().max(Number.MAX_SAFE_INTEGER, `must be at most ${String(Number.MAX_SAFE_INTEGER)}`));

/** A count in a query (`limit`): plain decimal digits from 1 to `max`, for the same reason as contract ids. */
export function countSchema(max: number) {
  return z
    .string()
    .regex(/^[1-9][0-9]*$/, 'must be a whole number in plain digits without leading zeros, like 50')
    .transform(Number)
    .pipe(z.number().max(max, `must be at most ${String(max)}`));
}

export const EntityParams = z.object({ entity: LogicalNameSchema });
export const ContractParams = z.object({ id: ContractIdSchema });

export function actorOf(context: SignedInContext): Actor {
  return { kind: context.principal.kind, id: context.principal.objectId, name: context.principal.name };
}

export function syncDeps(context: SignedInContext): SyncDeps {
  return { tenant: context.tenant, store: context.services.store, clock: () => context.services.clock() };
}
