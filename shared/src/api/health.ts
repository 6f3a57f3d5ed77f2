import { z } from 'zod';

/** `GET /api/health`: anyone may ask; says the app runs and how many organisations it serves. */
export const HealthAnswerSchema = z.strictObject({
  status: z.literal('ok'),
  time: z.iso.datetime({ offset: true }),
  tenants: z.number().int().min(0),
});
export type HealthAnswer = z.infer<typeof HealthAnswerSchema>;
