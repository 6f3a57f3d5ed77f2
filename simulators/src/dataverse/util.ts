import { createHash } from 'node:crypto';

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function isGuid(value: unknown): value is string {
  return typeof value === 'string' && GUID.test(value);
}

/** A stable GUID for a name, so metadata ids and privilege ids are the same run after run. */
export function guidFromName(name: string): string {
  const hex = createHash('sha1').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Dataverse writes date-times in UTC with whole seconds: 2024-03-01T10:15:00Z. */
export function dataverseTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
