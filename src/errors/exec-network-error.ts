import { ExecStreamError, errorGuard } from './exec-stream-error.js';

/**
 * `fetch` failed, or reading the response body failed (connection refused, reset, DNS...).
 * The command may or may not have started; if it had, the service killed it when the
 * connection dropped.
 *
 * @example
 * ```ts
 * exec$({ command: 'ls' }, { baseUrl: 'http://127.0.0.1:9' }).subscribe({
 *   error: (err) => isExecNetworkError(err) && console.error(err.message, err.cause),
 * });
 * ```
 */
export class ExecNetworkError extends ExecStreamError {
  override name = 'ExecNetworkError';

  /**
   * @param message - What failed (`fetch failed`, `reading the response body failed`).
   * @param cause - The underlying error.
   */
  constructor(message: string, cause: unknown) {
    super(`POST /exec/stream: ${message}${describeCause(cause)}`, { cause });
  }
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return '';
  const inner: unknown = cause.cause;
  const innerText =
    inner instanceof Error ? ` (${(inner as Error & { code?: unknown }).code ?? inner.message})` : '';
  return `: ${cause.message}${innerText}`;
}

/** Whether `value` is an {@link ExecNetworkError}. */
export const isExecNetworkError = errorGuard(ExecNetworkError, 'ExecNetworkError');
