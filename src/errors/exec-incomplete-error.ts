import { ExecStreamError, errorGuard } from './exec-stream-error.js';

/**
 * The stream ended without a terminal event, so the command's outcome is unknown: the service
 * was redeployed or a proxy drained the connection, and the command is dead. It is never
 * re-run automatically; re-running is the caller's decision.
 *
 * @example
 * ```ts
 * exec$({ command: 'make' }).subscribe({
 *   error: (err) => isExecIncompleteError(err) && console.error('outcome unknown'),
 * });
 * ```
 */
export class ExecIncompleteError extends ExecStreamError {
  /** Always `'ExecIncompleteError'`, so that guards work across copies of the package. */
  override name = 'ExecIncompleteError';

  /**
   * @param detail - How it ended, when there is more to say (a session's close code and reason).
   */
  constructor(detail?: string) {
    super(
      `${detail ?? 'the exec stream ended'} without a terminal event: the outcome of the command is unknown`,
    );
  }
}

/** Whether `value` is an {@link ExecIncompleteError}. */
export const isExecIncompleteError = errorGuard(ExecIncompleteError, 'ExecIncompleteError');
