import http from 'node:http';
import https from 'node:https';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';

/** How long a request MSAL makes through this client may take before it is abandoned. */
const REQUEST_TIMEOUT_MS = 15_000;

export interface TrustedAnswer {
  status: number;
  /** Lower-case names, as Node's fetch gives them to MSAL. */
  headers: Record<string, string>;
  text: string;
}

/**
 * One request, over TLS trusting only `ca` when the URL is https (global fetch cannot be given a CA), or over plain
 * http (Azure's managed-identity endpoint is on the instance itself).
 */
export function sendTrusting(
  method: 'GET' | 'POST',
  url: string,
  ca: string | undefined,
  options: NetworkRequestOptions = {},
  timeoutMs: number = REQUEST_TIMEOUT_MS,
): Promise<TrustedAnswer> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const request = (secure ? https : http).request(
      target,
      {
        method,
        ...(options.headers === undefined ? {} : { headers: options.headers }),
        ...(ca === undefined || !secure ? {} : { ca }),
        // A fresh connection per request: no pooled socket outlives the token request.
        agent: false,
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers)) {
            if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({
            status: response.statusCode ?? 0,
            headers,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    request.on('error', reject);
    request.end(method === 'POST' ? (options.body ?? '') : undefined);
  });
}

/**
 * MSAL's HTTP client where its own (Node's fetch) cannot be given a CA: a non-Entra authority host, or a
 * managed-identity endpoint with a private certificate. The same answers MSAL's client gives it (status,
 * lower-case headers, parsed JSON body); a body that is not JSON is a failure, as in MSAL's client.
 */
export function trustingNetworkClient(ca: string | undefined): INetworkModule {
  async function send<T>(
    method: 'GET' | 'POST',
    url: string,
    options: NetworkRequestOptions | undefined,
    timeoutMs?: number,
  ): Promise<NetworkResponse<T>> {
    const answer = await sendTrusting(method, url, ca, options, timeoutMs);
    let body: T;
    try {
      body = JSON.parse(answer.text) as T;
    } catch {
      throw new Error(`${method} ${new URL(url).origin} answered ${answer.status} without JSON`);
    }
    return { status: answer.status, headers: answer.headers, body };
  }
  return {
    sendGetRequestAsync: (url, options, timeout) => send('GET', url, options, timeout),
    sendPostRequestAsync: (url, options) => send('POST', url, options),
  };
}
