import { z } from 'zod';
import type { Random } from './random';

const Rate = z.number().min(0).max(1);

/** Latency and fault rates for one route ("GET /v1/contracts/:id") or for every route ("*"). */
const RouteFaultsSchema = z.object({
  latencyMs: z.number().int().min(0).default(0),
  jitterMs: z.number().int().min(0).default(0),
  /** How much longer a "slow" answer takes. */
  slowMs: z.number().int().min(0).default(2000),
  rates: z
    .object({ '429': Rate.default(0), '500': Rate.default(0), drop: Rate.default(0), slow: Rate.default(0) })
    .default({ '429': 0, '500': 0, drop: 0, slow: 0 }),
});

export const FaultConfigSchema = z.object({
  seed: z.number().int().default(1),
  routes: z.record(z.string(), RouteFaultsSchema).default({}),
});
export type FaultConfig = z.infer<typeof FaultConfigSchema>;

export type FaultKind = 'drop' | '429' | '500';

export interface FaultDecision {
  /** Milliseconds to wait before answering (latency, jitter, slow answers). */
  delayMs: number;
  fault: FaultKind | null;
}

/** The faults for one request: a pure function of the config, the route and the next random numbers. */
export function decideFault(config: FaultConfig, routeKey: string, random: Random): FaultDecision {
  const faults = config.routes[routeKey] ?? config.routes['*'];
  if (!faults) return { delayMs: 0, fault: null };
  const roll = random();
  const { rates } = faults;
  let fault: FaultKind | null = null;
  if (roll < rates.drop) fault = 'drop';
  else if (roll < rates.drop + rates['429']) fault = '429';
  else if (roll < rates.drop + rates['429'] + rates['500']) fault = '500';
  const slow = random() < rates.slow;
  const delayMs = faults.latencyMs + Math.round(random() * faults.jitterMs) + (slow ? faults.slowMs : 0);
  return { delayMs, fault };
}
