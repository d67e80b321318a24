import { Observable, type OperatorFunction, type Subscriber } from 'rxjs';
import type { ExecEvent, FailedEvent } from '../codec/exec-event.js';
import type { ExecSessionEvent } from '../codec/exec-session-event.js';
import { ExecFailedError } from '../errors/exec-failed-error.js';
import { ExecIncompleteError } from '../errors/exec-incomplete-error.js';

/**
 * Enforces the terminal contract of an exec stream: output passes through; `finished` is
 * emitted and then the stream completes (unsubscribing from the source, which closes the
 * request); a `failed` event errors with {@link ExecFailedError}; a source that completes
 * with no terminal event errors with {@link ExecIncompleteError}. Idempotent: `exec$` already
 * applies it. Works on `execSession$` events too, keeping their type.
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
 * import { isRight } from 'fp-ts/Either'; // native Node ESM: 'fp-ts/lib/Either.js'
 *
 * execEither$({ command: 'ls' }).pipe(filter(isRight), map((e) => e.right), untilFinished());
 * ```
 */
export function untilFinished<E extends ExecEvent | ExecSessionEvent = ExecEvent>(): OperatorFunction<
  E,
  Exclude<E, FailedEvent>
> {
  // One subscriber rather than map + takeWhile + concat: this runs once per event.
  return (source) =>
    new Observable<Exclude<E, FailedEvent>>((subscriber) =>
      source.subscribe({
        next: (event) => settleExecEvent(event, subscriber),
        error: (error: unknown) => subscriber.error(error),
        // Reached only without a terminal event: `finished` completes and unsubscribes first.
        complete: () => subscriber.error(new ExecIncompleteError()),
      }),
    );
}

/**
 * Applies the terminal contract to one event: output is emitted; `finished` is emitted and
 * completes the subscriber; `failed` errors it with {@link ExecFailedError}.
 *
 * @param event - The next event.
 * @param subscriber - Where the outcome goes.
 */
export function settleExecEvent<E extends ExecEvent | ExecSessionEvent>(
  event: E,
  subscriber: Subscriber<Exclude<E, FailedEvent>>,
): void {
  if (event.type === 'failed') {
    const failed = event as FailedEvent;
    subscriber.error(new ExecFailedError(failed.message, failed.code));
    return;
  }
  // Every other event is not a FailedEvent: what the narrowing of a generic cannot see.
  subscriber.next(event as Exclude<E, FailedEvent>);
  if (event.type === 'finished') subscriber.complete();
}
