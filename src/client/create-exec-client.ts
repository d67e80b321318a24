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

/** `exec$`, `execEither$` and `execSession$` bound to one set of {@link ExecOptions}. */
export interface ExecClient {
  /** {@link exec$} with the client's options. */
  exec$(request: ExecRequest): Observable<ExecOutcomeEvent>;
  /** {@link execEither$} with the client's options. */
  execEither$(request: ExecRequest): Observable<Either<ExecDecodeError, ExecEvent>>;
  /** {@link execSession$} with the client's options. */
  execSession$(request: ExecRequest, io?: ExecSessionIO): Observable<ExecSessionEvent>;
}

/**
 * Binds `exec$`, `execEither$` and `execSession$` to one sandbox's options, so that call sites pass only the
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
  };
}
