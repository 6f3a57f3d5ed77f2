import { Agent } from 'node:https';
import axios from 'axios';
import { z } from 'zod';
import type { Stack } from '../functions/src/testing/stack';
import type { Interval } from './rounds';

/**
 * The remote services' side of a measurement: every simulator answers each request after a fixed latency (its
 * `PUT /_sim/faults` control, `routes: {"*": {latencyMs}}`), and keeps a request log.
 *
 * Rounds of remote requests come from those logs. A log entry is written when the answer is sent, with a
 * millisecond timestamp, and the simulator waits the fixed latency before it handles a request, so a request's
 * interval is taken as [answered − latency, answered]: a request sent after another was answered never overlaps
 * it, so a chain of sequential requests is counted whole. A request whose own handling takes longer than the gap
 * before the next one could be counted once too often; the simulators answer in a few milliseconds.
 */

type RemoteService = 'oneflow' | 'dataverse' | 'identity';
const REMOTE_SERVICES: readonly RemoteService[] = ['oneflow', 'dataverse', 'identity'];

const LogSchema = z.object({
  requests: z.array(z.object({ method: z.string(), url: z.string(), route: z.string(), at: z.string() })),
});
export type LoggedRequest = z.infer<typeof LogSchema>['requests'][number];

export interface RemoteControl {
  setLatency(ms: number): Promise<void>;
  clearLogs(): Promise<void>;
  log(service: RemoteService): Promise<LoggedRequest[]>;
}

export function remoteControl(stack: Stack): RemoteControl {
  const client = axios.create({
    httpsAgent: new Agent({ ca: stack.simulators.identityCertificatePem }),
    validateStatus: () => true,
  });
  const base: Record<RemoteService, string> = {
    oneflow: stack.simulators.oneflowUrl,
    dataverse: stack.simulators.dataverseUrl,
    identity: stack.simulators.identityUrl,
  };
  const call = async (service: RemoteService, method: string, path: string, data?: unknown) => {
    const answer = await client.request<unknown>({ method, url: `${base[service]}${path}`, data });
    if (answer.status !== 200) {
      throw new Error(`${service} simulator ${method} ${path}: ${String(answer.status)}`);
    }
    return answer.data;
  };
  return {
    async setLatency(ms) {
      const faults = ms > 0 ? { routes: { '*': { latencyMs: ms } } } : { routes: {} };
      await Promise.all(REMOTE_SERVICES.map((service) => call(service, 'PUT', '/_sim/faults', faults)));
    },
    async clearLogs() {
      await Promise.all(REMOTE_SERVICES.map((service) => call(service, 'DELETE', '/_sim/requests')));
    },
    async log(service) {
      return LogSchema.parse(await call(service, 'GET', '/_sim/requests')).requests;
    },
  };
}

export function intervalsOf(requests: readonly LoggedRequest[], latencyMs: number): Interval[] {
  return requests.map((request) => {
    const end = Date.parse(request.at);
    return { start: end - latencyMs, end };
  });
}
