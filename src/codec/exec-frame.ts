import * as t from 'io-ts';
import { Integer } from './wire-types.js';

/**
 * One SSE `data:` payload of `POST /exec/stream`, as the service writes it: an output event
 * (`stdout` or `stderr`, with `timestamp`), or the terminal event (`finished: true` with
 * `exit_code`, or `error` and `code` when the command could not run). Keys come in any order;
 * unknown keys are ignored.
 *
 * @example
 * ```ts
 * const frame: ExecFrame = { exit_code: 0, finished: true, timestamp: '2026-11-07T05:31:56.1Z' };
 * ```
 */
export interface ExecFrame {
  /** A chunk of standard output. */
  readonly stdout?: string;
  /** A chunk of standard error. */
  readonly stderr?: string;
  /** RFC 3339 time the event was emitted. */
  readonly timestamp?: string;
  /** Present and true on the terminal event. */
  readonly finished?: boolean;
  /** The process's exit code, on the terminal event. */
  readonly exit_code?: number;
  /** Why the command could not run. */
  readonly error?: string;
  /** The code accompanying `error` (`bad_request`, `exec_failed`, `gone`...). */
  readonly code?: string;
}

/** The io-ts codec of {@link ExecFrame}: one codec, not a union, so decoding stays cheap. */
export const ExecFrame: t.Type<ExecFrame, ExecFrame, unknown> = t.partial(
  {
    stdout: t.string,
    stderr: t.string,
    timestamp: t.string,
    finished: t.boolean,
    exit_code: Integer,
    error: t.string,
    code: t.string,
  },
  'an exec event object',
);

/**
 * The shape of nearly every frame, one stdout chunk and its timestamp: a two-field codec that
 * checks it in a fraction of the time of {@link ExecFrame}, for the transport's hot path.
 */
export const StdoutFrame = t.type({ stdout: t.string, timestamp: t.string }, 'a stdout event object');

/** {@link StdoutFrame} for stderr. */
export const StderrFrame = t.type({ stderr: t.string, timestamp: t.string }, 'a stderr event object');
