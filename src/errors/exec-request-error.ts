import { type ExecIssue, formatIssues } from './exec-issue.js';
import { ExecStreamError, errorGuard } from './exec-stream-error.js';

/**
 * The request or the options were invalid (an empty `command`, a `timeout_s` that is not a
 * positive integer, no access token...), so no HTTP request was made; or an access token
 * provider failed or gave something that is not a token (its error is the `cause`), so no
 * request was made with it.
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
   * @param options - `cause`: the error behind it (an access token provider's, say).
   */
  constructor(
    readonly issues: ReadonlyArray<ExecIssue>,
    options?: { readonly cause?: unknown },
  ) {
    super(`invalid exec request: ${formatIssues(issues)}`, options);
  }
}

/** Whether `value` is an {@link ExecRequestError}. */
export const isExecRequestError = errorGuard(ExecRequestError, 'ExecRequestError');
