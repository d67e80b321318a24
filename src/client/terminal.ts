import { isObservable, Observable, type Unsubscribable } from 'rxjs';
import type { ExecIssue } from '../errors/exec-issue.js';
import { ExecRequestError } from '../errors/exec-request-error.js';
import { createStdinEncoder } from '../session/create-stdin-encoder.js';
import { decodeTerminalFrame } from '../session/decode-terminal-frame.js';
import { terminalCloseError } from '../session/terminal-close-error.js';
import {
  isTerminalDimension,
  MAX_TERMINAL_DIMENSION,
  MAX_TERMINAL_INPUT_FRAME_BYTES,
  TERMINAL_PATH,
  TERMINAL_SIGNALS,
  TERMINAL_SUBPROTOCOL,
  type TerminalSignal,
  type TerminalSize,
} from '../session/terminal-protocol.js';
import { dialSession } from './dial-session.js';
import { STDIN_HIGH_WATER_MARK } from './exec-session.js';
import { type ExecOptions, resolveSessionOptions } from './exec-options.js';
import { forwardSignals } from './forward-signals.js';
import { type ExecStdin, isStdinSource, startStdinPump } from './start-stdin-pump.js';

/** A terminal's input: keystrokes and pastes, size changes, and signals for its shell. */
export interface TerminalIO {
  /**
   * What is typed: raw bytes (`0x03` is Ctrl-C, `0x04` Ctrl-D), strings UTF-8 encoded (a
   * character split across two strings is sent whole), sent in frames of at most 64 KiB. An
   * `AsyncIterable` or a `ReadableStream` is read only as fast as the socket sends; an
   * `Observable` pushes, and more than `maxBufferedStdinBytes` unsent fails the terminal. Its
   * completion sends nothing (a terminal has no end of input: send `exit\n` or `\x04`); its
   * error ends the terminal with that error.
   */
  readonly input?: ExecStdin;
  /**
   * The terminal's size, in cells: each value is sent as a resize (the shell gets SIGWINCH);
   * the latest one emitted before the socket opens is sent right after the open. Integers in
   * 1..65535 only.
   */
  readonly resize?: Observable<TerminalSize>;
  /**
   * Signals for the shell itself (bash), not the program it runs: an interactive bash ignores
   * SIGTERM and SIGQUIT, does not pass SIGINT on, and exits on SIGHUP. To interrupt the running
   * program, send `'\x03'` as input.
   */
  readonly signals?: Observable<TerminalSignal>;
}

/** Output of the terminal: raw bytes, as the terminal wrote them (stdout and stderr merged by it). */
export interface TerminalEvent {
  /** Always `'stdout'`: a terminal has one output stream, so that `stdoutText()` reads it. */
  readonly type: 'stdout';
  /** The bytes of one frame; a UTF-8 character may be split across two. */
  readonly data: Uint8Array;
}

/**
 * Opens a shell in a pseudo-terminal over `GET /terminal`: the terminal's output is emitted
 * byte-exact as it arrives, as `{ type: 'stdout', data }` (so `stdoutText()` and `lines()` work
 * on it as on a session), and it completes when the shell exits (close 1000).
 *
 * Cold: each subscription opens one WebSocket, and so starts one new shell (`ws:`/`wss:` from
 * `baseUrl`, path prefix kept; the token travels as the subprotocol `token.<accessToken>` after
 * `superserve.terminal.v1`, never in the URL or an error). Unsubscribing closes the socket, and
 * the service kills the shell. Never reconnects by itself. A refused handshake is retried once
 * with a fresh token from a token provider, as for sessions.
 *
 * Errors with `ExecRequestError` (invalid options or io; a size that is not integers in
 * 1..65535 or a signal name outside the four, at once and never sent; no WebSocket),
 * `ExecHttpError` (a refused handshake, with `status` and `body`, where the WebSocket
 * implementation exposes them: the `ws` package does, browsers do not), `ExecNetworkError`
 * (`fetch`: the socket never opened; `body`: closed abnormally, 1006, as when the service cuts an
 * idle terminal), `ExecFailedError` (close 1011: the shell did not start, the reason its
 * message), `ExecProtocolError` (closed 1003, 1008 or 1009; input pushed past its cap),
 * `ExecDecodeError` (a frame that is neither text nor bytes), `ExecIncompleteError` (any other
 * close), and with the error of `io.input`, `io.resize` or `io.signals`.
 *
 * @param io - Its input, size and signals.
 * @param options - Where and how to dial (`webSocket` on Node 20).
 * @example
 * ```ts
 * terminal$({ input: of('echo $((6*7)); exit\n') }, { baseUrl, accessToken })
 *   .pipe(stdoutText())
 *   .subscribe((text) => console.log(text)); // the prompt, the echo, 42, exit
 * ```
 */
