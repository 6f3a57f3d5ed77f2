import { defaultSettings, EntityParamsSchema, resetToDefault } from '@oneflow-sync/shared';
import { readParams } from '../http/api';
import { notFound } from '../http/errors';
import { signedInRoute } from '../http/route';
import { saveSettings } from './settingsPut';

/** "Reset to default": the mappings go back to the defaults of the chosen source; the toggle and source stay. */
export default signedInRoute(
  'admin',
  { name: 'settingsReset', methods: ['POST'], route: 'settings/{entity}/reset' },
  async (context) => {
    const { entity } = readParams(context.request, EntityParamsSchema);
    const stored = await context.services.store.settings.get(context.principal.tenantId, entity);
    const current = stored?.settings ?? defaultSettings(entity);
    if (!current) throw notFound(`No product sync settings for ${entity} to reset`);
    // A custom source's default maps its primary name column to Oneflow's Name (without it the reset settings
    // would transfer nothing: products on, and no name for them).
    const primaryName = await context.tenant.dynamics.primaryNameAttribute(current.productSource.entity);
    return saveSettings(context, entity, resetToDefault(current, primaryName ?? undefined));
  },
);
