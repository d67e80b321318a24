import { ExecStreamError, errorGuard } from './exec-stream-error.js';

/** What the service answered instead of an event stream. */
export interface ExecHttpErrorInit {
  /** The HTTP status, not 2xx. */
  readonly status: number;
  /** The response body as text, at most 4 KiB of it. */
  readonly body: string;
  /** The `code` of a JSON `{"error": {"code", "message"}}` body. */
  readonly code?: string | undefined;
  /** The envelope's `message`, or the body's first line, for the error message. */
  readonly detail?: string | undefined;
  /** `Retry-After`, in milliseconds. */
  readonly retryAfterMs?: number | undefined;
  /**
   * The request refused, for the message.
   * @defaultValue `POST /exec/stream`
   */
  readonly endpoint?: string | undefined;
}

/**
 * The service answered with a non-2xx status before the stream started: 401 for a missing or
 * expired token, 429 for too many connections, 502/503 while the sandbox is unreachable or
 * paused... The status wins over the content type: a 5xx sent as `text/event-stream` is still
 * this error. Redirects are not followed (they would carry the access token elsewhere): a 3xx
 * is this error too, with status 0 in browsers, which hide the redirect.
 *
 * @example
 * ```ts
 * exec$({ command: 'ls' }).subscribe({
 *   error: (err) => {
 *     if (isExecHttpError(err) && err.status === 401) console.error('token expired');
 *   },
 * });
 * ```
 */
export class ExecHttpError extends ExecStreamError {
  /** Always `'ExecHttpError'`, so that guards work across copies of the package. */
  override name = 'ExecHttpError';
  /** The HTTP status. */
  readonly status: number;
  /** The error code of a JSON error envelope (`sandbox_unavailable`...), if the body was one. */
  readonly code?: string;
  /** The response body as text, at most 4 KiB of it. */
  readonly body: string;
  /** The server's `Retry-After`, in milliseconds, when it sent one. */
  readonly retryAfterMs?: number;

  /**
   * @param init - The status, body and the fields parsed from them.
   */
  constructor(init: ExecHttpErrorInit) {
    const detail = init.detail ?? firstLine(init.body);
    super(`${init.endpoint ?? 'POST /exec/stream'} failed with ${init.status}${detail ? `: ${detail}` : ''}`);
    this.status = init.status;
    this.body = init.body;
    if (init.code !== undefined) this.code = init.code;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }
}

function firstLine(body: string): string {
  const line = (body.trim().split(/\r?\n/, 1)[0] ?? '').trimEnd();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** Whether `value` is an {@link ExecHttpError}. */
export const isExecHttpError = errorGuard(ExecHttpError, 'ExecHttpError');
