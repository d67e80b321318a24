import { type ExecIssue, formatIssues } from './exec-issue.js';
import { ExecStreamError, errorGuard } from './exec-stream-error.js';

/**
 * The request or the options were invalid (an empty `command`, a `timeout_s` that is not a
 * positive integer, no access token...), so no HTTP request was made.
 *
 * @example
 * ```ts
 * exec$({ command: '' }).subscribe({
 *   error: (err) => isExecRequestError(err) && console.error(err.issues),
 * });
 * ```
 */
export class ExecRequestError extends ExecStreamError {
  /** Always `'ExecRequestError'`, so that guards work across copies of the package. */
  override name = 'ExecRequestError';

  /**
   * @param issues - What was wrong, one entry per offending field.
   */
  constructor(readonly issues: ReadonlyArray<ExecIssue>) {
    super(`invalid exec request: ${formatIssues(issues)}`);
  }
}

/** Whether `value` is an {@link ExecRequestError}. */
export const isExecRequestError = errorGuard(ExecRequestError, 'ExecRequestError');
