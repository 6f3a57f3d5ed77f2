import { ApiError } from './SyncApiClient';

/** Waits when the server names no wait for a busy contract. */
const DEFAULT_BUSY_WAIT_SECONDS = 5;
/** Never wait longer automatically: a person can click Retry. */
const LONGEST_AUTOMATIC_WAIT_SECONDS = 30;

export type Sleep = (milliseconds: number) => Promise<void>;
const realSleep: Sleep = (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/**
 * Runs `call`; when the contract is busy (another sync of it runs) waits the server's `retryAfterSeconds` once
 * and tries again, telling `onWaiting` how long it waits so the widget can say so. Anything else, or a second
 * busy answer, is the caller's to show.
 */
export async function withBusyRetry<T>(
  call: () => Promise<T>,
  onWaiting: (seconds: number) => void,
  sleep: Sleep = realSleep,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== 'contract_busy') throw error;
    const seconds = Math.min(
      error.retryAfterSeconds ?? DEFAULT_BUSY_WAIT_SECONDS,
      LONGEST_AUTOMATIC_WAIT_SECONDS,
    );
    onWaiting(seconds);
    await sleep(seconds * 1000);
    return call();
  }
}
