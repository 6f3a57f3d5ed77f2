import { MainEntitiesAnswerSchema } from '@oneflow-sync/shared';
import { ok } from '../http/api';
import { signedInRoute } from '../http/route';

/** Entities that can carry product sync: customizable, valid for advanced find, not activities or process flows. */
export default signedInRoute(
  'user',
  { name: 'metadataMainEntities', methods: ['GET'], route: 'metadata/main-entities' },
  async ({ tenant }) => ok(MainEntitiesAnswerSchema, { entities: await tenant.dynamics.listMainEntities() }),
);
