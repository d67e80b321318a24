/**
 * The base class of every error an `exec$` pipeline reports.
 *
 * @remarks
 * Catch this to handle any superserve-rx failure; narrow with the `isExec...Error` guards,
 * which also recognise errors thrown by a second copy of the package.
 *
 * @example
 * ```ts
 * import { exec$, isExecStreamError } from 'superserve-rx';
 *
 * exec$({ command: 'true' }).subscribe({
 *   error: (err: unknown) => console.error(isExecStreamError(err) ? err.message : err),
 * });
 * ```
 */
export class ExecStreamError extends Error {
  /** Always `'ExecStreamError'`, so that guards work across copies of the package. */
  override name = 'ExecStreamError';
}

/**
 * Whether `value` is an {@link ExecStreamError}, by `instanceof` or by a matching `name`.
 *
 * @param value - Anything caught from an Observable's error channel.
 */
export function isExecStreamError(value: unknown): value is ExecStreamError {
  return (
    value instanceof ExecStreamError || (value instanceof Error && /^Exec[A-Za-z]*Error$/.test(value.name))
  );
}

/**
 * Builds a type guard for one error class that survives two copies of the package: it accepts
 * an `instanceof` match or an `Error` whose `name` is the class name.
 *
 * @param ctor - The error class.
 * @param name - Its `name`, spelled out so that minified builds keep it.
 */
export function errorGuard<E extends Error>(
  ctor: abstract new (...args: never[]) => E,
  name: string,
): (value: unknown) => value is E {
  return (value: unknown): value is E =>
    value instanceof ctor || (value instanceof Error && value.name === name);
}
