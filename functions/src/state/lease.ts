import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { LeaseBusyError } from './errors';
import type { LeaseStore, LeaseSubject } from './types';

/**
 * How long a lease lives without renewal. Short, so that a run whose process died frees its contract within
 * seconds; a live run renews it every ttl/3, so a storage hiccup of a few seconds does not cost it the lease.
 */
export const LEASE_TTL_MS = 15_000;

export interface ContractLeaseOptions {
  /** How long the lease lives without renewal; default LEASE_TTL_MS. Renewed every ttl/3 while `fn` runs. */
  ttlMs?: number;
  /**
   * How long to wait for a busy lease before LeaseBusyError; default 0: a person asking gets the busy answer,
   * with the time left, at once. The queue processor waits (a message has time; a person does not).
   */
  waitMs?: number;
  /** Polling interval while waiting; default 250 ms. */
  pollMs?: number;
  /** Default: a new id per call (`<host>/<pid>/<uuid>`). */
  holder?: string;
}

export interface HeldLease {
  holder: string;
  /** Aborted when a renewal finds the lease taken over (this run no longer holds it). */
  signal: AbortSignal;
  ttlMs: number;
  /** The lease was busy at first and had to be waited for: what was read before taking it may be old by now. */
  waited: boolean;
  /**
   * Lets go of the lease now (renewals stop first), once everything the next holder reads is stored; the end of
   * `fn` lets go otherwise. Never fails: a lease not released expires after ttl.
   */
  release(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const subjectWords = (subject: LeaseSubject): string =>
  typeof subject === 'number' ? `contract ${subject}` : subject.recordId;

function newLeaseHolder(): string {
  return `${hostname()}/${process.pid}/${randomUUID()}`;
}

/** LeaseBusyError carrying how long the current holder's lease still runs. */
async function busy(leases: LeaseStore, tenantId: string, subject: LeaseSubject): Promise<LeaseBusyError> {
  const holding = await leases.holding(tenantId, subject);
  const left = holding === null ? 0 : Date.parse(holding.expiresAt) - Date.now();
  return new LeaseBusyError(tenantId, subject, left);
}

/**
 * Runs `fn` while holding the contract's lease, so push, fetch and webhook processing of one contract never
 * interleave. Waits (polling) up to `waitMs`, then throws LeaseBusyError with the holder's time left; renews
 * every ttl/3 while `fn` runs; always stops renewing and releases when `fn` settles. A failed release is left
 * to expire (after ttl).
 */
export async function withContractLease<T>(
  leases: LeaseStore,
  tenantId: string,
  subject: LeaseSubject,
  fn: (lease: HeldLease) => Promise<T>,
  options: ContractLeaseOptions = {},
): Promise<T> {
  const ttlMs = options.ttlMs ?? LEASE_TTL_MS;
  const waitMs = options.waitMs ?? 0;
  const pollMs = options.pollMs ?? 250;
  const holder = options.holder ?? newLeaseHolder();

  const started = Date.now();
  let waited = false;
  let takenAt = started;
  while (!(await leases.acquire(tenantId, subject, holder, ttlMs))) {
    waited = true;
    const remaining = started + waitMs - Date.now();
    if (remaining <= 0) throw await busy(leases, tenantId, subject);
    await sleep(Math.min(pollMs, remaining));
    takenAt = Date.now();
  }

  const controller = new AbortController();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  // An object, not a `let`: the renewal callback reassigns it, which flow analysis would not see.
  const inFlight: { renewal: Promise<void> | null } = { renewal: null };
  // The lease runs out ttl after the write that last took or renewed it, counted from before that write was sent
  // (so never later than the row's own expiry): by then another run may hold it, so this run writes no more.
  // A renewal that lands later comes too late: someone may have held the lease in between.
  let expiry: NodeJS.Timeout | undefined;
  const expireAt = (renewedAt: number) => {
    clearTimeout(expiry);
    expiry = setTimeout(
      () => {
        controller.abort(new Error(`The lease on ${subjectWords(subject)} ran out before it was renewed`));
      },
      Math.max(0, renewedAt + ttlMs - Date.now()),
    );
  };

  const renew = async () => {
    const renewing = Date.now();
    try {
      if (await leases.acquire(tenantId, subject, holder, ttlMs)) {
        if (controller.signal.aborted) return;
        expireAt(renewing);
      } else {
        controller.abort(new Error(`The lease on ${subjectWords(subject)} was taken over`));
      }
    } catch {
      // A transient storage failure: the next renewal tries again; should none succeed in time, the lease's
      // expiry stops the run.
    }
  };
  const schedule = () => {
    timer = setTimeout(
      () => {
        inFlight.renewal = renew().finally(() => {
          inFlight.renewal = null;
          if (!stopped && !controller.signal.aborted) schedule();
        });
      },
      Math.max(1, Math.floor(ttlMs / 3)),
    );
  };
  schedule();
  expireAt(takenAt);

  const released: { current: Promise<void> | null } = { current: null };
  const release = (): Promise<void> => {
    released.current ??= (async () => {
      stopped = true;
      clearTimeout(timer);
      clearTimeout(expiry);
      // A renewal still in flight would re-create the lease after the release: let it finish first.
      if (inFlight.renewal !== null) await inFlight.renewal;
      try {
        await leases.release(tenantId, subject, holder);
      } catch {
        // Not released: it expires after ttlMs. Never hide fn's own outcome behind this.
      }
    })();
    return released.current;
  };

  try {
    return await fn({ holder, signal: controller.signal, ttlMs, waited, release });
  } finally {
    await release();
  }
}
