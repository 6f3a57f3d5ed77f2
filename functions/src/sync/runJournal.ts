import { isWrite, type SyncPlan } from '@oneflow-sync/shared';
import type { DynamicsGateway } from '../dataverse/dynamicsGateway';
import { isOneflowNotFoundError } from '../oneflow/errors';
import type { OneflowClient, OneflowProductInput } from '../oneflow/oneflowClient';
import type { ActivityAction, ActivityChange, ActivityEntry, RunRecord, StateStore } from '../state/types';
import type { ApplyTarget } from './apply';
import { describeInterrupted, type RunAction } from './runMessages';

/**
 * The journal of a run that writes: a row kept from before its first write until it ends (state/runStore), and
 * the lines whose writes Oneflow or Dynamics confirmed so far. If the process dies mid-way, the row outlives it;
 * whoever next looks at the contract turns it into an `interrupted` activity entry saying what had been written.
 */
export interface RunJournal {
  readonly runId: string;
  /** The services of `target`, reporting each confirmed write to the journal. */
  track(target: ApplyTarget): ApplyTarget;
  progress(): { planned: number; written: number };
  /** Waits for the last progress write, then removes the run's row: the run is over. */
  close(): Promise<void>;
}

/** The lines a plan writes to, in plan order. */
function plannedLines(plan: SyncPlan): string[] {
  const lines = plan.operations.flatMap((operation) =>
    isWrite(operation) && operation.lineId !== null ? [operation.lineId] : [],
  );
  return [...new Set(lines)];
}

/** The action a run's words use: a webhook run is a fetch. */
function runActionOf(action: ActivityAction): RunAction {
  switch (action) {
    case 'initial_transfer':
    case 'push':
    case 'fetch':
    case 'conflict_resolution':
      return action;
    default:
      return 'fetch';
  }
}

/**
 * Starts the journal of a run before its first write: the run's row, then the `running` activity entry (same id
 * and time as the entry the run records when it ends, which replaces it). Row first: a process that dies between
 * the two leaves a row without an entry, which still reads as interrupted; the other order would leave an entry
 * that stays `running` for ever. (The entry's change rows are not the entry until its headers list it.)
 */
export async function startRunJournal(
  store: StateStore,
  plan: SyncPlan,
  run: Omit<RunRecord, 'planned' | 'written'>,
  running: ActivityEntry,
): Promise<RunJournal> {
  const lines = plannedLines(plan);
  const rowWritten = store.runs.start({ ...run, planned: lines, written: [] });
  // The entry's change rows (a large plan's) go out beside the row; only its listing waits for the row.
  await Promise.all([rowWritten, store.activity.record(running, { listedAfter: rowWritten })]);
  const planned = new Set(lines);
  const lineOfProduct = new Map<number, string>();
  for (const operation of plan.operations) {
    if (isWrite(operation) && 'productId' in operation && operation.productId !== null && operation.lineId) {
      lineOfProduct.set(operation.productId, operation.lineId);
    }
  }
  const lineOf = (productId: number): string | null => lineOfProduct.get(productId) ?? null;
  // The lines of the plan's product updates and deletes: what a bulk write of their table confirms.
  const productLines = new Map<number, string>();
  for (const operation of plan.operations) {
    if (operation.kind === 'update_product' || operation.kind === 'delete_product') {
      productLines.set(operation.productId, operation.lineId);
    }
  }
  const written = new Set<string>();
  // At most one progress write in flight; writes confirmed meanwhile go in the next one.
  const flushing: { current: Promise<void> | null; again: boolean } = { current: null, again: false };
  const flush = (): void => {
    if (flushing.current !== null) {
      flushing.again = true;
      return;
    }
    flushing.current = store.runs
      .progress(run.tenantId, run.contractId, run.runId, [...written])
      // Progress is a courtesy for the interrupted case: a failed write of it must not fail the run.
      .catch(() => undefined)
      .finally(() => {
        flushing.current = null;
        if (flushing.again) {
          flushing.again = false;
          flush();
        }
      });
  };
  const confirm = (lineIds: readonly (string | null | undefined)[]): void => {
    const fresh = lineIds.filter(
      (lineId): lineId is string => typeof lineId === 'string' && planned.has(lineId) && !written.has(lineId),
    );
    if (fresh.length === 0) return;
    for (const lineId of fresh) written.add(lineId);
    flush();
  };

  return {
    runId: run.runId,
    track(target) {
      return {
        ...target,
        oneflow: trackedOneflow(target.oneflow, confirm, lineOf, (groupId, rows) =>
          tableWriteLines(target.productGroups, productLines, groupId, rows),
        ),
        dynamics: trackedDynamics(target.dynamics, confirm),
      };
    },
    progress: () => ({ planned: planned.size, written: written.size }),
    async close() {
      while (flushing.current !== null) await flushing.current;
      await store.runs.finish(run.tenantId, run.contractId, run.runId);
    },
  };
}

type Confirm = (lineIds: readonly (string | null | undefined)[]) => void;

const customIdOf = (body: OneflowProductInput): string | null | undefined =>
  body._private_ownerside?.custom_id ?? body.custom_id;

type TableRows = readonly (OneflowProductInput & { id?: number })[];

/**
 * The lines a bulk write of a table confirms: its new rows (by custom_id), its rows updated by the plan, and
 * the plan's deletes among the products read in that table and left out of the write.
 */
