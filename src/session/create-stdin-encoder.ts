import { MAX_SESSION_FRAME_PAYLOAD_BYTES, SESSION_CHANNEL } from './session-protocol.js';

/** Turns stdin chunks into `/exec/connect` stdin frames. */
export interface StdinEncoder {
  /**
   * The frames for one chunk: a string is UTF-8 encoded, bytes are taken as they are, and
   * either is cut into frames of `[0x00]` and at most 32 KiB. A string ending in the first half
   * of a surrogate pair keeps it for the next chunk, so a character split across two string
   * chunks still arrives whole.
   */
  encode(chunk: string | Uint8Array): Uint8Array[];
  /** The frames for a held half of a surrogate pair (as U+FFFD) at the end of stdin. */
  end(): Uint8Array[];
}

/**
 * Makes the stdin encoder of one session (or, with no channel byte and 64 KiB frames, of one
 * terminal's input).
 *
 * @param maxPayload - The most bytes of stdin per frame.
 * @param channel - The byte each frame starts with (`0x00` for `/exec/connect`), or `null` for
 *   none (`/terminal`'s input is raw bytes).
 * @example
 * ```ts
 * const encoder = createStdinEncoder();
 * encoder.encode('hi\n'); // [Uint8Array [0, 104, 105, 10]]
 * ```
 */
export function createStdinEncoder(
  maxPayload: number = MAX_SESSION_FRAME_PAYLOAD_BYTES,
  channel: number | null = SESSION_CHANNEL.stdin,
): StdinEncoder {
  const utf8 = new TextEncoder();
  let heldHighSurrogate = '';
  const frames = (bytes: Uint8Array): Uint8Array[] => {
    const out: Uint8Array[] = [];
    for (let offset = 0; offset < bytes.length; offset += maxPayload) {
      const piece = bytes.subarray(offset, offset + maxPayload);
      if (channel === null) {
        out.push(piece);
        continue;
      }
      const frame = new Uint8Array(piece.length + 1);
      frame[0] = channel;
      frame.set(piece, 1);
      out.push(frame);
    }
    return out;
  };
  return {
    encode(chunk) {
      if (typeof chunk !== 'string') return frames(chunk);
      let text = heldHighSurrogate + chunk;
      heldHighSurrogate = '';
      const last = text.charCodeAt(text.length - 1);
      if (last >= 0xd800 && last <= 0xdbff) {
        heldHighSurrogate = text.slice(-1);
        text = text.slice(0, -1);
      }
      return frames(utf8.encode(text));
    },
    end() {
      const held = heldHighSurrogate;
      heldHighSurrogate = '';
      return held === '' ? [] : frames(utf8.encode(held));
    },
  };
}
