import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { useServer } from '../common/testSupport';
import { startOneflowSimulator, type OneflowSimulatorOptions, type RunningOneflowSimulator } from './index';

/**
 * Helpers for the fidelity tests: the simulator under test, a plain HTTP client (global fetch), a webhook
 * receiver, polling.
 */

/** The fixture's API token (simulators/fixtures/oneflow.json). */
export const TOKEN = '0f1d2c3b4a5968778695a4b3c2d1e0f1a2b3c4d5';
export const USER_EMAIL = 'alex.seller@contoso.example';

/** A valid publish body: Oneflow's publish takes `{subject, message}`, both required. */
export const PUBLISH = { subject: 'Contract to sign', message: 'Please review and sign.' } as const;

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body; undefined when the body is empty or not JSON. */
  body: unknown;
}

interface CallOptions {
  body?: unknown;
  /** null sends no token at all. */
  token?: string | null;
  headers?: Record<string, string>;
}

export type Call = (method: string, path: string, options?: CallOptions) => Promise<Answer>;

export function client(baseUrl: string): Call {
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? TOKEN : options.token;
    if (token !== null) headers['x-oneflow-api-token'] = token;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      redirect: 'manual',
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, headers: response.headers, text, body };
  };
}

export interface OneflowUnderTest {
  simulator: RunningOneflowSimulator;
  /** Calls the simulator as the fixture's API token. */
  call: Call;
}

/**
 * A simulator for the tests of the enclosing block: started before them (webhook delays × 0.001 unless
 * given), reset before each test, closed after them (see useServer).
 */
export function useOneflowSimulator(options: OneflowSimulatorOptions = {}): OneflowUnderTest {
  const simulator = useServer(
    () => startOneflowSimulator({ port: 0, webhookTimeFactor: 0.001, ...options }),
    (started) => started.close(),
  );
  const call: Call = (method, path, callOptions) => client(simulator.url)(method, path, callOptions);
  beforeEach(async () => {
    await call('POST', '/_sim/reset');
  });
  return { simulator, call };
}

/** Parses a value with a schema, failing the test with zod's message when it does not fit. */
export function shape<Schema extends z.ZodType>(schema: Schema, value: unknown): z.output<Schema> {
  return schema.parse(value);
}

/** Oneflow's error body: exactly these seven fields. */
export const OneflowErrorSchema = z.strictObject({
  error_code: z.number().int(),
  detail: z.string(),
  parameter_problems: z.record(z.string(), z.array(z.string())),
  request_id: z.string().min(1),
  status: z.number().int(),
  title: z.string(),
  type: z.url(),
});

export const PageSchema = z.object({
  _links: z.object({
    next: z.object({ href: z.string() }).nullable(),
    previous: z.object({ href: z.string() }).nullable(),
    self: z.object({ href: z.string() }),
  }),
  count: z.number().int(),
  data: z.array(z.unknown()),
});

const WebhookPayloadSchema = z.strictObject({
  contract: z.strictObject({ id: z.number().int() }),
  callback_id: z.string(),
  events: z.array(z.strictObject({ created_time: z.string(), id: z.number().int(), type: z.string() })),
  signature: z.string(),
});
type WebhookPayload = z.output<typeof WebhookPayloadSchema>;

export const sha1Hex = (text: string): string => createHash('sha1').update(text).digest('hex');

export interface ReceivedCall {
  headers: IncomingHttpHeaders;
  payload: WebhookPayload;
}

/** A real HTTP server on 127.0.0.1 that records webhook calls and answers with the statuses queued for it. */
export class WebhookReceiver {
  readonly calls: ReceivedCall[] = [];
  /** Statuses for the next calls, in order; 200 once the queue is empty. */
  readonly statuses: number[] = [];
  private server: Server | null = null;
  url = '';

  async start(): Promise<this> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const payload = WebhookPayloadSchema.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        this.calls.push({ headers: request.headers, payload });
        response.statusCode = this.statuses.shift() ?? 200;
        response.end();
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${address.port}/oneflow-webhook`;
    return this;
  }

  clear(): void {
    this.calls.length = 0;
    this.statuses.length = 0;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  }
}

/** Polls until `probe` returns something other than undefined (short timeout: the simulator is local). */
export async function until<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 3000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
