import { Observable, type OperatorFunction } from 'rxjs';
import type { ExecEvent, StderrEvent, StdoutEvent } from '../codec/exec-event.js';
import type {
  ExecSessionEvent,
  SessionStderrEvent,
  SessionStdoutEvent,
} from '../codec/exec-session-event.js';

/**
 * Keeps the text of one output stream's events and drops every other event.
 * `stdoutText()` and `stderrText()` are this with the stream named. Takes `exec$` events (text)
 * and `execSession$` events (bytes, decoded as UTF-8 with one streaming decoder per stream, so
 * that a character split across frames comes out whole; the decoder is flushed when the source
 * ends, before its completion or error).
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
export function outputText(
  stream: 'stdout' | 'stderr',
): OperatorFunction<ExecEvent | ExecSessionEvent, string> {
  if (stream !== 'stdout' && stream !== 'stderr') {
    throw new TypeError(`outputText: expected 'stdout' or 'stderr', got ${String(stream)}`);
  }
  // One subscriber rather than filter + map: this runs once per event, on the hot path.
  return (source) =>
    new Observable<string>((subscriber) => {
      // Session output is bytes: one streaming decoder per subscription, so that a character
      // split across frames comes out whole, and what is left is flushed at the end.
      let decoder: TextDecoder | undefined;
      const flush = (): void => {
        const rest = decoder?.decode() ?? '';
        if (rest !== '') subscriber.next(rest);
      };
      return source.subscribe({
        next: (event) => {
          if (event.type !== stream) return;
          const { data } = event as StdoutEvent | StderrEvent | SessionStdoutEvent | SessionStderrEvent;
          if (typeof data === 'string') return subscriber.next(data);
          decoder ??= new TextDecoder('utf-8');
          const text = decoder.decode(data, { stream: true });
          if (text !== '') subscriber.next(text);
        },
        error: (error: unknown) => {
          flush();
          subscriber.error(error);
        },
        complete: () => {
          flush();
          subscriber.complete();
        },
      });
    });
}
