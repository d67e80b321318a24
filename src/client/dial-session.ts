import { redactSecret } from '../codec/redact-secret.js';
import { ExecNetworkError } from '../errors/exec-network-error.js';
import { ExecRequestError } from '../errors/exec-request-error.js';
import {
  SUBPROTOCOL_TOKEN,
  SUBPROTOCOL_TOKEN_ISSUE,
  TOKEN_SUBPROTOCOL_PREFIX,
} from '../session/session-protocol.js';
import { type AccessTokenProvider, accessTokenAttempt } from '../tokens/access-token-attempt.js';
import { type HandshakeResponse, readHandshakeRefusal } from './read-handshake-refusal.js';
import type { WebSocketConstructor, WebSocketLike } from './web-socket-like.js';

/** Where to dial a session's WebSocket, and who hears what happens to it. */
export interface DialSessionConfig {
  /** The `ws:` or `wss:` URL. */
  readonly url: string;
  /** The endpoint, for messages. */
  readonly endpoint: 'GET /exec/connect' | 'GET /terminal';
  /** The subprotocol offered first (the token follows as `token.<value>`). */
  readonly subprotocol: string;
  readonly webSocket: WebSocketConstructor;
  readonly accessToken: string | AccessTokenProvider;
  /** The frames sent right after the open, before those queued while connecting. */
  readonly firstFrames: () => ReadonlyArray<string | Uint8Array>;
  /** The socket opened and the queued frames were sent. */
  readonly onOpen: () => void;
  /** A frame arrived; `token` is the dial's, to keep out of errors. */
  readonly onMessage: (data: unknown, token: string) => void;
  /** The socket closed after it had opened. */
  readonly onClose: (code: number, reason: string, token: string) => void;
  /** The dial failed for good (refused, unreachable, a bad token): the session's error. */
  readonly onError: (error: unknown) => void;
}

/** A session's socket, as the rest of the session sees it. */
export interface SessionSocket {
  /** Sends a frame, or queues it until the socket opens. */
  send(frame: Uint8Array | string): void;
  /** The bytes queued or sent and not yet on the network: the input's backpressure signal. */
  unsent(): number;
  /** Whether the socket has opened. */
  readonly opened: boolean;
  /** Dials (once): frames sent before are queued for the open. */
  connect(): void;
  /** Stops everything: no more callbacks, a refusal's body is no longer read, the socket closed. */
  close(): void;
}

const OPEN = 1;
const CONNECTING = 0;

/**
 * Makes a session's socket, which {@link SessionSocket.connect} dials as the service wants it (the token as the subprotocol
 * `token.<value>`, never in the URL or an error), queueing frames until it opens. A dial refused
 * before the open is retried once with a fresh token when the token comes from a provider (a
 * 401 with `ws`; any refusal in a browser, which hides the status, as the vendor SDK assumes).
 * Shared by `execSession$` and `terminal$`.
 *
 * @param config - Where to dial and the callbacks.
 * @example
 * ```ts
 * const socket = dialSession({ url, endpoint: 'GET /terminal', subprotocol: TERMINAL_SUBPROTOCOL, ...callbacks });
 * socket.send(input); // queued until the open
 * socket.connect();
 * ```
 */
