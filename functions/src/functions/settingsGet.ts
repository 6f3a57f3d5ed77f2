import { defaultSettings, EntityParamsSchema, SettingsAnswerSchema } from '@oneflow-sync/shared';
import { ok, readParams, type ApiResponse } from '../http/api';
import { notFound } from '../http/errors';
import { signedInRoute } from '../http/route';
import type { StoredSettings } from '../state/store';

/** Saved settings as GET, PUT and reset answer them, with their etag also as the ETag header. */
export function storedSettingsAnswer(stored: StoredSettings): ApiResponse {
  const { settings, etag, updatedAt, updatedBy } = stored;
  return ok(SettingsAnswerSchema, { settings, etag, isDefault: false, updatedAt, updatedBy }, { ETag: etag });
}

/** The entity's settings: the admin's, or the defaults (etag null: nothing saved yet). */
export default signedInRoute(
  'user',
  { name: 'settingsGet', methods: ['GET'], route: 'settings/{entity}' },
  async (context) => {
    const { entity } = readParams(context.request, EntityParamsSchema);
    const stored = await context.services.store.settings.get(context.principal.tenantId, entity);
    if (stored) return storedSettingsAnswer(stored);
    const defaults = defaultSettings(entity);
    if (!defaults) throw notFound(`No product sync settings for ${entity} yet`);
    return ok(SettingsAnswerSchema, {
      settings: defaults,
      etag: null,
      isDefault: true,
      updatedAt: null,
      updatedBy: null,
    });
  },
);
