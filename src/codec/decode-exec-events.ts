import type { Either } from 'fp-ts/lib/Either.js';
import { ExecDecodeError } from '../errors/exec-decode-error.js';
import type { ExecIssue } from '../errors/exec-issue.js';
import { left, right } from './either.js';
import type { ExecEvent } from './exec-event.js';
import { ExecFrame, StderrFrame, StdoutFrame } from './exec-frame.js';
import { redactSecret } from './redact-secret.js';
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
  const decoded = decodeExecFrame(data);
  return decoded instanceof ExecDecodeError ? left(decoded) : right(decoded);
}

/**
 * {@link decodeExecEvents} without the `Either`, for the transport's hot path: the events, or
 * the error as a value. Given the access token, keeps it out of everything that may become an
 * error message (a server could echo it): a could-not-run event's text and a bad frame's
 * error, whose data and issues quote the frame. Output is the command's own and is left as is.
 *
 * @param data - The `data` of one SSE message.
 * @param secret - The access token, if there is one to keep out of errors.
 */
export function decodeExecFrame(data: string, secret?: string): ReadonlyArray<ExecEvent> | ExecDecodeError {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch (error) {
    const failure = new ExecDecodeError('json', data, [
      { path: '', message: `not JSON: ${messageOf(error)}` },
    ]);
    return withoutSecret(failure, data, secret);
  }
  const output = plainOutput(json);
  if (output !== undefined) return output;
  // A codec's `is` checks exactly what its `decode` checks, without building validation
  // contexts and Eithers; only a frame that fails it pays for `decode`, to name the paths.
  const decoded = ExecFrame.is(json) ? { _tag: 'Right' as const, right: json } : ExecFrame.decode(json);
  const events =
    decoded._tag === 'Left'
      ? new ExecDecodeError('schema', data, reportIssues(decoded.left))
      : eventsOf(decoded.right, data, secret);
  return events instanceof ExecDecodeError ? withoutSecret(events, data, secret) : events;
}

/**
 * The error of a frame that holds the token, rebuilt from the frame with the token redacted,
 * so that no part of it survives in a quoted snippet or a value cut short in an issue.
 */
function withoutSecret(failure: ExecDecodeError, data: string, secret: string | undefined): ExecDecodeError {
  if (secret === undefined || secret === '' || !data.includes(secret)) return failure;
  const redacted = redactSecret(data, secret);
  const again = decodeExecFrame(redacted);
  return again instanceof ExecDecodeError
    ? again
    : new ExecDecodeError(failure.reason, redacted, [
        { path: '', message: 'a frame holding the access token' },
      ]);
}

/**
 * Dispatches on the frame's shape before the full codec: a frame with no terminal field and
 * exactly one output field is checked by a two-field codec. `undefined`: not that shape.
 */
function plainOutput(json: unknown): ReadonlyArray<ExecEvent> | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const frame = json as { readonly [K in keyof ExecFrame]?: unknown };
  if (frame.finished !== undefined || frame.exit_code !== undefined || frame.error !== undefined)
    return undefined;
  if (frame.code !== undefined) return undefined;
  if (frame.stderr === undefined && StdoutFrame.is(json)) {
    return json.stdout === '' ? [] : [{ type: 'stdout', data: json.stdout, timestamp: json.timestamp }];
  }
  if (frame.stdout === undefined && StderrFrame.is(json)) {
    return json.stderr === '' ? [] : [{ type: 'stderr', data: json.stderr, timestamp: json.timestamp }];
  }
  return undefined;
}

function eventsOf(
  frame: ExecFrame,
  data: string,
  secret: string | undefined,
): ReadonlyArray<ExecEvent> | ExecDecodeError {
  const { stdout, stderr, timestamp, finished, exit_code: exitCode, error, code } = frame;
  const events: ExecEvent[] = [];
  const issues: ExecIssue[] = [];
  const hasOutput = (stdout !== undefined && stdout !== '') || (stderr !== undefined && stderr !== '');
  const failed = error !== undefined || (code !== undefined && exitCode === undefined);
  const terminal = failed || exitCode !== undefined || finished === true;
  // Output events always carry a timestamp; a legacy terminal frame that also carries output
  // may not (error frames never do): its output is delivered with an empty one.
  const outputTimestamp = timestamp ?? (terminal ? '' : undefined);
  if (hasOutput && outputTimestamp === undefined) {
    issues.push({ path: 'timestamp', message: 'expected a string on an output event, got nothing' });
  }
  if (stdout !== undefined && stdout !== '' && outputTimestamp !== undefined) {
    events.push({ type: 'stdout', data: stdout, timestamp: outputTimestamp });
  }
  if (stderr !== undefined && stderr !== '' && outputTimestamp !== undefined) {
    events.push({ type: 'stderr', data: stderr, timestamp: outputTimestamp });
  }
  if (failed) {
    // Its text becomes an ExecFailedError's message: no echoed token in it.
    const clean = (text: string): string => (secret ? redactSecret(text, secret) : text);
    events.push({
      type: 'failed',
      message: clean(error ?? code ?? ''),
      ...(code !== undefined && { code: clean(code) }),
      ...(timestamp !== undefined && { timestamp }),
    });
  } else if (exitCode !== undefined) {
    events.push({ type: 'finished', exitCode, ...(timestamp !== undefined && { timestamp }) });
  } else if (finished === true) {
    issues.push({ path: 'exit_code', message: 'expected an integer on a terminal event, got nothing' });
  } else if (stdout === undefined && stderr === undefined) {
    issues.push({ path: '', message: 'expected one of stdout, stderr, finished or error, got none' });
  }
  return issues.length > 0 ? new ExecDecodeError('schema', data, issues) : events;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
