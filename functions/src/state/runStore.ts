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

  return {
    async start(input) {
      const run = parseInput(RunRecordSchema, input, 'Run');
      await client.upsertEntity(entity(run), 'Replace');
    },

    async progress(tenantId, contractId, runId, written) {
      const keys = keysFor(tenantId, contractId);
      const row = await getRow(client, keys.partitionKey, keys.rowKey);
      if (row?.runId !== runId) return;
      const run = read(row);
      try {
        await client.updateEntity(entity({ ...run, written: [...written] }), 'Replace', { etag: row.etag });
      } catch (error) {
        const status = statusOf(error);
        // Finished or taken for interrupted meanwhile: progress of a run that is over is not kept.
        if (status !== 404 && status !== 412) throw error;
      }
    },

    async finish(tenantId, contractId, runId) {
      const keys = keysFor(tenantId, contractId);
      const row = await getRow(client, keys.partitionKey, keys.rowKey);
      if (row?.runId !== runId) return;
      try {
        await client.deleteEntity(keys.partitionKey, keys.rowKey, { etag: row.etag });
      } catch (error) {
        const status = statusOf(error);
        if (status !== 404 && status !== 412) throw error;
      }
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
