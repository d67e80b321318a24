import { ExecStreamError, errorGuard } from './exec-stream-error.js';

/**
 * The service could not run the command: the wire's terminal `{error, code}` event.
 * `code` is `exec_failed` (transient: a bad `working_dir`, a spawn failure), `bad_request`
 * (a missing binary with `args`), `gone` (the sandbox VM is gone), another code, or absent
 * on older servers. A command that ran and exited non-zero is not this error: it is a
 * `finished` event.
 *
 * @example
 * ```ts
 * exec$({ command: 'ls', working_dir: '/nope' }).subscribe({
 *   error: (err) => isExecFailedError(err) && console.error(err.code, err.message),
 * });
 * ```
 */
export class ExecFailedError extends ExecStreamError {
  /** Always `'ExecFailedError'`, so that guards work across copies of the package. */
  override name = 'ExecFailedError';
  /** The service's error code, when it sent one. */
  readonly code?: string;

  /**
   * @param detail - The service's error text (opaque).
   * @param code - The service's error code.
   */
  constructor(detail: string, code?: string) {
    super(`the command could not run${code === undefined ? '' : ` (${code})`}: ${detail}`);
    if (code !== undefined) this.code = code;
  }
}

/** Whether `value` is an {@link ExecFailedError}. */
export const isExecFailedError = errorGuard(ExecFailedError, 'ExecFailedError');
