import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { WebhookAnswerSchema, WebhookNotificationSchema } from '@oneflow-sync/shared';
import { OrgKeySchema } from '../config/config';
import { ok, readBody, readParams } from '../http/api';
import { ApiError, notFound } from '../http/errors';
import { publicRoute } from '../http/route';
import { isValidSignature } from '../webhooks/signature';

const OrgParams = z.object({ orgKey: OrgKeySchema });

/**
 * Oneflow's notification that a contract changed. Signature first (401 on mismatch, nothing else happens), then it
 * is queued and answered 200 at once: one storage round trip. The queue processor drops duplicates (by callback id)
 * and contracts not synced here, and does the fetch.
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
    try {
      await services.enqueue({
        id: randomUUID(),
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
      // Not answered 200, so Oneflow delivers the notification again.
      log.error('webhook not queued', { orgKey, contractId });
      throw error;
    }
    return ok(WebhookAnswerSchema, { status: 'queued' });
  },
);
