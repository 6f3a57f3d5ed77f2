import {
  odata,
  TableClient,
  TableServiceClient,
  type TableEntity,
  type TableEntityResult,
  type TransactionAction,
} from '@azure/data-tables';
import pLimit from 'p-limit';
import { z } from 'zod';
import type { TokenCredential } from '../auth/managedIdentity';
import { CorruptStateError, StateInputError } from './errors';

/** Low-level Table Storage helpers shared by the stores. */

export type Row = TableEntityResult<Record<string, unknown>>;
export type Entity = TableEntity;
export interface RowKeyPair {
  partitionKey: string;
  rowKey: string;
}

const LOCAL_ENDPOINT =
  /(?:Table|Queue|Blob)Endpoint=https?:\/\/(?:127\.0\.0\.1|localhost|\[::1\])(?::\d+)?(?:\/|;|$)/i;

/** Azurite or another local emulator: the SDK refuses plain http unless told it is fine. */
export function isLocalStorage(connectionString: string): boolean {
  return /UseDevelopmentStorage=true/i.test(connectionString) || LOCAL_ENDPOINT.test(connectionString);
}

/** How the stores reach Table Storage: a connection string, or the table service URL with a token credential. */
export type TableConnection = string | { url: string; credential: TokenCredential };

export function tableClient(connection: TableConnection, table: string): TableClient {
  if (typeof connection === 'string') {
    return TableClient.fromConnectionString(connection, table, {
      allowInsecureConnection: isLocalStorage(connection),
    });
  }
  return new TableClient(connection.url, table, connection.credential);
}

export function serviceClient(connection: TableConnection): TableServiceClient {
  if (typeof connection === 'string') {
    return TableServiceClient.fromConnectionString(connection, {
      allowInsecureConnection: isLocalStorage(connection),
    });
  }
  return new TableServiceClient(connection.url, connection.credential);
}

/** HTTP status of an SDK error (RestError.statusCode), if any. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'statusCode' in error) {
    const status = error.statusCode;
    return typeof status === 'number' ? status : undefined;
  }
  return undefined;
}

export async function ensureTable(service: TableServiceClient, table: string): Promise<void> {
  try {
    await service.createTable(table);
  } catch (error) {
    if (statusOf(error) !== 409) throw error; // TableAlreadyExists
  }
}

export async function getRow(client: TableClient, partitionKey: string, rowKey: string): Promise<Row | null> {
  try {
    return await client.getEntity(partitionKey, rowKey);
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw error;
  }
}

export function partitionFilter(partitionKey: string): string {
  return odata`PartitionKey eq ${partitionKey}`;
}

/** Rows of one partition whose row key starts with `prefix`. */
export function rowPrefixFilter(partitionKey: string, prefix: string, upper: string): string {
  return odata`PartitionKey eq ${partitionKey} and RowKey ge ${prefix} and RowKey lt ${upper}`;
}

/** Rows whose partition key lies in [lower, upper). */
export function partitionRangeFilter(lower: string, upper: string): string {
  return odata`PartitionKey ge ${lower} and PartitionKey lt ${upper}`;
}

export async function queryRows(
  client: TableClient,
  filter: string,
  options: { limit?: number; select?: string[] } = {},
): Promise<Row[]> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const rows: Row[] = [];
  if (limit <= 0) return rows;
  const pages = client
    .listEntities({
      queryOptions: options.select ? { filter, select: options.select } : { filter },
    })
    .byPage({ maxPageSize: Math.min(1000, Number.isFinite(limit) ? limit : 1000) });
  for await (const page of pages) {
    for (const row of page) {
      rows.push(row);
      if (rows.length >= limit) return rows;
    }
  }
  return rows;
}

/** Entity group transactions: ≤ 100 operations and a 4 MiB payload, all in one partition. */
const MAX_TRANSACTION_OPERATIONS = 100;
const MAX_TRANSACTION_BYTES = 3_500_000;

function estimatedBytes(action: TransactionAction): number {
  return Buffer.byteLength(JSON.stringify(action[1])) + 400;
}

/**
 * Splits actions by partition into transactions within the service limits and submits them in order, or all at
 * once with `concurrently` (when no transaction depends on another having landed first).
 */
