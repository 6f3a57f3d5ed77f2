import { TemplatesAnswerSchema } from '@oneflow-sync/shared';
import { ok } from '../http/api';
import { signedInRoute } from '../http/route';
import { productTemplates } from '../http/templates';

/** The Oneflow templates "Create contract" may start from: the workspace's templates with a product table. */
export default signedInRoute(
  'user',
  { name: 'templatesList', methods: ['GET'], route: 'templates' },
  async ({ tenant }) => ok(TemplatesAnswerSchema, { templates: await productTemplates(tenant) }),
);
