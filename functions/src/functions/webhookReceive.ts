import { z } from 'zod';
import { WebhookAnswerSchema, WebhookNotificationSchema } from '@oneflow-sync/shared';
import { OrgKeySchema } from '../config/config';
import { ok, readBody, readParams } from '../http/api';
import { ApiError, notFound } from '../http/errors';
import { publicRoute } from '../http/route';
import { isValidSignature } from '../webhooks/signature';

const OrgParams = z.object({ orgKey: OrgKeySchema });

/**
 * Oneflow's notification that a contract changed. Signature first (401 on mismatch, nothing else happens), then
 * the callback id: a notification seen before is answered 200 and dropped. Otherwise it is queued and answered
 * 200 at once; the queue processor does the fetch. Contracts not synced here are acknowledged and ignored.
 */
export default publicRoute(
  // Oneflow's servers call it, never a browser.
  { name: 'webhookReceive', methods: ['POST'], route: 'webhooks/oneflow/{orgKey}', crossOrigin: false },
  async ({ request, services, log }) => {
    const { orgKey } = readParams(request, OrgParams);
    const tenant = services.tenantByOrgKey(orgKey);
    if (!tenant) throw notFound('No organisation is set up at this webhook address');
    const notification = await readBody(request, WebhookNotificationSchema);
    if (!isValidSignature(notification.callback_id, tenant.secrets.webhookSignKey, notification.signature)) {
      throw new ApiError(401, 'invalid_signature', 'The notification signature does not match');
    }
    const contractId = notification.contract.id;
    const contract = await services.store.contracts.getById(tenant.tenantId, contractId);
    if (!contract)
      return ok(WebhookAnswerSchema, { status: 'ignored', reason: 'contract not synced with Dynamics' });
    if (!(await services.store.callbacks.markSeen(orgKey, notification.callback_id, contractId))) {
      return ok(WebhookAnswerSchema, { status: 'duplicate' });
    }
    try {
      await services.enqueue({
        tenantId: tenant.tenantId,
        contractId,
        source: {
          kind: 'webhook',
          callbackId: notification.callback_id,
          events: notification.events.map((event) => event.type),
        },
        receivedAt: services.clock().toISOString(),
      });
    } catch (error) {
      // Not queued: forget the id, so Oneflow's retry of this notification is not taken for a duplicate.
      await services.store.callbacks.forget(orgKey, notification.callback_id);
      log.error('webhook not queued', { orgKey, contractId });
      throw error;
    }
    return ok(WebhookAnswerSchema, { status: 'queued' });
  },
);