export function dialSession(config: DialSessionConfig): SessionSocket {
  const attempt = accessTokenAttempt(config.accessToken);
  /** The socket of the current dial (a refused dial may be followed by one more). */
  let socket: WebSocketLike | undefined;
  /** The token of the current dial, kept out of every error. */
  let token = '';
  let opened = false;
  let stopped = false;
  let refusal: HandshakeResponse | undefined;
  const queued: Array<Uint8Array | string> = [];
  let queuedBytes = 0;
  const fail = (error: unknown): void => {
    if (stopped) return;
    config.onError(error);
  };

  /**
   * A dial refused before the socket opened: with a token from a provider, ask it once for a
   * fresh one and dial again (the frames queued so far wait for that socket); otherwise, or the
   * second time, the refusal is the error.
   */
  const refused = (error: unknown, tokenRejected: boolean): void => {
    if (!tokenRejected) return fail(error);
    attempt.refresh(token).then((fresh) => {
      if (stopped) return;
      if (fresh === undefined) fail(error);
      else dial(fresh);
    }, fail);
  };

  const dial = (next: string): void => {
    // Never offered as a subprotocol if it could not be one: a browser would throw a
    // SyntaxError that quotes it.
    if (!SUBPROTOCOL_TOKEN.test(next)) {
      return fail(new ExecRequestError([{ path: 'accessToken', message: SUBPROTOCOL_TOKEN_ISSUE }]));
    }
    token = next;
    let current: WebSocketLike;
    try {
      current = new config.webSocket(config.url, [config.subprotocol, `${TOKEN_SUBPROTOCOL_PREFIX}${token}`]);
    } catch (error) {
      return fail(new ExecNetworkError('fetch', withoutSecret(error, token), config.endpoint));
    }
    socket = current;
    // Binary frames as bytes. `ws` can hand over the buffers it read ('nodebuffer') where
    // 'arraybuffer' copies each frame into a new ArrayBuffer (a fifth of the CPU of bulk
    // output); other implementations do not know that value (browsers ignore it, undici's
    // WebSocket makes it 'blob'), so it is read back.
    current.binaryType = 'nodebuffer';
    if (current.binaryType !== 'nodebuffer') current.binaryType = 'arraybuffer';
    let failure: unknown;
    current.onopen = () => {
      opened = true;
      for (const frame of config.firstFrames()) current.send(frame);
      for (const frame of queued.splice(0)) current.send(frame);
      queuedBytes = 0;
      config.onOpen();
    };
    current.onmessage = ({ data }) => {
      if (!stopped) config.onMessage(data, token);
    };
    current.onclose = ({ code, reason }) => {
      if (opened) return void (stopped || config.onClose(code, reason, token));
      detach(current);
      const cause = failure ?? new Error(`closed with ${code} before the session opened`);
      refused(new ExecNetworkError('fetch', cause, config.endpoint), true);
    };
    current.onerror = (event) => {
      // A close always follows; keep what the implementation said (`ws` says ECONNREFUSED,
      // browsers say nothing) as the cause, without the token.
      const { error, message } = (event ?? {}) as { error?: unknown; message?: unknown };
      if (error !== undefined || typeof message === 'string') {
        failure = withoutSecret(error ?? message, token);
      }
    };
    // The `ws` package tells why a handshake was refused; browsers never do.
    current.on?.('unexpected-response', ((_request: unknown, response: HandshakeResponse) => {
      refusal = response;
      // From now on this dial's outcome is the refusal's: ignore the close that reading
      // (and destroying) the response may set off.
      stopListening(current);
      void readHandshakeRefusal(response, token, config.endpoint).then((error) => {
        refusal = undefined;
        detach(current);
        refused(error, error.status === 401);
      });
    }) as (...args: never[]) => void);
  };

  return {
    connect() {
      const first = attempt.token();
      if (typeof first === 'string') dial(first);
      else {
        first.then((fresh) => {
          if (!stopped) dial(fresh);
        }, fail);
      }
    },
    send(frame) {
      if (opened) socket?.send(frame);
      else {
        queued.push(frame);
        queuedBytes += frame.length;
      }
    },
    unsent: () => queuedBytes + (opened ? (socket?.bufferedAmount ?? 0) : 0),
    get opened() {
      return opened;
    },
    close() {
      stopped = true;
      // Unsubscribed while a refusal's body was being read: stop reading it.
      refusal?.destroy();
      if (socket !== undefined) detach(socket);
    },
  };
}

/** Stops listening to a socket and closes it. */
function detach(socket: WebSocketLike): void {
  stopListening(socket);
  if (socket.readyState !== OPEN && socket.readyState !== CONNECTING) return;
  try {
    socket.close(1000);
  } catch {
    // Closing a socket that is already failing: nothing left to release.
  }
}

/** Drops a socket's handlers, leaving an error handler: `ws` emits one when a connecting socket
 * is closed or its handshake refused, and an unhandled one would throw. */
function stopListening(socket: WebSocketLike): void {
  socket.onopen = null;
  socket.onmessage = null;
  socket.onclose = null;
  socket.onerror = () => undefined;
}

/** The constructor's error with the token taken out of its message (a browser quotes it). */
function withoutSecret(error: unknown, secret: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  return new Error(redactSecret(message, secret));
}
