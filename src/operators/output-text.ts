import { Observable, type OperatorFunction } from 'rxjs';
import type { ExecEvent, StderrEvent, StdoutEvent } from '../codec/exec-event.js';

/**
 * Keeps the text of one output stream's events and drops every other event.
 * `stdoutText()` and `stderrText()` are this with the stream named.
 *
 * ```text
 * --a--e--b--f--|     a, b: stdout "a", "b"; e: stderr; f: finished
 * > outputText('stdout')
 * --a-----b-----|
 * ```
 *
 * Errors with whatever the source errors with.
 *
 * @param stream - `stdout` or `stderr`.
 * @example
 * ```ts
 * exec$({ command: 'make' }).pipe(outputText('stderr')).subscribe((text) => console.error(text));
 * ```
 */
export function outputText(stream: 'stdout' | 'stderr'): OperatorFunction<ExecEvent, string> {
  if (stream !== 'stdout' && stream !== 'stderr') {
    throw new TypeError(`outputText: expected 'stdout' or 'stderr', got ${String(stream)}`);
  }
  // One subscriber rather than filter + map: this runs once per event, on the hot path.
  return (source) =>
    new Observable<string>((subscriber) =>
      source.subscribe({
        next: (event) => {
          if (event.type === stream) subscriber.next((event as StdoutEvent | StderrEvent).data);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      }),
    );
}
