import type { Either } from 'fp-ts/lib/Either.js';
import type { Observable } from 'rxjs';
import type { ExecEvent, ExecOutcomeEvent } from '../codec/exec-event.js';
import type { ExecRequest } from '../codec/exec-request.js';
import type { ExecDecodeError } from '../errors/exec-decode-error.js';
import { exec$ } from './exec.js';
import { execEither$ } from './exec-either.js';
import type { ExecSessionEvent } from '../codec/exec-session-event.js';
import type { ExecOptions } from './exec-options.js';
import { execSession$, type ExecSessionIO } from './exec-session.js';
import type { FileListing } from '../codec/file-listing.js';
import { downloadDir$ } from './download-dir.js';
import { listFiles$ } from './list-files.js';
import { readFile$ } from './read-file.js';
import { readTextFile$ } from './read-text-file.js';
import type { FileContent } from './upload-body.js';
import { type FileWriteEvent, writeFile$ } from './write-file.js';

import { terminal$, type TerminalEvent, type TerminalIO } from './terminal.js';

/** `exec$`, `execEither$`, `execSession$`, `terminal$` and the file functions bound to one set of {@link ExecOptions}. */
export interface ExecClient {
  /** {@link exec$} with the client's options. */
  exec$(request: ExecRequest): Observable<ExecOutcomeEvent>;
  /** {@link execEither$} with the client's options. */
  execEither$(request: ExecRequest): Observable<Either<ExecDecodeError, ExecEvent>>;
  /** {@link execSession$} with the client's options. */
  execSession$(request: ExecRequest, io?: ExecSessionIO): Observable<ExecSessionEvent>;
  /** {@link terminal$} with the client's options. */
  terminal$(io?: TerminalIO): Observable<TerminalEvent>;
  /** {@link writeFile$} with the client's options. */
  writeFile$(path: string, content: FileContent): Observable<FileWriteEvent>;
  /** {@link readFile$} with the client's options. */
  readFile$(path: string): Observable<Uint8Array>;
  /** {@link readTextFile$} with the client's options. */
  readTextFile$(path: string): Observable<string>;
  /** {@link listFiles$} with the client's options. */
  listFiles$(path: string): Observable<FileListing>;
  /** {@link downloadDir$} with the client's options. */
  downloadDir$(path: string): Observable<Uint8Array>;
}

/**
 * Binds `exec$`, `execEither$`, `execSession$`, `terminal$` and the file functions to one sandbox's options, so that call sites pass only the
 * request. The options are read at each subscription, so environment fallbacks apply then.
 *
 * @param options - Where and how to send every request.
 * @example
 * ```ts
 * const sandbox = createExecClient({ baseUrl: 'https://boxd-abc.sandbox.superserve.ai', accessToken });
 * sandbox.exec$({ command: 'uname -a' }).pipe(stdoutText()).subscribe(console.log);
 * ```
 */
export function createExecClient(options: ExecOptions = {}): ExecClient {
  return {
    exec$: (request) => exec$(request, options),
    execEither$: (request) => execEither$(request, options),
    execSession$: (request, io) => execSession$(request, io, options),
    writeFile$: (path, content) => writeFile$(path, content, options),
    readFile$: (path) => readFile$(path, options),
    readTextFile$: (path) => readTextFile$(path, options),
    listFiles$: (path) => listFiles$(path, options),
    downloadDir$: (path) => downloadDir$(path, options),
    terminal$: (io) => terminal$(io, options),
  };
}
