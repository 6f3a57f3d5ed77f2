/**
 * What every suite of the reliability project shares: its scale (the bounded run in `npm test`, the long soak
 * behind RELIABILITY_SOAK=1), the figures it publishes (reports/reliability/<suite>.json, which
 * docs/reliability.md quotes), and the check that no log line holds a secret.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TableClient, TableServiceClient } from '@azure/data-tables';
import type { Logger } from '../services';
import { AZURITE_ACCOUNT_KEY } from '../testing/azurite';

/** `npm run soak` sets RELIABILITY_SOAK=1: every suite runs longer, on more contracts, with more events. */
export const SOAK = process.env.RELIABILITY_SOAK === '1';

/** `normal` in `npm test`, `soak` under `npm run soak`. */
export function scaled<T>(normal: T, soak: T): T {
  return SOAK ? soak : normal;
}

/** The seed of a seeded suite: RELIABILITY_SEED when set (to replay a failure), else a fresh one. */
export function seedOfRun(): number {
  const given = process.env.RELIABILITY_SEED;
  if (given !== undefined && given !== '') {
    const seed = Number(given);
    if (!Number.isSafeInteger(seed)) throw new Error(`RELIABILITY_SEED must be an integer, got "${given}"`);
    return seed;
  }
  return Math.floor(Math.random() * 2 ** 31);
}

const REPORTS = join(__dirname, '..', '..', '..', 'reports', 'reliability');

/** Writes the suite's figures to reports/reliability/<suite>.json (with the scale it ran at) and prints them. */
export function recordFigures(suite: string, figures: Record<string, unknown>): void {
  mkdirSync(REPORTS, { recursive: true });
  const record = { suite, soak: SOAK, recordedAt: new Date().toISOString(), ...figures };
  writeFileSync(join(REPORTS, `${suite}.json`), `${JSON.stringify(record, null, 2)}\n`);
  process.stdout.write(`reliability figures (${suite}): ${JSON.stringify(figures)}\n`);
}

/** A logger that keeps every line it is given, as the host would write it (one JSON object per line). */
export function capturingLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const line =
    (level: string) =>
    (message: string, data?: Record<string, unknown>): void => {
      lines.push(JSON.stringify({ level, message, ...data }));
    };
  return { log: { info: line('info'), warn: line('warn'), error: line('error') }, lines };
}

/** Setting names whose values are secrets: tokens, keys, client secrets, passwords. */
const SECRET_SETTING = /TOKEN|KEY|SECRET|PASSWORD|CERTIFICATE_PEM$/i;

/**
 * The secret values among app settings: every value of a secret-named setting, and the AccountKey of every
 * storage connection string (Azurite's well-known key included: a leak of it is a leak of a real key's path),
 * also when the setting names it as `UseDevelopmentStorage=true`.
 */
export function secretValuesOf(settings: Record<string, string | undefined>): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(settings)) {
    if (value === undefined || value.length < 8) continue;
    if (SECRET_SETTING.test(name) && !/-----BEGIN CERTIFICATE/.test(value)) values.add(value);
    for (const match of value.matchAll(/AccountKey=([^;]+)/g)) if (match[1]) values.add(match[1]);
    if (/UseDevelopmentStorage=true/i.test(value)) values.add(AZURITE_ACCOUNT_KEY);
  }
  return [...values];
}

/** A JWT (header.payload.signature, base64url JSON header) or an `Authorization: Bearer` value. */
const BEARER = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*|Bearer\s+[A-Za-z0-9._~+/-]{16,}/;

/** The lines holding one of `secrets` or a bearer token, each with what it holds (never the value itself). */
export function secretsIn(lines: readonly string[], secrets: readonly string[]): string[] {
  const found: string[] = [];
  lines.forEach((line, index) => {
    for (const secret of secrets) {
      if (line.includes(secret))
        found.push(`line ${index + 1}: a configured secret (${secret.length} chars)`);
    }
    if (BEARER.test(line)) found.push(`line ${index + 1}: a bearer token`);
  });
  return found;
}

/** Every row of every table in the storage account, by table, as stored (etag and timestamp included). */
export type TableSnapshot = Record<string, Record<string, unknown>[]>;

/**
 * What the tables hold, to compare before and after something that must write nothing: any write (even one
 * that stores the same values) changes a row's etag and timestamp.
 */
export async function tableSnapshot(connectionString: string): Promise<TableSnapshot> {
  const service = TableServiceClient.fromConnectionString(connectionString, {
    allowInsecureConnection: true,
  });
  const snapshot: TableSnapshot = {};
  for await (const table of service.listTables()) {
    if (!table.name) continue;
    const client = TableClient.fromConnectionString(connectionString, table.name, {
      allowInsecureConnection: true,
    });
    const rows: Record<string, unknown>[] = [];
    for await (const entity of client.listEntities()) rows.push({ ...entity });
    rows.sort((a, b) =>
      `${String(a.partitionKey)}\u0000${String(a.rowKey)}`.localeCompare(
        `${String(b.partitionKey)}\u0000${String(b.rowKey)}`,
      ),
    );
    snapshot[table.name] = rows;
  }
  return snapshot;
}
