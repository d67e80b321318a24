import { type ExecIssue, formatIssues } from './exec-issue.js';
import { ExecStreamError, errorGuard } from './exec-stream-error.js';

/** The largest `data` an {@link ExecDecodeError} keeps, in UTF-16 code units. */
export const MAX_DECODE_ERROR_DATA = 4096;

/**
 * An SSE frame could not be decoded: its data was not JSON (`reason: 'json'`) or not an exec
 * event (`reason: 'schema'`). `execEither$` delivers it as a `Left` value; `exec$` errors with it.
 * The same for the JSON answers of `/files` (a listing, a write's reply): `subject` names which.
 *
 * @example
 * ```ts
 * import { isLeft } from 'fp-ts/Either'; // native Node ESM: 'fp-ts/lib/Either.js'
 *
 * execEither$({ command: 'ls' }).subscribe((e) => {
 *   if (isLeft(e)) console.warn(e.left.reason, e.left.issues);
 * });
 * ```
 */
export class ExecDecodeError extends ExecStreamError {
  /** Always `'ExecDecodeError'`, so that guards work across copies of the package. */
  override name = 'ExecDecodeError';
  /** Whether the frame was not JSON at all, or JSON of the wrong shape. */
  readonly reason: 'json' | 'schema';
  /** The frame's data, cut to its first 4 KiB. */
  readonly data: string;
  /** What was wrong, each naming the offending path. */
  readonly issues: ReadonlyArray<ExecIssue>;

  /**
   * @param reason - `json` or `schema`.
   * @param data - The frame's data (kept up to 4 KiB).
   * @param issues - What was wrong.
   * @param subject - What the data should have been, for the message.
   */
  constructor(
    reason: 'json' | 'schema',
    data: string,
    issues: ReadonlyArray<ExecIssue>,
    subject: string = 'exec event',
  ) {
    super(`undecodable ${subject} (${reason}): ${formatIssues(issues)}`);
    this.reason = reason;
    this.data = data.length > MAX_DECODE_ERROR_DATA ? data.slice(0, MAX_DECODE_ERROR_DATA) : data;
    this.issues = issues;
  }
}

/** Whether `value` is an {@link ExecDecodeError}. */
export const isExecDecodeError = errorGuard(ExecDecodeError, 'ExecDecodeError');
