import { attributeKind, EntityQuerySchema, FieldsAnswerSchema, whyNotWritable } from '@oneflow-sync/shared';
import { ok, readQuery } from '../http/api';
import { signedInRoute } from '../http/route';

/** The columns of a product source entity, with what each can be used for in a mapping. */
export default signedInRoute(
  'user',
  { name: 'metadataFields', methods: ['GET'], route: 'metadata/fields' },
  async ({ request, tenant }) => {
    const { entity } = readQuery(request, EntityQuerySchema);
    const attributes = await tenant.dynamics.listAttributes(entity);
    return ok(FieldsAnswerSchema, {
      entity,
      fields: attributes
        .map((attribute) => ({
          ...attribute,
          kind: attributeKind(attribute),
          /** Why Oneflow's values cannot be written into it (two-way and Oneflow-to-Dynamics are refused). */
          notWritableBecause: whyNotWritable(attribute),
        }))
        .sort((a, b) => (a.displayName ?? a.logicalName).localeCompare(b.displayName ?? b.logicalName)),
    });
  },
);
