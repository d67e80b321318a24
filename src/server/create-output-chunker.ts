import { isAscii } from 'node:buffer';
import { MAX_OUTPUT_EVENT_BYTES } from './protocol-constants.js';

/** Splits one pipe's bytes into event texts. */
export interface OutputChunker {
  /** Takes the next bytes read from the pipe; calls `emit` for each complete piece. */
  push(bytes: Buffer): void;
  /** The pipe ended: emits a held partial character (as U+FFFD). */
  end(): void;
}

/**
 * Turns a pipe's bytes into texts of at most `maxBytes` raw bytes each, cut only between
 * characters: a multi-byte character split across two reads, or falling on a `maxBytes`
 * boundary, goes whole into one event. Invalid UTF-8 becomes U+FFFD, as on the service.
 *
 * @param emit - Receives each text, in order, and whether it is all ASCII (most output is: the
 *   caller can then write it without a UTF-8 encoding pass).
 * @param maxBytes - The most raw bytes per text.
 */
export function createOutputChunker(
  emit: (text: string, ascii: boolean) => void,
  maxBytes: number = MAX_OUTPUT_EVENT_BYTES,
): OutputChunker {
  let carry: Buffer | undefined;
  return {
    push(bytes) {
      const data = carry === undefined ? bytes : Buffer.concat([carry, bytes]);
      carry = undefined;
      let start = 0;
      while (start < data.length) {
        let end = Math.min(start + maxBytes, data.length);
        if (end < data.length) {
          end = characterStart(data, start, end);
        } else {
          const partial = partialTail(data, start);
          if (partial > 0) {
            // Copied, so that the carry does not pin the whole read buffer in memory.
            carry = Buffer.from(data.subarray(end - partial));
            end -= partial;
          }
        }
        if (end > start) {
          const ascii = isAscii(data.subarray(start, end));
          emit(data.toString(ascii ? 'latin1' : 'utf8', start, end), ascii);
        }
        start = carry === undefined ? end : data.length;
      }
    },
    end() {
      if (carry !== undefined) emit(carry.toString('utf8'), false);
      carry = undefined;
    },
  };
}

const isContinuation = (byte: number | undefined): boolean => byte !== undefined && (byte & 0xc0) === 0x80;

/** Moves a cut at `end` back to the start of the character it falls in (at most 3 bytes). */
function characterStart(data: Buffer, start: number, end: number): number {
  let cut = end;
  while (cut > start && end - cut < 3 && isContinuation(data[cut])) cut--;
  // No lead byte within reach: the bytes are not UTF-8 anyway; cut where asked.
  return cut > start && !isContinuation(data[cut]) ? cut : end;
}

/** How many bytes at the end of `data` begin a multi-byte character that is not complete yet. */
function partialTail(data: Buffer, start: number): number {
  for (let back = 1; back <= 3 && data.length - back >= start; back++) {
    const byte = data[data.length - back] ?? 0;
    if (isContinuation(byte)) continue;
    const needed = byte >= 0xf5 ? 1 : byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc2 ? 2 : 1;
    return needed > back ? back : 0;
  }
  return 0;
}
