import * as t from 'io-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type { ExecIssue } from '../errors/exec-issue.js';
import { left, right } from './either.js';
import { reportIssues } from './report-issues.js';
import { EnvRecord, NonEmptyProcessString, PositiveInteger, ProcessString } from './wire-types.js';

/**
 * A request to run a command in the sandbox: the body of `POST /exec/stream`, in the wire's
 * field names.
 *
 * @example
 * ```ts
 * const request: ExecRequest = { command: 'ls', args: ['-la'], working_dir: '/tmp', timeout_s: 10 };
 * ```
 */
export interface ExecRequest {
  /**
   * Run as `/bin/sh -c command`, or, when `args` is given, the binary to run (looked up in
   * `PATH`) with no shell. Non-empty, no NUL byte.
   */
  readonly command: string;
  /** Arguments for `command`; giving them turns the shell off. */
  readonly args?: ReadonlyArray<string>;
  /** Environment variables for the command; names are non-empty with no `=`. */
  readonly env?: Readonly<Record<string, string>>;
  /** The command's working directory (the service's default is `/home/user`). */
  readonly working_dir?: string;
  /**
   * Seconds before the service kills the command's process group and reports exit code 124
   * (the service's default is 30). A positive integer.
   */
  readonly timeout_s?: number;
}

/**
 * The io-ts codec of {@link ExecRequest}. One codec serves the client (validated before
 * anything is sent) and the local sandbox server (validated on arrival); `t.exact` strips
 * unknown fields.
 */
export const ExecRequest: t.Type<ExecRequest, ExecRequest, unknown> = t.exact(
  t.intersection([
    t.type({ command: NonEmptyProcessString }),
    t.partial({
      args: t.readonlyArray(ProcessString, 'an array of strings without NUL bytes'),
      env: EnvRecord,
      working_dir: NonEmptyProcessString,
      timeout_s: PositiveInteger,
    }),
  ]),
  'an exec request object',
);

/** The field names an {@link ExecRequest} may have. */
export const EXEC_REQUEST_FIELDS: ReadonlySet<string> = new Set([
  'command',
  'args',
  'env',
  'working_dir',
  'timeout_s',
]);

/** How {@link decodeExecRequest} treats fields it does not know. */
export interface DecodeExecRequestConfig {
  /**
   * Report unknown fields as issues (`true`, the client: a typo such as `timeout` must not be
   * dropped silently), or strip them as the service does (`false`, the server).
   * @defaultValue true
   */
  readonly rejectUnknownFields?: boolean;
}

/**
 * Validates an exec request, returning it with exactly its known fields, or the issues.
 *
 * @param input - The candidate request (anything, e.g. a parsed JSON body).
 * @param config - Whether unknown fields are issues.
 * @example
 * ```ts
 * decodeExecRequest({ command: '' }); // left([{ path: 'command', message: 'expected a non-empty string...' }])
 * ```
 */
export function decodeExecRequest(
  input: unknown,
  config: DecodeExecRequestConfig = {},
): Either<ReadonlyArray<ExecIssue>, ExecRequest> {
  const decoded = ExecRequest.decode(input);
  const issues = decoded._tag === 'Left' ? [...reportIssues(decoded.left)] : [];
  if (config.rejectUnknownFields !== false && typeof input === 'object' && input !== null) {
    for (const key of Object.keys(input)) {
      if (!EXEC_REQUEST_FIELDS.has(key)) {
        issues.push({
          path: key,
          message: `unknown field (expected one of ${[...EXEC_REQUEST_FIELDS].join(', ')})`,
        });
      }
    }
  }
  if (decoded._tag === 'Left' || issues.length > 0) return left(issues);
  return right(decoded.right);
}
