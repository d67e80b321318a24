import { isObservable, Observable } from 'rxjs';
import { isLeft } from '../codec/either.js';
import { decodeExecRequest, type ExecRequest } from '../codec/exec-request.js';
import type { ExecSessionEvent } from '../codec/exec-session-event.js';
import type { ExecIssue } from '../errors/exec-issue.js';
import { ExecRequestError } from '../errors/exec-request-error.js';
import { isExecStreamError } from '../errors/exec-stream-error.js';
import { decodeSessionFrame } from '../session/decode-session-frame.js';
import { sessionCloseError } from '../session/session-close-error.js';
import { EXEC_SIGNALS, EXEC_SUBPROTOCOL, type ExecSignal } from '../session/session-protocol.js';
import { dialSession } from './dial-session.js';
import { type ExecOptions, resolveSessionOptions } from './exec-options.js';
import { forwardSignals } from './forward-signals.js';
import { type ExecStdin, isStdinSource, startStdinPump } from './start-stdin-pump.js';

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
    const { url, maxBufferedStdinBytes, webSocket, accessToken } = resolved.value;
    const fail = (error: unknown): void => {
      if (!subscriber.closed) subscriber.error(error);
    };
    const socket = dialSession({
      url,
      endpoint: 'GET /exec/connect',
      subprotocol: EXEC_SUBPROTOCOL,
      webSocket,
      accessToken,
      firstFrames: () => [JSON.stringify(decoded.right)],
      onOpen: () => stdin.open(),
      onMessage: (data, token) => {
        if (subscriber.closed) return;
        const event = decodeSessionFrame(data, token);
        if (event === undefined) return;
        if (isExecStreamError(event)) return fail(event);
        subscriber.next(event);
        if (event.type === 'finished') subscriber.complete();
      },
      onClose: (code, reason, token) => fail(sessionCloseError(code, reason, token)),
      onError: fail,
    });
    const stdin = startStdinPump(io.stdin, socket, {
      highWaterMark: STDIN_HIGH_WATER_MARK,
      maxBuffered: maxBufferedStdinBytes,
      onError: fail,
    });
    const signals = subscriber.closed
      ? undefined
      : forwardSignals(io.signals, EXEC_SIGNALS, socket.send, fail);
    if (!subscriber.closed) socket.connect();

    return () => {
      stdin.stop();
      signals?.unsubscribe();
      socket.close();
    };
  });
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
