import * as React from 'react';

/** A read the page shows: still loading, failed (kept raw, so it is worded in the strings of the moment), or there. */
export type Read<T> = { kind: 'loading' } | { kind: 'error'; error: unknown } | { kind: 'ready'; value: T };

/**
 * Runs `load` whenever it changes (callers memoize it on what it reads) and again on `retry`. A null `load` reads
 * nothing and keeps what was shown. An answer that arrives after `load` changed is dropped, so a slow answer for
 * the previous entity never replaces the current one.
 */
export function useRead<T>(load: (() => Promise<T>) | null): { read: Read<T>; retry: () => void } {
  const [read, setRead] = React.useState<Read<T>>({ kind: 'loading' });
  const [generation, setGeneration] = React.useState(0);

  React.useEffect(() => {
    if (load === null) return undefined;
    let live = true;
    setRead({ kind: 'loading' });
    load().then(
      (value) => {
        if (live) setRead({ kind: 'ready', value });
      },
      (error: unknown) => {
        if (live) setRead({ kind: 'error', error });
      },
    );
    return () => {
      live = false;
    };
  }, [load, generation]);

  const retry = React.useCallback(() => {
    setGeneration((value) => value + 1);
  }, []);
  return { read, retry };
}
