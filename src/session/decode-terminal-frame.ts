import { ExecDecodeError } from '../errors/exec-decode-error.js';

/**
 * Turns one server frame of `/terminal` into the bytes it carries: a binary frame is raw
 * terminal output (a view of its bytes, no copy, no decoding); a text frame, which the service
 * never sends and its console ignores, is ignored (`undefined`), as is an empty binary frame.
 * Data of another type (a `Blob`) is an {@link ExecDecodeError}.
 *
 * @param data - The frame's data as the WebSocket delivered it.
 * @example
 * ```ts
 * decodeTerminalFrame(new Uint8Array([104, 105]).buffer); // Uint8Array [104, 105]
 * decodeTerminalFrame('{"type":"hello"}'); // undefined
 * ```
 */
export function decodeTerminalFrame(data: unknown): Uint8Array | ExecDecodeError | undefined {
  if (typeof data === 'string') return undefined;
  let bytes: Uint8Array;
  // By tag, not instanceof: the WebSocket implementation's buffers may come from another realm.
  if (Object.prototype.toString.call(data) === '[object ArrayBuffer]')
    bytes = new Uint8Array(data as ArrayBuffer);
  else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  else {
    const kind =
      data === null || typeof data !== 'object'
        ? String(data === null ? 'null' : typeof data)
        : ((data as { constructor?: { name?: string } }).constructor?.name ?? 'an object');
    return new ExecDecodeError('schema', '', [{ path: '', message: `expected a binary frame, got ${kind}` }]);
  }
  return bytes.length === 0 ? undefined : bytes;
}
