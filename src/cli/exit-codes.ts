import { isExecDecodeError } from '../errors/exec-decode-error.js';
import { isExecFailedError } from '../errors/exec-failed-error.js';
import { isExecHttpError } from '../errors/exec-http-error.js';
import { isExecIncompleteError } from '../errors/exec-incomplete-error.js';
import { isExecNetworkError } from '../errors/exec-network-error.js';
import { isExecProtocolError } from '../errors/exec-protocol-error.js';
import { isExecRequestError } from '../errors/exec-request-error.js';
import { isExecTimeoutError } from '../errors/exec-timeout-error.js';

/**
 * The CLI's own exit codes, one per failure kind, from the BSD `sysexits.h` range so that
 * they rarely collide with a command's own codes (which `exec` passes through).
 */
export const EXIT_CODES = {
  /** A bad flag, a missing command, or an invalid request (`ExecRequestError`). */
  usage: 2,
  /** `ExecHttpError`: the service refused (401, 429, 503...). */
  http: 69,
  /** `ExecFailedError`: the command could not run. */
  failed: 71,
  /** `ExecIncompleteError`: the stream ended with no outcome. */
  incomplete: 74,
  /** `ExecNetworkError` or `ExecTimeoutError`: could not reach the service, or gave up waiting. */
  unavailable: 75,
  /** `ExecProtocolError` or `ExecDecodeError`: the answer was not the protocol. */
  protocol: 76,
  /** Anything else: a bug. */
  software: 70,
  /** Interrupted by Ctrl-C (128 + SIGINT). */
  interrupted: 130,
} as const;

/**
 * The exit code for an error that ended `superserve-rx exec`.
 *
 * @param error - What the stream errored with.
 */
export function exitCodeFor(error: unknown): number {
  if (isExecRequestError(error)) return EXIT_CODES.usage;
  if (isExecHttpError(error)) return EXIT_CODES.http;
  if (isExecFailedError(error)) return EXIT_CODES.failed;
  if (isExecIncompleteError(error)) return EXIT_CODES.incomplete;
  if (isExecNetworkError(error) || isExecTimeoutError(error)) return EXIT_CODES.unavailable;
  if (isExecProtocolError(error) || isExecDecodeError(error)) return EXIT_CODES.protocol;
  return EXIT_CODES.software;
}
