/**
 * A handler property's type, checked bivariantly (as methods are), so that the DOM's
 * `WebSocket`, Node 22's and the `ws` package's, whose handlers take richer event types, all fit.
 */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/**
 * What `execSession$` needs of a WebSocket: the standard browser API, which the DOM's
 * `WebSocket`, Node 22's global one and the `ws` package's all provide.
 */
export interface WebSocketLike {
  /**
   * Set to `'arraybuffer'` (or, where the implementation keeps it, the `ws` package's
   * `'nodebuffer'`), so that binary frames arrive as bytes.
   */
  binaryType: string;
  /** Bytes queued by `send` and not yet handed to the network: stdin's backpressure signal. */
  readonly bufferedAmount: number;
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** The subprotocol the server selected. */
  readonly protocol: string;
  /** Called once the handshake succeeded. */
  onopen: Handler<unknown> | null;
  /** Called with each frame: `data` is a string for text, an `ArrayBuffer` for binary. */
  onmessage: Handler<{ readonly data: unknown }> | null;
  /** Called once when the connection closed, cleanly or not. */
  onclose: Handler<{ readonly code: number; readonly reason: string }> | null;
  /** Called when the connection failed; a close follows. */
  onerror: Handler<unknown> | null;
  /** Sends a text (string) or binary (bytes) frame. */
  send(data: string | Uint8Array): void;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
  /**
   * The `ws` package's event API; when present, a refused handshake's HTTP status and body are
   * read from its `unexpected-response` event (browsers never expose them).
   */
  on?(event: string, listener: (...args: never[]) => void): unknown;
}

/**
 * A WebSocket constructor: `globalThis.WebSocket` in browsers and Node 22+, or the `ws`
 * package's `WebSocket` on Node 20.
 */
export type WebSocketConstructor = new (url: string, protocols: string[]) => WebSocketLike;
