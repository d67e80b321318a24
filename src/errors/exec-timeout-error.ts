import { ExecStreamError, errorGuard } from './exec-stream-error.js';

/**
 * `withTimeout` gave up: the whole run took longer than `total` ms, or no event arrived for
 * `idle` ms. The request was aborted, so the service killed the command.
 *
 * @example
 * ```ts
 * exec$({ command: 'sleep 60' }).pipe(withTimeout({ total: 1000 })).subscribe({
 *   error: (err) => isExecTimeoutError(err) && console.error(err.timeout, err.ms),
 * });
 * ```
 */
export class ExecTimeoutError extends ExecStreamError {
  /** Always `'ExecTimeoutError'`, so that guards work across copies of the package. */
  override name = 'ExecTimeoutError';

  /**
   * @param timeout - Which limit was hit.
   * @param ms - That limit, in milliseconds.
   */
  constructor(
    readonly timeout: 'total' | 'idle',
    readonly ms: number,
  ) {
    super(
      timeout === 'total'
        ? `the exec stream did not finish within ${ms} ms`
        : `no exec event arrived for ${ms} ms`,
    );
  }
}

/** Whether `value` is an {@link ExecTimeoutError}. */
export const isExecTimeoutError = errorGuard(ExecTimeoutError, 'ExecTimeoutError');
