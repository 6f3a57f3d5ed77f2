import type { Services } from '../services';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Drops activity older than its retention, and webhook callback ids old enough that Oneflow stopped retrying. */
export async function cleanup(services: Services): Promise<{ activity: number; callbacks: number }> {
  const now = services.clock().getTime();
  const { activityDays, callbackDays } = services.config.retention;
  return {
    activity: await services.store.activity.deleteOlderThan(new Date(now - activityDays * DAY_MS)),
    callbacks: await services.store.callbacks.deleteOlderThan(new Date(now - callbackDays * DAY_MS)),
  };
}
