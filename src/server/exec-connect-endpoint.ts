import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { isLeft } from '../codec/either.js';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { decodeExecRequest, type ExecRequest } from '../codec/exec-request.js';
import { formatIssues } from '../errors/exec-issue.js';
import { hasCommand } from './accept-exec-post.js';
import {
  EXEC_SIGNALS,
  EXEC_SUBPROTOCOL,
  MAX_SESSION_FRAME_PAYLOAD_BYTES,
  SESSION_CHANNEL,
} from '../session/session-protocol.js';
import { type ProcessRun, runProcess, type StartFailure } from './run-process.js';
import { offeredToken } from './offered-token.js';
import { refuseUpgrade } from './refuse-upgrade.js';
import type { SandboxContext } from './sandbox-context.js';
import {
  SOCKET_CLOSE_GRACE_MS,
  SOCKET_OUTPUT_HIGH_WATER,
  SOCKET_OUTPUT_LOW_WATER,
} from './protocol-constants.js';

/** `GET /exec/connect`, mounted on the sandbox's HTTP server through its `upgrade` event. */
export interface ExecConnectEndpoint {
  /** Answers an upgrade request for `/exec/connect`: refuses it in plain text, or opens a session. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/** The signals a client may send; any other name is ignored, as on the service. */
const SIGNALS: ReadonlySet<string> = new Set(EXEC_SIGNALS);

/** How long a client has to answer a ping (or less, if pings come more often). */
const PONG_TIMEOUT_MS = 10_000;

/** The most bytes of UTF-8 a close reason may hold (RFC 6455: 125 less the code). */
const MAX_CLOSE_REASON_BYTES = 123;

/**
 * The interactive exec endpoint, as the service speaks it (`../shared/PROTOCOL.md`,
 * "Interactive exec"): the token in the subprotocol `token.<value>` (never echoed), a start
 * frame with the request, stdin frames in, byte-exact output frames out, signals to the whole
 * process group, one terminal text frame, then a close. A foreign `Origin` is refused (the
 * service does not check; this server runs commands as the user). Backpressure both ways:
 * the socket is not read while the command's stdin is full, and the pipes are paused while
 * the client has not taken the output sent.
 *
 * @param context - The sandbox's settings, token and runs.
 */
export function createExecConnectEndpoint(context: SandboxContext): ExecConnectEndpoint {
  const server = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: context.maxFrameBytes,
    clientTracking: false,
    handleProtocols: (protocols) => (protocols.has(EXEC_SUBPROTOCOL) ? EXEC_SUBPROTOCOL : false),
  });
  return {
    upgrade(request, socket, head) {
      const origin = request.headers.origin;
      if (origin !== undefined && !context.cors.allows(origin)) {
        return refuseUpgrade(socket, 403, 'origin not allowed');
      }
      if (context.runs.closing) return refuseUpgrade(socket, 503, 'sandbox is shutting down');
      if (context.runs.full()) return refuseUpgrade(socket, 429, 'too many connections to sandbox');
      const access = context.authorize(offeredToken(request.headers['sec-websocket-protocol']));
      if (access === 'missing') {
        return refuseUpgrade(socket, 401, 'missing token (pass as Sec-WebSocket-Protocol: token.<value>)');
      }
      if (access === 'invalid') return refuseUpgrade(socket, 401, 'invalid access token');
      // Completes at once (no verifyClient), or answers a malformed handshake with 400 itself.
      server.handleUpgrade(request, socket, head, (ws) => runSession(ws, context));
    },
  };
}

