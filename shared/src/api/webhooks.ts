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

/**
 * Taken: queued for the queue processor, which drops a notification seen before (same callback id) and one about
 * a contract not synced here, and fetches the rest.
 */
export const WebhookAnswerSchema = z.strictObject({ status: z.literal('queued') });
export type WebhookAnswer = z.infer<typeof WebhookAnswerSchema>;
