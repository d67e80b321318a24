import { isObservable, Observable, type Unsubscribable } from 'rxjs';
import { isLeft } from '../codec/either.js';
import { decodeExecRequest, type ExecRequest } from '../codec/exec-request.js';
import type { ExecSessionEvent } from '../codec/exec-session-event.js';
import { redactSecret } from '../codec/redact-secret.js';
import type { ExecIssue } from '../errors/exec-issue.js';
import { ExecNetworkError } from '../errors/exec-network-error.js';
import { ExecRequestError } from '../errors/exec-request-error.js';
import { isExecStreamError } from '../errors/exec-stream-error.js';
import { decodeSessionFrame } from '../session/decode-session-frame.js';
import { sessionCloseError } from '../session/session-close-error.js';
import {
  EXEC_SIGNALS,
  EXEC_SUBPROTOCOL,
  type ExecSignal,
  SUBPROTOCOL_TOKEN,
  SUBPROTOCOL_TOKEN_ISSUE,
  TOKEN_SUBPROTOCOL_PREFIX,
} from '../session/session-protocol.js';
import { accessTokenAttempt } from '../tokens/access-token-attempt.js';
import { type ExecOptions, resolveSessionOptions } from './exec-options.js';
import { type HandshakeResponse, readHandshakeRefusal } from './read-handshake-refusal.js';
import { type ExecStdin, isStdinSource, startStdinPump } from './start-stdin-pump.js';
import type { WebSocketLike } from './web-socket-like.js';

/** A session's input: what to write to the command's stdin, and signals to send it. */
export interface ExecSessionIO {
  /**
   * The command's stdin. Strings are UTF-8 encoded. An `AsyncIterable` (a Node stream, an
   * async generator) or a `ReadableStream` is read only as fast as the socket sends; an
   * `Observable` pushes, and more than `maxBufferedStdinBytes` unsent fails the session.
   * Its completion ends stdin (EOF); its error ends the session with that error. Absent:
   * EOF right after the start.
   */
  readonly stdin?: ExecStdin;
  /** Signals to send to the command's process group, one frame each, as they come. */
  readonly signals?: Observable<ExecSignal>;
}

/** How many unsent bytes a pulled stdin source may leave in the socket before it waits. */
export const STDIN_HIGH_WATER_MARK = 1024 * 1024;

const OPEN = 1;
const CONNECTING = 0;

/**
 * Runs a command interactively over `GET /exec/connect`: its stdin fed from `io.stdin`,
 * signals from `io.signals`, and its output emitted byte-exact as it arrives, then exactly one
 * `finished` with the exit code, then completion (and the socket is closed).
 *
 * Cold: each subscription opens one WebSocket (`ws:`/`wss:` from `baseUrl`, path prefix kept;
 * the token travels as the subprotocol `token.<accessToken>`, never in the URL) and sends the
 * start frame, exactly the request's fields. Unsubscribing closes the socket, and the service
 * then kills the command. Never reconnects by itself.
 *
 * Errors with `ExecRequestError` (invalid request, options or io, no WebSocket, a signal name
 * outside the seven: nothing is dialled, or the socket is closed), `ExecHttpError` (a refused
 * handshake, with `status` and `body`, where the WebSocket implementation exposes them: the
 * `ws` package does, browsers do not), `ExecNetworkError` (`fetch`: the socket never opened;
 * `body`: closed abnormally, 1006), `ExecFailedError` (the command could not run),
 * `ExecProtocolError` (closed 1003, 1008 or 1009; stdin pushed past its cap),
 * `ExecDecodeError` (a frame that is not a session frame) and `ExecIncompleteError` (any other
 * close before the terminal frame), and with the error of `io.stdin` or `io.signals`.
 *
 * @param request - What to run.
 * @param io - Its stdin and signals.
 * @param options - Where and how to dial (`webSocket` on Node 20).
 * @example
 * ```ts
 * import WebSocket from 'ws'; // Node 20; browsers and Node 22+ have one
 *
 * execSession$({ command: 'python3 -i' }, { stdin: of('print(6 * 7)\n') }, { accessToken, webSocket: WebSocket })
 *   .pipe(stdoutText(), lines())
 *   .subscribe(console.log); // 42
 * ```
 */
