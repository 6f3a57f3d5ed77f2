import { defaultSettings } from '@oneflow-sync/shared';
import { ok, readParams } from '../http/api';
import { notFound } from '../http/errors';
import { EntityParams } from '../http/params';
import { signedInRoute } from '../http/route';

/** The entity's settings: the admin's, or the defaults (etag null: nothing saved yet). */
export default signedInRoute(
  'user',
  { name: 'settingsGet', methods: ['GET'], route: 'settings/{entity}' },
  async (context) => {
    const { entity } = readParams(context.request, EntityParams);
    const stored = await context.services.store.settings.get(context.principal.tenantId, entity);
    if (stored) {
      return ok(
        {
          settings: stored.settings,
          etag: stored.etag,
          isDefault: false,
          updatedAt: stored.updatedAt,
          updatedBy: stored.updatedBy,
        },
        { ETag: stored.etag },
      );
    }
    const defaults = defaultSettings(entity);
    if (!defaults) throw notFound(`No product sync settings for ${entity} yet`);
    return ok({ settings: defaults, etag: null, isDefault: true, updatedAt: null, updatedBy: null });
  },
);
