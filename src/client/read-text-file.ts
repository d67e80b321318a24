import { Observable } from 'rxjs';
import type { ExecOptions } from './exec-options.js';
import { readFile$ } from './read-file.js';

/**
 * Reads a text file from the sandbox: `readFile$`'s chunks decoded as UTF-8 by one streaming
 * decoder, so that a character split across two chunks comes out whole (invalid bytes become
 * U+FFFD). Empty pieces are not emitted. Composes with `lines()`.
 *
 * Errors as `readFile$`.
 *
 * @param path - The file's absolute path in the sandbox.
 * @param options - Where and how to send the request.
 * @example
 * ```ts
 * readTextFile$('/home/user/results.csv', { accessToken }).pipe(lines()).subscribe(console.log);
 * ```
 */
export function readTextFile$(path: string, options: ExecOptions = {}): Observable<string> {
  return new Observable<string>((subscriber) => {
    const decoder = new TextDecoder('utf-8');
    return readFile$(path, options).subscribe({
      next: (chunk) => {
        const text = decoder.decode(chunk, { stream: true });
        if (text !== '') subscriber.next(text);
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => {
        const rest = decoder.decode();
        if (rest !== '') subscriber.next(rest);
        subscriber.complete();
      },
    });
  });
}
