import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { z } from 'zod';

export class StateFileError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'StateFileError';
  }
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}

/** The state saved in `path`, checked by `schema`; null when nothing was saved yet. */
export function readStateFile<Schema extends z.ZodType>(
  path: string,
  schema: Schema,
): z.output<Schema> | null {
  if (!existsSync(path)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new StateFileError(path, `not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((issue) => {
      const where = fieldPath(issue.path);
      return where === '' ? issue.message : `${where}: ${issue.message}`;
    });
    throw new StateFileError(path, problems.join('; '));
  }
  return parsed.data;
}

/**
 * Saves `snapshot()` to `path` a moment after the last change (a burst of writes costs one save) and at once on
 * `flush()`. Each save goes to a temporary file renamed over the old one, so a crash mid-save leaves the previous
 * state readable rather than half a file.
 */
export class DebouncedStateFile {
  private timer: NodeJS.Timeout | undefined;
  private pending = false;

  constructor(
    private readonly path: string,
    private readonly snapshot: () => unknown,
    private readonly debounceMs: number,
  ) {}

  changed(): void {
    this.pending = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      try {
        this.flush();
      } catch (error) {
        // The next change or the stop tries again; the simulator keeps answering meanwhile.
        this.pending = true;
        console.error(
          `could not save ${this.path}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }, this.debounceMs);
    // A pending save alone must not keep a process alive: stopping flushes it.
    this.timer.unref();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending) return;
    this.pending = false;
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(this.snapshot(), null, 1)}\n`);
    renameSync(temporary, this.path);
  }
}
