import { z } from 'zod';
import { LogicalNameSchema } from '../ids';

/*
 * Parameters as they arrive in an address or a query string: strings, checked and turned into what they mean.
 */

/**
 * An Oneflow contract id as it appears in an address or a query: plain decimal digits, nothing else. A number
 * parser would also read `0x3e9`, `00001001`, `1001.0`, `1e3` or ` 1001 ` as a contract, so one contract would
 * have many addresses (and caches, logs and links would not agree on which one was meant).
 */
export const ContractIdParamSchema = z
  .string()
  .regex(
    /^[1-9][0-9]*$/,
    'must be a contract id: a whole number in plain digits without leading zeros, like 1001',
  )
  .transform(Number)
  .pipe(z.number().max(Number.MAX_SAFE_INTEGER, `must be at most ${String(Number.MAX_SAFE_INTEGER)}`));

/** A count in a query (`limit`): plain decimal digits from 1 to `max`, for the same reason as contract ids. */
export function countParamSchema(max: number) {
  return z
    .string()
    .regex(/^[1-9][0-9]*$/, 'must be a whole number in plain digits without leading zeros, like 50')
    .transform(Number)
    .pipe(z.number().max(max, `must be at most ${String(max)}`));
}

/** `continuationToken` as a query parameter: opaque, handed out by the previous page of the same listing. */
export const ContinuationTokenParamSchema = z.string().min(1).max(2048).optional();

/** `settings/{entity}`. */
export const EntityParamsSchema = z.object({ entity: LogicalNameSchema });
/** `contracts/{id}/…`. */
export const ContractParamsSchema = z.object({ id: ContractIdParamSchema });
/** `?entity=` of the metadata routes. */
export const EntityQuerySchema = z.object({ entity: LogicalNameSchema });
