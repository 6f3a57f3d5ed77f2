import { z } from 'zod';

/** What Oneflow posts to `POST /api/webhooks/oneflow/{orgKey}` when a contract changes. */
export const WebhookNotificationSchema = z.object({
  contract: z.object({ id: z.number().int().positive() }),
  // Characters as Oneflow counts them (an emoji is one), not UTF-16 units.
  callback_id: z
    .string()
    .min(1)
    .refine((id) => Array.from(id).length <= 200, 'must have at most 200 characters'),
  events: z.array(z.object({ type: z.string().min(1) }).loose()).default([]),
  signature: z.string().min(1).max(200),
});

/** Queued for a fetch, seen before (dropped), or about a contract not synced here (acknowledged). */
export const WebhookAnswerSchema = z.discriminatedUnion('status', [
  z.strictObject({ status: z.literal('queued') }),
  z.strictObject({ status: z.literal('duplicate') }),
  z.strictObject({ status: z.literal('ignored'), reason: z.string() }),
]);
export type WebhookAnswer = z.infer<typeof WebhookAnswerSchema>;
