import { createContext, useContext } from 'react';

/** A resx string with its `{0}`, `{1}`… placeholders filled. */
export type Translate = (key: string, ...args: readonly (string | number)[]) => string;

export function createTranslate(getString: (key: string) => string): Translate {
  return (key, ...args) =>
    getString(key).replace(/\{(\d+)\}/g, (placeholder, index: string) => {
      const value = args[Number(index)];
      return value === undefined ? placeholder : String(value);
    });
}

export const StringsContext = createContext<Translate>((key) => key);

export function useStrings(): Translate {
  return useContext(StringsContext);
}
