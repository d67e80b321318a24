import type { Observable } from 'rxjs';
import type { ExecOutcomeEvent } from '../codec/exec-event.js';
import type { ExecRequest } from '../codec/exec-request.js';
import { ExecDecodeError } from '../errors/exec-decode-error.js';
import { ExecIncompleteError } from '../errors/exec-incomplete-error.js';
// The terminal contract is the public untilFinished operator's; exec$ applies it to each event
// directly rather than through an operator chain, which is its hot path.
import { settleExecEvent } from '../operators/until-finished.js';
import type { ExecOptions } from './exec-options.js';
import { execStream$ } from './exec-stream.js';

/**
 * Runs a command in the sandbox and streams its output: `stdout` and `stderr` events, then
 * exactly one `finished` event with the exit code, then completion (and the request is
 * closed). A non-zero exit code is a value, not an error.
 *
 * Cold: every subscription sends one `POST /exec/stream` and so runs the command again; use
 * `share()` to run it once for several consumers. Unsubscribing aborts the request, and the
 * service then kills the command.
 *
 * Errors with `ExecRequestError` (invalid request or options, or no token: nothing is sent),
 * `ExecHttpError` (non-2xx), `ExecProtocolError` (not an event stream), `ExecNetworkError`
 * (fetch or body read failed), `ExecDecodeError` (a frame that is not an exec event),
 * `ExecFailedError` (the command could not run) and `ExecIncompleteError` (the stream ended
 * with no terminal event).
 *
 * @param request - What to run.
 * @param options - Where and how to send it.
 * @example
 * ```ts
 * exec$({ command: 'npm test', timeout_s: 600 }, { accessToken })
 *   .pipe(retryOnExecFailed(), withTimeout({ idle: 60_000 }), stdoutText(), lines())
 *   .subscribe((line) => console.log(line));
 * ```
 */
export function exec$(request: ExecRequest, options: ExecOptions = {}): Observable<ExecOutcomeEvent> {
  return execStream$<ExecOutcomeEvent>(request, options, (subscriber) => ({
    onFrame: (frame) => {
      if (frame instanceof ExecDecodeError) {
        subscriber.error(frame);
        return;
      }
      for (const event of frame) {
        if (subscriber.closed) return;
        settleExecEvent(event, subscriber);
      }
    },
    onEnd: () => subscriber.error(new ExecIncompleteError()),
  }));
}
