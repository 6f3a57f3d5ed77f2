import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { CorruptStateError } from './errors';
import { collectPage, decodeToken, encodeToken, listingOf } from './paging';
import {
  invertedTime,
  key,
  olderThanBound,
  prefixUpperBound,
  requireContractId,
  requireId,
  SEP,
} from './keys';
import {
  deleteRows,
  getRow,
  keysOf,
  mapLimit,
  packJson,
  parseJson,
  parseInput,
  parseStored,
  PIECE_CHARS,
  queryRows,
  rowPrefixFilter,
  splitText,
  submitActions,
  unpackJson,
  type Entity,
  type Row,
  type RowKeyPair,
} from './tables';
import {
  ActivityChangesSchema,
  ActivityHeaderSchema,
  type ActivityChange,
  type ActivityEntry,
  type ActivityFilter,
  type ActivityStore,
} from './types';

/**
 * Activity: field-level entries, listed newest first.
 *
 * Table Activity holds each entry's header row three times, one per way it is listed:
 *   PartitionKey `<tenant>|t`                 (the tenant's whole activity)
 *   PartitionKey `<tenant>|c|<contractId>`    (one contract)
 *   PartitionKey `<tenant>|r|<recordId>`      (one main record)
 * RowKey `<inverted time>|<entry id>` in all three, so a partition query returns newest first.
 * The header holds the entry without its changes (JSON), plus the changes inline when their JSON fits one string
 * property (30,000 characters). Larger change lists (a 150-line push with 6 fields is ~900 changes) go to table
 * ActivityChanges, PartitionKey `<tenant>|r|<recordId>`, RowKey `<inverted time>|<entry id>|<nnnn>`, up to 8 pieces
 * of 30,000 characters per row, written before the headers so a listed entry always has all its changes.
 * Retention deletes by RowKey ≥ the inverted cutoff in both tables, across all partitions.
 */

const HEADER_PIECES = 8;
const PIECES_PER_CHANGE_ROW = 8;
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;

