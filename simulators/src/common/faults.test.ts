import { decideFault, FaultConfigSchema } from './faults';
import { seededRandom } from './random';

describe('fault injection', () => {
  it('the same seed gives the same sequence of faults and delays', () => {
    const config = FaultConfigSchema.parse({
      seed: 7,
      routes: {
        '*': { latencyMs: 5, jitterMs: 20, rates: { '429': 0.2, '500': 0.1, drop: 0.05, slow: 0.1 } },
      },
    });
    const run = () => {
      const random = seededRandom(config.seed);
      return Array.from({ length: 50 }, () => decideFault(config, 'GET /x', random));
    };
    expect(run()).toEqual(run());
  });

  it('rates are honoured over many requests, and a route entry overrides "*"', () => {
    const config = FaultConfigSchema.parse({
      routes: { '*': { rates: { '429': 0.3 } }, 'GET /quiet': {} },
    });
    const random = seededRandom(42);
    const noisy = Array.from({ length: 2000 }, () => decideFault(config, 'GET /x', random).fault);
    const share = noisy.filter((fault) => fault === '429').length / noisy.length;
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.35);
    const quiet = Array.from({ length: 200 }, () => decideFault(config, 'GET /quiet', random).fault);
    expect(quiet.every((fault) => fault === null)).toBe(true);
  });

  it('latency is the fixed part plus at most the jitter, plus the slow penalty on slow answers', () => {
    const config = FaultConfigSchema.parse({
      routes: { '*': { latencyMs: 10, jitterMs: 5, slowMs: 100, rates: { slow: 1 } } },
    });
    const random = seededRandom(3);
    for (let index = 0; index < 100; index += 1) {
      const { delayMs } = decideFault(config, 'GET /x', random);
      expect(delayMs).toBeGreaterThanOrEqual(110);
      expect(delayMs).toBeLessThanOrEqual(115);
    }
  });
});
