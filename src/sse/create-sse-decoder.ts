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
  const text = new TextDecoder('utf-8');
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
  return {
    push: (bytes) => feed(text.decode(bytes, { stream: true })),
    end: () => {
      feed(text.decode());
      // The parser holds a final CR in case an LF follows; at the end none will, so the CR
      // was a line end. An LF turns it into the equivalent CRLF.
      if (endsWithCr) feed('\n');
      parser.reset();
    },
  };
}
