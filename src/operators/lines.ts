import { Observable, type OperatorFunction } from 'rxjs';

const CR = 13;

/** The longest line {@link lines} emits by default: 8 Mi UTF-16 code units. */
export const DEFAULT_MAX_LINE_LENGTH = 8 * 1024 * 1024;

/** Configuration of {@link lines}. */
export interface LinesConfig {
  /**
   * The longest line emitted, in UTF-16 code units. A longer line is emitted in pieces of
   * `maxLength` (the last piece holding the rest), so that output with no newline (a base64
   * dump) cannot grow the buffer without bound. `Infinity` turns the cap off.
   * @defaultValue 8 Mi (8,388,608)
   */
  readonly maxLength?: number;
}

/**
 * Splits text chunks into lines. Lines end at LF; one CR before the LF is removed (CRLF);
 * empty lines are kept; the unterminated last line is emitted when the source completes or
 * errors (so a timed-out run loses nothing), then the completion or error follows. Any
 * chunking of the same text gives the same lines, in time linear in the text.
 *
 * ```text
 * --a--b--c--|        a: "one\ntw"; b: "o\r\n\nth"; c: "ree"
 * > lines()
 * --1--(23)--(4|)     1: "one"; 2: "two"; 3: ""; 4: "three"
 * ```
 *
 * Errors with whatever the source errors with.
 *
 * @param config - The maximum line length.
 * @example
 * ```ts
 * exec$({ command: 'ls -1' }).pipe(stdoutText(), lines()).subscribe((file) => console.log(file));
 * ```
 */
export function lines(config: LinesConfig = {}): OperatorFunction<string, string> {
  const maxLength = config.maxLength ?? DEFAULT_MAX_LINE_LENGTH;
  if (!(maxLength === Infinity || (Number.isSafeInteger(maxLength) && maxLength > 0))) {
    throw new TypeError(`lines: maxLength must be a positive integer, got ${String(maxLength)}`);
  }
  return (source) =>
    new Observable<string>((subscriber) => {
      // The unterminated line, kept as fragments and joined once, so that many small chunks
      // of one long line cost linear time, not quadratic.
      let fragments: string[] = [];
      let pendingLength = 0;

      const emit = (line: string): void => {
        if (line.length <= maxLength) {
          subscriber.next(line);
          return;
        }
        for (let start = 0; start < line.length && !subscriber.closed; start += maxLength) {
          subscriber.next(line.slice(start, start + maxLength));
        }
      };

      // Emits the full pieces of an overlong unterminated line, keeping the rest. A trailing CR
      // does not count: it may be the first half of a CRLF, and so not part of the line.
      const emitFullPieces = (): void => {
        let pending = fragments.join('');
        const countable = (text: string): number => (text.endsWith('\r') ? text.length - 1 : text.length);
        while (countable(pending) > maxLength && !subscriber.closed) {
          subscriber.next(pending.slice(0, maxLength));
          pending = pending.slice(maxLength);
        }
        fragments = [pending];
        pendingLength = pending.length;
      };

      const flush = (): void => {
        if (pendingLength === 0) return;
        const line = fragments.join('');
        fragments = [];
        pendingLength = 0;
        emit(line);
      };

      return source.subscribe({
        next: (chunk) => {
          let start = 0;
          let lf = chunk.indexOf('\n');
          while (lf !== -1 && !subscriber.closed) {
            let line: string;
            if (pendingLength === 0) {
              // The common case, a whole line inside one chunk: one slice, the CR left out of it.
              line = chunk.slice(start, lf > start && chunk.charCodeAt(lf - 1) === CR ? lf - 1 : lf);
            } else {
              fragments.push(chunk.slice(start, lf));
              const joined = fragments.join('');
              fragments = [];
              pendingLength = 0;
              line = joined.charCodeAt(joined.length - 1) === CR ? joined.slice(0, -1) : joined;
            }
            emit(line);
            start = lf + 1;
            lf = chunk.indexOf('\n', start);
          }
          if (start < chunk.length) {
            const rest = start === 0 ? chunk : chunk.slice(start);
            fragments.push(rest);
            pendingLength += rest.length;
            if (pendingLength > maxLength) emitFullPieces();
          }
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
