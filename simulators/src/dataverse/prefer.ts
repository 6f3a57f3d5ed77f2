/**
 * The Prefer request header as Dataverse reads it: `return=representation`, `odata.maxpagesize=N`,
 * `odata.include-annotations="…"` (a comma list of names or `ns.*` patterns, `*` for all, `-name` to exclude),
 * `odata.continue-on-error` for $batch, and `odata.track-changes` (noted only to be refused: not modeled). Several preferences may share one header, separated by commas.
 */
export interface Preferences {
  returnRepresentation: boolean;
  maxPageSize?: number;
  /** The include-annotations value as sent, or undefined when none was asked for. */
  includeAnnotations?: string;
  continueOnError: boolean;
  /** `odata.track-changes` was asked for (change tracking is not modeled: reads refuse it). */
  trackChanges: boolean;
}

/** Dataverse never returns more than 5000 records per page. */
export const MAX_PAGE_SIZE = 5000;

/** Splits on commas outside double quotes. */
function splitPreferences(header: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of header) {
    if (char === '"') quoted = !quoted;
    if (char === ',' && !quoted) {
      parts.push(current.trim());
      current = '';
    } else current += char;
  }
  if (current.trim() !== '') parts.push(current.trim());
  return parts;
}

export function parsePreferences(header: string | undefined): Preferences {
  const preferences: Preferences = {
    returnRepresentation: false,
    continueOnError: false,
    trackChanges: false,
  };
  for (const part of splitPreferences(header ?? '')) {
    const [rawName = '', ...rest] = part.split('=');
    const name = rawName.trim().toLowerCase();
    const value = rest.join('=').trim();
    if (name === 'return' && value.toLowerCase() === 'representation')
      preferences.returnRepresentation = true;
    if (name === 'odata.track-changes') preferences.trackChanges = true;
    if (name === 'odata.continue-on-error') preferences.continueOnError = value === '' || value === 'true';
    if (name === 'odata.maxpagesize') {
      const size = Number(value);
      if (Number.isInteger(size) && size > 0) preferences.maxPageSize = Math.min(size, MAX_PAGE_SIZE);
    }
    if (name === 'odata.include-annotations') preferences.includeAnnotations = value.replace(/^"|"$/g, '');
  }
  return preferences;
}

/** Whether an annotation (`OData.Community.Display.V1.FormattedValue`) is among those asked for. */
export function wantsAnnotation(includeAnnotations: string | undefined, annotation: string): boolean {
  if (includeAnnotations === undefined) return false;
  let wanted = false;
  for (const raw of includeAnnotations.split(',')) {
    const pattern = raw.trim();
    const excluded = pattern.startsWith('-');
    const name = excluded ? pattern.slice(1) : pattern;
    const matches =
      name === '*' ||
      name === annotation ||
      (name.endsWith('.*') && annotation.startsWith(name.slice(0, -1)));
    if (matches && excluded) return false;
    if (matches) wanted = true;
  }
  return wanted;
}