export function execSession$(
  request: ExecRequest,
  io: ExecSessionIO = {},
  options: ExecOptions = {},
): Observable<ExecSessionEvent> {
  return new Observable<ExecSessionEvent>((subscriber) => {
    const decoded = decodeExecRequest(request);
    const resolved = resolveSessionOptions(options);
    const issues: ExecIssue[] = [
      ...(isLeft(decoded) ? decoded.left : []),
      ...(resolved.ok ? [] : resolved.issues),
      ...ioIssues(io),
    ];
    if (isLeft(decoded) || !resolved.ok || issues.length > 0) {
      subscriber.error(new ExecRequestError(issues));
      return undefined;
    }
    const { url, maxBufferedStdinBytes, webSocket: WebSocketImpl } = resolved.value;
    const attempt = accessTokenAttempt(resolved.value.accessToken);
    /** The socket of the current dial (a refused dial may be followed by one more). */
    let socket: WebSocketLike | undefined;
    /** The token of the current dial, kept out of every error. */
    let token = '';
    let opened = false;
    let refusal: HandshakeResponse | undefined;
    const queued: Array<Uint8Array | string> = [];
    let queuedBytes = 0;
    const fail = (error: unknown): void => {
      if (!subscriber.closed) subscriber.error(error);
    };
    const send = (frame: Uint8Array | string): void => {
      if (opened) socket?.send(frame);
      else {
        queued.push(frame);
        queuedBytes += frame.length;
      }
    };

    const stdin = startStdinPump(
      io.stdin,
      { send, unsent: () => queuedBytes + (opened ? (socket?.bufferedAmount ?? 0) : 0) },
      { highWaterMark: STDIN_HIGH_WATER_MARK, maxBuffered: maxBufferedStdinBytes, onError: fail },
    );
    let signals: Unsubscribable | undefined;
    if (io.signals !== undefined && !subscriber.closed) {
      signals = io.signals.subscribe({
        next: (name) => {
          if (!(EXEC_SIGNALS as ReadonlyArray<unknown>).includes(name)) {
            fail(
              new ExecRequestError([
                {
                  path: 'signals',
                  message: `expected one of ${EXEC_SIGNALS.join(', ')}, got ${String(name)}`,
                },
              ]),
            );
            return;
          }
          send(JSON.stringify({ type: 'signal', name }));
        },
        error: fail,
      });
    }

    /**
     * A dial refused before the socket opened: with a token from a provider, ask it once for
     * a fresh one and dial again (the frames queued so far wait for that socket); otherwise,
     * or the second time, the refusal is the error. With `ws` only a 401 is a rejected token;
     * browsers hide the status, so any refusal may be one (as the vendor SDK assumes too).
     */
    const refused = (error: unknown, tokenRejected: boolean): void => {
      if (!tokenRejected) return fail(error);
      attempt.refresh(token).then((fresh) => {
        if (subscriber.closed) return;
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
        current = new WebSocketImpl(url, [EXEC_SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${token}`]);
      } catch (error) {
        return fail(new ExecNetworkError('fetch', withoutSecret(error, token), 'GET /exec/connect'));
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
        current.send(JSON.stringify(decoded.right));
        for (const frame of queued.splice(0)) current.send(frame);
        queuedBytes = 0;
        stdin.open();
      };
      current.onmessage = ({ data }) => {
        if (subscriber.closed) return;
        const event = decodeSessionFrame(data, token);
        if (event === undefined) return;
        if (isExecStreamError(event)) return fail(event);
        subscriber.next(event);
        if (event.type === 'finished') subscriber.complete();
      };
      current.onclose = ({ code, reason }) => {
        if (opened) return fail(sessionCloseError(code, reason, token));
        detach(current);
        const cause = failure ?? new Error(`closed with ${code} before the session opened`);
        refused(new ExecNetworkError('fetch', cause, 'GET /exec/connect'), true);
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
        void readHandshakeRefusal(response, token).then((error) => {
          refusal = undefined;
          detach(current);
          refused(error, error.status === 401);
        });
      }) as (...args: never[]) => void);
    };

    const first = attempt.token();
    if (typeof first === 'string') dial(first);
    else {
      first.then((fresh) => {
        if (!subscriber.closed) dial(fresh);
      }, fail);
    }

    return () => {
      // Unsubscribed while a refusal's body was being read: stop reading it.
      refusal?.destroy();
      stdin.stop();
      signals?.unsubscribe();
      if (socket !== undefined) detach(socket);
    };
  });
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

function ioIssues(io: ExecSessionIO): ExecIssue[] {
  const issues: ExecIssue[] = [];
  if (typeof io !== 'object' || io === null) {
    return [{ path: 'io', message: 'expected { stdin?, signals? }' }];
  }
  if (io.stdin !== undefined && !isStdinSource(io.stdin)) {
    issues.push({ path: 'stdin', message: 'expected an Observable, an AsyncIterable or a ReadableStream' });
  }
  if (io.signals !== undefined && !isObservable(io.signals)) {
    issues.push({ path: 'signals', message: 'expected an Observable of signal names' });
  }
  return issues;
}

/** The constructor's error with the token taken out of its message (a browser quotes it). */
function withoutSecret(error: unknown, secret: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  return new Error(redactSecret(message, secret));
}
