import { ExecStreamError, errorGuard } from './exec-stream-error.js';

/** What went wrong with one `POST /sandboxes/{id}/activate`. */
export interface ExecActivateErrorInit {
  /** The sandbox id, for the message. */
  readonly sandboxId: string;
  /** The HTTP status of the answer, if one came (not 2xx, or 2xx without a token). */
  readonly status?: number | undefined;
  /** The `code` of the control plane's JSON envelope (`unauthorized`, `conflict`...). */
  readonly code?: string | undefined;
  /** What to say: the envelope's message, or why the request or the answer failed. */
  readonly detail: string;
  /** The underlying error (the network's, a timeout), if any. */
  readonly cause?: unknown;
}

/**
 * The control plane did not give a token: `POST /sandboxes/{id}/activate` answered an error
 * (401 `unauthorized` for a wrong API key, 404 `not_found`, 409 `conflict` while the sandbox is
 * pausing or resuming, 500 `internal_error`), answered 200 without an `access_token`, or did
 * not answer (`status` absent; the network's error as `cause`). Thrown by the providers that
 * `activateTokenProvider` makes; inside `exec$` it becomes the `cause` of an
 * `ExecRequestError`. The API key never appears in it.
 *
 * It is a separate class, not an `ExecHttpError`, because it is another service's answer (the
 * control plane, not a sandbox) to another request, with another envelope and other codes.
 *
 * @example
 * ```ts
 * try {
 *   await provider({});
 * } catch (err) {
 *   if (isExecActivateError(err) && err.status === 404) console.error('no such sandbox');
 * }
 * ```
 */
export class ExecActivateError extends ExecStreamError {
  /** Always `'ExecActivateError'`, so that guards work across copies of the package. */
  override name = 'ExecActivateError';
  /** The sandbox whose activation failed. */
  readonly sandboxId: string;
  /** The HTTP status, when the control plane answered. */
  readonly status?: number;
  /** The error code of its JSON envelope (`unauthorized`, `not_found`, `conflict`...). */
  readonly code?: string;

  /**
   * @param init - The sandbox, the status and code when there was an answer, and what to say.
   */
  constructor(init: ExecActivateErrorInit) {
    const answered =
      init.status === undefined
        ? 'failed'
        : `failed with ${init.status}${init.code === undefined ? '' : ` (${init.code})`}`;
    super(
      `POST /sandboxes/${init.sandboxId}/activate ${answered}: ${init.detail}`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.sandboxId = init.sandboxId;
    if (init.status !== undefined) this.status = init.status;
    if (init.code !== undefined) this.code = init.code;
  }
}

/** Whether `value` is an {@link ExecActivateError}. */
export const isExecActivateError = errorGuard(ExecActivateError, 'ExecActivateError');
