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
  /** Always `'ExecNetworkError'`, so that guards work across copies of the package. */
  override name = 'ExecNetworkError';

  /**
   * @param message - What failed (`fetch failed`, `reading the response body failed`).
   * @param cause - The underlying error.
   */
  constructor(message: string, cause: unknown) {
    super(`POST /exec/stream: ${message}${describeCause(cause, message)}`, { cause });
  }
}

// Duck-typed, not `instanceof Error`: fetch's errors may come from another realm.
function describeCause(cause: unknown, said: string): string {
  const outer = errorLike(cause);
  if (outer === undefined) return '';
  const inner = errorLike(outer.cause);
  const innerText = inner === undefined ? '' : ` (${String(inner.code ?? inner.message)})`;
  // undici's own message is often just "fetch failed": do not say it twice.
  return `${outer.message === said ? '' : `: ${outer.message}`}${innerText}`;
}

function errorLike(value: unknown): { message: string; code?: unknown; cause?: unknown } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { message } = value as { message?: unknown };
  return typeof message === 'string' ? (value as { message: string }) : undefined;
}

/** Whether `value` is an {@link ExecNetworkError}. */
export const isExecNetworkError = errorGuard(ExecNetworkError, 'ExecNetworkError');
