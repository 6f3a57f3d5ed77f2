import { z } from 'zod';
import { EntityParamsSchema, SettingsImpactAnswerSchema } from '@oneflow-sync/shared';
import { ok, readBody, readParams } from '../http/api';
import { actorOf, syncDeps } from '../http/params';
import { signedInRoute } from '../http/route';
import { previewSettingsImpact } from '../sync/settingsImpact';
import { checkedSettings } from './settingsPut';

/**
 * What saving candidate settings would do to the entity's synced contracts: their next push and fetch planned
 * with the settings in force and with the candidate ones, compared. The body is checked exactly as a save checks
 * it; nothing is written anywhere.
 */
export default signedInRoute(
  'admin',
  { name: 'settingsImpact', methods: ['POST'], route: 'settings/{entity}/impact' },
  async (context) => {
    const { entity } = readParams(context.request, EntityParamsSchema);
    const input = await readBody(context.request, z.unknown());
    const candidate = await checkedSettings(context, entity, input);
    return ok(
      SettingsImpactAnswerSchema,
      await previewSettingsImpact(syncDeps(context), {
        tenantId: context.principal.tenantId,
        entity,
        candidate,
        actor: actorOf(context),
      }),
    );
  },
);
