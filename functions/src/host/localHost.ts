import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { QueueClient } from '@azure/storage-queue';
import type { ApiRequest, ApiResponse } from '../http/api';
import type { ApiErrorCode, ErrorAnswer, ProblemDetail } from '@oneflow-sync/shared';
import { ApiError, badRequest } from '../http/errors';
import { API_METHODS, preflight, withRouteCors } from '../http/cors';
import { dispatch } from '../http/dispatch';
import { matchRoute } from '../http/routeMatch';
import { MAX_DEQUEUE_COUNT } from '../queue/processContractChanged';
import { QUEUE_FUNCTIONS, ROUTES, TIMER_FUNCTIONS } from '../registry';
import type { Logger, Services } from '../services';

export interface LocalHostOptions {
  services: Services;
  storageConnection: string;
  port?: number;
  log?: Logger;
  /** How often the queue is polled when it was empty (ms). */
  queuePollMs?: number;
  /** Seconds a failed message stays invisible before its retry (Functions: host.json visibilityTimeout). */
  retryVisibilitySeconds?: number;
  /**
   * Seconds a received message stays invisible while it is processed (default 60): should the process die
   * holding it, the message comes back after that, and its next attempt does the work.
   */
  processingVisibilitySeconds?: number;
  /** Timer periods in ms by function name; a timer not named does not run. */
  timers?: Record<string, number>;
}

export interface RunningLocalHost {
  url: string;
  port: number;
  /** Processes whatever is in the queue now, until it is empty (tests use it to wait for the pipeline). */
  drainQueue(): Promise<number>;
  close(): Promise<void>;
}

export const consoleLogger: Logger = {
  info: (message, data) => {
    console.log(JSON.stringify({ level: 'info', message, ...data }));
  },
  warn: (message, data) => {
    console.warn(JSON.stringify({ level: 'warn', message, ...data }));
  },
  error: (message, data) => {
    console.error(JSON.stringify({ level: 'error', message, ...data }));
  },
};

/** How long a received message stays invisible while it is processed, unless told otherwise. */
export const DEFAULT_PROCESSING_VISIBILITY_SECONDS = 60;

/** Nothing the API accepts comes near it; a bigger body is refused before it is read into memory. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Azure Functions' own URL limit (4 KB), so a URL that works here works in Azure too. */
const MAX_URL_LENGTH = 4096;

const bodyTooLarge = (): ApiError =>
  new ApiError(
    413,
    'payload_too_large',
    'The request body is larger than 4 MB',
    [{ field: 'body', message: `must be at most ${MAX_BODY_BYTES} bytes` }],
    // The rest of the body is never read: the connection cannot carry another request.
    { Connection: 'close' },
  );

const urlTooLong = (length: number | 'over 16 KB'): ApiError =>
  new ApiError(414, 'uri_too_long', 'The URL is longer than 4096 characters', [
    {
      field: 'url',
      message: `${typeof length === 'number' ? `has ${length} characters` : 'is longer than 16 KB'}; at most ${MAX_URL_LENGTH} characters`,
    },
  ]);

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        // Keep draining (and dropping) the rest, so that the 413 reaches the client instead of a reset.
        tooLarge = true;
        chunks.length = 0;
        reject(bodyTooLarge());
      } else {
        chunks.push(chunk);
      }
    });
    request.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    request.on('error', reject);
  });
}

function send(response: ServerResponse, result: ApiResponse): void {
  const headers: Record<string, string> = { ...result.headers };
  if (result.stream !== undefined) {
    response.writeHead(result.status, headers);
    // A failure mid-way cuts the connection (pipeline destroys it), so a client never takes half a file as whole.
    void pipeline(Readable.from(result.stream), response).catch(() => undefined);
    return;
  }
  let body = '';
  if (result.text !== undefined) body = result.text;
  else if (result.json !== undefined) {
    body = JSON.stringify(result.json);
    headers['Content-Type'] = 'application/json; charset=utf-8';
  }
  response.writeHead(result.status, headers);
  response.end(body);
}

const errorBody = (code: ApiErrorCode, message: string, details: ProblemDetail[] = []): ErrorAnswer => ({
  error: { code, message, details },
});

const sendError = (response: ServerResponse, error: ApiError): void => {
  send(response, {
    status: error.status,
    headers: error.headers,
    json: errorBody(error.code, error.message, error.details),
  });
};

/**
 * Node refuses a request line and headers over 16 KB before any handler runs (an empty 431 by default). A
 * request line that long is a URL too long (414); otherwise the headers are (431); both in the API's shape.
 */
