import type { Either, Left } from 'fp-ts/lib/Either.js';

// fp-ts's Either as plain data, built here so that the library loads no fp-ts module at run
// time. The only fp-ts path native Node ESM resolves is `fp-ts/lib/*` (CommonJS); importing it
// from the ES module build put a second, untree-shakeable copy of fp-ts into browser bundles,
// beside the `fp-ts/es6/*` that io-ts's ES modules import. Only types come from fp-ts: the
// values are the objects fp-ts builds, so its own `isLeft`, `fold` and `match` work on them.

/**
 * A `Left` holding `e`: the object fp-ts's `left(e)` builds, `{ _tag: 'Left', left: e }`.
 *
 * @param e - The failure.
 * @example
 * ```ts
 * left([{ path: 'command', message: 'expected a non-empty string' }]);
 * ```
 */
export function left<E, A = never>(e: E): Either<E, A> {
  return { _tag: 'Left', left: e };
}

/**
 * A `Right` holding `a`: the object fp-ts's `right(a)` builds, `{ _tag: 'Right', right: a }`.
 *
 * @param a - The success.
 * @example
 * ```ts
 * right({ type: 'finished', exitCode: 0 });
 * ```
 */
export function right<A, E = never>(a: A): Either<E, A> {
  return { _tag: 'Right', right: a };
}

/**
 * Whether `either` is a `Left`, as fp-ts's `isLeft` decides it: by its `_tag`, so that it also
 * reads the Eithers io-ts returns, whichever copy of fp-ts built them.
 *
 * @param either - Any fp-ts `Either`.
 * @example
 * ```ts
 * const decoded = decodeExecRequest(input);
 * if (isLeft(decoded)) console.error(decoded.left);
 * ```
 */
export function isLeft<E, A>(either: Either<E, A>): either is Left<E> {
  return either._tag === 'Left';
}
