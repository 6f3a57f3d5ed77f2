import type { IncomingHttpHeaders } from 'node:http';
import https from 'node:https';

export interface TlsResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface TlsRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * One HTTPS request that trusts exactly `certificatePem` (the simulator's self-signed certificate) and nothing
 * else: global `fetch` cannot be given a CA, and turning certificate checks off would hide real TLS mistakes.
 * `agent: false` opens a fresh connection without keep-alive, so no socket outlives the request.
 */
export function requestTrusting(
  certificatePem: string,
  url: string,
  init: TlsRequest = {},
): Promise<TlsResponse> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      url,
      { method: init.method ?? 'GET', headers: init.headers, ca: certificatePem, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text,
            json: parseJson(text),
          });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(init.body);
  });
}

/** A form post, the way OAuth clients call a token endpoint. */
export function postFormTrusting(
  certificatePem: string,
  url: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<TlsResponse> {
  return requestTrusting(certificatePem, url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
}

/** A JSON post, the way the control endpoints are called. */
export function postJsonTrusting(certificatePem: string, url: string, body: unknown): Promise<TlsResponse> {
  return requestTrusting(certificatePem, url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}
