// The Azure Functions entry point (package.json "main"): registers every function of the registry with the
// Functions host. `func start` and deployments load this; the local runner (host/) mounts the same registry.
import { Readable } from 'node:stream';
import { app, HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { ErrorAnswerSchema } from '@oneflow-sync/shared';
import { configFromEnvironment, servicesFromEnvironment } from './bootstrap';
import { answer as typedAnswer, type ApiRequest, type ApiResponse } from './http/api';
import { crossOriginMethods, preflight, withRouteCors } from './http/cors';
import { dispatch } from './http/dispatch';
import { QUEUE_FUNCTIONS, ROUTES, TIMER_FUNCTIONS } from './registry';
import type { Logger } from './services';

function loggerFor(context: InvocationContext): Logger {
  return {
    info: (message, data) => {
      context.log(message, data ?? {});
    },
    warn: (message, data) => {
      context.warn(message, data ?? {});
    },
    error: (message, data) => {
      context.error(message, data ?? {});
    },
  };
}

function toApiRequest(request: HttpRequest): ApiRequest {
  return {
    method: request.method,
    url: request.url,
    params: request.params,
    query: request.query,
    header: (name) => request.headers.get(name),
    text: () => request.text(),
  };
}

function toHttpResponse(response: ApiResponse): HttpResponseInit {
  if (response.stream !== undefined)
    return { status: response.status, headers: response.headers, body: Readable.from(response.stream) };
  if (response.text !== undefined)
    return { status: response.status, headers: response.headers, body: response.text };
  return response.json === undefined
    ? { status: response.status, headers: response.headers }
    : { status: response.status, headers: response.headers, jsonBody: response.json };
}

// The settings are checked as the host loads the app: a bad one fails the start, naming the setting (never its
// value), instead of answering every request with a 500 later.
app.hook.appStart(() => {
  configFromEnvironment();
});

const preflightMethods = crossOriginMethods(ROUTES);
/** Route templates whose OPTIONS one function already takes: two functions on one route and method collide. */
const preflightTaken = new Set<string>();

for (const route of ROUTES) {
  const template = route.route.toLowerCase();
  // Without platform CORS the host hands OPTIONS to the function only when the function declares it.
  const answersPreflight = route.crossOrigin !== false && !preflightTaken.has(template);
  if (answersPreflight) preflightTaken.add(template);
  const pathMethods = preflightMethods.get(template) ?? [];
  app.http(route.name, {
    methods: answersPreflight ? [...route.methods, 'OPTIONS'] : [...route.methods],
    route: route.route,
    // Our own token check runs in every handler that needs one; function keys are not a security boundary.
    authLevel: 'anonymous',
    handler: async (request, context) => {
      const log = loggerFor(context);
      let services;
      try {
        services = await servicesFromEnvironment();
      } catch (error) {
        // The setting names go to the log (never values); callers learn only that the app is misconfigured.
        log.error('the Function app could not start', {
          problem: error instanceof Error ? error.message : 'unknown',
        });
        return toHttpResponse(
          typedAnswer(500, ErrorAnswerSchema, {
            error: {
              code: 'misconfigured',
              message: 'The Function app is not fully configured',
              details: [],
            },
          }),
        );
      }
      const origin = request.headers.get('origin');
      if (request.method === 'OPTIONS') {
        return toHttpResponse(preflight(services.config.cors, origin, pathMethods, log));
      }
      const answer = await dispatch(route, toApiRequest(request), services, log);
      return toHttpResponse(withRouteCors(route, services.config.cors, origin, answer));
    },
  });
}

for (const definition of QUEUE_FUNCTIONS) {
  app.storageQueue(definition.name, {
    queueName: '%WEBHOOK_QUEUE_NAME%',
    connection: 'AzureWebJobsStorage',
    handler: async (message, context) => {
      const dequeueCount = Number(context.triggerMetadata?.dequeueCount ?? 1);
      await definition.handle(await servicesFromEnvironment(), message, dequeueCount, loggerFor(context));
    },
  });
}

for (const definition of TIMER_FUNCTIONS) {
  app.timer(definition.name, {
    schedule: definition.schedule,
    handler: async (_timer, context) => {
      await definition.handle(await servicesFromEnvironment(), loggerFor(context));
    },
  });
}