export async function submitActions(
  client: TableClient,
  actions: TransactionAction[],
  options: { concurrently?: boolean } = {},
): Promise<void> {
  const byPartition = new Map<string, TransactionAction[]>();
  for (const action of actions) {
    const list = byPartition.get(action[1].partitionKey) ?? [];
    list.push(action);
    byPartition.set(action[1].partitionKey, list);
  }
  const batches: TransactionAction[][] = [];
  for (const list of byPartition.values()) {
    let batch: TransactionAction[] = [];
    let bytes = 0;
    for (const action of list) {
      const size = estimatedBytes(action);
      if (
        batch.length > 0 &&
        (batch.length >= MAX_TRANSACTION_OPERATIONS || bytes + size > MAX_TRANSACTION_BYTES)
      ) {
        batches.push(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(action);
      bytes += size;
    }
    if (batch.length > 0) batches.push(batch);
  }
  if (options.concurrently === true) {
    // Every transaction settles before a failure is reported, so a caller that retries finds none in flight.
    const settled = await Promise.allSettled(batches.map((batch) => client.submitTransaction(batch)));
    for (const result of settled) if (result.status === 'rejected') throw result.reason;
    return;
  }
  for (const batch of batches) await client.submitTransaction(batch);
}

/** Deletes rows; rows already gone are fine. Returns how many rows this call deleted. */
export async function deleteRows(client: TableClient, keys: RowKeyPair[]): Promise<number> {
  let deleted = 0;
  const byPartition = new Map<string, RowKeyPair[]>();
  for (const k of keys) {
    const list = byPartition.get(k.partitionKey) ?? [];
    list.push(k);
    byPartition.set(k.partitionKey, list);
  }
  for (const list of byPartition.values()) {
    for (let i = 0; i < list.length; i += MAX_TRANSACTION_OPERATIONS) {
      const chunk = list.slice(i, i + MAX_TRANSACTION_OPERATIONS);
      try {
        await client.submitTransaction(
          chunk.map((k): TransactionAction => ['delete', { partitionKey: k.partitionKey, rowKey: k.rowKey }]),
        );
        deleted += chunk.length;
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
        // One of them vanished meanwhile: the whole transaction was refused, so delete one by one.
        for (const k of chunk) if (await deleteRow(client, k.partitionKey, k.rowKey)) deleted += 1;
      }
    }
  }
  return deleted;
}

/** Unconditional delete; false when the row was not there. */
export async function deleteRow(client: TableClient, partitionKey: string, rowKey: string): Promise<boolean> {
  try {
    await client.deleteEntity(partitionKey, rowKey);
    return true;
  } catch (error) {
    if (statusOf(error) === 404) return false;
    throw error;
  }
}

/** Runs `fn` over items with at most `concurrency` calls in flight; results keep the input order. */
export function mapLimit<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const limit = pLimit(concurrency);
  return Promise.all(items.map((item) => limit(() => fn(item))));
}

/* ---- JSON split over string properties (32K characters each; entities ≤ 1 MiB, ≤ 255 properties) ---- */

export const PIECE_CHARS = 30_000;

/** Cuts text into pieces of at most `size` characters without splitting a surrogate pair. */
export function splitText(text: string, size: number = PIECE_CHARS): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + size, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff && end - 1 > start) end -= 1;
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces.length > 0 ? pieces : [''];
}

/** `{ name, name1, name2, …, namePieces }` holding JSON of `value`; refuses more than `maxPieces`. */
export function packJson(name: string, value: unknown, maxPieces: number): Record<string, string | number> {
  const pieces = splitText(JSON.stringify(value));
  if (pieces.length > maxPieces) {
    throw new StateInputError(
      `${name} is too large to store (${pieces.length} pieces of ${PIECE_CHARS} characters)`,
    );
  }
  const props: Record<string, string | number> = { [`${name}Pieces`]: pieces.length };
  pieces.forEach((piece, index) => {
    props[index === 0 ? name : `${name}${index}`] = piece;
  });
  return props;
}

function unpackText(table: string, row: Row, name: string): string {
  const count = row[`${name}Pieces`];
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
    throw new CorruptStateError(table, keysOf(row), `${name}Pieces is missing or not a positive integer`);
  }
  let text = '';
  for (let index = 0; index < count; index++) {
    const piece = row[index === 0 ? name : `${name}${index}`];
    if (typeof piece !== 'string')
      throw new CorruptStateError(table, keysOf(row), `${name} piece ${index} is missing`);
    text += piece;
  }
  return text;
}

export function unpackJson(table: string, row: Row, name: string): unknown {
  return parseJson(table, row, name, unpackText(table, row, name));
}

export function parseJson(table: string, row: Row, what: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CorruptStateError(table, keysOf(row), `${what} is not valid JSON`, error);
  }
}

export function keysOf(row: Row): RowKeyPair {
  return { partitionKey: row.partitionKey ?? '?', rowKey: row.rowKey ?? '?' };
}

/** Validates what was read back; a mismatch is a corrupt row, reported with the schema's complaints. */
export function parseStored<S extends z.ZodType>(
  schema: S,
  value: unknown,
  table: string,
  row: Row,
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new CorruptStateError(
      table,
      keysOf(row),
      `does not match its schema (${describeIssues(parsed.error)})`,
      parsed.error,
    );
  }
  return parsed.data;
}

/** The first few zod issues as `path: message; …`, for error messages. */
function describeIssues(error: z.ZodError): string {
  const shown = error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  return error.issues.length > 5 ? `${shown}; …` : shown;
}

/** Validates an argument; a mismatch is a StateInputError naming what was wrong. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new StateInputError(`${what} is not valid: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

export function stringProp(table: string, row: Row, name: string): string {
  const value = row[name];
  if (typeof value !== 'string')
    throw new CorruptStateError(table, keysOf(row), `${name} is missing or not text`);
  return value;
}
