import { odata, type TableClient } from '@azure/data-tables';
import { key, requireContractId, requireId } from './keys';
import {
  getRow,
  packJson,
  parseInput,
  parseStored,
  queryRows,
  statusOf,
  unpackJson,
  type Row,
} from './tables';
import { RunRecordSchema, type RunRecord, type RunStore } from './types';

/**
 * Runs in progress: PartitionKey `<tenant>`, RowKey `<contractId>` — at most one per contract, since a run holds
 * the contract's lease. The row holds the run as JSON (`run`, its written lines included) and `runId` and
 * `recordId` as plain properties, so a progress write can check whose row it is and the activity list by record
 * can find a record's runs with one partition query. Rows are short-lived: written before a run's first write,
 * deleted when it ends; one left behind is a run that never finished.
 */

/** 150 lines of 36-character ids, planned and written, fit one piece; four leave room for far longer ids. */
const RUN_PIECES = 4;

export function createRunStore(client: TableClient): RunStore {
  const table = client.tableName;
  const keysFor = (tenantId: string, contractId: number) => ({
    partitionKey: key(requireId('tenantId', tenantId)),
    rowKey: key(requireContractId(contractId)),
  });
  const read = (row: Row): RunRecord =>
    parseStored(RunRecordSchema, unpackJson(table, row, 'run'), table, row);
  const entity = (run: RunRecord) => ({
    ...keysFor(run.tenantId, run.contractId),
    runId: run.runId,
    recordId: run.recordId,
    ...packJson('run', run, RUN_PIECES),
  });

  /**
   * The run and etag this instance last wrote, by run: a progress write or finish replaces or deletes by that
   * etag without reading first. A refused etag (the row was replaced or removed since) falls back to a read.
   */
  const written = new Map<string, { run: RunRecord; etag: string }>();
  const runKey = (tenantId: string, contractId: number, runId: string) =>
    JSON.stringify([tenantId, contractId, runId]);
  const remember = (run: RunRecord, etag: string | undefined) => {
    const held = runKey(run.tenantId, run.contractId, run.runId);
    if (etag === undefined) written.delete(held);
    else written.set(held, { run, etag });
  };
  /** Runs `write` with the etag given; false when the row changed or went meanwhile (then it is not this run's). */
  const ifStill = async (write: () => Promise<unknown>): Promise<boolean> => {
    try {
      await write();
      return true;
    } catch (error) {
      const status = statusOf(error);
      if (status !== 404 && status !== 412) throw error;
      return false;
    }
  };

  return {
    async start(input) {
      const run = parseInput(RunRecordSchema, input, 'Run');
      remember(run, (await client.upsertEntity(entity(run), 'Replace')).etag);
    },

    async progress(tenantId, contractId, runId, lines) {
      const held = written.get(runKey(tenantId, contractId, runId));
      if (held !== undefined) {
        const next = { ...held.run, written: [...lines] };
        const replaced = await ifStill(async () => {
          remember(next, (await client.updateEntity(entity(next), 'Replace', { etag: held.etag })).etag);
        });
        if (replaced) return;
        written.delete(runKey(tenantId, contractId, runId));
      }
      const keys = keysFor(tenantId, contractId);
      const row = await getRow(client, keys.partitionKey, keys.rowKey);
      if (row?.runId !== runId) return;
      const next = { ...read(row), written: [...lines] };
      // Finished or taken for interrupted meanwhile: progress of a run that is over is not kept.
      await ifStill(() => client.updateEntity(entity(next), 'Replace', { etag: row.etag }));
    },

    async finish(tenantId, contractId, runId) {
      const keys = keysFor(tenantId, contractId);
      const held = written.get(runKey(tenantId, contractId, runId));
      written.delete(runKey(tenantId, contractId, runId));
      if (
        held !== undefined &&
        (await ifStill(() => client.deleteEntity(keys.partitionKey, keys.rowKey, { etag: held.etag })))
      )
        return;
      const row = await getRow(client, keys.partitionKey, keys.rowKey);
      if (row?.runId !== runId) return;
      await ifStill(() => client.deleteEntity(keys.partitionKey, keys.rowKey, { etag: row.etag }));
    },

    async get(tenantId, contractId) {
      const keys = keysFor(tenantId, contractId);
      const row = await getRow(client, keys.partitionKey, keys.rowKey);
      if (row === null) return null;
      const run = read(row);
      return run.tenantId === tenantId ? run : null;
    },

    async listByRecord(tenantId, recordId) {
      const partitionKey = key(requireId('tenantId', tenantId));
      const rows = await queryRows(
        client,
        odata`PartitionKey eq ${partitionKey} and recordId eq ${recordId}`,
      );
      return rows.map(read).filter((run) => run.tenantId === tenantId);
    },
  };
}
