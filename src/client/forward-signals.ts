import type { Observable, Unsubscribable } from 'rxjs';
import { ExecRequestError } from '../errors/exec-request-error.js';

/**
 * Sends each signal name `signals` emits as a `{"type":"signal","name":...}` text frame, as it
 * comes; a name outside `allowed` ends the session with an `ExecRequestError` at once (never
 * sent, never dropped silently), and so does the Observable's own error, as it is.
 *
 * @param signals - The caller's signals, if any.
 * @param allowed - The names the endpoint honours.
 * @param send - Sends (or queues) one frame.
 * @param fail - Ends the session with an error.
 */
export function forwardSignals(
  signals: Observable<unknown> | undefined,
  allowed: ReadonlyArray<string>,
  send: (frame: string) => void,
  fail: (error: unknown) => void,
): Unsubscribable | undefined {
  return signals?.subscribe({
    next: (name) => {
      if (!allowed.includes(name as string)) {
        fail(
          new ExecRequestError([
            { path: 'signals', message: `expected one of ${allowed.join(', ')}, got ${String(name)}` },
          ]),
        );
        return;
      }
      send(JSON.stringify({ type: 'signal', name }));
    },
    error: fail,
  });
}
