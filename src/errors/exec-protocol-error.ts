import { ExecStreamError, errorGuard } from './exec-stream-error.js';

/**
 * The response broke the protocol: a 2xx that is not `text/event-stream`, or an SSE line or
 * event larger than the client's cap.
 *
 * @example
 * ```ts
 * exec$({ command: 'ls' }).subscribe({
 *   error: (err) => isExecProtocolError(err) && console.error('not a sandbox endpoint?', err.message),
 * });
 * ```
 */
export class ExecProtocolError extends ExecStreamError {
  /** Always `'ExecProtocolError'`, so that guards work across copies of the package. */
  override name = 'ExecProtocolError';
}

/** Whether `value` is an {@link ExecProtocolError}. */
export const isExecProtocolError = errorGuard(ExecProtocolError, 'ExecProtocolError');
