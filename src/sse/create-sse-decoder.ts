import { createParser } from 'eventsource-parser';
import { ExecProtocolError } from '../errors/exec-protocol-error.js';

/** The default cap on one buffered SSE line or event, in UTF-16 code units (8 Mi). */
export const MAX_EVENT_LENGTH = 8 * 1024 * 1024;

/** Where the bytes of a response body go, and how much of one event may be buffered. */
export interface SseDecoderConfig {
  /** Called with the `data` of each complete SSE message, in order. */
  readonly onData: (data: string) => void;
  /**
   * The most characters one unfinished line or event may buffer; beyond it `push` throws an
   * {@link ExecProtocolError}, so a server that never ends a line cannot exhaust memory.
   * @defaultValue {@link MAX_EVENT_LENGTH}
   */
  readonly maxEventLength?: number;
}

/** A push-based SSE decoder for one response body. */
export interface SseDecoder {
  /** Decodes the next chunk of body bytes; may call `onData` any number of times. */
  push(bytes: Uint8Array): void;
  /** The body ended: flushes the text decoder; an unfinished event is dropped, as SSE says. */
  end(): void;
}

/**
 * Creates a decoder from response-body bytes to SSE message data.
 *
 * Chunk boundaries may fall anywhere: inside a multi-byte UTF-8 character (the streaming
 * `TextDecoder` carries the partial character), between the CR and LF of a CRLF (the parser
 * holds a trailing CR until it sees the next byte), or inside a line. CR, LF and CRLF line
 * ends, a leading BOM, multi-line `data` and comments such as `: keepalive` all give the same
 * messages. Invalid UTF-8 becomes U+FFFD, as it does on the service.
 *
 * @param config - The message callback and the buffer cap.
 * @example
 * ```ts
 * const decoder = createSseDecoder({ onData: (data) => console.log(data) });
 * decoder.push(new TextEncoder().encode('data: {"stdout":"hi"}\r\n\r\n'));
 * decoder.end();
 * ```
 */
export function createSseDecoder(config: SseDecoderConfig): SseDecoder {
  const maxEventLength = config.maxEventLength ?? MAX_EVENT_LENGTH;
  // ignoreBOM: a decode call without `stream` starts a new stream and would strip a U+FEFF at
  // the start of every chunk; the one BOM SSE allows is stripped below, once.
  const text = new TextDecoder('utf-8', { ignoreBOM: true });
  let holdsPartial = false;
  let atStart = true;
  let overflow: ExecProtocolError | undefined;
  const parser = createParser({
    onEvent: (message) => config.onData(message.data),
    onError: (error) => {
      // Unknown fields and bad `retry` values are ignored, as SSE requires; only the cap is fatal.
      if (error.type === 'max-buffer-size-exceeded') {
        overflow = new ExecProtocolError(
          `an SSE line or event exceeded ${maxEventLength} characters without ending`,
        );
      }
    },
    maxBufferSize: maxEventLength,
  });
  let endsWithCr = false;
  const feed = (chunk: string): void => {
    if (overflow) throw overflow;
    if (chunk === '') return;
    parser.feed(chunk);
    endsWithCr = chunk.endsWith('\r');
    if (overflow) throw overflow;
  };
  const decode = (bytes: Uint8Array): string => {
    // Decoding with `stream` is many times slower in Node; it is needed only while a character
    // is split across chunks, so chunks that end on a character boundary skip it.
    const boundary = endsOnCharacterBoundary(bytes);
    const chunk = holdsPartial || !boundary ? text.decode(bytes, { stream: true }) : text.decode(bytes);
    holdsPartial = !boundary;
    if (atStart && chunk !== '') {
      atStart = false;
      return chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk;
    }
    return chunk;
  };
  return {
    push: (bytes) => feed(decode(bytes)),
    end: () => {
      feed(holdsPartial ? text.decode() : '');
      // The parser holds a final CR in case an LF follows; at the end none will, so the CR
      // was a line end. An LF turns it into the equivalent CRLF.
      if (endsWithCr) feed('\n');
      parser.reset();
    },
  };
}

/**
 * Whether `bytes` ends with a complete UTF-8 character (or with bytes that are not UTF-8 at all,
 * which decode to U+FFFD either way). `false` when unsure: a chunk of continuation bytes only.
 */
function endsOnCharacterBoundary(bytes: Uint8Array): boolean {
  const length = bytes.length;
  for (let back = 1; back <= 4 && back <= length; back++) {
    const byte = bytes[length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const needed = byte < 0x80 ? 1 : byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
    return back >= needed;
  }
  return length === 0;
}
