import type { Observable } from 'rxjs';
import { emitBodyChunks } from './emit-body-chunks.js';
import type { ExecOptions } from './exec-options.js';
import { fileGet$ } from './file-request.js';

/**
 * Downloads a sandbox directory as a zip: the archive's bytes as the service makes and sends
 * them (entries `<dir name>/<path>`, empty directories kept, symlinks skipped; the service
 * stops adding entries past 100,000 or 2 GiB), then completion. On a regular file, its bytes.
 * Cold: one `GET /files?format=zip` per subscription; unsubscribing aborts it.
 *
 * Errors with `ExecRequestError`, `ExecHttpError` and `ExecNetworkError`, as `readFile$`.
 *
 * @param path - The directory's absolute path in the sandbox.
 * @param options - Where and how to send the request.
 * @example
 * ```ts
 * downloadDir$('/home/user/coverage', { accessToken }).subscribe((chunk) => zip.write(chunk));
 * ```
 */
export function downloadDir$(path: string, options: ExecOptions = {}): Observable<Uint8Array> {
  return fileGet$(path, options, 'zip', emitBodyChunks('GET /files'));
}
