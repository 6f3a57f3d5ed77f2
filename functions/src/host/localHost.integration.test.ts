/**
 * The local runner's limits over HTTP: a body over 4 MB is a 413 and a URL over 4096 characters a 414, in the
 * API's error shape, whether the limit shows in a header, in the streamed body or in Node's own parser.
 */
import { request } from 'node:http';
import { z } from 'zod';
import { startStack, type Stack } from '../testing/stack';

const MB = 1024 * 1024;

const ErrorShape = z
  .object({
    error: z
      .object({
        code: z.string(),
        message: z.string().min(1),
        details: z.array(z.object({ field: z.string(), message: z.string() }).strict()),
      })
      .strict(),
  })
  .strict();

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
}, 60_000);

afterAll(async () => {
  await stack.close();
});

async function errorOf(response: Response): Promise<z.output<typeof ErrorShape>['error']> {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return ErrorShape.parse(await response.json()).error;
}

/** A body sent in chunks, with no Content-Length: the runner learns its size only by reading it. */
function chunked(bytes: number): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(256 * 1024).fill(0x20);
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) {
        controller.close();
        return;
      }
      controller.enqueue(chunk);
      sent += chunk.length;
    },
  });
}

describe('local runner limits (integration)', () => {
  it('a body over 4 MB with its Content-Length is a 413 before anything else, signed-in route or webhook', async () => {
    const body = new Uint8Array(4 * MB + 1).fill(0x20);
    for (const path of ['contracts', 'webhooks/oneflow/contoso']) {
      const response = await fetch(`${stack.host.url}/api/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(response.status).toBe(413);
      expect(await errorOf(response)).toEqual({
        code: 'payload_too_large',
        message: 'The request body is larger than 4 MB',
        details: [{ field: 'body', message: `must be at most ${4 * MB} bytes` }],
      });
    }
  });

  it('a streamed body that grows past 4 MB is a 413 too (no reset), and the runner keeps answering', async () => {
    const response = await fetch(`${stack.host.url}/api/webhooks/oneflow/contoso`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chunked(6 * MB),
      duplex: 'half',
    });
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe('payload_too_large');
    expect((await fetch(`${stack.host.url}/api/health`)).status).toBe(200);
  });

  it('a body just under the limit is read: a 1 MB body that is not JSON is a 400 naming the body', async () => {
    const response = await fetch(`${stack.host.url}/api/webhooks/oneflow/contoso`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chunked(MB),
      duplex: 'half',
    });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).details.map((detail) => detail.field)).toEqual(['body']);
  });

  it('a URL over 4096 characters is a 414 naming the url, below and above Node’s 16 KB header limit', async () => {
    // Past Node's limit the runner sees the length when the whole request line arrived, else only that it is long.
    const pastNodeLimit = /^(has \d+ characters|is longer than 16 KB); at most 4096 characters$/;
    const cases = [
      [5000, `has ${5000 + 43} characters; at most 4096 characters`],
      [20_000, pastNodeLimit],
      [100_000, pastNodeLimit],
    ] as const;
    for (const [length, message] of cases) {
      const response = await fetch(
        `${stack.host.url}/api/contracts?entity=opportunity&recordId=${'a'.repeat(length)}`,
      );
      expect(response.status).toBe(414);
      const error = await errorOf(response);
      expect(error).toMatchObject({
        code: 'uri_too_long',
        message: 'The URL is longer than 4096 characters',
      });
      expect(error.details).toHaveLength(1);
      expect(error.details[0]?.field).toBe('url');
      expect(error.details[0]?.message).toMatch(message);
    }
    const atTheLimit = `/api/health?${'a'.repeat(4096 - '/api/health?'.length)}`;
    expect((await fetch(`${stack.host.url}${atTheLimit}`)).status).toBe(200);
  });

  it('a request target no URL can be made of (`//`, `//[`, `http://[`) is a 400 naming the url, not a 500', async () => {
    const { port } = new URL(stack.host.url);
    // fetch would normalise these; they go on the request line exactly as written.
    const send = (path: string) =>
      new Promise<{ status: number; text: string; type: string | undefined }>((resolve, reject) => {
        const outgoing = request({ host: '127.0.0.1', port, path, agent: false }, (incoming) => {
          let text = '';
          incoming.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          incoming.on('end', () => {
            resolve({ status: incoming.statusCode ?? 0, text, type: incoming.headers['content-type'] });
          });
        });
        outgoing.on('error', reject);
        outgoing.end();
      });
    for (const path of ['//', '///', '//[/api/health', 'http://[/api/health', '//%']) {
      const answer = await send(path);
      expect({ path, status: answer.status }).toEqual({ path, status: 400 });
      expect(answer.type).toMatch(/^application\/json/);
      expect(ErrorShape.parse(JSON.parse(answer.text)).error).toEqual({
        code: 'bad_request',
        message: 'The request target is not a valid URL',
        details: [{ field: 'url', message: 'is not a valid request target' }],
      });
    }
  });

  it('headers over 16 KB with a short URL are a 431 in the API’s shape', async () => {
    const response = await fetch(`${stack.host.url}/api/health`, {
      headers: { 'x-padding': 'p'.repeat(20_000) },
    });
    expect(response.status).toBe(431);
    expect((await errorOf(response)).code).toBe('request_header_fields_too_large');
  });
});