export function createActivityStore(headers: TableClient, changeRows: TableClient): ActivityStore {
  const table = headers.tableName;
  const changesTable = changeRows.tableName;
  const tenantKey = (tenantId: string) => requireId('tenantId', tenantId);
  const tenantPartition = (tenantId: string) => key(tenantKey(tenantId), 't');
  const contractPartition = (tenantId: string, contractId: number) =>
    key(tenantKey(tenantId), 'c', requireContractId(contractId));
  const recordPartition = (tenantId: string, recordId: string) =>
    key(tenantKey(tenantId), 'r', requireId('recordId', recordId));
  const entryRowKey = (at: string, id: string) => key(invertedTime(Date.parse(at)), requireId('id', id));

  const readChanges = async (row: Row, tenantId: string, recordId: string): Promise<ActivityChange[]> => {
    if (row.changesPieces !== undefined) {
      return parseStored(ActivityChangesSchema, unpackJson(table, row, 'changes'), table, row);
    }
    const count = row.changeRows;
    const length = row.changesLength;
    if (typeof count !== 'number' || typeof length !== 'number') {
      throw new CorruptStateError(table, keysOf(row), 'has neither inline changes nor a change row count');
    }
    const prefix = `${row.rowKey ?? ''}${SEP}`;
    const rows = await queryRows(
      changeRows,
      rowPrefixFilter(recordPartition(tenantId, recordId), prefix, prefixUpperBound(prefix)),
    );
    let text = '';
    for (let index = 0; index < count; index++) {
      const part = rows[index];
      if (part?.rowKey !== `${prefix}${String(index).padStart(4, '0')}`) {
        throw new CorruptStateError(table, keysOf(row), `change row ${index} of ${count} is missing`);
      }
      const pieces = part.pieces;
      if (typeof pieces !== 'number')
        throw new CorruptStateError(changesTable, keysOf(part), 'pieces is missing');
      for (let piece = 0; piece < pieces; piece++) {
        const value = part[`p${piece}`];
        if (typeof value !== 'string')
          throw new CorruptStateError(changesTable, keysOf(part), `piece ${piece} is missing`);
        text += value;
      }
    }
    if (text.length !== length) {
      throw new CorruptStateError(
        table,
        keysOf(row),
        `changes are incomplete (${text.length} of ${length} characters)`,
      );
    }
    return parseStored(ActivityChangesSchema, parseJson(table, row, 'changes', text), table, row);
  };

  const readEntry = async (row: Row, tenantId: string): Promise<ActivityEntry> => {
    const header = parseStored(ActivityHeaderSchema, unpackJson(table, row, 'entry'), table, row);
    if (header.tenantId !== tenantId || row.rowKey !== entryRowKey(header.at, header.id)) {
      throw new CorruptStateError(table, keysOf(row), 'its tenant, time or id does not match its keys');
    }
    return { ...header, changes: await readChanges(row, tenantId, header.recordId) };
  };

  /** The partition a listing reads (one per way of listing) and its filter. */
  const listingFilter = (
    tenantId: string,
    filter: ActivityFilter,
  ): { partitionKey: string; query: string } => {
    if (filter.recordId !== undefined) {
      const partitionKey = recordPartition(tenantId, filter.recordId);
      return {
        partitionKey,
        query:
          filter.contractId === undefined
            ? odata`PartitionKey eq ${partitionKey}`
            : odata`PartitionKey eq ${partitionKey} and contractKey eq ${requireContractId(filter.contractId)}`,
      };
    }
    const partitionKey =
      filter.contractId === undefined
        ? tenantPartition(tenantId)
        : contractPartition(tenantId, filter.contractId);
    return { partitionKey, query: odata`PartitionKey eq ${partitionKey}` };
  };

  return {
    async record(input, options = {}) {
      const { changes: rawChanges, ...rawHeader } = input;
      const entry = parseInput(ActivityHeaderSchema, rawHeader, 'Activity entry');
      const changes = parseInput(ActivityChangesSchema, rawChanges, 'Activity changes');
      const rowKey = entryRowKey(entry.at, entry.id);
      const recordKey = recordPartition(entry.tenantId, entry.recordId);

      const changesText = JSON.stringify(changes);
      let changeProps: Record<string, string | number>;
      if (changesText.length <= PIECE_CHARS) {
        changeProps = { changes: changesText, changesPieces: 1 };
      } else {
        const pieces = splitText(changesText);
        const actions: TransactionAction[] = [];
        for (let start = 0, index = 0; start < pieces.length; start += PIECES_PER_CHANGE_ROW, index++) {
          const row: Entity = {
            partitionKey: recordKey,
            rowKey: key(rowKey, String(index).padStart(4, '0')),
            tenantId: entry.tenantId,
            at: entry.at,
            pieces: 0,
          };
          const slice = pieces.slice(start, start + PIECES_PER_CHANGE_ROW);
          slice.forEach((piece, n) => (row[`p${n}`] = piece));
          row.pieces = slice.length;
          actions.push(['upsert', row, 'Replace']);
        }
        await submitActions(changeRows, actions);
        changeProps = { changeRows: actions.length, changesLength: changesText.length };
      }

      await options.listedAfter;
      const common = {
        rowKey,
        tenantId: entry.tenantId,
        contractKey: String(entry.contractId),
        recordId: entry.recordId,
        // A column of its own so the list can filter by it in the table (the entry's JSON cannot be queried).
        outcome: entry.outcome,
        at: entry.at,
        ...packJson('entry', entry, HEADER_PIECES),
        ...changeProps,
      };
      await Promise.all(
        [tenantPartition(entry.tenantId), contractPartition(entry.tenantId, entry.contractId), recordKey].map(
          (partitionKey) => headers.upsertEntity({ partitionKey, ...common }, 'Replace'),
        ),
      );
    },

    async get(tenantId, contractId, at, id) {
      const row = await getRow(headers, contractPartition(tenantId, contractId), entryRowKey(at, id));
      return row === null ? null : readEntry(row, tenantId);
    },

    async list(tenantId, filter) {
      const limit = Math.min(Math.max(1, Math.floor(filter.limit ?? DEFAULT_LIMIT)), MAX_LIMIT);
      const rows = await queryRows(headers, listingFilter(tenantId, filter).query, { limit });
      return mapLimit(rows, 8, (row) => readEntry(row, tenantId));
    },

    async listPage(tenantId, filter, request) {
      const limit = Math.min(Math.max(1, Math.floor(request.limit)), MAX_LIMIT);
      const { query } = listingFilter(tenantId, filter);
      const filtered =
        filter.outcome === undefined ? query : `(${query}) and ${odata`outcome eq ${filter.outcome}`}`;
      const listing = listingOf('activity', tenantId, filter.contractId, filter.recordId, filter.outcome);
      const position = decodeToken(request.continuationToken, listing);
      const page = await collectPage(headers, [filtered], position, limit, (rows) =>
        mapLimit(rows, 8, (row) => readEntry(row, tenantId)),
      );
      const complete = request.continuationToken === undefined && page.next === null;
      return {
        items: page.items,
        continuationToken: page.next === null ? null : encodeToken(page.next, listing),
        total: complete ? page.items.length : null,
      };
    },

    async deleteOlderThan(cutoff) {
      const bound = olderThanBound(cutoff);
      const filter = odata`RowKey ge ${bound}`;
      const select = ['PartitionKey', 'RowKey'];
      const old = await queryRows(headers, filter, { select });
      const entries = new Set(
        old.map((row) => `${(row.partitionKey ?? '').split(SEP)[0] ?? ''}${SEP}${row.rowKey ?? ''}`),
      );
      const toKeys = (rows: Row[]): RowKeyPair[] =>
        rows.map((row) => ({ partitionKey: row.partitionKey ?? '', rowKey: row.rowKey ?? '' }));
      // Headers first: a listed entry never lacks its changes (orphaned change rows are caught next time).
      await deleteRows(headers, toKeys(old));
      await deleteRows(changeRows, toKeys(await queryRows(changeRows, filter, { select })));
      return entries.size;
    },
  };
}
