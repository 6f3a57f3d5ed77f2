import { Agent, createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Interval } from './rounds';

/**
 * A proxy in front of one Azurite service (tables or queues) that delays every storage request by a fixed
 * latency and records when each one was sent and answered.
 *
 * It works per HTTP request, not per TCP chunk: the Azure SDK keeps connections alive, so one connection carries
 * many requests, and a request is what a round trip is made of. Each request is held for `latencyMs` when its head
 * arrives, then forwarded on a kept-alive connection to Azurite; its interval runs from the arrival of its head
 * to the last byte of its answer. A batch (one multipart request holding several table operations) is one request,
 * as it is one round trip.
 */
export interface StorageProxy {
  port: number;
  latencyMs: number;
  /** The requests recorded since the last `take()`, and the record cleared. */
  take(): Interval[];
  close(): Promise<void>;
}

export async function startStorageProxy(target: { port: number; latencyMs: number }): Promise<StorageProxy> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  let recorded: Interval[] = [];
  const proxy: StorageProxy = {
    port: 0,
    latencyMs: target.latencyMs,
    take() {
      const taken = recorded;
      recorded = [];
      return taken;
    },
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      });
      agent.destroy();
    },
  };
  const server: Server = createServer((incoming, outgoing) => {
    const start = Date.now();
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      recorded.push({ start, end: Date.now() });
    };
    outgoing.on('finish', finish);
    outgoing.on('close', finish);
    const forward = (): void => {
      const upstream = httpRequest(
        {
          host: '127.0.0.1',
          port: target.port,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
          agent,
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      upstream.on('error', () => {
        if (!outgoing.headersSent) outgoing.writeHead(502);
        outgoing.end();
      });
      incoming.pipe(upstream);
    };
    if (proxy.latencyMs > 0) setTimeout(forward, proxy.latencyMs);
    else forward();
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  proxy.port = (server.address() as AddressInfo).port;
  return proxy;
}

/** Azurite's connection string with its table and queue endpoints on the proxies' ports. */
export function proxiedConnectionString(
  connectionString: string,
  ports: { table: number; queue: number },
): string {
  return connectionString
    .split(';')
    .map((part) => {
      const [name] = part.split('=', 1);
      const swap = (port: number): string => part.replace(/:\d+\//, `:${String(port)}/`);
      if (name === 'TableEndpoint') return swap(ports.table);
      if (name === 'QueueEndpoint') return swap(ports.queue);
      return part;
    })
    .join(';');
}
