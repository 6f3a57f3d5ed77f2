import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { installControl, type Control } from '../common/control';
import { listenLocal, type RunningServer } from '../common/listen';
import type { SimulatorContext } from './context';
import { ConnectorConformance } from './conformance/connectorConformance';
import { registerContractRoutes } from './contractRoutes';
import { registerDataFieldRoutes } from './dataFieldRoutes';
import { DETAILS, notFound, OneflowError, sendOneflowError, sendRateLimited, unauthorized } from './errors';
import { readDefaultFixture } from './fixture';
import type { Clock } from './model';
import { registerPage } from './page';
import { registerProductRoutes } from './productRoutes';
import { ONEFLOW_RATE_LIMIT, RateLimiter, type RateLimitSettings } from './rateLimit';
import { startingReadings, type ReadingsInput } from './readings';
import { registerSimControls } from './simControls';
import { OneflowStore } from './store';
import { registerTemplateRoutes } from './templateRoutes';
import { registerWebhookRoutes } from './webhookRoutes';
import { WebhookDispatcher } from './webhooks';

export interface OneflowSimulatorOptions {
  /** The seed state; simulators/fixtures/oneflow.json when left out. */
  fixture?: unknown;
  /** Multiplies webhook retry delays (1 = Oneflow's 1 s … 3600 s; 0.001 in tests). */
  webhookTimeFactor?: number;
  /** Oneflow's 2000 requests per token per 5 minutes unless given. */
  rateLimit?: RateLimitSettings;
  /** The time stamped on contracts, products and events. */
  clock?: Clock;
  /**
   * How to take the facts Oneflow's sources leave open: `kind` (the default), `unkind`, or single readings
   * (readings.ts). `/_sim/reset` comes back to these.
   */
  readings?: ReadingsInput;
}

export interface OneflowSimulator {
  app: FastifyInstance;
  store: OneflowStore;
  webhooks: WebhookDispatcher;
  rateLimiter: RateLimiter;
  control: Control;
  /** Every exchange checked against Oneflow's connector definition (GET /_sim/conformance). */
  conformance: ConnectorConformance;
}

export const ONEFLOW_DEFAULT_PORT = 7102;

/** Oneflow's answer for anything that went wrong outside the modeled rules (bad JSON, wrong media type, bugs). */
function handleError(
  error: FastifyError | OneflowError,
  _request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (error instanceof OneflowError) return sendOneflowError(reply, error);
  const status = error.statusCode ?? 500;
  if (status >= 500 || status < 400) return sendOneflowError(reply, new OneflowError(500, DETAILS.internal));
  return sendOneflowError(
    reply,
    new OneflowError(status, status === 400 ? DETAILS.badRequest : error.message),
  );
}

/** The answer as JSON, for the conformance check; an empty body is the empty string, other text is kept as it is. */
function parsedPayload(payload: unknown): unknown {
  if (payload === undefined || payload === null) return '';
  if (typeof payload !== 'string') return payload;
  try {
    return JSON.parse(payload);
  } catch {
    return payload;
  }
}

/**
 * Every /v1 call needs a known `x-oneflow-api-token`; an `x-oneflow-user-email` that is given must name a
 * known user ("401: The API token or the user email is invalid"); then the token's rate limit applies.
 */
function registerApi(api: FastifyInstance, context: SimulatorContext): void {
  api.addHook('onRequest', async (request, reply) => {
    const token = request.headers['x-oneflow-api-token'];
    if (typeof token !== 'string' || !context.store.isKnownToken(token)) {
      return sendOneflowError(reply, unauthorized());
    }
    const email = request.headers['x-oneflow-user-email'];
    if (email !== undefined && (typeof email !== 'string' || !context.store.isKnownUser(email))) {
      return sendOneflowError(reply, unauthorized());
    }
    if (!context.limiter.take(token)) return sendRateLimited(reply);
  });
  // Oneflow's connector definition checks every request that reaches a route and every answer (conformance/).
  api.addHook('preHandler', async (request) => {
    context.conformance.checkRequest({
      method: request.method,
      path: request.url.replace(/^\/v1/, ''),
      headers: request.headers,
      requestBody: request.body,
    });
  });
  api.addHook('onSend', async (request, reply, payload) => {
    context.conformance.checkAnswer({
      method: request.method,
      path: request.url.replace(/^\/v1/, ''),
      status: reply.statusCode,
      answerBody: parsedPayload(payload),
    });
    return payload;
  });
  api.setNotFoundHandler(async (_request, reply) => sendOneflowError(reply, notFound()));
  registerContractRoutes(api, context);
  registerProductRoutes(api, context);
  registerDataFieldRoutes(api, context);
  registerTemplateRoutes(api, context);
  registerWebhookRoutes(api, context);
}

export function createOneflowSimulator(options: OneflowSimulatorOptions = {}): OneflowSimulator {
  const clock = options.clock ?? (() => new Date());
  const context: SimulatorContext = {
    store: new OneflowStore(options.fixture ?? readDefaultFixture(), clock),
    dispatcher: new WebhookDispatcher(options.webhookTimeFactor ?? 1, clock),
    limiter: new RateLimiter(options.rateLimit ?? ONEFLOW_RATE_LIMIT),
    conformance: new ConnectorConformance(),
  };
  context.dispatcher.observe = (payload, callbackUrl) => {
    context.conformance.checkNotification(payload, callbackUrl);
  };
  const startReadings = startingReadings(options.readings);
  context.store.readings = startReadings;
  const forgetTraffic = (): void => {
    context.dispatcher.reset();
    context.limiter.reset();
  };
  // Oneflow's connector calls `/contracts/{id}/` and `/helpers/contract_create_data/`: a path answers with or
  // without its trailing slash.
  const app = Fastify({ logger: false, routerOptions: { ignoreTrailingSlash: true } });
  const control = installControl(app, {
    reset: () => {
      context.store.reset();
      context.store.readings = startReadings;
      forgetTraffic();
    },
    loadFixture: (fixture) => {
      context.store.load(fixture);
      forgetTraffic();
    },
    sendFault: (kind, _request, reply) =>
      kind === '429'
        ? sendRateLimited(reply)
        : sendOneflowError(reply, new OneflowError(500, DETAILS.internal)),
    loggedHeaders: ['x-oneflow-user-email'],
  });
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(async (_request, reply) => sendOneflowError(reply, notFound()));
  app.register(
    async (api) => {
      registerApi(api, context);
    },
    { prefix: '/v1' },
  );
  app.register(async (page) => {
    registerPage(page, context);
  });
  registerSimControls(app, context);
  // Pending webhook retries must not outlive the server (tests exit with no open handles).
  app.addHook('onClose', async () => {
    context.dispatcher.close();
  });
  return {
    app,
    store: context.store,
    webhooks: context.dispatcher,
    rateLimiter: context.limiter,
    control,
    conformance: context.conformance,
  };
}

export type RunningOneflowSimulator = RunningServer & OneflowSimulator;

export async function startOneflowSimulator(
  options: OneflowSimulatorOptions & { port?: number } = {},
): Promise<RunningOneflowSimulator> {
  const simulator = createOneflowSimulator(options);
  const running = await listenLocal(simulator.app, options.port ?? ONEFLOW_DEFAULT_PORT);
  return { ...simulator, ...running };
}
