import type { Observable } from 'rxjs';
import { decodeFileListing, type FileListing } from '../codec/file-listing.js';
import type { ExecOptions } from './exec-options.js';
import { fileGet$ } from './file-request.js';

/**
 * Lists one level of a sandbox directory: one {@link FileListing} (`entries` in no particular
 * order, `truncated` past the service's 10,000), then completion. Cold: one
 * `GET /files?format=json` per subscription; unsubscribing aborts it.
 *
 * Errors with `ExecDecodeError` (a body that is not a listing), and `ExecRequestError`,
 * `ExecHttpError` and `ExecNetworkError` as `readFile$`.
 *
 * @param path - The directory's absolute path in the sandbox.
 * @param options - Where and how to send the request.
 * @example
 * ```ts
 * listFiles$('/home/user', { accessToken }).subscribe(({ entries }) =>
 *   entries.forEach((e) => console.log(e.isDir ? `${e.name}/` : e.name, e.size)),
 * );
 * ```
 */
export function listFiles$(path: string, options: ExecOptions = {}): Observable<FileListing> {
  return fileGet$<FileListing>(path, options, 'json', async (response, subscriber) => {
    const text = await response.text();
    if (subscriber.closed) return;
    const decoded = decodeFileListing(text);
    if (decoded._tag === 'Left') return subscriber.error(decoded.left);
    subscriber.next(decoded.right);
    subscriber.complete();
  });
}
