import { ExecStreamError, errorGuard } from './exec-stream-error.js';

/**
 * `fetch` failed (`phase: 'fetch'`: connection refused, DNS, reset before any response; for a
 * file upload, anything before the reply), or reading the response body failed
 * (`phase: 'body'`: the stream broke after it began, a download cut mid-way). In the
 * body phase the command was running; in the fetch phase it may or may not have started (the
 * service sends no headers until the first output or keepalive). If it had started, the
 * service killed it when the connection dropped.
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
   * @param phase - `fetch` if no response arrived (or, for a session, the WebSocket never
   *   opened), `body` if the response's body broke off (or the open session was lost).
   * @param cause - The underlying error.
   * @param endpoint - The request, for the message.
   */
  constructor(
    readonly phase: 'fetch' | 'body',
    cause: unknown,
    endpoint: ExecNetworkEndpoint = 'POST /exec/stream',
  ) {
    const socket = endpoint === 'GET /exec/connect' || endpoint === 'GET /terminal';
    const what = WHAT_FAILED[`${socket ? 'session' : ''}${phase}`];
    super(`${endpoint}: ${what}${describeCause(cause, what)}`, { cause });
  }
}

/** The requests an {@link ExecNetworkError} can be about. */
export type ExecNetworkEndpoint =
  'POST /exec/stream' | 'GET /exec/connect' | 'GET /terminal' | 'GET /files' | 'POST /files';

// A WebSocket (a session or a terminal) has its own words: browsers hide why one did not open.
const WHAT_FAILED = {
  fetch: 'fetch failed',
  body: 'reading the response body failed',
  sessionfetch: 'the WebSocket did not open',
  sessionbody: 'the session was lost (closed abnormally, with no terminal frame)',
} as const;

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