/** One session, from the upgrade to the close: tracked as a run the whole time. */
function runSession(ws: WebSocket, context: SandboxContext): void {
  let run: ProcessRun | undefined;
  let closed = false;
  let resolveClosed: () => void = () => undefined;
  const socketClosed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  const timers = new Set<NodeJS.Timeout>();
  const after = (ms: number, action: () => void): NodeJS.Timeout => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      action();
    }, ms);
    timers.add(timer);
    return timer;
  };
  const close = (code: number, reason: string): void => {
    if (closed) return;
    ws.close(code, truncateReason(reason));
    // A client that never answers the closing handshake is dropped.
    after(SOCKET_CLOSE_GRACE_MS, () => ws.terminate());
  };

  // Nothing within the start timeout: the socket is dropped, no close frame.
  const startTimer = after(context.sessionStartTimeoutMs, () => ws.terminate());
  const pinger = setInterval(() => {
    ws.ping();
    const pongTimer = after(Math.min(PONG_TIMEOUT_MS, context.pingIntervalMs), () => ws.terminate());
    ws.once('pong', () => {
      clearTimeout(pongTimer);
      timers.delete(pongTimer);
    });
  }, context.pingIntervalMs);

  ws.on('error', () => {
    // Protocol errors (a frame over maxPayload: 1009, bad framing: 1002) close the socket
    // themselves; the 'close' below then ends the run.
  });
  ws.on('close', () => {
    closed = true;
    clearInterval(pinger);
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    // The client closed or the network dropped: the process group is SIGKILLed at once.
    run?.kill();
    resolveClosed();
  });

  context.runs.add({
    abort: () => {
      run?.kill();
      close(1001, 'sandbox is shutting down');
    },
    done: socketClosed.then(() => run?.done),
  });

  ws.once('message', (data: RawData, isBinary: boolean) => {
    clearTimeout(startTimer);
    timers.delete(startTimer);
    const start = readStartFrame(data as Buffer, isBinary);
    if ('code' in start) return close(start.code, start.reason);
    run = startRun(start.request);
    ws.on('message', (frame: RawData, binary: boolean) => onClientFrame(frame as Buffer, binary));
  });

  function startRun(request: ExecRequest): ProcessRun {
    let unsent = 0;
    let outputPaused = false;
    const send = (frame: Buffer): void => {
      unsent += frame.length;
      ws.send(frame, { binary: true }, () => {
        unsent -= frame.length;
        if (outputPaused && unsent <= SOCKET_OUTPUT_LOW_WATER) {
          outputPaused = false;
          child.resumeOutput();
        }
      });
      if (!outputPaused && unsent > SOCKET_OUTPUT_HIGH_WATER) {
        // The client takes output slowly: stop reading the pipes (the command then blocks on
        // write) rather than buffering its output without bound.
        outputPaused = true;
        child.pauseOutput();
      }
    };
    const child = runProcess(
      {
        request,
        baseEnv: context.baseEnv,
        workingDir: context.workingDir,
        timeoutMs: request.timeout_s === undefined ? undefined : request.timeout_s * 1000,
        stdin: true,
      },
      {
        onOutput: (stream, bytes) => {
          if (closed) return;
          const channel = SESSION_CHANNEL[stream];
          for (let offset = 0; offset < bytes.length; offset += MAX_SESSION_FRAME_PAYLOAD_BYTES) {
            const piece = bytes.subarray(offset, offset + MAX_SESSION_FRAME_PAYLOAD_BYTES);
            const frame = Buffer.allocUnsafe(piece.length + 1);
            frame[0] = channel;
            piece.copy(frame, 1);
            send(frame);
          }
        },
        onStartFailure: (failure) => {
          if (closed) return;
          ws.send(JSON.stringify({ finished: true, ...describeFailure(failure, request.command) }));
          close(1011, 'command did not start');
        },
        onExit: (exitCode) => {
          if (closed) return;
          ws.send(JSON.stringify({ exit_code: exitCode, finished: true }));
          close(1000, 'command exited');
        },
      },
    );
    return child;
  }

  let stdinPaused = false;
  function onClientFrame(frame: Buffer, binary: boolean): void {
    if (run === undefined) return;
    if (binary) {
      if (frame.length < 2 || frame[0] !== SESSION_CHANNEL.stdin) return; // Unknown frames are ignored.
      if (!run.writeStdin(frame.subarray(1)) && !stdinPaused) {
        // The command does not read its stdin as fast as it comes: stop reading the socket
        // (the client's sends back up) instead of buffering.
        stdinPaused = true;
        ws.pause();
        run.onStdinDrain(() => {
          stdinPaused = false;
          ws.resume();
        });
      }
      return;
    }
    const message = parseJson(frame.toString('utf8'));
    if (typeof message !== 'object' || message === null) return;
    const { type, name } = message as { type?: unknown; name?: unknown };
    if (type === 'stdin_close') run.endStdin();
    else if (type === 'signal' && typeof name === 'string' && SIGNALS.has(name)) {
      run.signal(name as NodeJS.Signals);
    }
  }
}

/** The start frame's request, or the close code and reason it gets. */
function readStartFrame(
  data: Buffer,
  isBinary: boolean,
): { request: ExecRequest } | { code: number; reason: string } {
  if (isBinary) return { code: 1003, reason: 'the start frame must be a text frame' };
  const json = parseJson(data.toString('utf8'));
  if (json === undefined) return { code: 1008, reason: 'invalid JSON start frame' };
  const decoded = decodeExecRequest(withoutNonPositiveTimeout(json), { rejectUnknownFields: false });
  if (isLeft(decoded)) {
    const commandMissing = decoded.left.some((issue) => issue.path === 'command') && !hasCommand(json);
    return { code: 1008, reason: commandMissing ? 'command is required' : formatIssues(decoded.left) };
  }
  return { request: decoded.right };
}

/** Sessions read a `timeout_s` of 0 or less as "no timeout". */
function withoutNonPositiveTimeout(json: unknown): unknown {
  if (typeof json !== 'object' || json === null) return json;
  const timeout = (json as { timeout_s?: unknown }).timeout_s;
  if (typeof timeout !== 'number' || timeout > 0) return json;
  const { timeout_s: _none, ...rest } = json as Record<string, unknown>;
  return rest;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The error frame's `code` and `error`, worded as the service words them. */
function describeFailure(failure: StartFailure, command: string): { error: string; code: string } {
  return failure.reason === 'missing-binary'
    ? { error: `resolve "${command}": executable file not found in PATH`, code: 'bad_request' }
    : { error: 'the command failed to run', code: 'exec_failed' };
}

/** A close reason cut to what the frame can hold, between characters. */
function truncateReason(reason: string): string {
  let text = reason;
  while (Buffer.byteLength(text) > MAX_CLOSE_REASON_BYTES) text = text.slice(0, -1);
  return text;
}
