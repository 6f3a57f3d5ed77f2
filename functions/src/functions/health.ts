import { HealthAnswerSchema } from '@oneflow-sync/shared';
import { ok } from '../http/api';
import { publicRoute } from '../http/route';

export default publicRoute({ name: 'health', methods: ['GET'], route: 'health' }, async ({ services }) =>
  ok(HealthAnswerSchema, {
    status: 'ok',
    time: services.clock().toISOString(),
    tenants: services.config.tenants.length,
  }),
);