function tableWriteLines(
  groups: ApplyTarget['productGroups'],
  productLines: ReadonlyMap<number, string>,
  groupId: number,
  rows: TableRows,
): (string | null | undefined)[] {
  const listed = new Set(rows.flatMap((row) => (row.id === undefined ? [] : [row.id])));
  const leftOut = (groups.find((group) => group.id === groupId)?.products ?? []).filter(
    (product) => !listed.has(product.id),
  );
  return [
    ...rows.map((row) => (row.id === undefined ? customIdOf(row) : productLines.get(row.id))),
    ...leftOut.map((product) => productLines.get(product.id)),
  ];
}

function trackedOneflow(
  oneflow: OneflowClient,
  confirm: Confirm,
  lineOf: (productId: number) => string | null,
  tableLines: (groupId: number, rows: TableRows) => (string | null | undefined)[],
): OneflowClient {
  return {
    ...oneflow,
    async createProduct(contractId, groupId, body) {
      const product = await oneflow.createProduct(contractId, groupId, body);
      confirm([customIdOf(body)]);
      return product;
    },
    async updateProduct(contractId, productId, body) {
      const product = await oneflow.updateProduct(contractId, productId, body);
      confirm([lineOf(productId)]);
      return product;
    },
    async deleteProduct(contractId, productId) {
      try {
        await oneflow.deleteProduct(contractId, productId);
      } catch (error) {
        // Already gone is the state the delete wanted.
        if (isOneflowNotFoundError(error)) confirm([lineOf(productId)]);
        throw error;
      }
      confirm([lineOf(productId)]);
    },
    async replaceGroupProducts(contractId, groupId, body) {
      const group = await oneflow.replaceGroupProducts(contractId, groupId, body);
      confirm(tableLines(groupId, body.products ?? []));
      return group;
    },
  };
}

function trackedDynamics(dynamics: DynamicsGateway, confirm: Confirm): DynamicsGateway {
  return {
    ...dynamics,
    async updateLines(entity, updates, call) {
      const etags = await dynamics.updateLines(entity, updates, call);
      confirm(updates.map((update) => update.lineId));
      return etags;
    },
  };
}

const WRITTEN = 'Written before the run stopped';
const NOT_CONFIRMED =
  'Not confirmed: the run stopped before this write was confirmed; it may or may not have been made';

/** The activity entry of a run that never finished, from its row and (when it was written) its running entry. */
export function interruptedEntry(run: RunRecord, running: ActivityEntry | null): ActivityEntry {
  const planned = new Set(run.planned);
  const written = new Set(run.written.filter((lineId) => planned.has(lineId)));
  const noteOf = (lineId: string) => (written.has(lineId) ? WRITTEN : NOT_CONFIRMED);
  const changes: ActivityChange[] = running
    ? running.changes.map((change) =>
        change.side !== null && change.lineId !== null && planned.has(change.lineId)
          ? { ...change, note: [change.note, noteOf(change.lineId)].filter(Boolean).join('. ') }
          : change,
      )
    : run.planned.map((lineId) => ({
        lineId,
        productId: null,
        dynamicsField: null,
        oneflowField: null,
        side: null,
        old: null,
        new: null,
        rule: 'interrupted',
        note: noteOf(lineId),
      }));
  return {
    id: run.runId,
    tenantId: run.tenantId,
    contractId: run.contractId,
    mainEntity: run.mainEntity,
    recordId: run.recordId,
    action: run.action,
    outcome: 'interrupted',
    actor: run.actor,
    at: run.startedAt,
    message: describeInterrupted(runActionOf(run.action), { planned: planned.size, written: written.size }),
    summary: running?.summary ?? null,
    changes,
  };
}

/**
 * Turns the contract's unfinished run, if it has one, into its `interrupted` activity entry and removes its row.
 * `underLease`: the caller holds the contract's lease, so a run row left there is certainly dead. Otherwise the
 * run counts as dead once its lease has run out or passed to another holder (a live run renews it).
 */
export async function settleInterruptedRun(
  store: StateStore,
  tenantId: string,
  contractId: number,
  underLease: boolean,
): Promise<void> {
  const run = await store.runs.get(tenantId, contractId);
  if (run === null) return;
  if (!underLease) {
    const holding = await store.leases.holding(tenantId, contractId);
    const alive =
      holding !== null && holding.holder === run.holder && Date.parse(holding.expiresAt) > Date.now();
    if (alive) return;
  }
  const running = await store.activity.get(tenantId, contractId, run.startedAt, run.runId);
  // A run that recorded its end but died before removing its row finished: its entry stays as it is.
  if (running === null || running.outcome === 'running') {
    await store.activity.record(interruptedEntry(run, running));
  }
  await store.runs.finish(tenantId, contractId, run.runId);
}

/** `settleInterruptedRun` for what a listing shows: one contract, or every contract of a record. */
export async function settleInterruptedRuns(
  store: StateStore,
  tenantId: string,
  scope: { contractId: number } | { recordId: string },
): Promise<void> {
  const contractIds =
    'contractId' in scope
      ? [scope.contractId]
      : (await store.runs.listByRecord(tenantId, scope.recordId)).map((run) => run.contractId);
  for (const contractId of contractIds) await settleInterruptedRun(store, tenantId, contractId, false);
}
