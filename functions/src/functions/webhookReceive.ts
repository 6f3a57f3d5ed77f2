import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { WebhookAnswerSchema, WebhookNotificationSchema } from '@oneflow-sync/shared';
import { OrgKeySchema } from '../config/config';
import { ok, readBody, readParams } from '../http/api';
import { ApiError } from '../http/errors';
import { publicRoute } from '../http/route';
import { isValidSignature } from '../webhooks/signature';

const OrgParams = z.object({ orgKey: OrgKeySchema });

/** What a notification whose signature does not verify is told, and one to an address no organisation has. */
const SIGNATURE_MISMATCH = 'The notification signature does not match';

/**
 * Oneflow's notification that a contract changed. Signature first (401 on mismatch, nothing else happens), then it
 * is queued and answered 200 at once: one storage round trip. The queue processor drops duplicates (by callback id)
 * and contracts not synced here, and does the fetch. An address no organisation has is answered as a signature
 * that does not verify (a 404 would tell anyone which org keys are set up here); the log says which it was.
 */
export default publicRoute(
  // Oneflow's servers call it, never a browser.
  { name: 'webhookReceive', methods: ['POST'], route: 'webhooks/oneflow/{orgKey}', crossOrigin: false },
  async ({ request, services, log }) => {
    const { orgKey } = readParams(request, OrgParams);
    const tenant = services.tenantByOrgKey(orgKey);
    const notification = await readBody(request, WebhookNotificationSchema);
    if (!tenant) {
      log.warn('webhook for an organisation not set up here', { orgKey });
      throw new ApiError(401, 'invalid_signature', SIGNATURE_MISMATCH);
    }
    if (!isValidSignature(notification.callback_id, tenant.secrets.webhookSignKey, notification.signature)) {
      throw new ApiError(401, 'invalid_signature', SIGNATURE_MISMATCH);
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
