import type { Observable } from 'rxjs';
import { emitBodyChunks } from './emit-body-chunks.js';
import type { ExecOptions } from './exec-options.js';
import { fileGet$ } from './file-request.js';

/**
 * Reads a file from the sandbox: its bytes as they arrive, chunk by chunk, never gathered
 * whole, then completion. Cold: one `GET /files` per subscription; unsubscribing aborts it.
 * A 401 asks the token provider for a fresh token once and reads again.
 *
 * Errors with `ExecRequestError` (a path that is not absolute, holds a `..` segment or a NUL,
 * or bad options: nothing is sent), `ExecHttpError` (404 `file not found`, a directory, a
 * refused token...: `status`, `code`, the service's message and its body) and
 * `ExecNetworkError` (`fetch`: no answer; `body`: the download broke off).
 *
 * @param path - The file's absolute path in the sandbox.
 * @param options - Where and how to send the request.
 * @example
 * ```ts
 * readFile$('/home/user/coverage/lcov.info', { accessToken })
 *   .subscribe((chunk) => out.write(chunk));
 * ```
 */
export function readFile$(path: string, options: ExecOptions = {}): Observable<Uint8Array> {
  return fileGet$(path, options, undefined, emitBodyChunks('GET /files'));
}
