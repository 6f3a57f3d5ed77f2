import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { announce, type SimulatorContext } from './context';
import { idParam, parseBody } from './http';
import { parseReadings } from './readings';
import { renderContract, SHOW_ALL } from './render';
import { ContractCreateSchema } from './schemas';
import { DeliveryOptionsSchema } from './webhooks';

/** This simulator's own controls, next to the common ones of installControl (all under /_sim/). */

const RateLimitSchema = z.object({
  budget: z.number().int().min(1),
  windowMs: z.number().int().min(1),
});

/** Many contracts made as `POST /v1/contracts/create` makes one (for load tests), named `<name> <n>`. */
const BulkContractsSchema = ContractCreateSchema.extend({ count: z.number().int().min(1).max(20_000) });

interface ContractParams {
  Params: { id: string };
}

export function registerSimControls(app: FastifyInstance, context: SimulatorContext): void {
  const { store, dispatcher, limiter } = context;

  /** Every party signs: the contract becomes signed and `contract:sign` fires. */
  app.post<ContractParams>('/_sim/contracts/:id/sign', async (request) => {
    const contract = store.sign(idParam(request.params.id));
    announce(context, contract, ['contract:sign']);
    return renderContract(contract, SHOW_ALL);
  });

  /**
   * Makes `count` contracts at once, each as the create call would (the admin's permissions; no webhook fires, as
   * none does on create). Answers their ids in order. A bad body is Oneflow's 400 naming the field.
   */
  app.post('/_sim/contracts/bulk', async (request) => {
    const { count, ...body } = parseBody(BulkContractsSchema, request.body);
    const ids: number[] = [];
    for (let index = 1; index <= count; index++) {
      const name = body.name === undefined ? undefined : `${body.name} ${index}`;
      ids.push(store.createContract(name === undefined ? body : { ...body, name }).id);
    }
    return { ids };
  });

  /** The contract as stored, whatever the answers of the API leave out under the readings (custom_id). */
  app.get<ContractParams>('/_sim/contracts/:id', async (request) =>
    renderContract(store.contract(idParam(request.params.id)), SHOW_ALL),
  );

  app.get('/_sim/readings', async () => store.readings);

  /** `"kind"`, `"unkind"`, or the readings to change (the others keep their value). */
  app.put('/_sim/readings', async (request, reply) => {
    const parsed = parseReadings(request.body, store.readings);
    if (!parsed.ok) return reply.code(400).send({ error: 'invalid readings', problems: parsed.problems });
    store.readings = parsed.readings;
    return store.readings;
  });

  app.get('/_sim/webhooks/delivery', async () => dispatcher.deliveryOptions);

  /** Fields left out keep their current value. */
  app.put('/_sim/webhooks/delivery', async (request, reply) => {
    const body: unknown = request.body ?? {};
    const parsed = DeliveryOptionsSchema.safeParse(
      typeof body === 'object' ? { ...dispatcher.deliveryOptions, ...body } : body,
    );
    if (!parsed.success) {
      return reply.code(400).send({ error: 'invalid delivery options', issues: parsed.error.issues });
    }
    dispatcher.deliveryOptions = parsed.data;
    return parsed.data;
  });

  /** Releases notifications held for reordering, newest first. */
  app.post('/_sim/webhooks/flush', async () => ({ released: dispatcher.flush() }));

  app.get('/_sim/webhooks/deliveries', async () => ({
    total: dispatcher.deliveries.length,
    deliveries: dispatcher.deliveries,
  }));

  app.delete('/_sim/webhooks/deliveries', async () => {
    dispatcher.clearLog();
    return { cleared: true };
  });

  /** What the connector-definition check found since the start (or the last DELETE). */
  app.get('/_sim/conformance', async () => context.conformance.report());

  app.delete('/_sim/conformance', async () => {
    context.conformance.clear();
    return { cleared: true };
  });

  app.get('/_sim/rate-limit', async () => limiter.settings);

  app.put('/_sim/rate-limit', async (request, reply) => {
    const parsed = RateLimitSchema.safeParse(request.body);
    if (!parsed.success) {
      return reply.code(400).send({ error: 'invalid rate limit', issues: parsed.error.issues });
    }
    limiter.configure(parsed.data);
    return limiter.settings;
  });
}
