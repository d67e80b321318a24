import {
  concat,
  defer,
  map,
  type Observable,
  type OperatorFunction,
  takeWhile,
  tap,
  throwError,
  EMPTY,
} from 'rxjs';
import type { ExecEvent, ExecOutcomeEvent } from '../codec/exec-event.js';
import { ExecFailedError } from '../errors/exec-failed-error.js';
import { ExecIncompleteError } from '../errors/exec-incomplete-error.js';

/**
 * Enforces the terminal contract of an exec stream: output passes through; `finished` is
 * emitted and then the stream completes (unsubscribing from the source, which closes the
 * request); a `failed` event errors with {@link ExecFailedError}; a source that completes
 * with no terminal event errors with {@link ExecIncompleteError}. Idempotent: `exec$` already
 * applies it.
 *
 * ```text
 * --o--o--f--o--|
 * > untilFinished()
 * --o--o--(f|)
 *
 * --o--x--o--|        x: failed
 * > untilFinished()
 * --o--#              #: ExecFailedError
 *
 * --o--o--|
 * > untilFinished()
 * --o--o--#           #: ExecIncompleteError
 * ```
 *
 * Errors with `ExecFailedError` and `ExecIncompleteError`, and with whatever the source errors with.
 *
 * @example
 * ```ts
 * import { filter, map } from 'rxjs';
 * import { isRight } from 'fp-ts/lib/Either.js';
 *
 * execEither$({ command: 'ls' }).pipe(filter(isRight), map((e) => e.right), untilFinished());
 * ```
 */
export function untilFinished(): OperatorFunction<ExecEvent, ExecOutcomeEvent> {
  return (source: Observable<ExecEvent>) =>
    defer(() => {
      let finished = false;
      return concat(
        source.pipe(
          map((event) => {
            if (event.type === 'failed') throw new ExecFailedError(event.message, event.code);
            return event;
          }),
          takeWhile((event) => event.type !== 'finished', true),
          tap((event) => {
            if (event.type === 'finished') finished = true;
          }),
        ),
        defer(() => (finished ? EMPTY : throwError(() => new ExecIncompleteError()))),
      );
    });
}
