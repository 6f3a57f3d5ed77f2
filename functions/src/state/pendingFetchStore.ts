import type { TableClient } from '@azure/data-tables';
import { StateInputError } from './errors';
import { key, requireContractId, requireId } from './keys';
import { getRow, statusOf } from './tables';

/**
 * Per contract, what the queue processor needs to run as few fetches as it can without waiting for the contract's
 * lease: PartitionKey `<tenant>`, RowKey `<contractId>`, with
 * - `fetchBegunAt`: when the latest queued fetch of the contract began, written under the lease before that fetch
 *   reads Oneflow (a change received by then is covered: the fetch succeeds, or its message is retried until it
 *   does or is given up);
 * - `pendingSince` and `pendingOwner`: a fetch is wanted (changes arrived while the contract was busy), and the id
 *   of the message that asked first and scheduled the follow-up that runs it.
 *
 * Every write is conditional on the etag read, so deciding "covered / join the pending fetch / ask for one" and a
 * fetch beginning (which clears the pending fetch, covering everyone who joined it) never interleave: joining
 * costs no write, asking costs one, and a changed row is read again.
 */
interface PendingFetch {
  since: string;
  owner: string;
}

export interface PendingFetchState {
  /** null: no row yet. */
  etag: string | null;
  fetchBegunAt: string | null;
  pending: PendingFetch | null;
}

export interface PendingFetchStore {
  read(tenantId: string, contractId: number): Promise<PendingFetchState>;
  /** Asks for a fetch as read in `state`; false when the row changed since (read it again). */
  want(
    tenantId: string,
    contractId: number,
    state: PendingFetchState,
    pending: PendingFetch,
  ): Promise<boolean>;
  /**
   * Under the contract's lease, right before a fetch: records that it begins `at` and clears the pending fetch
   * (the fetch covers it); false when the row changed since `state` was read (read it again).
   */
  beginFetch(tenantId: string, contractId: number, state: PendingFetchState, at: string): Promise<boolean>;
  /** Clears the pending fetch while `owner` still owns it (its follow-up could not be scheduled, or it is moot). */
  drop(tenantId: string, contractId: number, owner: string | null): Promise<void>;
  /** Forgets `fetchBegunAt` while it is still `at`: the fetch that began then was given up and covers nothing. */
  retract(tenantId: string, contractId: number, at: string): Promise<void>;
}

const CHANGED = new Set([404, 409, 412]);

export function createPendingFetchStore(client: TableClient): PendingFetchStore {
  const keysFor = (tenantId: string, contractId: number) => ({
    partitionKey: key(requireId('tenantId', tenantId)),
    rowKey: key(requireContractId(contractId)),
  });

  /** Writes the row as given, if it is still as read; false when it changed. */
  const writeIfUnchanged = async (
    tenantId: string,
    contractId: number,
    etag: string | null,
    fields: { fetchBegunAt: string | null; pending: PendingFetch | null },
  ): Promise<boolean> => {
    const entity = {
      ...keysFor(tenantId, contractId),
      tenantId,
      contractId,
      ...(fields.fetchBegunAt === null ? {} : { fetchBegunAt: fields.fetchBegunAt }),
      ...(fields.pending === null
        ? {}
        : { pendingSince: fields.pending.since, pendingOwner: fields.pending.owner }),
    };
    try {
      if (etag === null) await client.createEntity(entity);
      else await client.updateEntity(entity, 'Replace', { etag });
      return true;
    } catch (error) {
      if (CHANGED.has(statusOf(error) ?? 0)) return false;
      throw error;
    }
  };

  const store: PendingFetchStore = {
    async read(tenantId, contractId) {
      const { partitionKey, rowKey } = keysFor(tenantId, contractId);
      const row = await getRow(client, partitionKey, rowKey);
      if (row === null) return { etag: null, fetchBegunAt: null, pending: null };
      const { pendingSince, pendingOwner, fetchBegunAt } = row;
      return {
        etag: row.etag,
        fetchBegunAt: typeof fetchBegunAt === 'string' ? fetchBegunAt : null,
        pending:
          typeof pendingSince === 'string' && typeof pendingOwner === 'string'
            ? { since: pendingSince, owner: pendingOwner }
            : null,
      };
    },

    async want(tenantId, contractId, state, pending) {
      if (pending.owner.length === 0) throw new StateInputError('owner must not be empty');
      return writeIfUnchanged(tenantId, contractId, state.etag, {
        fetchBegunAt: state.fetchBegunAt,
        pending,
      });
    },

    async beginFetch(tenantId, contractId, state, at) {
      return writeIfUnchanged(tenantId, contractId, state.etag, { fetchBegunAt: at, pending: null });
    },

    async retract(tenantId, contractId, at) {
      const state = await store.read(tenantId, contractId);
      if (state.fetchBegunAt !== at) return;
      // A change since (a fetch begun, a pending fetch asked for) is left as it is: it is newer than what goes.
      await writeIfUnchanged(tenantId, contractId, state.etag, {
        fetchBegunAt: null,
        pending: state.pending,
      });
    },

    async drop(tenantId, contractId, owner) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const state = await store.read(tenantId, contractId);
        if (state.pending === null || (owner !== null && state.pending.owner !== owner)) return;
        const written = await writeIfUnchanged(tenantId, contractId, state.etag, {
          fetchBegunAt: state.fetchBegunAt,
          pending: null,
        });
        if (written) return;
      }
    },
  };
  return store;
}
