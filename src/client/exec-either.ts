import type { Either } from 'fp-ts/lib/Either.js';
import type { Observable } from 'rxjs';
import { left, right } from '../codec/either.js';
import type { ExecEvent } from '../codec/exec-event.js';
import type { ExecRequest } from '../codec/exec-request.js';
import { ExecDecodeError } from '../errors/exec-decode-error.js';
import type { ExecOptions } from './exec-options.js';
import { execStream$ } from './exec-stream.js';

/**
 * Runs a command in the sandbox and streams its events, each as an `Either`: a `Right` per
 * decoded event (`failed` included, as a value) and a `Left` per frame that could not be
 * decoded, after which the stream goes on. Completes when the response body ends.
 *
 * Cold: every subscription sends one `POST /exec/stream`, so every subscription runs the
 * command again (use `share()` to run it once for several consumers). Unsubscribing aborts
 * the request, and the service then kills the command.
 *
 * Errors with `ExecRequestError` (invalid request or options: no request is sent),
 * `ExecHttpError` (non-2xx), `ExecProtocolError` (2xx that is not `text/event-stream`, or an
 * SSE line over the cap) and `ExecNetworkError` (fetch or body read failed).
 *
 * @param request - What to run.
 * @param options - Where and how to send it.
 * @example
 * ```ts
 * import { isRight } from 'fp-ts/Either'; // native Node ESM: 'fp-ts/lib/Either.js'
 * import { filter, map } from 'rxjs';
 *
 * execEither$({ command: 'ls' }, { accessToken })
 *   .pipe(filter(isRight), map((e) => e.right))
 *   .subscribe((event) => console.log(event));
 * ```
 */
export function execEither$(
  request: ExecRequest,
  options: ExecOptions = {},
): Observable<Either<ExecDecodeError, ExecEvent>> {
  return execStream$<Either<ExecDecodeError, ExecEvent>>(request, options, (subscriber) => ({
    onFrame: (frame) => {
      if (frame instanceof ExecDecodeError) {
        subscriber.next(left(frame));
        return;
      }
      for (const event of frame) {
        if (subscriber.closed) return;
        subscriber.next(right(event));
      }
    },
    onEnd: () => subscriber.complete(),
  }));
}
