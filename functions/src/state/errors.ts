import { guardFor } from '../common/errorKinds';

/**
 * Typed state-store failures with `isX(e: unknown)` guards. Messages name tables, keys and ids only, never
 * stored values.
 */

import type { LeaseSubject } from './types';

export type PreconditionReason = 'exists' | 'changed' | 'missing';

const REASONS: Record<PreconditionReason, string> = {
  exists: 'it already exists',
  changed: 'it was changed by someone else since it was read (etag mismatch)',
  missing: 'it no longer exists',
};

/** A conditional write lost: `ifMatch` null but the row exists, a stale etag, or the row is gone. */
export class PreconditionFailedError extends Error {
  readonly reason: PreconditionReason;
  readonly what: string;

  constructor(what: string, reason: PreconditionReason, options?: { cause?: unknown }) {
    super(`${what} was not written: ${REASONS[reason]}`, options);
    this.name = 'PreconditionFailedError';
    this.what = what;
    this.reason = reason;
  }
}

/** The contract's lease is held by another run (after the wait, if the caller chose to wait). */
export class LeaseBusyError extends Error {
  readonly tenantId: string;
  readonly subject: LeaseSubject;
  /** How long the holder's lease still runs: a dead holder's lease is free by then. */
  readonly retryAfterMs: number;

  constructor(tenantId: string, subject: LeaseSubject, retryAfterMs: number) {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    super(
      typeof subject === 'number'
        ? `Contract ${subject} is busy: another sync holds its lease for up to ${seconds} s more`
        : `${subject.mainEntity} ${subject.recordId} is busy: its contract is being created (up to ${seconds} s more)`,
    );
    this.name = 'LeaseBusyError';
    this.tenantId = tenantId;
    this.subject = subject;
    this.retryAfterMs = Math.max(0, retryAfterMs);
  }
}

/** A stored row that cannot be read back: bad JSON, missing pieces, or it fails its schema. */
export class CorruptStateError extends Error {
  readonly table: string;
  readonly partitionKey: string;
  readonly rowKey: string;

  constructor(table: string, key: { partitionKey: string; rowKey: string }, detail: string, cause?: unknown) {
    super(
      `Corrupt row in table ${table} (PartitionKey '${key.partitionKey}', RowKey '${key.rowKey}'): ${detail}`,
      cause === undefined ? undefined : { cause },
    );
    this.name = 'CorruptStateError';
    this.table = table;
    this.partitionKey = key.partitionKey;
    this.rowKey = key.rowKey;
  }
}

/** An argument the store refuses (bad id, mismatched contract id, a value too large to store, …). */
export class StateInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateInputError';
  }
}

export const isPreconditionFailedError = guardFor(PreconditionFailedError);
export const isLeaseBusyError = guardFor(LeaseBusyError);
