import { z } from 'zod';
import {
  EntityParamsSchema,
  EntitySettingsSchema,
  validateSettings,
  type EntitySettings,
} from '@oneflow-sync/shared';
import { readBody, readParams, type ApiResponse } from '../http/api';
import { badRequest } from '../http/errors';
import { PreconditionFailedError } from '../state/errors';
import { signedInRoute, type SignedInContext } from '../http/route';
import { storedSettingsAnswer } from './settingsGet';

/**
 * The API's name for a settings problem's place: `mappings[2].direction` → `body.mappings.2.direction`, as every
 * other body error names its field; the whole settings object (`settings`) → `body`.
 */
function fieldOf(path: string): string {
  if (path === 'settings' || path === '') return 'body';
  return `body.${path.replace(/\[(\d+)\]/g, '.$1').replace(/^\./, '')}`;
}

/**
 * Checks settings as an admin sends them: their shape, then against the product source's real columns and
 * relationships in Dynamics. Every problem names its field (`body.mappings.2.direction`).
 */
export async function checkedSettings(
  context: SignedInContext,
  entity: string,
  input: unknown,
): Promise<EntitySettings> {
  const shape = EntitySettingsSchema.safeParse(input);
  if (!shape.success) {
    const validation = validateSettings(input, []);
    const problems = validation.ok ? [] : validation.problems;
    throw badRequest(
      'The settings are not valid',
      problems.map((problem) => ({ field: fieldOf(problem.path), message: problem.message })),
    );
  }
  const settings = shape.data;
  if (settings.mainEntity !== entity) {
    throw badRequest('The settings are for another entity', [
      { field: 'body.mainEntity', message: `must be ${entity}, the entity in the address` },
    ]);
  }
  const { dynamics } = context.tenant;
  const sources = await dynamics.listProductSources(entity);
  const source = settings.productSource;
  const known = sources.some(
    (option) =>
      option.entity === source.entity &&
      option.lookupAttribute === source.lookupAttribute &&
      option.relationship === source.relationship,
  );
  if (!known) {
    throw badRequest('The product source is not valid', [
      {
        field: 'body.productSource',
        message: `${source.entity} (${source.lookupAttribute}) is not an N:1 relationship of ${entity} that can be a product source`,
      },
    ]);
  }
  const validation = validateSettings(input, await dynamics.listAttributes(source.entity));
  if (!validation.ok) {
    throw badRequest(
      'The settings are not valid',
      validation.problems.map((problem) => ({ field: fieldOf(problem.path), message: problem.message })),
    );
  }
  return validation.settings;
}

/** Saves settings. `If-Match` carries the etag the admin read; without it the settings must be new. */
export async function saveSettings(
  context: SignedInContext,
  entity: string,
  settings: EntitySettings,
): Promise<ApiResponse> {
  const { store } = context.services;
  const tenantId = context.principal.tenantId;
  const header = context.request.header('if-match');
  // No If-Match: the settings must be new. `*`: overwrite whatever is stored (HTTP's "any version").
  const current = header === null ? null : await store.settings.get(tenantId, entity);
  // An etag that is not the stored one is refused here: Table Storage answers a malformed one with a 400, not 412.
  if (header !== null && header !== '*' && current?.etag !== header) {
    throw new PreconditionFailedError(`Settings for ${entity}`, current ? 'changed' : 'missing');
  }
  const ifMatch = header === '*' ? (current?.etag ?? null) : header;
  const saved = await store.settings.put(
    tenantId,
    entity,
    settings,
    ifMatch,
    context.principal.name ?? context.principal.objectId,
  );
  return storedSettingsAnswer(saved);
}

export default signedInRoute(
  'admin',
  { name: 'settingsPut', methods: ['PUT'], route: 'settings/{entity}' },
  async (context) => {
    const { entity } = readParams(context.request, EntityParamsSchema);
    const input = await readBody(context.request, z.unknown());
    return saveSettings(context, entity, await checkedSettings(context, entity, input));
  },
);