function answerHeaderOverflow(rawPacket: Buffer | undefined): string {
  const lineEnd = rawPacket?.indexOf('\r\n') ?? -1;
  // "METHOD target HTTP/1.1": the target is the URL the limit is about.
  const target =
    lineEnd === -1 ? null : (rawPacket?.subarray(0, lineEnd).toString('latin1').split(' ')[1] ?? '');
  const urlTooLongError = target === null || target.length > MAX_URL_LENGTH;
  const error = urlTooLongError
    ? urlTooLong(target === null ? 'over 16 KB' : target.length)
    : new ApiError(431, 'request_header_fields_too_large', 'The request headers are larger than 16 KB');
  const body = JSON.stringify(errorBody(error.code, error.message, error.details));
  const reason = urlTooLongError ? 'URI Too Long' : 'Request Header Fields Too Large';
  return [
    `HTTP/1.1 ${error.status} ${reason}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/**
 * The Function app without the Functions host: the registry's routes under `/api` on 127.0.0.1, the queue
 * trigger driven from the storage queue (retries and the poison queue as the host does them), and timers.
 */
export async function startLocalHost(options: LocalHostOptions): Promise<RunningLocalHost> {
  const { services } = options;
  const log = options.log ?? consoleLogger;
  const server = createServer((request, response) => {
    void (async () => {
      const target = request.url ?? '/';
      if (target.length > MAX_URL_LENGTH) {
        sendError(response, urlTooLong(target.length));
        return;
      }
      const declaredLength = Number(request.headers['content-length'] ?? 0);
      if (declaredLength > MAX_BODY_BYTES) {
        sendError(response, bodyTooLarge());
        return;
      }
      let url: URL;
      try {
        url = new URL(target, 'http://127.0.0.1');
      } catch {
        // A target no URL can be made of (`//`, `//[`, `http://[`): it names no route; it was a 500.
        sendError(
          response,
          badRequest('The request target is not a valid URL', [
            { field: 'url', message: 'is not a valid request target' },
          ]),
        );
        return;
      }
      if (!url.pathname.startsWith('/api/')) {
        send(response, { status: 404, json: errorBody('not_found', 'No such route') });
        return;
      }
      const path = url.pathname.slice('/api/'.length);
      const origin = typeof request.headers.origin === 'string' ? request.headers.origin : null;
      if (request.method === 'OPTIONS') {
        // The methods this path takes from a browser, matched as each request would be.
        const methods = API_METHODS.filter((method) => {
          const found = matchRoute(ROUTES, method, path);
          return found !== null && found !== 'method_not_allowed' && found.route.crossOrigin !== false;
        });
        if (methods.length > 0) {
          send(response, preflight(services.config.cors, origin, methods, log));
          return;
        }
      }
      const match = matchRoute(ROUTES, request.method ?? 'GET', path);
      if (match === null || match === 'method_not_allowed') {
        const status = match === null ? 404 : 405;
        send(response, {
          status,
          json: errorBody(status === 404 ? 'not_found' : 'method_not_allowed', 'No such route'),
        });
        return;
      }
      let text: Promise<string> | undefined;
      const apiRequest: ApiRequest = {
        method: request.method ?? 'GET',
        url: url.toString(),
        params: match.params,
        query: url.searchParams,
        header: (name) => {
          const value = request.headers[name.toLowerCase()];
          return Array.isArray(value) ? value.join(', ') : (value ?? null);
        },
        text: () => (text ??= readBody(request)),
      };
      const answer = await dispatch(match.route, apiRequest, services, log);
      send(response, withRouteCors(match.route, services.config.cors, origin, answer));
    })().catch(() => {
      if (!response.headersSent)
        send(response, { status: 500, json: errorBody('internal', 'Request failed') });
    });
  });
  server.on('clientError', (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    if (error.code === 'HPE_HEADER_OVERFLOW') socket.end(answerHeaderOverflow(error.rawPacket));
    else socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 7071, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;

  const queue = new QueueClient(options.storageConnection, services.config.webhookQueue);
  const poison = new QueueClient(options.storageConnection, `${services.config.webhookQueue}-poison`);
  await Promise.all([queue.createIfNotExists(), poison.createIfNotExists()]);

  /** One receive of up to 16 messages, processed in parallel as the host does; returns how many it handled. */
  const pollOnce = async (): Promise<number> => {
    const { receivedMessageItems: messages } = await queue.receiveMessages({
      numberOfMessages: 16,
      visibilityTimeout: options.processingVisibilitySeconds ?? DEFAULT_PROCESSING_VISIBILITY_SECONDS,
    });
    await Promise.all(
      messages.map(async (message) => {
        let decoded: unknown;
        try {
          decoded = JSON.parse(Buffer.from(message.messageText, 'base64').toString('utf8'));
        } catch {
          decoded = message.messageText;
        }
        try {
          for (const handler of QUEUE_FUNCTIONS)
            await handler.handle(services, decoded, message.dequeueCount, log);
          await queue.deleteMessage(message.messageId, message.popReceipt);
        } catch {
          if (message.dequeueCount >= MAX_DEQUEUE_COUNT) {
            await poison.sendMessage(message.messageText);
            await queue.deleteMessage(message.messageId, message.popReceipt);
          } else {
            await queue.updateMessage(
              message.messageId,
              message.popReceipt,
              undefined,
              options.retryVisibilitySeconds ?? 1,
            );
          }
        }
      }),
    );
    return messages.length;
  };

  let stopped = false;
  let polling: Promise<void> = Promise.resolve();
  let pollTimer: NodeJS.Timeout | undefined;
  const schedulePoll = (delay: number): void => {
    if (stopped) return;
    pollTimer = setTimeout(() => {
      polling = pollOnce()
        .then((count) => {
          schedulePoll(count > 0 ? 0 : (options.queuePollMs ?? 500));
        })
        .catch(() => {
          schedulePoll(options.queuePollMs ?? 500);
        });
    }, delay);
  };
  schedulePoll(0);

  const timers = TIMER_FUNCTIONS.flatMap((definition) => {
    const period = options.timers?.[definition.name];
    if (!period) return [];
    return [
      setInterval(() => {
        definition.handle(services, log).catch(() => {
          log.error('timer failed', { timer: definition.name });
        });
      }, period),
    ];
  });

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async drainQueue() {
      let total = 0;
      for (;;) {
        await polling;
        const count = await pollOnce();
        total += count;
        if (count === 0) {
          const { approximateMessagesCount } = await queue.getProperties();
          if (!approximateMessagesCount) return total;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    },
    async close() {
      stopped = true;
      if (pollTimer) clearTimeout(pollTimer);
      for (const timer of timers) clearInterval(timer);
      await polling.catch(() => undefined);
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      });
    },
  };
}