export function terminal$(io: TerminalIO = {}, options: ExecOptions = {}): Observable<TerminalEvent> {
  return new Observable<TerminalEvent>((subscriber) => {
    const resolved = resolveSessionOptions(options, TERMINAL_PATH);
    const issues: ExecIssue[] = [...(resolved.ok ? [] : resolved.issues), ...ioIssues(io)];
    if (!resolved.ok || issues.length > 0) {
      subscriber.error(new ExecRequestError(issues));
      return undefined;
    }
    const { url, maxBufferedStdinBytes, webSocket, accessToken } = resolved.value;
    const fail = (error: unknown): void => {
      if (!subscriber.closed) subscriber.error(error);
    };
    /** The latest size emitted before the open, sent right after it. */
    let sizeAtOpen: string | undefined;
    const socket = dialSession({
      url,
      endpoint: 'GET /terminal',
      subprotocol: TERMINAL_SUBPROTOCOL,
      webSocket,
      accessToken,
      firstFrames: () => (sizeAtOpen === undefined ? [] : [sizeAtOpen]),
      onOpen: () => input.open(),
      onMessage: (data) => {
        if (subscriber.closed) return;
        const bytes = decodeTerminalFrame(data);
        if (bytes === undefined) return;
        if (!(bytes instanceof Uint8Array)) return fail(bytes);
        subscriber.next({ type: 'stdout', data: bytes });
      },
      onClose: (code, reason, token) => {
        if (subscriber.closed) return;
        if (code === 1000) subscriber.complete();
        else fail(terminalCloseError(code, reason, token));
      },
      onError: fail,
    });
    const input = startStdinPump(io.input, socket, {
      highWaterMark: STDIN_HIGH_WATER_MARK,
      maxBuffered: maxBufferedStdinBytes,
      onError: fail,
      encoder: createStdinEncoder(MAX_TERMINAL_INPUT_FRAME_BYTES, null),
      endFrame: null,
      name: 'input',
    });
    const subscriptions: Array<Unsubscribable | undefined> = [];
    if (!subscriber.closed) {
      subscriptions.push(
        io.resize?.subscribe({
          next: (size) => {
            const frame = resizeFrame(size);
            if (frame instanceof ExecRequestError) return fail(frame);
            if (socket.opened) socket.send(frame);
            else sizeAtOpen = frame;
          },
          error: fail,
        }),
      );
    }
    if (!subscriber.closed)
      subscriptions.push(forwardSignals(io.signals, TERMINAL_SIGNALS, socket.send, fail));
    if (!subscriber.closed) socket.connect();

    return () => {
      input.stop();
      for (const subscription of subscriptions) subscription?.unsubscribe();
      socket.close();
    };
  });
}

/** The resize frame of a size, or why it cannot be sent. */
function resizeFrame(size: unknown): string | ExecRequestError {
  const { cols, rows } = (typeof size === 'object' && size !== null ? size : {}) as Partial<TerminalSize>;
  if (!isTerminalDimension(cols) || !isTerminalDimension(rows)) {
    return new ExecRequestError([
      {
        path: 'resize',
        message: `expected { cols, rows }, integers in 1..${MAX_TERMINAL_DIMENSION}, got ${describeSize(size)}`,
      },
    ]);
  }
  return JSON.stringify({ type: 'resize', cols, rows });
}

function describeSize(size: unknown): string {
  try {
    return JSON.stringify(size) ?? String(size);
  } catch {
    return String(size);
  }
}

function ioIssues(io: TerminalIO): ExecIssue[] {
  if (typeof io !== 'object' || io === null) {
    return [{ path: 'io', message: 'expected { input?, resize?, signals? }' }];
  }
  const issues: ExecIssue[] = [];
  if (io.input !== undefined && !isStdinSource(io.input)) {
    issues.push({ path: 'input', message: 'expected an Observable, an AsyncIterable or a ReadableStream' });
  }
  if (io.resize !== undefined && !isObservable(io.resize)) {
    issues.push({ path: 'resize', message: 'expected an Observable of { cols, rows }' });
  }
  if (io.signals !== undefined && !isObservable(io.signals)) {
    issues.push({ path: 'signals', message: 'expected an Observable of signal names' });
  }
  return issues;
}
