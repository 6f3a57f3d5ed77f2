/**
 * A subclass of a service's error class for one kind, whose `kind` narrows to that kind's literal, so
 * `instanceof` and the guards below tell the kinds apart while code can still catch the base class.
 */
export function errorOfKind<
  Union extends string,
  Kind extends Union,
  Init,
  Base extends Error & { kind: Union },
>(
  base: new (kind: Union, init: Init) => Base,
  kind: Kind,
  name: string,
): new (init: Init) => Base & { readonly kind: Kind } {
  const ofKind = class extends (base as new (kind: Union, init: Init) => Error) {
    constructor(init: Init) {
      super(kind, init);
      this.name = name;
    }
  };
  // The class above is exactly `base` with `kind` fixed; TypeScript cannot follow a generic base class.
  return ofKind as unknown as new (init: Init) => Base & { readonly kind: Kind };
}

/** An `isX(e: unknown)` guard for one error class. */
export function guardFor<T extends Error>(type: abstract new (...args: never[]) => T) {
  return (e: unknown): e is T => e instanceof type;
}
