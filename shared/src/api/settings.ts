import { z } from 'zod';
import { EntitySettingsSchema } from '../settings';

/**
 * `GET`, `PUT /api/settings/{entity}` and `POST …/reset`: the entity's settings. Saved ones carry their etag (also
 * the ETag header, sent back as If-Match); the defaults of a built-in entity have none (`isDefault`).
 */
export const SettingsAnswerSchema = z.discriminatedUnion('isDefault', [
  z.strictObject({
    settings: EntitySettingsSchema,
    etag: z.string().min(1),
    isDefault: z.literal(false),
    updatedAt: z.iso.datetime({ offset: true }),
    updatedBy: z.string(),
  }),
  z.strictObject({
    settings: EntitySettingsSchema,
    etag: z.null(),
    isDefault: z.literal(true),
    updatedAt: z.null(),
    updatedBy: z.null(),
  }),
]);
export type SettingsAnswer = z.infer<typeof SettingsAnswerSchema>;

/** The body of `PUT /api/settings/{entity}`: the settings themselves (then checked against Dynamics' columns). */
export const SettingsPutBodySchema = EntitySettingsSchema;
