import type { FastifyInstance } from 'fastify';
import type { SimulatorContext } from './context';
import { idParam, paginate, parseBody } from './http';
import { renderWebhook } from './render';
import { WebhookInputSchema } from './schemas';

interface WebhookParams {
  Params: { id: string };
}

/** Webhook registrations: registered under /v1. */
export function registerWebhookRoutes(api: FastifyInstance, { store }: SimulatorContext): void {
  api.get('/webhooks', async (request) => paginate(request, store.webhooks().map(renderWebhook)));

  api.post('/webhooks', async (request) =>
    renderWebhook(store.createWebhook(parseBody(WebhookInputSchema, request.body))),
  );

  api.get<WebhookParams>('/webhooks/:id', async (request) =>
    renderWebhook(store.webhook(idParam(request.params.id))),
  );

  api.put<WebhookParams>('/webhooks/:id', async (request) => {
    const id = idParam(request.params.id);
    store.webhook(id);
    return renderWebhook(store.updateWebhook(id, parseBody(WebhookInputSchema, request.body)));
  });

  api.delete<WebhookParams>('/webhooks/:id', async (request, reply) => {
    store.deleteWebhook(idParam(request.params.id));
    return reply.code(200).send();
  });
}
