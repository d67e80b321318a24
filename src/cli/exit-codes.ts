import { isExecDecodeError } from '../errors/exec-decode-error.js';
import { isExecFailedError } from '../errors/exec-failed-error.js';
import { isExecHttpError } from '../errors/exec-http-error.js';
import { isExecIncompleteError } from '../errors/exec-incomplete-error.js';
import { isExecNetworkError } from '../errors/exec-network-error.js';
import { isExecProtocolError } from '../errors/exec-protocol-error.js';
import { isExecRequestError } from '../errors/exec-request-error.js';
import { isExecTimeoutError } from '../errors/exec-timeout-error.js';

/**
 * The CLI's own exit codes, one per error class, from the BSD `sysexits.h` range so that they
 * rarely collide with a command's own codes (which `exec` passes through).
 */
export const EXIT_CODES = {
  /** A bad flag or a missing command. */
  usage: 2,
  /** `ExecRequestError`: the request or options were invalid; nothing was sent. */
  request: 64,
  /** `cp`: a file on this machine could not be read or written. */
  localFile: 66,
  /** `ExecDecodeError`: a frame was not an exec event. */
  decode: 65,
  /** `ExecHttpError`: the service refused (401, 429, 503...). */
  http: 69,
  /** Anything else: a bug. */
  software: 70,
  /** `ExecFailedError`: the command could not run. */
  failed: 71,
  /** `ExecTimeoutError`: a client deadline passed (the CLI sets none; kept distinct all the same). */
  timeout: 73,
  /** `ExecIncompleteError`: the stream ended with no outcome. */
  incomplete: 74,
  /** `ExecNetworkError`: could not reach the service, or the stream broke. */
  network: 75,
  /** `ExecProtocolError`: the answer was not an event stream. */
  protocol: 76,
  /** Interrupted by Ctrl-C (128 + SIGINT), SIGTERM or SIGHUP. */
  interrupted: 130,
  /** The reader of the output went away (128 + SIGPIPE, as a piped command would report). */
  outputClosed: 141,
} as const;

/**
 * The exit code for an error that ended `superserve-rx exec`.
 *
 * @param error - What the stream errored with.
 */
export function exitCodeFor(error: unknown): number {
  if (isLocalFileError(error)) return EXIT_CODES.localFile;
  if (isExecRequestError(error)) return EXIT_CODES.request;
  if (isExecDecodeError(error)) return EXIT_CODES.decode;
  if (isExecHttpError(error)) return EXIT_CODES.http;
  if (isExecFailedError(error)) return EXIT_CODES.failed;
  if (isExecTimeoutError(error)) return EXIT_CODES.timeout;
  if (isExecIncompleteError(error)) return EXIT_CODES.incomplete;
  if (isExecNetworkError(error)) return EXIT_CODES.network;
  if (isExecProtocolError(error)) return EXIT_CODES.protocol;
  return EXIT_CODES.software;
}

/**
 * Whether an error is Node's own about a file on this machine (`ENOENT`, `EACCES`...: it has a
 * `syscall` and a `code`), as `cp` meets reading its source or writing its target.
 *
 * @param error - Anything thrown.
 */
export function isLocalFileError(error: unknown): error is NodeJS.ErrnoException {
  const { code, syscall } = (error ?? {}) as { code?: unknown; syscall?: unknown };
  return typeof code === 'string' && typeof syscall === 'string';
}
