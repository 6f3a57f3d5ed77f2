/**
 * The hosting record, which the platform passes in `context.mode.contextInfo`. It is not part of the typed
 * ComponentFramework API, so it is read through this narrow shape and checked at run time.
 */
interface ContextInfo {
  entityId?: unknown;
  entityTypeName?: unknown;
  entityRecordName?: unknown;
}

function textOrNull(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

/** A GUID as the API wants it: lower case, without braces (forms hand it in either shape). */
function normaliseGuid(value: string): string {
  return value.replace(/[{}]/g, '').toLowerCase();
}

export function readContextInfo(mode: unknown): {
  entityName: string | null;
  id: string | null;
  name: string | null;
} {
  const info =
    typeof mode === 'object' && mode !== null && 'contextInfo' in mode
      ? (mode as { contextInfo?: ContextInfo }).contextInfo
      : undefined;
  const id = textOrNull(info?.entityId);
  return {
    entityName: textOrNull(info?.entityTypeName),
    id: id === null ? null : normaliseGuid(id),
    name: textOrNull(info?.entityRecordName),
  };
}
