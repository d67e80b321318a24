import { left, right, type Either } from 'fp-ts/lib/Either.js';
import { ExecDecodeError } from '../errors/exec-decode-error.js';
import type { ExecIssue } from '../errors/exec-issue.js';
import type { ExecEvent } from './exec-event.js';
import { ExecFrame } from './exec-frame.js';
import { reportIssues } from './report-issues.js';

/**
 * Decodes the data of one SSE message into exec events.
 *
 * One frame can yield several events: a terminal frame that also carries output (older
 * control planes built those) yields the output first, then `finished` or `failed`. An empty
 * output chunk yields nothing. Unknown fields are ignored.
 *
 * @param data - The `data` of one SSE message.
 * @returns The events, or an {@link ExecDecodeError} with `reason: 'json'` when `data` is not
 *   JSON and `reason: 'schema'` when it is not an exec event, its issues naming the path.
 * @example
 * ```ts
 * decodeExecEvents('{"stdout":"hi\\n","timestamp":"2026-11-07T05:31:56.1Z"}');
 * // right([{ type: 'stdout', data: 'hi\n', timestamp: '2026-11-07T05:31:56.1Z' }])
 * ```
 */
export function decodeExecEvents(data: string): Either<ExecDecodeError, ReadonlyArray<ExecEvent>> {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch (error) {
    return left(new ExecDecodeError('json', data, [{ path: '', message: `not JSON: ${messageOf(error)}` }]));
  }
  const decoded = ExecFrame.decode(json);
  if (decoded._tag === 'Left') return left(new ExecDecodeError('schema', data, reportIssues(decoded.left)));
  return eventsOf(decoded.right, data);
}

function eventsOf(frame: ExecFrame, data: string): Either<ExecDecodeError, ReadonlyArray<ExecEvent>> {
  const { stdout, stderr, timestamp, finished, exit_code: exitCode, error, code } = frame;
  const events: ExecEvent[] = [];
  const issues: ExecIssue[] = [];
  const hasOutput = (stdout !== undefined && stdout !== '') || (stderr !== undefined && stderr !== '');
  if (hasOutput && timestamp === undefined) {
    issues.push({ path: 'timestamp', message: 'expected a string on an output event, got nothing' });
  }
  if (stdout !== undefined && stdout !== '' && timestamp !== undefined) {
    events.push({ type: 'stdout', data: stdout, timestamp });
  }
  if (stderr !== undefined && stderr !== '' && timestamp !== undefined) {
    events.push({ type: 'stderr', data: stderr, timestamp });
  }
  const failed = error !== undefined || (code !== undefined && exitCode === undefined);
  if (failed) {
    events.push({
      type: 'failed',
      message: error ?? code ?? '',
      ...(code !== undefined && { code }),
      ...(timestamp !== undefined && { timestamp }),
    });
  } else if (exitCode !== undefined) {
    events.push({ type: 'finished', exitCode, ...(timestamp !== undefined && { timestamp }) });
  } else if (finished === true) {
    issues.push({ path: 'exit_code', message: 'expected an integer on a terminal event, got nothing' });
  } else if (stdout === undefined && stderr === undefined) {
    issues.push({ path: '', message: 'expected one of stdout, stderr, finished or error, got none' });
  }
  return issues.length > 0 ? left(new ExecDecodeError('schema', data, issues)) : right(events);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
