import { decodeExecFrame } from '../codec/decode-exec-events.js';
import type { ExecSessionEvent } from '../codec/exec-session-event.js';
import { ExecDecodeError } from '../errors/exec-decode-error.js';
import { ExecFailedError } from '../errors/exec-failed-error.js';
import { SESSION_CHANNEL } from './session-protocol.js';

/**
 * Turns one server frame of `/exec/connect` into what the session emits: a binary frame
 * `[0x01 | 0x02] + bytes` is a stdout or stderr event holding a view of those bytes (no copy,
 * no decoding), a text frame is the terminal event (`finished`, or the could-not-run error as
 * {@link ExecFailedError}). Anything else is an {@link ExecDecodeError}: a binary frame whose
 * first byte is not 1 or 2, a text frame that is not JSON or not a terminal event, data of
 * another type. A binary frame with a channel byte and no bytes yields nothing.
 *
 * @param data - The frame's data as the WebSocket delivered it: a string for text, an
 *   `ArrayBuffer` (or a view of one) for binary.
 * @param secret - The access token, kept out of every error.
 * @example
 * ```ts
 * decodeSessionFrame(new Uint8Array([1, 104, 105]).buffer); // { type: 'stdout', data: Uint8Array [104, 105] }
 * decodeSessionFrame('{"exit_code":0,"finished":true}'); // { type: 'finished', exitCode: 0 }
 * ```
 */
export function decodeSessionFrame(
  data: unknown,
  secret?: string,
): ExecSessionEvent | ExecDecodeError | ExecFailedError | undefined {
  if (typeof data === 'string') return terminalEvent(data, secret);
  const bytes = bytesOf(data);
  if (bytes === undefined) {
    return new ExecDecodeError('schema', '', [
      { path: '', message: `expected a text or binary frame, got ${describe(data)}` },
    ]);
  }
  const channel = bytes[0];
  if (channel !== SESSION_CHANNEL.stdout && channel !== SESSION_CHANNEL.stderr) {
    return new ExecDecodeError('schema', hexPrefix(bytes), [
      {
        path: '',
        message:
          channel === undefined
            ? 'an empty binary frame (expected a channel byte, 1 or 2, then output)'
            : `a binary frame on channel ${channel} (expected 1 for stdout or 2 for stderr)`,
      },
    ]);
  }
  if (bytes.length === 1) return undefined;
  return { type: channel === SESSION_CHANNEL.stdout ? 'stdout' : 'stderr', data: bytes.subarray(1) };
}

function terminalEvent(
  text: string,
  secret: string | undefined,
): ExecSessionEvent | ExecDecodeError | ExecFailedError {
  const events = decodeExecFrame(text, secret);
  if (events instanceof ExecDecodeError) return events;
  const [event] = events;
  if (events.length === 1 && event?.type === 'finished')
    return { type: 'finished', exitCode: event.exitCode };
  if (events.length === 1 && event?.type === 'failed') return new ExecFailedError(event.message, event.code);
  return new ExecDecodeError('schema', text, [
    { path: '', message: 'a text frame that is not a terminal event (output comes in binary frames)' },
  ]);
}

function bytesOf(data: unknown): Uint8Array | undefined {
  // By tag, not instanceof: the WebSocket implementation's buffers may come from another realm.
  if (Object.prototype.toString.call(data) === '[object ArrayBuffer]')
    return new Uint8Array(data as ArrayBuffer);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

function describe(data: unknown): string {
  if (data === null) return 'null';
  if (typeof data !== 'object') return typeof data;
  return (data as { constructor?: { name?: string } }).constructor?.name ?? 'an object';
}

/** The first bytes of a frame in hex, for the error's `data`. */
function hexPrefix(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 64), (byte) => byte.toString(16).padStart(2, '0')).join(' ');
}
