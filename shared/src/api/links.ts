import { z } from 'zod';
import { GuidSchema } from '../ids';
import { LINK_STATES, LinkSchema } from '../link';
import { ContinuationTokenParamSchema, ContractIdParamSchema, countParamSchema } from './params';

/** What links can be narrowed to (the list and the CSV export). */
export const LinksFilterSchema = z.object({
  contractId: ContractIdParamSchema.optional(),
  /** A Dynamics line id (or its start) or an Oneflow product id. */
  q: z.string().trim().min(1).max(100).optional(),
});

/** `GET /api/links`: the filter, and a page of at most `limit` links (100 unless asked). */
export const LinksQuerySchema = LinksFilterSchema.extend({
  limit: countParamSchema(1000).optional(),
  continuationToken: ContinuationTokenParamSchema,
});

/**
 * A page of links: `continuationToken` (null on the last page) fetches the next one; `total` is given for one
 * contract's links (or when one page holds them all), null where counting would read every link of the tenant.
 */
export const LinksPageAnswerSchema = z.strictObject({
  links: z.array(LinkSchema),
  continuationToken: z.string().nullable(),
  total: z.number().int().min(0).nullable(),
});
export type LinksPageAnswer = z.infer<typeof LinksPageAnswerSchema>;

/** `links/{contractId}/{lineId}`. */
export const LinkParamsSchema = z.object({ contractId: ContractIdParamSchema, lineId: GuidSchema });

/** `PATCH /api/links/{contractId}/{lineId}`: re-point the link at another product, or mark it. */
export const LinkPatchBodySchema = z
  .strictObject({
    productId: z.number().int().positive().optional(),
    state: z.enum(LINK_STATES).optional(),
  })
  .refine((patch) => patch.productId !== undefined || patch.state !== undefined, {
    message: 'must change productId or state',
  });
export type LinkPatchBody = z.infer<typeof LinkPatchBodySchema>;

/** The link as the repair left it. */
export const LinkAnswerSchema = z.strictObject({ link: LinkSchema });
export type LinkAnswer = z.infer<typeof LinkAnswerSchema>;

/** The columns of `GET /api/links/export.csv`, in order (the base as JSON in one column). */
export const LINKS_CSV_COLUMNS = ['contractId', 'lineId', 'productId', 'state', 'syncedAt', 'base'] as const;
