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
 * ExecFrame.decode(JSON.parse('{"exit_code":0,"finished":true,"timestamp":"2026-11-07T05:31:56Z"}'));
 * ```
 */
export const ExecFrame = t.partial(
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

/** The wire shape of one exec event. */
export type ExecFrame = t.TypeOf<typeof ExecFrame>;
