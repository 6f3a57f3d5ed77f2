import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { installControl, type Control } from '../common/control';
import defaultFixture from '../../fixtures/dataverse.json';
import { authenticateCaller, principalForRequest, type TokenVerifier } from './auth';
import { executeBatch } from './batchExecutor';
import { errorResponse, type OperationContext, type ServiceResponse } from './context';
import { DataverseError, tooManyRequests, unexpectedError, unsupportedContentType } from './errors';
import { parseFixture } from './fixture';
import { parsePreferences } from './prefer';
import { DATA_ENTITIES } from './entities';
import { executeOperation } from './service';
import { SimulatorState } from './state';
import { DATAVERSE_DEFAULT_THROTTLE, SlidingWindowLimiter, type ThrottleSettings } from './throttle';

const SERVICE_PREFIX = '/api/data/v9.2/';

export interface DataverseSimulatorOptions {
  /** The records, users and metadata to start with; the demo fixture (fixtures/dataverse.json) by default. */
  fixture?: unknown;
  /** Verifies bearer tokens (signature, issuer, audience); without it the JWT payload is read unverified. */
  tokenVerifier?: TokenVerifier;
  /** Service protection: requests per user per sliding window; Dataverse's 6000 per 300 s by default. */
  throttle?: ThrottleSettings;
  /** Retry-After of injected 429 faults, in seconds. */
  faultRetryAfterSeconds?: number;
}

export interface DataverseSimulator {
  app: FastifyInstance;
  control: Control;
  state: SimulatorState;
  /** Changes the service protection budget (and forgets the requests counted so far). */
  setThrottle(settings: ThrottleSettings): void;
}

/** Headers copied into the request log: impersonation, concurrency and preferences; never Authorization. */
const LOGGED_HEADERS = ['callerobjectid', 'mscrmcallerid', 'if-match', 'if-none-match', 'prefer'];

/** Route patterns, so the request log counts and faults are per operation kind ("GET …/opportunities(:id)"). */
function routePatterns(): string[] {
  const patterns = [
    '$batch',
    'WhoAmI',
    'EntityDefinitions',
    'EntityDefinitions(:key)',
    'EntityDefinitions(:key)/:navigation',
    'EntityDefinitions(:key)/:navigation/:cast',
    'RelationshipDefinitions',
    'RelationshipDefinitions(:key)',
    'RelationshipDefinitions/:cast',
    'RelationshipDefinitions(:key)/:cast',
    'GlobalOptionSetDefinitions',
    'GlobalOptionSetDefinitions(:key)',
    'GlobalOptionSetDefinitions/:cast',
    'GlobalOptionSetDefinitions(:key)/:cast',
  ];
  for (const entity of DATA_ENTITIES) {
    const set = entity.entitySetName;
    patterns.push(set, `${set}(:id)`, `${set}(:id)/:navigation`);
  }
  return patterns;
}

function lowerCaseHeaders(request: FastifyRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers[name.toLowerCase()] = value;
    else if (Array.isArray(value)) headers[name.toLowerCase()] = value.join(', ');
  }
  return headers;
}

function send(reply: FastifyReply, response: ServiceResponse): FastifyReply {
  reply.code(response.status).headers(response.headers);
  return response.body === undefined ? reply.send() : reply.send(response.body);
}

export function createDataverseSimulator(options: DataverseSimulatorOptions = {}): DataverseSimulator {
  const state = new SimulatorState();
  const seed = parseFixture(options.fixture ?? defaultFixture);
  state.load(seed, new Date());
  const limiter = new SlidingWindowLimiter(options.throttle ?? DATAVERSE_DEFAULT_THROTTLE);
  const faultRetryAfter = options.faultRetryAfterSeconds ?? 1;
  const app = Fastify({ logger: false });

  const control = installControl(app, {
    reset: () => {
      state.load(seed, new Date());
      limiter.reset();
    },
    // A loaded fixture lasts until the next reset, which returns to the fixture the simulator started with.
    loadFixture: (fixture) => {
      state.load(parseFixture(fixture), new Date());
      limiter.reset();
    },
    sendFault: (kind, _request, reply) => {
      const error =
        kind === '429'
          ? tooManyRequests(limiter.limits.requestsPerWindow, limiter.limits.windowMs / 1000, faultRetryAfter)
          : unexpectedError();
      return send(reply, errorResponse(error));
    },
    loggedHeaders: LOGGED_HEADERS,
  });

  async function handle(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const [pathPart = '', rawQuery = ''] = request.url.split(/\?(.*)/s);
    const path = pathPart.startsWith(SERVICE_PREFIX) ? pathPart.slice(SERVICE_PREFIX.length) : pathPart;
    const headers = lowerCaseHeaders(request);
    const now = new Date();
    let response: ServiceResponse;
    try {
      const caller = await authenticateCaller(state, headers.authorization, options.tokenVerifier, now);
      const principal = principalForRequest(state, caller, headers);
      const budget = limiter.take(principal.userId);
      if (!budget.allowed) {
        const { requestsPerWindow, windowMs } = limiter.limits;
        throw tooManyRequests(requestsPerWindow, windowMs / 1000, budget.retryAfterSeconds);
      }
      const context: OperationContext = {
        state,
        principal,
        serviceRoot: `http://${headers.host ?? '127.0.0.1'}${SERVICE_PREFIX}`,
        headers,
        preferences: parsePreferences(headers.prefer),
        now,
      };
      const body = typeof request.body === 'string' ? request.body : '';
      response =
        path === '$batch' && request.method === 'POST'
          ? executeBatch(context, headers['content-type'], body, (partHeaders) =>
              principalForRequest(state, caller, partHeaders),
            )
          : executeOperation(context, { method: request.method, path, rawQuery, body });
      response.headers['x-ms-ratelimit-burst-remaining-xrm-requests'] = String(budget.remaining);
    } catch (error) {
      response = errorResponse(error instanceof DataverseError ? error : unexpectedError());
    }
    return send(reply, response);
  }

  void app.register(
    async (scope) => {
      // Bodies are read as text: JSON is parsed (and refused) the Dataverse way, and $batch is multipart.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser(
        '*',
        { parseAs: 'string', bodyLimit: 64 * 1024 * 1024 },
        (_request, body, done) => {
          done(null, body);
        },
      );
      for (const url of routePatterns()) {
        scope.route({ method: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'], url: `/${url}`, handler: handle });
      }
      scope.setNotFoundHandler(handle);
      scope.setErrorHandler(async (error: { statusCode?: number }, request, reply) => {
        // Fastify refuses a Content-Type it cannot read (an empty one) before the handler runs: Dataverse's 415.
        if (error.statusCode === 415) {
          const contentType = request.headers['content-type'] ?? '';
          return send(reply, errorResponse(unsupportedContentType(contentType)));
        }
        return send(reply, errorResponse(unexpectedError()));
      });
    },
    { prefix: SERVICE_PREFIX.slice(0, -1) },
  );

  return {
    app,
    control,
    state,
    setThrottle: (settings) => {
      limiter.configure(settings);
    },
  };
}
