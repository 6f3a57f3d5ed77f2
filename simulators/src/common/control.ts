import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decideFault, FaultConfigSchema, type FaultConfig, type FaultKind } from './faults';
import { seededRandom, type Random } from './random';

interface LoggedRequest {
  method: string;
  url: string;
  /** Route pattern, e.g. `GET /v1/contracts/:id`: the key for counts and faults. */
  route: string;
  /** 0 when the simulator dropped the connection without answering. */
  status: number;
  at: string;
  /** Request headers worth asserting on (impersonation, If-Match, user email); never tokens. */
  headers: Record<string, string>;
}

export interface ControlOptions {
  /** Back to the seeded fixture. */
  reset(): void;
  /** Replace the state with a fixture; throws a zod error naming the field when it is malformed. */
  loadFixture(fixture: unknown): void;
  /** Answers an injected 429 or 500 the way the real service does (body, headers). */
  sendFault(kind: '429' | '500', request: FastifyRequest, reply: FastifyReply): FastifyReply;
  /** Request headers copied into the request log. */
  loggedHeaders?: string[];
}

export interface Control {
  readonly requests: LoggedRequest[];
  faults: FaultConfig;
}

const CONTROL_PREFIX = '/_sim/';

function routeKey(request: FastifyRequest): string {
  return `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0] ?? ''}`;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The control endpoints every simulator has (reset, fixture, request log, faults) and the hooks that apply
 * latency and faults to every other route. Control routes themselves are never delayed, failed or logged.
 */
export function installControl(app: FastifyInstance, options: ControlOptions): Control {
  const control: Control = { requests: [], faults: FaultConfigSchema.parse({}) };
  let random: Random = seededRandom(control.faults.seed);
  const isControl = (request: FastifyRequest): boolean => request.url.startsWith(CONTROL_PREFIX);

  const log = (request: FastifyRequest, status: number): void => {
    const headers: Record<string, string> = {};
    for (const name of options.loggedHeaders ?? []) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    control.requests.push({
      method: request.method,
      url: request.url,
      route: routeKey(request),
      status,
      at: new Date().toISOString(),
      headers,
    });
  };

  app.addHook('onRequest', async (request, reply) => {
    if (isControl(request)) return;
    const decision = decideFault(control.faults, routeKey(request), random);
    if (decision.delayMs > 0) await delay(decision.delayMs);
    const fault: FaultKind | null = decision.fault;
    if (fault === 'drop') {
      // Logged with status 0: the request arrived, and no answer ever left.
      log(request, 0);
      request.raw.socket.destroy();
      return reply.hijack();
    }
    if (fault) return options.sendFault(fault, request, reply);
  });

  app.addHook('onResponse', async (request, reply) => {
    if (!isControl(request)) log(request, reply.statusCode);
  });

  app.post('/_sim/reset', async () => {
    options.reset();
    control.requests.length = 0;
    control.faults = FaultConfigSchema.parse({});
    random = seededRandom(control.faults.seed);
    return { reset: true };
  });

  app.post('/_sim/fixture', async (request, reply) => {
    try {
      options.loadFixture(request.body);
    } catch (error) {
      return reply.code(400).send({ error: 'invalid fixture', detail: String(error) });
    }
    control.requests.length = 0;
    return { loaded: true };
  });

  app.get('/_sim/requests', async () => {
    const counts: Record<string, number> = {};
    for (const entry of control.requests) counts[entry.route] = (counts[entry.route] ?? 0) + 1;
    return { total: control.requests.length, counts, requests: control.requests };
  });

  app.delete('/_sim/requests', async () => {
    control.requests.length = 0;
    return { cleared: true };
  });

  app.get('/_sim/faults', async () => control.faults);

  app.put('/_sim/faults', async (request, reply) => {
    const parsed = FaultConfigSchema.safeParse(request.body);
    if (!parsed.success) {
      return reply.code(400).send({ error: 'invalid fault config', issues: parsed.error.issues });
    }
    control.faults = parsed.data;
    random = seededRandom(parsed.data.seed);
    return control.faults;
  });

  return control;
}
